/*
 * feeds - polls feeds and turns their entries into articles (see feeds.h).
 *
 * The way of one poll: a 250 ms tick finds due feeds (enabled, not polling, next_poll_ms
 * passed) and asks feed_http for them (conditional GET). The response comes back on the loop:
 * 304 and errors only change the feed's state; a 200 body goes to a worker with the feed's
 * known entries (key -> content hash): the worker parses the body, skips unchanged entries,
 * and runs each new or changed one through the plugin chain (source_kind "feed", source = feed
 * URL, url = link, guid; feed dates and language as hints in meta). Back on the loop, the
 * entries and the feed's new state are committed in one transaction; only then is the new
 * state (ETag, next poll...) taken in memory, so a failed commit polls again from the old one.
 */
#include "feeds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed_http.h"
#include "feed_parse.h"
#include "feed_store.h"
#include "hash.h"
#include "intake.h"
#include "log.h"
#include "record.h"
#include "xalloc.h"

#define FEEDS_TICK_MS      250
#define FEEDS_MAX_DELAY_S  86400.0
#define FEEDS_COMMIT_RETRY 60
#define FEEDS_FLUSH_MS     100 /* polls without entries: their states are committed together */

struct feed {
    feeds *fs;
    feed_row row;
    char host[256];
    bool polling;
    bool removed; /* removed while polling: freed when the poll ends */
};

struct counters {
    uint64_t polls, not_modified, errors, entries_new, entries_changed;
};

struct feeds {
    uv_loop_t *loop;
    store *st;
    pipeline **pipe;
    feeds_options opt;
    feed_http *http;
    uv_timer_t tick;
    uv_timer_t flush_timer;
    feed_row *pending; /* states of polls without entries, not committed yet */
    size_t n_pending, cap_pending;
    struct feed **list;
    size_t n, cap;
    struct feed **zombies; /* removed while polling */
    size_t n_zombies;
    size_t in_flight; /* polls between the request and the commit */
    size_t scan_pos;  /* where the next look for due feeds starts (round robin) */
    size_t workers;   /* polls on a worker */
    bool stopping;
    struct counters c;
    unsigned rnd_state;
};

struct job_entry {
    char *key;
    char sha[65];
    int64_t revise_id;
    char *raw;
    size_t raw_len;
    ingestd_record *rec;
    int outcome; /* INTAKE_OK, INTAKE_DROPPED, INTAKE_FAILED */
    char fail_stage[16];
    char who[64];
    char reason[512];
};

struct poll_job {
    uv_work_t work;
    feeds *fs;
    struct feed *f;
    pipeline *pipe;
    char *url;
    char *body;
    size_t body_len;
    char *content_type;
    json_t *known;
    int64_t arrival_ms;
    /* response facts kept for the state */
    long status;
    char *etag, *last_modified, *moved_to;
    long max_age_s;
    /* worker results */
    int parse_rc;
    char *problem;
    char *feed_title;
    size_t n_found;
    struct job_entry *entries;
    size_t n;
};

/* ---- small helpers ---- */

static double rnd01(feeds *fs)
{
    fs->rnd_state = fs->rnd_state * 1103515245u + 12345u;
    return (double)((fs->rnd_state >> 8) & 0xFFFFFF) / (double)0x1000000;
}

static int64_t interval_of(const feeds *fs, const struct feed *f)
{
    return f->row.interval_s > 0 ? f->row.interval_s : fs->opt.interval_s;
}

static void iso_now(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void iso_of_ms(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void replace_str(char **slot, const char *v)
{
    char *n = v ? xstrdup(v) : NULL;
    free(*slot);
    *slot = n;
}

double feeds_next_delay_s(int64_t interval_s, int64_t error_count, long max_age_s,
                          long retry_after_s, double rnd)
{
    double base = interval_s > 0 ? (double)interval_s : 1.0;
    double d;
    if (error_count <= 0) {
        d = base * (0.9 + 0.2 * rnd); /* +-10% */
        if (max_age_s > 0 && (double)max_age_s > d)
            d = (double)max_age_s;
    } else {
        int shift = error_count - 1 > 20 ? 20 : (int)(error_count - 1);
        double full = base * (double)(1L << shift);
        if (full > FEEDS_MAX_DELAY_S)
            full = FEEDS_MAX_DELAY_S;
        d = full * (0.5 + 0.5 * rnd); /* "equal jitter": half fixed, half random */
    }
    if (retry_after_s > 0 && (double)retry_after_s > d)
        d = (double)retry_after_s;
    if (d > FEEDS_MAX_DELAY_S)
        d = FEEDS_MAX_DELAY_S;
    return d;
}

static struct feed *find_feed(feeds *fs, const char *url)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->list[i]->row.url, url) == 0)
            return fs->list[i];
    return NULL;
}

