/*
 * feed_store - feed tables on the store's connection (see feed_store.h). Statements are
 * prepared per call: a poll commits once per feed and poll, far less often than the statement
 * preparation would matter, and the store's own statement table stays untouched.
 */
#include "feed_store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

static char *col_str(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrdup((const char *)t) : NULL;
}

static int map_rc(sqlite3 *db, int rc)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_FULL)
        return -ENOSPC;
    if (primary == SQLITE_CONSTRAINT)
        return -EEXIST;
    (void)db;
    return -EIO;
}

static void now_iso(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

void feed_row_clear(feed_row *r)
{
    free(r->url);
    free(r->disabled_reason);
    free(r->etag);
    free(r->last_modified);
    free(r->last_poll_at);
    free(r->last_error);
    free(r->title);
    memset(r, 0, sizeof *r);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void feed_row_copy(feed_row *dst, const feed_row *src)
{
    *dst = *src;
    dst->url = dup_or_null(src->url);
    dst->disabled_reason = dup_or_null(src->disabled_reason);
    dst->etag = dup_or_null(src->etag);
    dst->last_modified = dup_or_null(src->last_modified);
    dst->last_poll_at = dup_or_null(src->last_poll_at);
    dst->last_error = dup_or_null(src->last_error);
    dst->title = dup_or_null(src->title);
}

#define ROW_COLUMNS                                                                                \
    "id, url, interval_s, from_config, enabled, disabled_reason, etag, last_modified,"             \
    " next_poll_ms, last_poll_at, last_status, last_error, error_count, entries_seen, title"

static void read_row(sqlite3_stmt *s, feed_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->url = col_str(s, 1);
    r->interval_s = sqlite3_column_int64(s, 2);
    r->from_config = sqlite3_column_int(s, 3) != 0;
    r->enabled = sqlite3_column_int(s, 4) != 0;
    r->disabled_reason = col_str(s, 5);
    r->etag = col_str(s, 6);
    r->last_modified = col_str(s, 7);
    r->next_poll_ms = sqlite3_column_int64(s, 8);
    r->last_poll_at = col_str(s, 9);
    r->last_status = sqlite3_column_int64(s, 10);
    r->last_error = col_str(s, 11);
    r->error_count = sqlite3_column_int64(s, 12);
    r->entries_seen = sqlite3_column_int64(s, 13);
    r->title = col_str(s, 14);
}

int feed_store_load(store *st, feed_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM feeds ORDER BY id", -1, &s, NULL) !=
        SQLITE_OK)
        return -EIO;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *rows = xrealloc(*rows, cap * sizeof **rows);
        }
        read_row(s, &(*rows)[(*n)++]);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < *n; i++)
            feed_row_clear(&(*rows)[i]);
        free(*rows);
        *rows = NULL;
        *n = 0;
        return -EIO;
    }
    return 0;
}

int feed_store_add(store *st, const char *url, int64_t interval_s, bool from_config, feed_row *row,
                   bool *existed, char *err, size_t errlen)
{
    memset(row, 0, sizeof *row);
    sqlite3 *db = store_sqlite(st);
    char now[32];
    now_iso(now);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(
        db,
        "INSERT INTO feeds (url, interval_s, from_config, added_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (url) DO UPDATE SET interval_s = excluded.interval_s,"
        " from_config = excluded.from_config",
        -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, interval_s);
        sqlite3_bind_int(s, 3, from_config);
        sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
    }
    /* whether it existed: the row's added_at is older than now */
    sqlite3_stmt *q = NULL;
    bool had = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM feeds WHERE url = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, url, -1, SQLITE_STATIC);
        had = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "store %s: add feed %s: %s", store_path(st), url, sqlite3_errmsg(db));
        return map_rc(db, rc);
    }
    *existed = had;
    if (sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM feeds WHERE url = ?1", -1, &s, NULL) !=
        SQLITE_OK)
        return -EIO;
    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_row(s, row);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -EIO;
}

int feed_store_remove(store *st, const char *url)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "DELETE FROM feeds WHERE url = ?1", -1, &s, NULL) != SQLITE_OK)
        return -EIO;
    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return map_rc(db, rc);
    return sqlite3_changes(db) > 0 ? 0 : -ENOENT;
}

