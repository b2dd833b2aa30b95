/*
 * cleanup_fuzz - libFuzzer target for the cleanup plugin. Each valid UTF-8 input (without NUL,
 * like every record body) becomes a record, runs through the real cleanup.so loaded once via
 * the plugin harness, and the result is checked: the verdict is OK, body and title are valid
 * UTF-8, blank lines are collapsed, a non-empty body has a title, and meta "cleanup" is set.
 * Inputs of odd length also get an existing title (their first line), to cover that path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_harness.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ph_plugin *cleanup_plugin; /* loaded on the first input, kept for the whole run */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (4u << 20))
        return 0;
    if (!cleanup_plugin)
        cleanup_plugin = ph_load("cleanup", NULL);
    const char *text = (const char *)data;
    ingestd_record *rec = rec_new("file", "/fuzz/article.txt", 0, text, size);
    if (!rec)
        return 0; /* not UTF-8, or has a NUL: the host never hands such a body to a plugin */
    if (size & 1) {
        const char *nl = memchr(text, '\n', size);
        size_t tl = nl ? (size_t)(nl - text) : size;
        rec_set(rec, INGESTD_FIELD_TITLE, text, tl);
    }
    if (ph_process(cleanup_plugin, rec) != INGESTD_OK)
        abort();
    size_t blen = 0, tlen = 0;
    const char *body = rec_get(rec, INGESTD_FIELD_BODY, &blen);
    const char *title = rec_get(rec, INGESTD_FIELD_TITLE, &tlen);
    if (!body || !utf8_valid(body, blen) || (title && !utf8_valid(title, tlen)))
        abort();
    if (blen > 0 && (body[0] == '\n' || body[blen - 1] == '\n' || strstr(body, "\n\n\n")))
        abort();
    if (blen > 0 && (!title || tlen == 0))
        abort();
    if (!json_is_object(json_object_get(rec_meta(rec), "cleanup")))
        abort();
    rec_free(rec);
    return 0;
}
