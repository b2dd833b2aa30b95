/*
 * datetime_fuzz - libFuzzer target of the datetime plugin, loaded once through the real ABI
 * (plugin_harness). Inputs that are not valid NUL-free UTF-8 are skipped (rec_new refuses them,
 * as intake would). Beyond not crashing, every output must be well formed: published_at and
 * updated_at match YYYY-MM-DD[THH:MM:SS[+HH:MM]] with in-range fields, and meta "datetime"
 * holds at most 20 found entries whose texts are at most 120 bytes.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_harness.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool digits(const char *s, int n, int lo, int hi)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    return v >= lo && v <= hi;
}

/* Well-formed ISO 8601 as the plugin writes it. */
static bool iso_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 10 && n != 19 && n != 25)
        return false;
    if (!digits(s, 4, 1900, 2100) || s[4] != '-' || !digits(s + 5, 2, 1, 12) || s[7] != '-' ||
        !digits(s + 8, 2, 1, 31))
        return false;
    if (n == 10)
        return true;
    if (s[10] != 'T' || !digits(s + 11, 2, 0, 23) || s[13] != ':' || !digits(s + 14, 2, 0, 59) ||
        s[16] != ':' || !digits(s + 17, 2, 0, 59))
        return false;
    if (n == 19)
        return true;
    return (s[19] == '+' || s[19] == '-') && digits(s + 20, 2, 0, 14) && s[22] == ':' &&
           digits(s + 23, 2, 0, 59);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ph_plugin *plugin;
    if (!plugin)
        plugin = ph_load("datetime", NULL);
    /* a real arrival time, so relative dates ("2 hours ago") are resolved and fuzzed too */
    ingestd_record *rec =
        rec_new("file", "/fuzz/article.txt", 1761559200000LL, (const char *)data, size);
    if (!rec)
        return 0;
    if (ph_process(plugin, rec) != INGESTD_OK)
        abort();
    const char *pub = ph_get(rec, INGESTD_FIELD_PUBLISHED_AT);
    const char *upd = ph_get(rec, INGESTD_FIELD_UPDATED_AT);
    if ((pub && !iso_ok(pub)) || (upd && !iso_ok(upd)))
        abort();
    json_t *meta = json_object_get(rec_meta(rec), "datetime");
    if (meta) {
        json_t *found = json_object_get(meta, "found");
        if (!json_is_array(found) || json_array_size(found) == 0 || json_array_size(found) > 20)
            abort();
        for (size_t i = 0; i < json_array_size(found); i++) {
            const char *text = json_string_value(json_object_get(json_array_get(found, i), "text"));
            const char *value =
                json_string_value(json_object_get(json_array_get(found, i), "value"));
            if (!text || strlen(text) > 120 || !value || !iso_ok(value))
                abort();
        }
    } else if (pub || upd) {
        abort(); /* a time was set, so something was found and must be reported */
    }
    rec_free(rec);
    return 0;
}
