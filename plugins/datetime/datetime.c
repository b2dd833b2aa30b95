/*
 * datetime - the built-in plugin that finds an article's publication and update time.
 *
 * It reads ORIGINAL_TEXT (never BODY, so the result does not depend on where the plugin sits in
 * the chain: a cleanup plugin may already have removed the timestamp lines from BODY), looks
 * only at the header zone (dt_extract), and sets PUBLISHED_AT / UPDATED_AT as ISO 8601 text.
 * LANG, when an earlier plugin set it, picks the reading of month names that differ between
 * languages and the order of slash dates (en: M/D); relative dates ("2 saat önce", "вчера")
 * are read against the record's arrival time.
 * A PUBLISHED_AT or UPDATED_AT set earlier in the chain (e.g. from a feed) is kept. What was
 * found, the UTC instants and any unknown zone name go to meta "datetime" (dt_meta).
 *
 * No configuration. The state is the read-only table index built by init; process() only uses
 * it, its stack and one malloc for the meta text, so it is thread-safe and costs a few
 * microseconds whatever the article's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_extract.h"
#include "dt_meta.h"
#include "ingestd/plugin.h"

static ingestd_verdict datetime_process(void *state, ingestd_record *rec, const ingestd_host *host)
{
    size_t len = 0;
    const char *text = host->get(rec, INGESTD_FIELD_ORIGINAL_TEXT, &len);
    if (!text)
        return INGESTD_OK;
    char lang[8] = "";
    size_t lang_len = 0;
    const char *lang_field = host->get(rec, INGESTD_FIELD_LANG, &lang_len);
    if (lang_field && lang_len < sizeof lang) {
        memcpy(lang, lang_field, lang_len);
        lang[lang_len] = '\0';
    }
    dt_ctx ctx = {.tables = state, .lang = lang, .arrival_ms = host->arrival_ms(rec)};
    dt_result res;
    dt_extract(&ctx, text, len, &res);
    if (res.n_found == 0)
        return INGESTD_OK;

    char iso[DT_ISO_MAX];
    bool is_preset = host->get(rec, INGESTD_FIELD_PUBLISHED_AT, NULL) != NULL;
    if (!is_preset && res.has_published) {
        size_t n = dt_stamp_format(&res.published, iso);
        if (host->set(rec, INGESTD_FIELD_PUBLISHED_AT, iso, n) != 0)
            host->log(host->plugin_handle, INGESTD_LOG_WARNING, "cannot set published_at");
    }
    if (res.has_updated && !host->get(rec, INGESTD_FIELD_UPDATED_AT, NULL)) {
        size_t n = dt_stamp_format(&res.updated, iso);
        if (host->set(rec, INGESTD_FIELD_UPDATED_AT, iso, n) != 0)
            host->log(host->plugin_handle, INGESTD_LOG_WARNING, "cannot set updated_at");
    }
    /* ORIGINAL_TEXT was not set since `text` was read, so the pointer is still valid. */
    char *json = dt_meta_json(&res, text, len, is_preset);
    if (json) {
        if (host->meta_set(rec, "datetime", json) != 0)
            host->log(host->plugin_handle, INGESTD_LOG_DEBUG, "meta datetime refused: %s", json);
        free(json);
    }
    return INGESTD_OK;
}

/* The state is the tables' lookup index: built here, read-only afterwards. */
static int datetime_init(const char *config_json, const ingestd_host *host, void **state_out,
                         char *err, size_t errlen)
{
    dt_tables *tables = dt_tables_new();
    if (!tables) {
        snprintf(err, errlen, "out of memory building the date tables");
        return -1;
    }
    *state_out = tables;
    return 0;
}

static void datetime_destroy(void *state)
{
    dt_tables_free(state);
}

static const ingestd_plugin datetime_plugin = {
    INGESTD_PLUGIN_INIT_V1,
    .name = "datetime",
    .version = "0.1.0",
    .description = "publication and update time from the article's header lines",
    .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .init = datetime_init,
    .process = datetime_process,
    .destroy = datetime_destroy,
};

/* plugin.h declares no prototype for the entry function; -Wmissing-prototypes wants one. */
const ingestd_plugin *ingestd_plugin_entry(void);

INGESTD_PLUGIN_EXPORT
{
    return &datetime_plugin;
}
