/*
 * decode - turns the raw bytes of an incoming article into NUL-free UTF-8 with LF line endings.
 *
 * Order of decisions: empty input; byte-order mark (UTF-8 stripped, UTF-16/32 transcoded);
 * a declared wide encoding (UTF-16/32); valid UTF-8 (the hot path: one scan and one copy);
 * a declared legacy encoding; BOM-less UTF-16 by its NUL pattern; binary refusal; detection
 * among the legacy 8-bit encodings of Western, Central European, Cyrillic, Greek and Turkish
 * text by scoring how plausible each decoding reads. Everything here is safe from any thread.
 */
#ifndef INGESTD_DECODE_H
#define INGESTD_DECODE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct decode_result {
    char *text;           /* xmalloc'd, NUL-terminated, valid UTF-8, no NUL/CR bytes inside */
    size_t len;           /* bytes in text, without the terminating NUL */
    const char *encoding; /* static canonical name of the source encoding, e.g. "windows-1251" */
    bool had_bom;         /* the input started with a byte-order mark (stripped) */
} decode_result;

/* Decode raw[0..len) to UTF-8 into *out. declared is NULL or "auto" to detect, or an encoding
 * name accepted by decode_canonical_name(). Valid UTF-8 wins over a declared 8-bit encoding
 * (a declared UTF-16/32 is always honoured). CRLF and lone CR become LF; nothing else changes.
 * Returns 0 and fills *out (caller frees with decode_result_free), or, with *out zeroed and a
 * one-line reason in err[0..errlen) (err may be NULL):
 *   -ENODATA  empty input ("empty file");
 *   -EILSEQ   binary data, bytes invalid in the BOM's/declared encoding ("not valid <enc> at
 *             byte N"), or no encoding fits;
 *   -EINVAL   declared names an encoding we do not support (or this system's iconv lacks it);
 *   -EFBIG    input too large to hold its UTF-8 form in memory.
 * Thread-safe: the first detection builds read-only tables under pthread_once, iconv handles
 * are per call. Allocation failure aborts (xmalloc). Cost: valid UTF-8 is one scan and one
 * copy; detection reads at most the first 256 KB once per candidate code page (10 of them). */
int decode_to_utf8(const void *raw, size_t len, const char *declared, decode_result *out, char *err,
                   size_t errlen);

/* Free r->text and zero *r. Safe on a zeroed or already freed result and on NULL. */
void decode_result_free(decode_result *r);

/* Canonical spelling of a supported encoding name, compared case-insensitively and ignoring
 * '-', '_', ' ' and '.' ("cp1251", "WINDOWS-1251", "windows_1251" -> "windows-1251");
 * "auto" -> "auto". Returns a static string, or NULL when name is NULL or unsupported.
 * Pure; any thread (used by config validation). */
const char *decode_canonical_name(const char *name);

#endif
