/*
 * keyword_tagger - example ingestd plugin: tags articles by keyword lists from its config.
 *
 * Config: {"tags": {"war": ["war", "savaş*", "πόλεμος"], "economy": ["inflation", ...]},
 *          "meta_key": "tags"}
 * Each keyword is matched in the title and the body without regard to case (see
 * ../common/example_util.h for the letters covered; Greek accents are ignored too), as a whole
 * word; a keyword ending in '*' matches any word that starts with it ("savaş*" finds "savaşı").
 * The matching tag names are written, in config order, as a JSON array to meta[meta_key]
 * (default "tags"), merged with the strings already there. An article without a match is left
 * untouched. The verdict is always OK (ERROR only if the host refuses the meta write).
 *
 * Build against the installed SDK (no ingestd source tree needed):
 *   cc -std=c17 -O2 -shared -fPIC $(pkg-config --cflags ingestd-plugin) \
 *      -I../common keyword_tagger.c -o keyword_tagger.so
 * or with CMake: see CMakeLists.txt next to this file (find_package(IngestdPlugin)).
 */
#include <errno.h>
#include <ingestd/plugin.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "example_util.h"

struct keyword {
    char *folded; /* case-folded keyword, without the trailing '*' */
    size_t len;
    bool prefix;
};

struct tag {
    char *name;
    struct keyword *kw;
    size_t n_kw;
};

/* Immutable after init: process() only reads it, so the plugin is thread-safe. */
struct tagger {
    struct tag *tags;
    size_t n_tags;
    char *meta_key;
};

static void tagger_free(struct tagger *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_tags; i++) {
        for (size_t k = 0; k < t->tags[i].n_kw; k++)
            free(t->tags[i].kw[k].folded);
        free(t->tags[i].kw);
        free(t->tags[i].name);
    }
    free(t->tags);
    free(t->meta_key);
    free(t);
}

/* Add tag `name` with the keywords in words (takes ownership of name). */
static bool add_tag(struct tagger *t, char *name, strlist *words, jr *r)
{
    struct tag *bigger = realloc(t->tags, (t->n_tags + 1) * sizeof *t->tags);
    if (!bigger) {
        free(name);
        return jr_fail(r, "out of memory");
    }
    t->tags = bigger;
    struct tag *tag = &t->tags[t->n_tags++];
    tag->name = name;
    tag->n_kw = 0;
    tag->kw = calloc(words->n ? words->n : 1, sizeof *tag->kw);
    if (!tag->kw)
        return jr_fail(r, "out of memory");
    for (size_t i = 0; i < words->n; i++) {
        const char *w = words->v[i];
        size_t len = strlen(w);
        bool prefix = len > 0 && w[len - 1] == '*';
        if (prefix)
            len--;
        while (len > 0 && (w[0] == ' ')) {
            w++;
            len--;
        }
        if (len == 0)
            return jr_fail(r, "tags: a keyword is empty");
        struct keyword *kw = &tag->kw[tag->n_kw++];
        kw->folded = ex_fold_utf8(w, len, &kw->len);
        kw->prefix = prefix;
        if (!kw->folded)
            return jr_fail(r, "out of memory");
    }
    return true;
}

static bool parse_tags(jr *r, struct tagger *t)
{
    if (!jr_eat(r, '{'))
        return jr_fail(r, "tags: must be an object {\"tag\": [\"keyword\", ...]}");
    if (jr_eat(r, '}'))
        return true;
    do {
        char *name = jr_string(r);
        if (!name)
            return false;
        if (!*name) {
            free(name);
            return jr_fail(r, "tags: a tag name is empty");
        }
        if (!jr_eat(r, ':')) {
            free(name);
            return jr_fail(r, "tags: expected ':' after a tag name");
        }
        strlist words = {0};
        if (!jr_string_array(r, &words)) {
            strlist_free(&words);
            free(name);
            return jr_fail(r, "tags: each tag needs an array of keywords");
        }
        bool ok = add_tag(t, name, &words, r);
        strlist_free(&words);
        if (!ok)
            return false;
    } while (jr_eat(r, ','));
    return jr_eat(r, '}') || jr_fail(r, "tags: expected ',' or '}'");
}