static struct feed *add_feed_mem(feeds *fs, const feed_row *row)
{
    struct feed *f = xcalloc(1, sizeof *f);
    f->fs = fs;
    feed_row_copy(&f->row, row);
    feed_http_host(row->url, f->host, sizeof f->host);
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 16;
        fs->list = xrealloc(fs->list, fs->cap * sizeof *fs->list);
    }
    fs->list[fs->n++] = f;
    return f;
}

static void free_feed(struct feed *f)
{
    feed_row_clear(&f->row);
    free(f);
}

static void drop_feed_mem(feeds *fs, struct feed *f)
{
    for (size_t i = 0; i < fs->n; i++) {
        if (fs->list[i] == f) {
            memmove(&fs->list[i], &fs->list[i + 1], (fs->n - i - 1) * sizeof *fs->list);
            fs->n--;
            break;
        }
    }
    if (f->polling) {
        /* its poll still refers to it: kept aside until feeds_free */
        f->removed = true;
        fs->zombies = xrealloc(fs->zombies, (fs->n_zombies + 1) * sizeof *fs->zombies);
        fs->zombies[fs->n_zombies++] = f;
    } else {
        free_feed(f);
    }
}

/* ---- the worker half ---- */

static void hash_field(hash_sha256_ctx *ctx, const char *s)
{
    if (s)
        hash_sha256_update(ctx, s, strlen(s));
    hash_sha256_update(ctx, "", 1);
}

static char *entry_key(const feed_entry *e)
{
    size_t n;
    char *key;
    if (e->guid && *e->guid) {
        n = strlen(e->guid) + 6;
        key = xmalloc(n);
        snprintf(key, n, "guid:%s", e->guid);
    } else if (e->link && *e->link) {
        n = strlen(e->link) + 6;
        key = xmalloc(n);
        snprintf(key, n, "link:%s", e->link);
    } else {
        hash_sha256_ctx ctx;
        hash_sha256_init(&ctx);
        hash_field(&ctx, e->title);
        hash_field(&ctx, e->published_raw);
        uint8_t d[32];
        hash_sha256_final(&ctx, d);
        char hex[65];
        hash_hex(d, 32, hex);
        key = xmalloc(5 + 32 + 1);
        snprintf(key, 38, "hash:%.32s", hex);
    }
    return key;
}

static void content_sha(const feed_entry *e, char out[65])
{
    hash_sha256_ctx ctx;
    hash_sha256_init(&ctx);
    hash_field(&ctx, e->title);
    hash_field(&ctx, e->link);
    hash_field(&ctx, e->text);
    hash_field(&ctx, e->published_raw);
    hash_field(&ctx, e->updated_raw);
    uint8_t d[32];
    hash_sha256_final(&ctx, d);
    hash_hex(d, 32, out);
}

static json_t *date_json(const char *raw, const feed_date *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "raw", json_string(raw));
    if (d->ok) {
        json_object_set_new(o, "iso", json_string(d->iso));
        if (d->zone == FEED_ZONE_KNOWN)
            json_object_set_new(o, "utc", json_string(d->utc));
        else if (d->zone == FEED_ZONE_UNKNOWN)
            json_object_set_new(o, "unknown_zone", json_string(d->zone_name));
        else if (d->has_time)
            json_object_set_new(o, "zone", json_string("not stated"));
    } else {
        json_object_set_new(o, "unparsed", json_true());
    }
    return o;
}

static void set_field(ingestd_record *rec, ingestd_field f, const char *v)
{
    if (v && *v)
        rec_set_internal(rec, f, v, strlen(v));
}

