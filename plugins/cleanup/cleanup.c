/*
 * cleanup - the built-in plugin that turns a scraped article body into clean text: it removes
 * timestamp-only lines, boilerplate, photo credits, repeated and glued copies of paragraphs,
 * extracts the headline into TITLE when none is set, and normalizes characters and blank lines.
 * It runs first in the chain; datetime and langdetect then see clean text (datetime also reads
 * ORIGINAL_TEXT, and the removed lines are listed in meta "cleanup" for anyone who needs them).
 *
 * The text work lives in cleanup_text.c; this file is the ABI glue and the meta JSON. The
 * plugin state is read-only after init, so process() is thread-safe.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "ingestd/plugin.h"

#include "cleanup_text.h"
#include "linekind.h"
#include "textbuf.h"
#include "utf8lite.h"

/* The host parses the meta JSON on every call, so it is kept small: at most
 * CLEANUP_META_MAX_ENTRIES removed lines are listed, each cut to CLEANUP_META_TEXT_MAX bytes
 * (on a character boundary, "…" marks the cut); "removed_count" and "counts" cover all. */
#define CLEANUP_META_TEXT_MAX    80
#define CLEANUP_META_MAX_ENTRIES 12

static int cleanup_init(const char *config_json, const ingestd_host *host, void **state_out,
                        char *err, size_t errlen)
{
    (void)config_json;
    (void)host;
    (void)err;
    (void)errlen;
    *state_out = lk_tables_new();
    return 0;
}

static void cleanup_destroy(void *state)
{
    lk_tables_free(state);
}

/* {"removed":[{"reason":..,"text":..},..],"removed_count":N,"counts":{"duplicate":N,..},
 *  "title_from":".."} */
static void build_meta(const ct_result *r, tb_buf *json)
{
    size_t listed =
        r->n_removed < CLEANUP_META_MAX_ENTRIES ? r->n_removed : CLEANUP_META_MAX_ENTRIES;
    tb_reserve(json, 256 + listed * (CLEANUP_META_TEXT_MAX + 48));
    tb_puts(json, "{\"removed\":[");
    for (size_t i = 0; i < listed; i++) {
        const ct_removed *rm = &r->removed[i];
        if (i)
            tb_puts(json, ",");
        tb_puts(json, "{\"reason\":\"");
        tb_puts(json, ct_reason_name(rm->reason));
        tb_puts(json, "\",\"text\":");
        size_t n = u8_cut(rm->text, rm->len, CLEANUP_META_TEXT_MAX);
        if (n < rm->len) {
            tb_buf cut;
            tb_init(&cut);
            tb_append(&cut, rm->text, n);
            tb_puts(&cut, "\xE2\x80\xA6"); /* … marks the cut */
            tb_append_json_string(json, cut.data, cut.len);
            tb_free(&cut);
        } else {
            tb_append_json_string(json, rm->text, rm->len);
        }
        tb_puts(json, "}");
    }
    tb_puts(json, "],\"removed_count\":");
    tb_append_size(json, r->removed_total);
    tb_puts(json, ",\"counts\":{");
    bool first = true;
    for (int reason = 0; reason < CT_REASON_COUNT; reason++) {
        if (!r->reason_counts[reason])
            continue;
        tb_puts(json, first ? "\"" : ",\"");
        tb_puts(json, ct_reason_name((ct_reason)reason));
        tb_puts(json, "\":");
        tb_append_size(json, r->reason_counts[reason]);
        first = false;
    }
    tb_puts(json, "},\"title_from\":\"");
    tb_puts(json, ct_title_from_name(r->title_from));
    tb_puts(json, "\"}");
}

static ingestd_verdict cleanup_process(void *state, ingestd_record *rec, const ingestd_host *host)
{
    const lk_tables *tables = state;
    size_t body_len = 0, title_len = 0;
    const char *body = host->get(rec, INGESTD_FIELD_BODY, &body_len);
    if (!body)
        return INGESTD_OK;
    const char *title = host->get(rec, INGESTD_FIELD_TITLE, &title_len);

    ct_result r;
    ct_clean(tables, body, body_len, title, title_len, &r);
    /* body/title point into the record: done with them before the first set. */

    ingestd_verdict verdict = INGESTD_OK;
    char reason[128];
    int rc = host->set(rec, INGESTD_FIELD_BODY, r.body, r.body_len);
    if (rc == 0 && r.title && r.title_len)
        rc = host->set(rec, INGESTD_FIELD_TITLE, r.title, r.title_len);
    if (rc == 0) {
        tb_buf json;
        tb_init(&json);
        build_meta(&r, &json);
        rc = host->meta_set(rec, "cleanup", json.data);
        tb_free(&json);
    }
    if (rc != 0) {
        snprintf(reason, sizeof reason, "cleanup: storing the cleaned text failed (%d)", rc);
        host->fail(rec, reason);
        verdict = INGESTD_ERROR;
    }
    ct_result_free(&r);
    return verdict;
}

static const ingestd_plugin cleanup_descriptor = {
    INGESTD_PLUGIN_INIT_V1,
    .name = "cleanup",
    .version = "1.0.0",
    .description = "removes timestamps, boilerplate, credits and repeated text; extracts title",
    .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .init = cleanup_init,
    .process = cleanup_process,
    .destroy = cleanup_destroy,
};

INGESTD_PLUGIN_EXPORT
{
    return &cleanup_descriptor;
}
