/*
 * langdetect - the built-in plugin that sets an article's language.
 *
 * Reads TITLE (when set) and BODY, decides the language with ld_detect (Unicode script, then a
 * character n-gram model for scripts shared by several languages), and stores it with
 * host->set_lang as an ISO 639-1 code or "und" plus a confidence in 0..1. It also stores
 * meta "langdetect": {"runner_up": "hr" or null, "runner_up_score": 0..1, "script": "Latn"},
 * plus "mix": [{"lang": "tr", "share": 0.8}, {"lang": "ru", "share": 0.2}] for text in several
 * scripts (each script with at least 10% of the letters, decided on its own letters).
 * The state is the constant model, so process() is thread-safe and allocates nothing.
 * Configuration: none (any config object is accepted).
 */
#include <stdio.h>

#include "ingestd/plugin.h"
#include "ld_detect.h"

static int langdetect_init(const char *config_json, const ingestd_host *host, void **state_out,
                           char *err, size_t errlen)
{
    *state_out = (void *)&ld_model_default;
    return 0;
}

static ingestd_verdict langdetect_process(void *state, ingestd_record *rec,
                                          const ingestd_host *host)
{
    const ld_model *model = state ? state : &ld_model_default;
    size_t lens[2] = {0, 0};
    const char *texts[2];
    texts[0] = host->get(rec, INGESTD_FIELD_TITLE, &lens[0]);
    texts[1] = host->get(rec, INGESTD_FIELD_BODY, &lens[1]);

    ld_result res;
    ld_detect(model, texts, lens, 2, &res);

    int rc = host->set_lang(rec, res.lang, res.confidence);
    if (rc != 0) {
        host->fail(rec, "langdetect: set_lang failed");
        return INGESTD_ERROR;
    }
    char json[320];
    int len;
    if (res.runner_up[0])
        len = snprintf(json, sizeof json,
                       "{\"runner_up\":\"%s\",\"runner_up_score\":%.4f,\"script\":\"%s\"",
                       res.runner_up, res.runner_up_score, res.script);
    else
        len = snprintf(json, sizeof json,
                       "{\"runner_up\":null,\"runner_up_score\":0,\"script\":\"%s\"", res.script);
    if (res.mix_count > 0) {
        len += snprintf(json + len, sizeof json - (size_t)len, ",\"mix\":[");
        for (size_t i = 0; i < res.mix_count; i++)
            len += snprintf(json + len, sizeof json - (size_t)len,
                            "%s{\"lang\":\"%s\",\"share\":%.3f}", i ? "," : "", res.mix[i].lang,
                            res.mix[i].share);
        len += snprintf(json + len, sizeof json - (size_t)len, "]");
    }
    snprintf(json + len, sizeof json - (size_t)len, "}");
    if (host->meta_set(rec, "langdetect", json) != 0) {
        host->fail(rec, "langdetect: meta_set failed");
        return INGESTD_ERROR;
    }
    return INGESTD_OK;
}

static const ingestd_plugin langdetect_descriptor = {
    INGESTD_PLUGIN_INIT_V1,
    .name = "langdetect",
    .version = "0.1.0",
    .description = "language identification: Unicode script, then character n-grams",
    .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .init = langdetect_init,
    .process = langdetect_process,
    .destroy = NULL,
};

INGESTD_PLUGIN_EXPORT
{
    return &langdetect_descriptor;
}