/* One entry through the chain. */
static void run_entry(struct poll_job *job, const feed_doc *doc, const feed_entry *e,
                      struct job_entry *je)
{
    /* the text: the title, a blank line, the content */
    size_t tl = e->title ? strlen(e->title) : 0, bl = e->text ? strlen(e->text) : 0;
    je->raw = xmalloc(tl + bl + 3);
    size_t o = 0;
    if (tl) {
        memcpy(je->raw, e->title, tl);
        o = tl;
        if (bl) {
            memcpy(je->raw + o, "\n\n", 2);
            o += 2;
        }
    }
    if (bl) {
        memcpy(je->raw + o, e->text, bl);
        o += bl;
    }
    je->raw[o] = '\0';
    je->raw_len = o;
    je->rec = rec_new("feed", job->url, job->arrival_ms, je->raw, je->raw_len);
    if (!je->rec) {
        je->outcome = INTAKE_FAILED;
        snprintf(je->fail_stage, sizeof je->fail_stage, "decode");
        snprintf(je->reason, sizeof je->reason, "entry text is not valid UTF-8");
        return;
    }
    ingestd_record *rec = je->rec;
    set_field(rec, INGESTD_FIELD_URL, e->link);
    set_field(rec, INGESTD_FIELD_GUID, e->guid);
    set_field(rec, INGESTD_FIELD_TITLE, e->title);
    if (e->published.ok)
        set_field(rec, INGESTD_FIELD_PUBLISHED_AT, e->published.iso);
    if (e->updated.ok)
        set_field(rec, INGESTD_FIELD_UPDATED_AT, e->updated.iso);
    json_t *meta = rec_meta(rec);
    json_t *feed = json_object();
    json_object_set_new(feed, "url", json_string(job->url));
    if (doc->title)
        json_object_set_new(feed, "title", json_string(doc->title));
    json_object_set_new(feed, "format", json_string(doc->format));
    json_object_set_new(feed, "entry_key", json_string(je->key));
    if (e->author)
        json_object_set_new(feed, "author", json_string(e->author));
    if (e->n_categories) {
        json_t *cats = json_array();
        for (size_t i = 0; i < e->n_categories; i++)
            json_array_append_new(cats, json_string(e->categories[i]));
        json_object_set_new(feed, "categories", cats);
    }
    if (e->published_raw)
        json_object_set_new(feed, "published", date_json(e->published_raw, &e->published));
    if (e->updated_raw)
        json_object_set_new(feed, "updated", date_json(e->updated_raw, &e->updated));
    if (je->revise_id > 0)
        json_object_set_new(feed, "revised", json_true());
    json_object_set_new(meta, "feed", feed);
    /* hints for the plugins: what the feed claims, not trusted as the record's own fields */
    json_t *hints = json_object();
    if (e->lang)
        json_object_set_new(hints, "lang", json_string(e->lang));
    if (e->published.ok)
        json_object_set_new(hints, "published_at", json_string(e->published.iso));
    if (e->updated.ok)
        json_object_set_new(hints, "updated_at", json_string(e->updated.iso));
    json_object_set_new(meta, "hints", hints);
    if (e->published.ok && e->published.zone == FEED_ZONE_KNOWN)
        json_object_set_new(
            meta, "datetime",
            json_pack("{s:s, s:s}", "published_utc", e->published.utc, "from", "feed"));

    pipeline_outcome po;
    pipeline_run(job->pipe, rec, &po);
    if (po.verdict == INGESTD_DROP) {
        je->outcome = INTAKE_DROPPED;
        snprintf(je->who, sizeof je->who, "%s", po.who ? po.who : "");
    } else if (po.verdict != INGESTD_OK) {
        je->outcome = INTAKE_FAILED;
        snprintf(je->fail_stage, sizeof je->fail_stage, "plugin");
        snprintf(je->who, sizeof je->who, "%s", po.who ? po.who : "");
        snprintf(je->reason, sizeof je->reason, "%s", po.reason);
    } else {
        je->outcome = INTAKE_OK;
    }
}