json_t *feed_store_known(store *st, int64_t feed_id)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT entry_key, content_sha256, coalesce(article_id, 0)"
                           " FROM feed_entries WHERE feed_id = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(s, 1, feed_id);
    json_t *o = json_object();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(s, 0);
        const char *sha = (const char *)sqlite3_column_text(s, 1);
        if (key && sha)
            json_object_set_new(o, key,
                                json_pack("[sI]", sha, (json_int_t)sqlite3_column_int64(s, 2)));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int exec_simple(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static const char state_sql[] =
    "UPDATE feeds SET url = ?2, etag = ?3, last_modified = ?4, next_poll_ms = ?5,"
    " last_poll_at = ?6, last_status = ?7, last_error = ?8, error_count = ?9, enabled = ?10,"
    " disabled_reason = ?11, title = coalesce(?12, title), entries_seen = entries_seen + ?13"
    " WHERE id = ?1";

static void bind_state(sqlite3_stmt *fs, const feed_row *state, int64_t new_keys)
{
    sqlite3_bind_int64(fs, 1, state->id);
    bind_opt(fs, 2, state->url);
    bind_opt(fs, 3, state->etag);
    bind_opt(fs, 4, state->last_modified);
    sqlite3_bind_int64(fs, 5, state->next_poll_ms);
    bind_opt(fs, 6, state->last_poll_at);
    sqlite3_bind_int64(fs, 7, state->last_status);
    bind_opt(fs, 8, state->last_error);
    sqlite3_bind_int64(fs, 9, state->error_count);
    sqlite3_bind_int(fs, 10, state->enabled);
    bind_opt(fs, 11, state->disabled_reason);
    bind_opt(fs, 12, state->title);
    sqlite3_bind_int64(fs, 13, new_keys);
}

int feed_store_commit_states(store *st, const feed_row *const *states, size_t n, char *err,
                             size_t errlen)
{
    if (n == 0)
        return 0;
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *fs = NULL;
    int rc = exec_simple(db, "BEGIN IMMEDIATE");
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, state_sql, -1, &fs, NULL);
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        bind_state(fs, states[i], 0);
        rc = sqlite3_step(fs);
        sqlite3_reset(fs);
        sqlite3_clear_bindings(fs);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(fs);
    if (rc == SQLITE_OK)
        rc = exec_simple(db, "COMMIT");
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "store %s: feed states: %s", store_path(st), sqlite3_errmsg(db));
        int ret = map_rc(db, rc);
        if (!sqlite3_get_autocommit(db))
            exec_simple(db, "ROLLBACK");
        return ret;
    }
    return 0;
}

int feed_store_commit(store *st, const feed_row *state, feed_store_entry *entries, size_t n,
                      char *err, size_t errlen)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *up = NULL, *fs = NULL;
    char now[32];
    now_iso(now);
    int ret = 0;
    int rc = exec_simple(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "store %s: begin: %s", store_path(st), sqlite3_errmsg(db));
        return map_rc(db, rc);
    }
    rc = sqlite3_prepare_v2(
        db,
        "INSERT INTO feed_entries (feed_id, entry_key, content_sha256, article_id, first_seen_at,"
        " last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
        " ON CONFLICT (feed_id, entry_key) DO UPDATE SET content_sha256 = excluded.content_sha256,"
        " article_id = coalesce(excluded.article_id, article_id), revisions = revisions + 1,"
        " last_seen_at = excluded.last_seen_at",
        -1, &up, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    int64_t new_keys = 0;
    for (size_t i = 0; i < n; i++) {
        feed_store_entry *e = &entries[i];
        store_item *it = &e->item;
        bool revise = e->revise_id > 0 && it->rec && !it->dropped_by && !it->fail_stage;
        ret = revise ? store_put_revision(st, e->revise_id, it, err, errlen)
                     : store_put_item(st, it, err, errlen);
        if (ret < 0)
            goto rollback;
        if (e->revise_id == 0)
            new_keys++;
        sqlite3_bind_int64(up, 1, state->id);
        sqlite3_bind_text(up, 2, e->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(up, 3, e->sha256, -1, SQLITE_STATIC);
        if (it->article_id > 0)
            sqlite3_bind_int64(up, 4, it->article_id);
        else
            sqlite3_bind_null(up, 4);
        sqlite3_bind_text(up, 5, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(up);
        sqlite3_reset(up);
        sqlite3_clear_bindings(up);
        if (rc != SQLITE_DONE)
            goto sqlfail;
    }
    rc = sqlite3_prepare_v2(db, state_sql, -1, &fs, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    bind_state(fs, state, new_keys);
    rc = sqlite3_step(fs);
    if (rc != SQLITE_DONE)
        goto sqlfail;
    sqlite3_finalize(up);
    sqlite3_finalize(fs);
    up = fs = NULL;
    rc = exec_simple(db, "COMMIT");
    if (rc != SQLITE_OK)
        goto sqlfail;
    return 0;

sqlfail:
    snprintf(err, errlen, "store %s: feed %s: %s", store_path(st), state->url, sqlite3_errmsg(db));
    ret = map_rc(db, rc);
rollback:
    sqlite3_finalize(up);
    sqlite3_finalize(fs);
    if (!sqlite3_get_autocommit(db))
        exec_simple(db, "ROLLBACK");
    for (size_t i = 0; i < n; i++) {
        entries[i].item.article_id = entries[i].item.failure_id = 0;
        entries[i].item.was_duplicate = false;
    }
    return ret;
}
