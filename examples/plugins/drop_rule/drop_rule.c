/*
 * drop_rule - example ingestd plugin: drops articles that match a rule from its config.
 *
 * Config: {"drop_if_body_shorter_than": 200,
 *          "drop_if_title_matches": ["horoscope", "burç", "ωροσκόπιο"]}
 * An article is dropped (INGESTD_DROP: counted as dropped, not as a failure) when its body,
 * without leading and trailing white space, has fewer characters (code points) than
 * drop_if_body_shorter_than, or when its title contains one of drop_if_title_matches without
 * regard to case (see ../common/example_util.h; Greek accents are ignored too). Both keys are
 * optional; with neither the plugin refuses to start (a rule that drops nothing is a mistake).
 * Before dropping it logs the reason at debug level.
 *
 * Build against the installed SDK (no ingestd source tree needed):
 *   cc -std=c17 -O2 -shared -fPIC $(pkg-config --cflags ingestd-plugin) \
 *      -I../common drop_rule.c -o drop_rule.so
 * or with CMake: see CMakeLists.txt next to this file (find_package(IngestdPlugin)).
 */
#include <errno.h>
#include <ingestd/plugin.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "example_util.h"

/* Immutable after init: process() only reads it, so the plugin is thread-safe. */
struct rule {
    long long min_body_chars; /* 0: no length rule */
    strlist title_words;      /* folded */
};

static void rule_free(struct rule *r)
{
    if (!r)
        return;
    strlist_free(&r->title_words);
    free(r);
}

static int drop_init(const char *config_json, const ingestd_host *host, void **state_out, char *err,
                     size_t errlen)
{
    struct rule *rule = calloc(1, sizeof *rule);
    if (!rule) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    err[0] = '\0';
    jr r = {.p = config_json, .err = err, .errlen = errlen};
    strlist words = {0};
    bool ok = jr_eat(&r, '{');
    if (ok && !jr_eat(&r, '}')) {
        do {
            char *key = jr_string(&r);
            ok = key && jr_eat(&r, ':');
            if (ok && strcmp(key, "drop_if_body_shorter_than") == 0) {
                ok = jr_int(&r, &rule->min_body_chars);
                if (ok && rule->min_body_chars < 0) {
                    snprintf(err, errlen, "drop_if_body_shorter_than: must be >= 0");
                    ok = false;
                }
            } else if (ok && strcmp(key, "drop_if_title_matches") == 0) {
                ok = jr_string_array(&r, &words);
            } else if (ok) {
                snprintf(err, errlen,
                         "unknown config key \"%s\" (known: drop_if_body_shorter_than, "
                         "drop_if_title_matches)",
                         key);
                ok = false;
            }
            free(key);
        } while (ok && jr_eat(&r, ','));
        ok = ok && (jr_eat(&r, '}') || jr_fail(&r, "expected ',' or '}'"));
    }
    for (size_t i = 0; ok && i < words.n; i++) {
        if (!words.v[i][0]) {
            snprintf(err, errlen, "drop_if_title_matches[%zu]: empty string", i);
            ok = false;
            break;
        }
        char *folded = ex_fold_utf8(words.v[i], strlen(words.v[i]), NULL);
        if (!folded || !strlist_add(&rule->title_words, folded)) {
            free(folded);
            snprintf(err, errlen, "out of memory");
            ok = false;
        }
    }
    strlist_free(&words);
    if (ok && rule->min_body_chars == 0 && rule->title_words.n == 0) {
        snprintf(err, errlen,
                 "no rule given: set drop_if_body_shorter_than and/or drop_if_title_matches");
        ok = false;
    }
    if (!ok) {
        if (!err[0])
            snprintf(err, errlen, "config: not the expected JSON");
        rule_free(rule);
        return -EINVAL;
    }
    host->log(host->plugin_handle, INGESTD_LOG_INFO,
              "dropping bodies under %lld characters and %zu title patterns", rule->min_body_chars,
              rule->title_words.n);
    *state_out = rule;
    return 0;
}

/* Code points of s[0..len) without leading and trailing white space (ASCII and U+00A0). */
static size_t trimmed_chars(const char *s, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && strchr(" \t\r\n\f\v", s[a]))
        a++;
    while (b > a && strchr(" \t\r\n\f\v", s[b - 1]))
        b--;
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static ingestd_verdict drop_process(void *state, ingestd_record *rec, const ingestd_host *host)
{
    const struct rule *rule = state;
    size_t bl = 0, tl = 0;
    const char *body = host->get(rec, INGESTD_FIELD_BODY, &bl);
    if (rule->min_body_chars > 0) {
        size_t n = body ? trimmed_chars(body, bl) : 0;
        if ((long long)n < rule->min_body_chars) {
            host->log(host->plugin_handle, INGESTD_LOG_DEBUG,
                      "drop %s: body of %zu characters, under %lld",
                      host->get(rec, INGESTD_FIELD_SOURCE, NULL), n, rule->min_body_chars);
            return INGESTD_DROP;
        }
    }
    const char *title = host->get(rec, INGESTD_FIELD_TITLE, &tl);
    if (!title && body) {
        /* no plugin set a title (yet): the daemon will use the first non-empty body line */
        size_t a = 0;
        while (a < bl && strchr(" \t\r\n", body[a]))
            a++;
        const char *eol = memchr(body + a, '\n', bl - a);
        title = body + a;
        tl = eol ? (size_t)(eol - title) : bl - a;
    }
    if (title && rule->title_words.n) {
        size_t flen;
        char *folded = ex_fold_utf8(title, tl, &flen);
        if (!folded) {
            host->fail(rec, "drop_rule: out of memory");
            return INGESTD_ERROR;
        }
        for (size_t i = 0; i < rule->title_words.n; i++) {
            const char *w = rule->title_words.v[i];
            if (ex_find(folded, flen, w, strlen(w), false, false)) {
                host->log(host->plugin_handle, INGESTD_LOG_DEBUG, "drop %s: title matches \"%s\"",
                          host->get(rec, INGESTD_FIELD_SOURCE, NULL), w);
                free(folded);
                return INGESTD_DROP;
            }
        }
        free(folded);
    }
    return INGESTD_OK;
}

static void drop_destroy(void *state)
{
    rule_free(state);
}

static const ingestd_plugin drop_rule = {
    INGESTD_PLUGIN_INIT_V1,
    .name = "drop_rule",
    .version = "1.0.0",
    .description = "drops articles with a short body or an unwanted title",
    .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .init = drop_init,
    .process = drop_process,
    .destroy = drop_destroy,
};

INGESTD_PLUGIN_EXPORT
{
    return &drop_rule;
}