static void poll_work(uv_work_t *w)
{
    struct poll_job *job = w->data;
    feed_doc doc;
    job->parse_rc = feed_parse(job->body, job->body_len, job->content_type, &doc);
    if (doc.problem)
        job->problem = xstrdup(doc.problem);
    if (doc.title)
        job->feed_title = xstrdup(doc.title);
    job->n_found = doc.n_entries;
    free(job->body);
    job->body = NULL;
    if (job->parse_rc != 0) {
        feed_doc_free(&doc);
        return;
    }
    job->entries = xcalloc(doc.n_entries ? doc.n_entries : 1, sizeof *job->entries);
    json_t *seen = json_object();
    for (size_t i = 0; i < doc.n_entries; i++) {
        const feed_entry *e = &doc.entries[i];
        char *key = entry_key(e);
        if (json_object_get(seen, key)) { /* the same key twice in one document: first wins */
            free(key);
            continue;
        }
        json_object_set_new(seen, key, json_true());
        char sha[65];
        content_sha(e, sha);
        json_t *known = json_object_get(job->known, key);
        int64_t revise = 0;
        if (known) {
            const char *ksha = json_string_value(json_array_get(known, 0));
            if (ksha && strcmp(ksha, sha) == 0) {
                free(key);
                continue; /* seen, unchanged */
            }
            revise = json_integer_value(json_array_get(known, 1));
            if (revise <= 0)
                revise = -1; /* changed, but no article to update (it was dropped or failed) */
        }
        struct job_entry *je = &job->entries[job->n++];
        je->key = key;
        memcpy(je->sha, sha, sizeof je->sha);
        je->revise_id = revise;
        run_entry(job, &doc, e, je);
    }
    json_decref(seen);
    feed_doc_free(&doc);
}

/* ---- the loop half ---- */

static void job_free(struct poll_job *job)
{
    for (size_t i = 0; i < job->n; i++) {
        free(job->entries[i].key);
        free(job->entries[i].raw);
        rec_free(job->entries[i].rec);
    }
    free(job->entries);
    free(job->url);
    free(job->body);
    free(job->content_type);
    json_decref(job->known);
    free(job->etag);
    free(job->last_modified);
    free(job->moved_to);
    free(job->problem);
    free(job->feed_title);
    free(job);
}

/* Commit the pending states in one transaction (one by one if that fails, so that one bad
 * row does not hold back the others). The memory already has them. */
static void flush_states(feeds *fs)
{
    if (!fs->n_pending)
        return;
    const feed_row **rows = xmalloc(fs->n_pending * sizeof *rows);
    for (size_t i = 0; i < fs->n_pending; i++)
        rows[i] = &fs->pending[i];
    char err[512];
    if (feed_store_commit_states(fs->st, rows, fs->n_pending, err, sizeof err) != 0) {
        for (size_t i = 0; i < fs->n_pending; i++)
            if (feed_store_commit_states(fs->st, &rows[i], 1, err, sizeof err) != 0)
                log_err("feed %s: cannot commit its polling state: %s", rows[i]->url, err);
    }
    free(rows);
    for (size_t i = 0; i < fs->n_pending; i++)
        feed_row_clear(&fs->pending[i]);
    fs->n_pending = 0;
}

static void flush_cb(uv_timer_t *t)
{
    flush_states(t->data);
}

/* A poll that produced no entry: its state is taken in memory now and committed with the
 * other such states within FEEDS_FLUSH_MS (one transaction for many 304s). */
static void defer_state(feeds *fs, struct feed *f, feed_row *next)
{
    if (fs->n_pending == fs->cap_pending) {
        fs->cap_pending = fs->cap_pending ? fs->cap_pending * 2 : 64;
        fs->pending = xrealloc(fs->pending, fs->cap_pending * sizeof *fs->pending);
    }
    feed_row_copy(&fs->pending[fs->n_pending++], next);
    feed_row_clear(&f->row);
    f->row = *next;
    memset(next, 0, sizeof *next);
    if (fs->stopping)
        flush_states(fs);
    else if (!uv_is_active((uv_handle_t *)&fs->flush_timer))
        uv_timer_start(&fs->flush_timer, flush_cb, FEEDS_FLUSH_MS, 0);
}

/* The state after a poll, committed (with entries) then taken in memory. */
static int commit_state(feeds *fs, struct feed *f, feed_row *next, struct poll_job *job)
{
    if (!job || job->n == 0) {
        defer_state(fs, f, next);
        return 0;
    }
    feed_store_entry *es = NULL;
    size_t n = job ? job->n : 0;
    if (n) {
        es = xcalloc(n, sizeof *es);
        for (size_t i = 0; i < n; i++) {
            struct job_entry *je = &job->entries[i];
            feed_store_entry *e = &es[i];
            e->key = je->key;
            e->sha256 = je->sha;
            e->revise_id = je->revise_id;
            store_item *it = &e->item;
            it->source_kind = "feed";
            it->source = job->url;
            it->raw = je->raw;
            it->raw_len = je->raw_len;
            it->encoding = "utf-8";
            if (je->outcome == INTAKE_OK) {
                it->rec = je->rec;
            } else if (je->outcome == INTAKE_DROPPED) {
                it->rec = je->rec;
                it->dropped_by = je->who;
            } else {
                it->fail_stage = je->fail_stage;
                it->fail_plugin = je->who[0] ? je->who : NULL;
                it->fail_reason = je->reason;
            }
        }
    }
    char err[512];
    int rc = feed_store_commit(fs->st, next, es, n, err, sizeof err);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) {
            if (job->entries[i].revise_id == 0)
                next->entries_seen++; /* as feed_store_commit counted it */
            if (job->entries[i].outcome != INTAKE_OK)
                continue;
            if (job->entries[i].revise_id != 0)
                fs->c.entries_changed++;
            else
                fs->c.entries_new++;
        }
        feed_row_clear(&f->row);
        f->row = *next;
        memset(next, 0, sizeof *next);
    } else {
        log_err("feed %s: cannot commit the poll (%s); polling again in %d s", f->row.url, err,
                FEEDS_COMMIT_RETRY);
        f->row.next_poll_ms = intake_now_ms() + FEEDS_COMMIT_RETRY * 1000;
        feed_row_clear(next);
    }
    free(es);
    return rc;
}

