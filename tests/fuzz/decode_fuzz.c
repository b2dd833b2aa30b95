/*
 * decode_fuzz - libFuzzer target of the intake decoder. The first input byte picks the declared
 * encoding (auto, a few 8-bit code pages, UTF-8, UTF-16, or an unsupported name), the rest is the
 * file. Whatever the bytes, a success must give NUL-free, CR-free, valid UTF-8 of the stated
 * length with a canonical encoding name, and a failure must give a known error and no text.
 */
#include "decode.h"
#include "utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const declared_names[] = {
    NULL,           "auto",  "windows-1251", "koi8-r", "cp1252",    "iso-8859-7",
    "windows-1254", "utf-8", "utf-16le",     "UTF16",  "shift_jis", "no-such-enc",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *declared = NULL;
    if (size > 0) {
        declared = declared_names[data[0] % (sizeof declared_names / sizeof declared_names[0])];
        data++;
        size--;
    }
    decode_result r;
    char err[160];
    int rc = decode_to_utf8(data, size, declared, &r, err, sizeof err);
    if (rc == 0) {
        if (!r.text || r.text[r.len] != '\0' || strlen(r.text) != r.len)
            abort();
        if (!utf8_valid(r.text, r.len) || memchr(r.text, '\r', r.len))
            abort();
        const char *canonical = r.encoding ? decode_canonical_name(r.encoding) : NULL;
        if (!canonical || strcmp(canonical, r.encoding) != 0)
            abort();
        decode_result_free(&r);
        if (r.text)
            abort();
    } else {
        if (rc != -EILSEQ && rc != -ENODATA && rc != -EINVAL && rc != -EFBIG)
            abort();
        if (r.text || err[0] == '\0')
            abort();
    }
    return 0;
}
