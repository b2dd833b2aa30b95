/*
 * langdetect_fuzz - libFuzzer target: runs the built langdetect plugin, loaded once through the
 * plugin harness, on arbitrary valid UTF-8 bodies (non-UTF-8 inputs are skipped, as the host
 * refuses them). Any crash, sanitizer report or non-OK verdict is a bug.
 */
#include <stdint.h>
#include <stdlib.h>

#include "plugin_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ph_plugin *plugin;
    if (!plugin)
        plugin = ph_load("langdetect", NULL);
    ingestd_record *rec = rec_new("file", "/fuzz/input.txt", 0, (const char *)data, size);
    if (!rec)
        return 0; /* not valid UTF-8 */
    if (ph_process(plugin, rec) != INGESTD_OK)
        abort();
    const char *lang = ph_get(rec, INGESTD_FIELD_LANG);
    double conf = rec_lang_confidence(rec);
    if (!lang || conf < 0.0 || conf > 1.0)
        abort();
    rec_free(rec);
    return 0;
}