static void tick_cb(uv_timer_t *t);

static void end_poll(feeds *fs, struct feed *f)
{
    f->polling = false;
    fs->in_flight--;
    /* a slot is free: look for due feeds on the next loop turn (one scan for all the polls
     * that end in the same turn), not only at the next tick */
    if (!fs->stopping)
        uv_timer_start(&fs->tick, tick_cb, 0, FEEDS_TICK_MS);
}

static void schedule(feeds *fs, feed_row *next, int64_t interval_s, long max_age_s,
                     long retry_after_s)
{
    double d =
        feeds_next_delay_s(interval_s, next->error_count, max_age_s, retry_after_s, rnd01(fs));
    next->next_poll_ms = intake_now_ms() + (int64_t)(d * 1000.0);
}

static void commit_poll(feeds *fs, struct feed *f, struct poll_job *job, int status);

static void poll_after(uv_work_t *w, int status)
{
    struct poll_job *job = w->data;
    feeds *fs = job->fs;
    struct feed *f = job->f;
    fs->workers--;
    if (!f->removed)
        commit_poll(fs, f, job, status);
    end_poll(fs, f);
    job_free(job);
    if (fs->stopping && fs->workers == 0 && fs->opt.on_idle)
        fs->opt.on_idle(fs->opt.ctx);
}

static void commit_poll(feeds *fs, struct feed *f, struct poll_job *job, int status)
{
    feed_row next;
    feed_row_copy(&next, &f->row);
    char now[32];
    iso_now(now);
    replace_str(&next.last_poll_at, now);
    next.last_status = job->status;
    if (job->feed_title)
        replace_str(&next.title, job->feed_title);
    if (status == UV_ECANCELED || job->parse_rc != 0) {
        next.error_count++;
        fs->c.errors++;
        char msg[400];
        snprintf(msg, sizeof msg, "%s",
                 job->problem ? job->problem : "the body is not a feed this parser can read");
        replace_str(&next.last_error, msg);
        log_warn("feed %s: %s (error %lld in a row)", f->row.url, msg, (long long)next.error_count);
        schedule(fs, &next, interval_of(fs, f), -1, -1);
        commit_state(fs, f, &next, NULL);
    } else {
        next.error_count = 0;
        replace_str(&next.last_error, job->problem); /* a problem with entries still read */
        if (job->problem)
            log_notice("feed %s: %s (%zu entries read anyway)", f->row.url, job->problem,
                       job->n_found);
        replace_str(&next.etag, job->etag);
        replace_str(&next.last_modified, job->last_modified);
        if (job->moved_to && !find_feed(fs, job->moved_to)) {
            log_notice("feed %s: moved permanently to %s; the stored URL follows", f->row.url,
                       job->moved_to);
            replace_str(&next.url, job->moved_to);
        }
        schedule(fs, &next, interval_of(fs, f), job->max_age_s, -1);
        size_t n = job->n;
        if (commit_state(fs, f, &next, job) == 0 && n)
            log_info("feed %s: %zu new or changed entries", f->row.url, n);
        feed_http_host(f->row.url, f->host, sizeof f->host);
    }
}

