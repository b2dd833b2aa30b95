/*
 * cleanup - the built-in plugin that turns a scraped article body into clean text: it removes
 * timestamp-only lines, boilerplate, photo credits, repeated and glued copies of paragraphs,
 * extracts the headline into TITLE when none is set, and normalizes characters and blank lines.
 * It runs first in the chain; datetime and langdetect then see clean text (datetime also reads
 * ORIGINAL_TEXT, and the removed lines are listed in meta "cleanup" for anyone who needs them).
 *
 * The text work lives in cleanup_text.c; this file is the ABI glue, the config and the meta
 * JSON. The plugin state is read-only after init except for the boilerplate learner (learn.h),
 * which guards itself with a mutex, so process() is thread-safe.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingestd/plugin.h"

#include "cleanup_text.h"
#include "learn.h"
#include "linekind.h"
#include "textbuf.h"
#include "utf8lite.h"

/* The host parses the meta JSON on every call (jansson: about 30 bytes per microsecond), so it
 * is kept small, about 150 bytes: at most
 * CLEANUP_META_MAX_ENTRIES removed lines are listed, each cut to CLEANUP_META_TEXT_MAX bytes
 * (on a character boundary, "…" marks the cut); "counts" (removals by reason) covers all. */
#define CLEANUP_META_TEXT_MAX    24
#define CLEANUP_META_MAX_ENTRIES 3

/* The plugin state: read-only tables, and the boilerplate learner (NULL when disabled), which
 * locks itself. */
typedef struct cleanup_state {
    lk_tables *tables;
    bl_learner *learner;
} cleanup_state;

/* The value text of "key" in the flat config object json (NULL when absent). The config is a
 * small object of scalars written by the daemon from the configuration file; this reader does
 * not need (and does not do) full JSON. */
static const char *config_value(const char *json, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = json; (p = strchr(p, '"')) != NULL; p++) {
        if (strncmp(p + 1, key, kl) != 0 || p[1 + kl] != '"')
            continue;
        const char *v = p + 2 + kl;
        while (isspace((unsigned char)*v))
            v++;
        if (*v != ':')
            continue;
        v++;
        while (isspace((unsigned char)*v))
            v++;
        return v;
    }
    return NULL;
}

/* Parse a number value; false when v is not one or outside [lo, hi]. */
static bool config_number(const char *v, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || d < lo || d > hi)
        return false;
    *out = d;
    return true;
}

/* Config keys (all optional): "learn_boilerplate" (true/false, default true),
 * "learn_min_articles" (2..1000000, default 20), "learn_share" (0.05..1, default 0.6),
 * "learn_max_sources" (1..65536, default 256). See learn.h. */
static int cleanup_init(const char *config_json, const ingestd_host *host, void **state_out,
                        char *err, size_t errlen)
{
    (void)host;
    const char *cfg = config_json ? config_json : "{}";
    bool learn = true;
    bl_config bc = {.min_articles = 20, .share = 0.6, .max_sources = 256};
    const char *v = config_value(cfg, "learn_boilerplate");
    if (v) {
        if (strncmp(v, "true", 4) == 0)
            learn = true;
        else if (strncmp(v, "false", 5) == 0)
            learn = false;
        else {
            snprintf(err, errlen, "cleanup: learn_boilerplate must be true or false");
            return -EINVAL;
        }
    }
    double d;
    if ((v = config_value(cfg, "learn_min_articles")) != NULL) {
        if (!config_number(v, 2, 1000000, &d)) {
            snprintf(err, errlen, "cleanup: learn_min_articles must be a number in 2..1000000");
            return -EINVAL;
        }
        bc.min_articles = (unsigned)d;
    }
    if ((v = config_value(cfg, "learn_share")) != NULL) {
        if (!config_number(v, 0.05, 1, &d)) {
            snprintf(err, errlen, "cleanup: learn_share must be a number in 0.05..1");
            return -EINVAL;
        }
        bc.share = d;
    }
    if ((v = config_value(cfg, "learn_max_sources")) != NULL) {
        if (!config_number(v, 1, 65536, &d)) {
            snprintf(err, errlen, "cleanup: learn_max_sources must be a number in 1..65536");
            return -EINVAL;
        }
        bc.max_sources = (unsigned)d;
    }
    cleanup_state *st = tb_xcalloc(1, sizeof *st);
    st->tables = lk_tables_new();
    st->learner = learn ? bl_new(&bc) : NULL;
    *state_out = st;
    return 0;
}

static void cleanup_destroy(void *state)
{
    cleanup_state *st = state;
    if (!st)
        return;
    lk_tables_free(st->tables);
    bl_free(st->learner);
    free(st);
}

/* {"removed":[[reason,text],..],"counts":{"duplicate":N,..},"title_from":".."}
 * Pairs rather than objects: the host parses this on every call, and arrays are cheaper. */
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
        tb_puts(json, "[\"");
        tb_puts(json, ct_reason_name(rm->reason));
        tb_puts(json, "\",");
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
        tb_puts(json, "]");
    }
    tb_puts(json, "],\"counts\":{");
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
    cleanup_state *st = state;
    size_t body_len = 0, title_len = 0, source_len = 0;
    const char *body = host->get(rec, INGESTD_FIELD_BODY, &body_len);
    if (!body)
        return INGESTD_OK;
    const char *title = host->get(rec, INGESTD_FIELD_TITLE, &title_len);
    uint64_t source_key = 0;
    if (st->learner) {
        const char *source = host->get(rec, INGESTD_FIELD_SOURCE, &source_len);
        source_key = bl_source_key(source ? source : "", source ? source_len : 0);
    }

    ct_result r;
    ct_clean(st->tables, st->learner, source_key, body, body_len, title, title_len, &r);
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