static int tagger_init(const char *config_json, const ingestd_host *host, void **state_out,
                       char *err, size_t errlen)
{
    struct tagger *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    err[0] = '\0';
    jr r = {.p = config_json, .err = err, .errlen = errlen};
    bool ok = jr_eat(&r, '{');
    if (ok && !jr_eat(&r, '}')) {
        do {
            char *key = jr_string(&r);
            ok = key && jr_eat(&r, ':');
            if (ok && strcmp(key, "tags") == 0) {
                ok = parse_tags(&r, t);
            } else if (ok && strcmp(key, "meta_key") == 0) {
                free(t->meta_key);
                t->meta_key = jr_string(&r);
                ok = t->meta_key && *t->meta_key;
                if (!ok)
                    jr_fail(&r, "meta_key: must be a non-empty string");
            } else if (ok) {
                snprintf(err, errlen, "unknown config key \"%s\" (known: tags, meta_key)", key);
                ok = false;
            }
            free(key);
        } while (ok && jr_eat(&r, ','));
        ok = ok && (jr_eat(&r, '}') || jr_fail(&r, "expected ',' or '}'"));
    }
    if (ok && t->n_tags == 0) {
        jr_fail(&r, "tags: give at least one tag, e.g. {\"tags\": {\"war\": [\"war\"]}}");
        ok = false;
    }
    if (!ok) {
        if (!err[0])
            snprintf(err, errlen, "config: not the expected JSON");
        tagger_free(t);
        return -EINVAL;
    }
    if (!t->meta_key && !(t->meta_key = ex_strdup("tags"))) {
        tagger_free(t);
        return -ENOMEM;
    }
    host->log(host->plugin_handle, INGESTD_LOG_INFO, "%zu tags, written to meta.%s", t->n_tags,
              t->meta_key);
    *state_out = t;
    return 0;
}

static bool tag_matches(const struct tag *tag, const char *text, size_t len)
{
    for (size_t k = 0; k < tag->n_kw; k++)
        if (ex_find(text, len, tag->kw[k].folded, tag->kw[k].len, true, tag->kw[k].prefix))
            return true;
    return false;
}

/* Append s as a JSON string to buf at *n (buf has room: 6 bytes per input byte + 3). */
static void json_put_string(char *buf, size_t *n, const char *s)
{
    buf[(*n)++] = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[(*n)++] = '\\';
            buf[(*n)++] = (char)c;
        } else if (c < 0x20) {
            *n += (size_t)sprintf(buf + *n, "\\u%04x", c);
        } else {
            buf[(*n)++] = (char)c;
        }
    }
    buf[(*n)++] = '"';
}

static ingestd_verdict tagger_process(void *state, ingestd_record *rec, const ingestd_host *host)
{
    const struct tagger *t = state;
    size_t tl = 0, bl = 0;
    const char *title = host->get(rec, INGESTD_FIELD_TITLE, &tl);
    const char *body = host->get(rec, INGESTD_FIELD_BODY, &bl);
    /* one folded text: title, a newline (a word boundary), body */
    char *joined = malloc(tl + bl + 2);
    if (!joined) {
        host->fail(rec, "keyword_tagger: out of memory");
        return INGESTD_ERROR;
    }
    if (title)
        memcpy(joined, title, tl);
    joined[tl] = '\n';
    if (body)
        memcpy(joined + tl + 1, body, bl);
    size_t flen;
    char *folded = ex_fold_utf8(joined, tl + 1 + bl, &flen);
    free(joined);
    if (!folded) {
        host->fail(rec, "keyword_tagger: out of memory");
        return INGESTD_ERROR;
    }

    /* tags already in meta (a string array written by an earlier plugin) are kept */
    strlist have = {0};
    const char *old = host->meta_get(rec, t->meta_key);
    if (old) {
        jr r = {.p = old};
        if (!jr_string_array(&r, &have))
            strlist_free(&have); /* not a string array: replaced */
    }
    size_t added = 0;
    for (size_t i = 0; i < t->n_tags; i++) {
        if (!tag_matches(&t->tags[i], folded, flen))
            continue;
        bool dup = false;
        for (size_t k = 0; k < have.n && !dup; k++)
            dup = strcmp(have.v[k], t->tags[i].name) == 0;
        char *copy = dup ? NULL : ex_strdup(t->tags[i].name);
        if (copy && strlist_add(&have, copy))
            added++;
        else
            free(copy);
    }
    free(folded);
    ingestd_verdict v = INGESTD_OK;
    if (added) {
        size_t cap = 3;
        for (size_t k = 0; k < have.n; k++)
            cap += strlen(have.v[k]) * 6 + 3;
        char *json = malloc(cap);
        if (!json) {
            host->fail(rec, "keyword_tagger: out of memory");
            v = INGESTD_ERROR;
        } else {
            size_t n = 0;
            json[n++] = '[';
            for (size_t k = 0; k < have.n; k++) {
                if (k)
                    json[n++] = ',';
                json_put_string(json, &n, have.v[k]);
            }
            json[n++] = ']';
            json[n] = '\0';
            if (host->meta_set(rec, t->meta_key, json) != 0) {
                host->fail(rec, "keyword_tagger: the host refused the tags");
                v = INGESTD_ERROR;
            }
            free(json);
        }
    }
    strlist_free(&have);
    return v;
}

static void tagger_destroy(void *state)
{
    tagger_free(state);
}

static const ingestd_plugin keyword_tagger = {
    INGESTD_PLUGIN_INIT_V1,
    .name = "keyword_tagger",
    .version = "1.0.0",
    .description = "tags articles in meta.tags by keyword lists (case-insensitive, whole words)",
    .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .init = tagger_init,
    .process = tagger_process,
    .destroy = tagger_destroy,
};

INGESTD_PLUGIN_EXPORT
{
    return &keyword_tagger;
}