static void on_response(void *ctx, const feed_http_response *r)
{
    struct feed *f = ctx;
    feeds *fs = f->fs;
    fs->c.polls++;
    if (f->removed) {
        end_poll(fs, f);
        return;
    }
    if (r->status == 200 || (r->status >= 201 && r->status < 300 && r->status != 204)) {
        if (r->curl_code == 0 && !r->too_large) {
            struct poll_job *job = xcalloc(1, sizeof *job);
            job->fs = fs;
            job->f = f;
            job->pipe = *fs->pipe;
            job->url = xstrdup(f->row.url);
            job->body = xmalloc(r->body_len + 1);
            memcpy(job->body, r->body, r->body_len);
            job->body[r->body_len] = '\0';
            job->body_len = r->body_len;
            job->content_type = r->content_type ? xstrdup(r->content_type) : NULL;
            job->known = feed_store_known(fs->st, f->row.id);
            if (!job->known)
                job->known = json_object();
            job->arrival_ms = intake_now_ms();
            job->status = r->status;
            job->etag = r->etag ? xstrdup(r->etag) : NULL;
            job->last_modified = r->last_modified ? xstrdup(r->last_modified) : NULL;
            job->moved_to = r->moved_to ? xstrdup(r->moved_to) : NULL;
            job->max_age_s = r->max_age_s;
            job->work.data = job;
            fs->workers++;
            int rc = uv_queue_work(fs->loop, &job->work, poll_work, poll_after);
            if (rc == 0)
                return;
            fs->workers--;
            job_free(job);
        }
    }
    /* no body to parse: 304, an error, or a refusal */
    feed_row next;
    feed_row_copy(&next, &f->row);
    char now[32];
    iso_now(now);
    replace_str(&next.last_poll_at, now);
    next.last_status = r->status;
    long retry_after = -1;
    if (r->status == 304) {
        fs->c.not_modified++;
        if (next.error_count > 0) /* else last_error is a note on the unchanged body: kept */
            replace_str(&next.last_error, NULL);
        next.error_count = 0;
        if (r->etag)
            replace_str(&next.etag, r->etag);
        if (r->last_modified)
            replace_str(&next.last_modified, r->last_modified);
        if (r->moved_to && !find_feed(fs, r->moved_to))
            replace_str(&next.url, r->moved_to);
        schedule(fs, &next, interval_of(fs, f), r->max_age_s, -1);
    } else if (r->status == 410) {
        fs->c.errors++;
        next.enabled = false;
        replace_str(&next.disabled_reason, "410 Gone: the server says the feed was removed");
        replace_str(&next.last_error, "410 Gone");
        log_warn("feed %s: 410 Gone: polling disabled (`ingestctl feed poll %s` enables it)",
                 f->row.url, f->row.url);
        next.next_poll_ms = 0;
    } else {
        fs->c.errors++;
        next.error_count++;
        char msg[400];
        if (r->too_large)
            snprintf(msg, sizeof msg, "%s", r->error);
        else if (r->curl_code != 0 || r->status == 0)
            snprintf(msg, sizeof msg, "%s", r->error[0] ? r->error : "transfer failed");
        else
            snprintf(msg, sizeof msg, "HTTP %ld", r->status);
        replace_str(&next.last_error, msg);
        if (r->status == 429 || r->status == 503)
            retry_after = r->retry_after_s;
        schedule(fs, &next, interval_of(fs, f), -1, retry_after);
        log_warn("feed %s: %s (error %lld in a row; next poll in %lld s)", f->row.url, msg,
                 (long long)next.error_count,
                 (long long)((next.next_poll_ms - intake_now_ms()) / 1000));
    }
    commit_state(fs, f, &next, NULL);
    end_poll(fs, f);
}

static void start_poll(feeds *fs, struct feed *f)
{
    int rc = feed_http_get(fs->http, f->row.url, f->row.etag, f->row.last_modified, on_response, f);
    if (rc != 0) {
        /* a URL that cannot be fetched (not http/https): record it, look again much later */
        feed_row next;
        feed_row_copy(&next, &f->row);
        next.error_count++;
        replace_str(&next.last_error, "not an http(s) URL with a host");
        schedule(fs, &next, FEEDS_MAX_DELAY_S, -1, -1);
        commit_state(fs, f, &next, NULL);
        return;
    }
    f->polling = true;
    fs->in_flight++;
}

static void tick_cb(uv_timer_t *t)
{
    feeds *fs = t->data;
    if (fs->stopping)
        return;
    int64_t now = intake_now_ms();
    size_t max = fs->opt.max_in_flight > 0 ? (size_t)fs->opt.max_in_flight : 64;
    /* round robin from where the last look stopped: with many due feeds a look costs what it
     * starts, not the length of the list */
    for (size_t k = 0; k < fs->n && fs->in_flight < max; k++) {
        if (fs->scan_pos >= fs->n)
            fs->scan_pos = 0;
        struct feed *f = fs->list[fs->scan_pos++];
        if (!f->row.enabled || f->polling || f->row.next_poll_ms > now)
            continue;
        start_poll(fs, f);
    }
}

/* First poll time of a feed that has none yet: spread over start_jitter_s. */
static void initial_due(feeds *fs, struct feed *f, int64_t now)
{
    if (f->row.next_poll_ms > 0)
        return;
    f->row.next_poll_ms = now + (int64_t)(rnd01(fs) * (double)fs->opt.start_jitter_s * 1000.0);
}

int feeds_start(uv_loop_t *loop, store *st, pipeline **pipe, const feeds_options *opt, feeds **out,
                char *err, size_t errlen)
{
    *out = NULL;
    feeds *fs = xcalloc(1, sizeof *fs);
    fs->loop = loop;
    fs->st = st;
    fs->pipe = pipe;
    fs->opt = *opt;
    if (fs->opt.interval_s <= 0)
        fs->opt.interval_s = 900;
    fs->rnd_state = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)fs;
    feed_http_options ho = {.total_timeout_s = (long)opt->timeout_s,
                            .max_body_bytes = opt->max_body_bytes,
                            .per_host = (int)opt->per_host};
    int rc = feed_http_new(loop, &ho, &fs->http, err, errlen);
    if (rc) {
        free(fs);
        return rc;
    }
    feed_row *rows = NULL;
    size_t n = 0;
    rc = feed_store_load(st, &rows, &n);
    if (rc) {
        snprintf(err, errlen, "store %s: cannot read the feeds table", store_path(st));
        feed_http_close(fs->http);
        free(fs);
        return rc;
    }
    /* configured feeds: added or updated; ones an earlier configuration added are dropped */
    for (size_t i = 0; i < n; i++) {
        bool listed = false;
        for (size_t k = 0; k < opt->n_config; k++)
            if (strcmp(rows[i].url, opt->config_urls[k]) == 0)
                listed = true;
        if (rows[i].from_config && !listed) {
            log_notice("feed %s: no longer in the configuration; removed", rows[i].url);
            feed_store_remove(st, rows[i].url);
        } else if (!listed) {
            add_feed_mem(fs, &rows[i]);
        }
        feed_row_clear(&rows[i]);
    }
    free(rows);
    for (size_t k = 0; k < opt->n_config; k++) {
        char host[256];
        if (feed_http_host(opt->config_urls[k], host, sizeof host) != 0) {
            log_err("feed %s (configuration): not an http(s) URL; ignored", opt->config_urls[k]);
            continue;
        }
        feed_row row;
        bool existed = false;
        char e2[512];
        if (feed_store_add(st, opt->config_urls[k],
                           opt->config_intervals ? opt->config_intervals[k] : 0, true, &row,
                           &existed, e2, sizeof e2) != 0) {
            log_err("feed %s: %s", opt->config_urls[k], e2);
            continue;
        }
        if (!find_feed(fs, row.url))
            add_feed_mem(fs, &row);
        feed_row_clear(&row);
    }
    int64_t now = intake_now_ms();
    for (size_t i = 0; i < fs->n; i++)
        initial_due(fs, fs->list[i], now);
    uv_timer_init(loop, &fs->tick);
    fs->tick.data = fs;
    uv_timer_init(loop, &fs->flush_timer);
    fs->flush_timer.data = fs;
    uv_timer_start(&fs->tick, tick_cb, FEEDS_TICK_MS, FEEDS_TICK_MS);
    if (fs->n)
        log_info("feeds: %zu feeds (default interval %lld s)", fs->n,
                 (long long)fs->opt.interval_s);
    *out = fs;
    return 0;
}

static json_t *feed_json(const feeds *fs, const struct feed *f)
{
    const feed_row *r = &f->row;
    char next[32] = "";
    if (r->enabled && r->next_poll_ms > 0)
        iso_of_ms(r->next_poll_ms, next);
    json_t *o = json_pack("{s:s, s:I, s:b, s:I, s:I, s:I, s:b}", "url", r->url, "interval_s",
                          (json_int_t)(r->interval_s > 0 ? r->interval_s : fs->opt.interval_s),
                          "enabled", r->enabled, "last_status", (json_int_t)r->last_status,
                          "error_count", (json_int_t)r->error_count, "entries_seen",
                          (json_int_t)r->entries_seen, "polling", f->polling);
    json_object_set_new(o, "last_poll_at",
                        r->last_poll_at ? json_string(r->last_poll_at) : json_null());
    json_object_set_new(o, "next_poll_at", next[0] ? json_string(next) : json_null());
    json_object_set_new(o, "last_error", r->last_error ? json_string(r->last_error) : json_null());
    json_object_set_new(o, "disabled_reason",
                        r->disabled_reason ? json_string(r->disabled_reason) : json_null());
    json_object_set_new(o, "title", r->title ? json_string(r->title) : json_null());
    json_object_set_new(o, "from_config", json_boolean(r->from_config));
    return o;
}

int feeds_add(feeds *fs, const char *url, int64_t interval_s, json_t **feed_out, char *err,
              size_t errlen)
{
    if (feed_out)
        *feed_out = NULL;
    char host[256];
    if (!url || feed_http_host(url, host, sizeof host) != 0) {
        snprintf(err, errlen, "not an http(s) URL with a host: \"%s\"", url ? url : "");
        return -EINVAL;
    }
    struct feed *f = find_feed(fs, url);
    feed_row row;
    bool existed = false;
    int rc = feed_store_add(fs->st, url, interval_s, f ? f->row.from_config : false, &row, &existed,
                            err, errlen);
    if (rc)
        return rc;
    if (!f) {
        f = add_feed_mem(fs, &row);
    } else {
        f->row.interval_s = row.interval_s;
    }
    feed_row_clear(&row);
    f->row.enabled = true;
    if (!f->polling)
        f->row.next_poll_ms = intake_now_ms(); /* soon: the next tick */
    log_info("feed %s: %s", url, existed ? "updated" : "added");
    if (feed_out)
        *feed_out = feed_json(fs, f);
    return 0;
}

int feeds_remove(feeds *fs, const char *url)
{
    struct feed *f = url ? find_feed(fs, url) : NULL;
    if (!f)
        return -ENOENT;
    int rc = feed_store_remove(fs->st, url);
    if (rc && rc != -ENOENT)
        return rc;
    log_info("feed %s: removed", url);
    drop_feed_mem(fs, f);
    return 0;
}

int feeds_poll_now(feeds *fs, const char *url)
{
    struct feed *f = url ? find_feed(fs, url) : NULL;
    if (!f)
        return -ENOENT;
    if (!f->row.enabled) {
        f->row.enabled = true;
        replace_str(&f->row.disabled_reason, NULL);
        log_notice("feed %s: enabled again by a poll command", url);
    }
    f->row.next_poll_ms = intake_now_ms();
    return 0;
}

json_t *feeds_list(feeds *fs)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < fs->n; i++)
        json_array_append_new(arr, feed_json(fs, fs->list[i]));
    return arr;
}

json_t *feeds_stats(feeds *fs)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "feeds", (json_int_t)fs->n, "polls",
                     (json_int_t)fs->c.polls, "not_modified", (json_int_t)fs->c.not_modified,
                     "errors", (json_int_t)fs->c.errors, "entries_new",
                     (json_int_t)fs->c.entries_new, "entries_changed",
                     (json_int_t)fs->c.entries_changed, "in_flight", (json_int_t)fs->in_flight);
}

void feeds_stop(feeds *fs)
{
    if (!fs || fs->stopping)
        return;
    fs->stopping = true;
    uv_timer_stop(&fs->tick);
    uv_close((uv_handle_t *)&fs->tick, NULL);
    flush_states(fs);
    uv_timer_stop(&fs->flush_timer);
    uv_close((uv_handle_t *)&fs->flush_timer, NULL);
    /* cancelled transfers never call back; polls on a worker end (and commit) in poll_after */
    feed_http_close(fs->http);
    fs->http = NULL;
}

bool feeds_idle(const feeds *fs)
{
    return !fs || fs->workers == 0;
}

void feeds_free(feeds *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++)
        free_feed(fs->list[i]);
    free(fs->list);
    for (size_t i = 0; i < fs->n_zombies; i++)
        free_feed(fs->zombies[i]);
    free(fs->zombies);
    for (size_t i = 0; i < fs->n_pending; i++)
        feed_row_clear(&fs->pending[i]);
    free(fs->pending);
    free(fs);
}
