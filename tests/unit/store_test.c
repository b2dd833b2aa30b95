/*
 * store_test - the SQLite store on real database files in a temporary folder: schema and
 * migrations, batched commits (records, duplicates, drops, failures), atomic rollback, disk-full
 * mapping, crash points, the read queries, and a throughput measurement (printed, not asserted).
 * A second, plain sqlite3 connection inspects what the store wrote.
 */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crashpoint.h"
#include "record.h"
#include "store.h"
#include "testlib.h"

#define T0_MS 1714564800000LL /* 2024-05-01T12:00:00.000Z */

static char test_dir[64];
static int db_counter;

/* A fresh database path inside the test folder. */
static const char *new_db_path(void)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/db%d.sqlite", test_dir, ++db_counter);
    return path;
}

static void remove_test_dir(void)
{
    for (int i = 1; i <= db_counter; i++) {
        static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
        for (size_t s = 0; s < 4; s++) {
            char path[160];
            snprintf(path, sizeof path, "%s/db%d.sqlite%s", test_dir, i, suffixes[s]);
            unlink(path);
        }
    }
    rmdir(test_dir);
}

static store *open_store(const char *path, const store_options *opt)
{
    store *st = NULL;
    char err[512] = "";
    int rc = store_open(path, opt, &st, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "store_open(%s): %d %s\n", path, rc, err);
    CHECK_INT(rc, 0);
    return st;
}

/* ---- inspection through a separate connection ---------------------------------------------- */

static sqlite3 *peek_open(const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    CHECK_INT(rc, SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* First column of the first row as an integer (-1 when no row or an error). */
static long long peek_int(const char *path, const char *sql)
{
    sqlite3 *db = peek_open(path);
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else
        fprintf(stderr, "peek_int(%s): %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* First column of the first row as text, copied into a static buffer ("<none>" when no row,
 * "<null>" for NULL). */
static const char *peek_text(const char *path, const char *sql)
{
    static char buf[4096];
    sqlite3 *db = peek_open(path);
    sqlite3_stmt *s = NULL;
    snprintf(buf, sizeof buf, "<none>");
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(buf, sizeof buf, "%s", t ? (const char *)t : "<null>");
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return buf;
}

static void peek_exec(const char *path, const char *sql)
{
    sqlite3 *db = peek_open(path);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "peek_exec(%s): %s\n", sql, msg);
    CHECK_INT(rc, SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
}

static long long count_rows(const char *path, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return peek_int(path, sql);
}

/* ---- building records and items ------------------------------------------------------------ */

static ingestd_record *make_rec(const char *source, int64_t arrival_ms, const char *title,
                                const char *body)
{
    ingestd_record *rec = rec_new("file", source, arrival_ms, body, strlen(body));
    CHECK(rec != NULL);
    if (title)
        CHECK_INT(rec_set(rec, INGESTD_FIELD_TITLE, title, strlen(title)), 0);
    rec_compute_uid(rec);
    return rec;
}

static store_item record_item(ingestd_record *rec, const char *path, uint64_t ino)
{
    store_item it = {0};
    it.rec = rec;
    it.source_kind = "file";
    it.source = path;
    size_t len = 0;
    it.raw = rec_get(rec, INGESTD_FIELD_ORIGINAL_TEXT, &len);
    it.raw_len = len;
    it.encoding = "utf-8";
    if (ino) {
        it.has_file = true;
        it.file.path = path;
        it.file.dev = 2049;
        it.file.ino = ino;
        it.file.size = (int64_t)len;
        it.file.mtime_ns = 1714564800123456789LL;
        snprintf(it.file.sha256, sizeof it.file.sha256, "%064llu", (unsigned long long)ino);
    }
    return it;
}

static store_item failure_item(const char *path, const char *stage, const char *plugin,
                               const char *reason, const void *raw, size_t raw_len)
{
    store_item it = {0};
    it.source_kind = "file";
    it.source = path;
    it.raw = raw;
    it.raw_len = raw_len;
    it.encoding = "unknown";
    it.fail_stage = stage;
    it.fail_plugin = plugin;
    it.fail_reason = reason;
    return it;
}

static int commit(store *st, store_item *items, size_t n)
{
    char err[512] = "";
    int rc = store_commit_batch(st, items, n, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "store_commit_batch: %d %s\n", rc, err);
    return rc;
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_open_creates_schema(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    CHECK_STR(store_path(st), path);
    CHECK(store_schema_version() >= 1);
    CHECK_INT(peek_int(path, "PRAGMA user_version"), store_schema_version());
    CHECK_STR(peek_text(path, "PRAGMA journal_mode"), "wal");
    CHECK_INT(peek_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
                             " ('articles', 'sources', 'raw', 'files', 'failures')"),
              5);
    CHECK_INT(peek_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN"
                             " ('files_identity', 'articles_ingested', 'articles_published')"),
              3);
    /* the outcome CHECK is in force */
    sqlite3 *db = peek_open(path);
    CHECK(sqlite3_exec(db,
                       "INSERT INTO files (path, dev, ino, size, mtime_ns, outcome, committed_at)"
                       " VALUES ('x', 1, 1, 1, 1, 'bogus', 'now')",
                       NULL, NULL, NULL) == SQLITE_CONSTRAINT);
    sqlite3_close(db);
    CHECK_INT(count_rows(path, "files"), 0);
    store_close(st);
}

static void test_reopen_is_idempotent(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    ingestd_record *rec = make_rec("/in/a.txt", T0_MS, "Title", "Body of the article.");
    store_item it = record_item(rec, "/in/a.txt", 11);
    CHECK_INT(commit(st, &it, 1), 0);
    store_close(st);
    long long objects = peek_int(path, "SELECT count(*) FROM sqlite_schema");

    st = open_store(path, &(store_options){.synchronous_full = true});
    if (!st) {
        rec_free(rec);
        return;
    }
    CHECK_INT(peek_int(path, "PRAGMA user_version"), store_schema_version());
    CHECK_INT(peek_int(path, "SELECT count(*) FROM sqlite_schema"), objects);
    CHECK_INT(count_rows(path, "articles"), 1);
    CHECK(store_file_known(st, 2049, 11, it.file.size, it.file.mtime_ns));
    store_close(st);
    rec_free(rec);
}

static void test_refuses_newer_schema(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    store_close(st);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_schema_version() + 1);
    peek_exec(path, sql);

    char err[512] = "";
    st = (store *)&err; /* must be reset to NULL */
    int rc = store_open(path, NULL, &st, err, sizeof err);
    CHECK_INT(rc, -EPROTONOSUPPORT);
    CHECK(st == NULL);
    CHECK(strstr(err, "newer") != NULL);
    CHECK(strstr(err, path) != NULL);
    /* read-only refuses too, and nothing was changed */
    rc = store_open(path, &(store_options){.read_only = true}, &st, err, sizeof err);
    CHECK_INT(rc, -EPROTONOSUPPORT);
    CHECK_INT(peek_int(path, "PRAGMA user_version"), store_schema_version() + 1);
}

static void test_read_only_needs_migrated_db(void)
{
    const char *path = new_db_path();
    peek_exec(path, "CREATE TABLE unrelated (x)"); /* user_version 0 */
    store *st = NULL;
    char err[512] = "";
    CHECK_INT(store_open(path, &(store_options){.read_only = true}, &st, err, sizeof err), -EINVAL);
    CHECK(st == NULL);
    CHECK(strstr(err, "migrate") != NULL);
    CHECK_INT(peek_int(path, "PRAGMA user_version"), 0);
}

static void test_commit_records_failures_drops(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    ingestd_record *a = make_rec("/in/a.txt", T0_MS, "Ankara'da toplantı", "Metin burada.\n");
    ingestd_record *b =
        rec_new("feed", "https://example.org/rss", T0_MS + 5, "Κείμενο\n", strlen("Κείμενο\n"));
    CHECK(b != NULL);
    CHECK_INT(rec_set(b, INGESTD_FIELD_TITLE, "Τίτλος", strlen("Τίτλος")), 0);
    CHECK_INT(rec_set(b, INGESTD_FIELD_URL, "https://example.org/a/1", 23), 0);
    CHECK_INT(rec_set(b, INGESTD_FIELD_GUID, "urn:1", 5), 0);
    CHECK_INT(rec_set(b, INGESTD_FIELD_PUBLISHED_AT, "2024-05-01T14:00:00+02:00", 25), 0);
    ingestd_host host;
    rec_host_fill(&host, NULL, NULL);
    CHECK_INT(host.set_lang(b, "el", 0.93), 0);
    json_object_set_new(rec_meta(b), "datetime",
                        json_pack("{ss}", "published_utc", "2024-05-01T12:00:00.000Z"));
    rec_compute_uid(b);
    ingestd_record *d = make_rec("/in/d.txt", T0_MS, "Ad", "Buy now");
    static const char greek_1253[] = "\xc1\xe8\xde\xed\xe1";

    store_item items[4];
    items[0] = record_item(a, "/in/a.txt", 101);
    items[1] = record_item(b, "https://example.org/rss", 0);
    items[1].source_kind = "feed";
    items[1].raw = items[0].raw; /* same original bytes: one raw row */
    items[1].raw_len = items[0].raw_len;
    items[2] = failure_item("/in/c.txt", "decode", NULL, "undecodable bytes", greek_1253, 5);
    items[2].has_file = true;
    items[2].file = (store_file_identity){
        .path = "/in/c.txt", .dev = 2049, .ino = 103, .size = 5, .mtime_ns = 7};
    items[3] = record_item(d, "/in/d.txt", 104);
    items[3].dropped_by = "spamfilter";

    CHECK_INT(commit(st, items, 4), 0);
    CHECK(items[0].article_id > 0);
    CHECK(items[1].article_id > 0 && items[1].article_id != items[0].article_id);
    CHECK(!items[0].was_duplicate && !items[1].was_duplicate);
    CHECK_INT(items[0].failure_id, 0);
    CHECK(items[2].failure_id > 0);
    CHECK_INT(items[2].article_id, 0);
    CHECK_INT(items[3].article_id, 0);
    CHECK_INT(items[3].failure_id, 0);

    CHECK_INT(count_rows(path, "articles"), 2);
    CHECK_INT(count_rows(path, "sources"), 2);
    CHECK_INT(count_rows(path, "failures"), 1);
    CHECK_INT(count_rows(path, "files"), 3);
    CHECK_INT(count_rows(path, "raw"), 2);
    CHECK_STR(peek_text(path, "SELECT group_concat(outcome, ',') FROM"
                              " (SELECT outcome FROM files ORDER BY ino)"),
              "committed,failed,dropped");
    CHECK_STR(peek_text(path, "SELECT dropped_by FROM files WHERE ino = 104"), "spamfilter");
    CHECK_INT(peek_int(path, "SELECT count(*) FROM files WHERE ino = 103 AND failure_id IS NOT NULL"
                             " AND article_id IS NULL"),
              1);
    CHECK_INT(peek_int(path, "SELECT count(*) FROM files f JOIN articles a ON a.id = f.article_id"
                             " WHERE f.ino = 101 AND f.sha256 = "
                             "'0000000000000000000000000000000000000000000000000000000000000101'"),
              1);
    CHECK_STR(peek_text(path, "SELECT published_utc FROM articles WHERE guid = 'urn:1'"),
              "2024-05-01T12:00:00.000Z");
    CHECK_STR(peek_text(path, "SELECT lang || ' ' || lang_confidence FROM articles"
                              " WHERE guid = 'urn:1'"),
              "el 0.93");
    CHECK_STR(peek_text(path, "SELECT source_kind || ' ' || source FROM articles"
                              " WHERE guid = 'urn:1'"),
              "feed https://example.org/rss");
    CHECK_STR(peek_text(path, "SELECT ingested_at FROM articles WHERE guid = 'urn:1'"),
              "2024-05-01T12:00:00.005Z");
    CHECK_STR(peek_text(path, "SELECT meta FROM articles WHERE guid = 'urn:1'"),
              "{\"datetime\":{\"published_utc\":\"2024-05-01T12:00:00.000Z\"}}");
    CHECK_STR(peek_text(path, "SELECT meta FROM articles WHERE guid IS NULL"), "{}");
    CHECK_STR(peek_text(path, "SELECT published_utc FROM articles WHERE guid IS NULL"), "<null>");
    CHECK_STR(peek_text(path, "SELECT lang_confidence FROM articles WHERE guid IS NULL"), "<null>");
    CHECK_STR(peek_text(path, "SELECT stage || '|' || coalesce(plugin, '-') || '|' || reason ||"
                              " '|' || f.encoding || '|' || hex(r.bytes) FROM failures f"
                              " JOIN raw r ON r.id = f.raw_id"),
              "decode|-|undecodable bytes|unknown|C1E8DEEDE1");
    /* both arrivals point to the one raw row of the shared bytes */
    CHECK_INT(peek_int(path, "SELECT count(DISTINCT raw_id) FROM sources"), 1);
    /* the failed_at / committed_at timestamps are ISO 8601 UTC with milliseconds */
    CHECK_INT(peek_int(path, "SELECT count(*) FROM failures WHERE failed_at GLOB"
                             " '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:"
                             "[0-9][0-9].[0-9][0-9][0-9]Z'"),
              1);
    CHECK_INT(peek_int(path, "SELECT count(*) FROM files WHERE committed_at LIKE '____-__-__T%Z'"),
              3);
    store_close(st);
    rec_free(a);
    rec_free(b);
    rec_free(d);
}

static void test_duplicates(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    /* across batches: the same text arrives again, differently spaced, from another file */
    ingestd_record *a1 = make_rec("/in/1.txt", T0_MS, "Same title", "Same  body\n");
    ingestd_record *a2 = make_rec("/in/2.txt", T0_MS + 1, "Same title", "Same body");
    CHECK_STR(rec_get(a1, INGESTD_FIELD_UID, NULL), rec_get(a2, INGESTD_FIELD_UID, NULL));
    store_item first = record_item(a1, "/in/1.txt", 1);
    CHECK_INT(commit(st, &first, 1), 0);
    CHECK(!first.was_duplicate);
    store_item second = record_item(a2, "/in/2.txt", 2);
    CHECK_INT(commit(st, &second, 1), 0);
    CHECK(second.was_duplicate);
    CHECK_INT(second.article_id, first.article_id);
    CHECK_INT(count_rows(path, "articles"), 1);
    CHECK_INT(count_rows(path, "sources"), 2);
    CHECK_STR(peek_text(path, "SELECT outcome FROM files WHERE ino = 2"), "duplicate");
    CHECK_STR(peek_text(path, "SELECT source FROM articles"), "/in/1.txt"); /* first wins */

    /* within one batch */
    ingestd_record *b1 = make_rec("/in/3.txt", T0_MS + 2, "Other", "Text");
    ingestd_record *b2 = make_rec("/in/4.txt", T0_MS + 3, "Other", "Text");
    store_item both[2] = {record_item(b1, "/in/3.txt", 3), record_item(b2, "/in/4.txt", 4)};
    CHECK_INT(commit(st, both, 2), 0);
    CHECK(!both[0].was_duplicate);
    CHECK(both[1].was_duplicate);
    CHECK(both[0].article_id > 0);
    CHECK_INT(both[1].article_id, both[0].article_id);
    CHECK_INT(count_rows(path, "articles"), 2);
    CHECK_INT(count_rows(path, "sources"), 4);
    CHECK_INT(peek_int(path, "SELECT count(*) FROM sources s JOIN articles a ON a.id ="
                             " s.article_id WHERE a.title = 'Other'"),
              2);
    json_t *got = store_get(st, rec_get(b1, INGESTD_FIELD_UID, NULL), false);
    CHECK(got != NULL);
    json_t *sources = json_object_get(got, "sources");
    CHECK_INT(json_array_size(sources), 2);
    CHECK_STR(jstr(json_array_get(sources, 0), "source"), "/in/3.txt");
    CHECK_STR(jstr(json_array_get(sources, 1), "source"), "/in/4.txt");
    CHECK_STR(jstr(json_array_get(sources, 1), "received_at"), "2024-05-01T12:00:00.003Z");
    json_decref(got);
    store_close(st);
    rec_free(a1);
    rec_free(a2);
    rec_free(b1);
    rec_free(b2);
}

static void test_file_identity(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    const uint64_t big = UINT64_C(0xfedcba9876543210); /* above INT64_MAX */
    ingestd_record *rec = make_rec("/in/f.txt", T0_MS, "T", "B");
    store_item it = record_item(rec, "/in/f.txt", 77);
    it.file.dev = big;
    CHECK(!store_file_known(st, big, 77, it.file.size, it.file.mtime_ns));
    CHECK_INT(commit(st, &it, 1), 0);
    CHECK(store_file_known(st, big, 77, it.file.size, it.file.mtime_ns));
    CHECK(!store_file_known(st, big, 77, it.file.size, it.file.mtime_ns + 1));
    CHECK(!store_file_known(st, big, 77, it.file.size + 1, it.file.mtime_ns));
    CHECK(!store_file_known(st, big, 78, it.file.size, it.file.mtime_ns));
    CHECK(!store_file_known(st, 2049, 77, it.file.size, it.file.mtime_ns));

    store_item fail = failure_item("/in/g.txt", "read", NULL, "short read", NULL, 0);
    fail.has_file = true;
    fail.file = (store_file_identity){
        .path = "/in/g.txt", .dev = 1, .ino = big, .size = 1 << 30, .mtime_ns = -5};
    CHECK(!store_file_known(st, 1, big, 1 << 30, -5));
    CHECK_INT(commit(st, &fail, 1), 0);
    CHECK(store_file_known(st, 1, big, 1 << 30, -5));
    CHECK_INT(peek_int(path, "SELECT count(*) FROM failures WHERE raw_id IS NULL"), 1);
    store_close(st);

    st = open_store(path, NULL); /* identities survive a restart */
    if (st) {
        CHECK(store_file_known(st, big, 77, it.file.size, it.file.mtime_ns));
        CHECK(store_file_known(st, 1, big, 1 << 30, -5));
        store_close(st);
    }
    rec_free(rec);
}

static void test_rollback_on_invalid_item(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    ingestd_record *good = make_rec("/in/ok.txt", T0_MS, "Good", "Fine text");
    ingestd_record *bad = rec_new("file", "/in/bad.txt", T0_MS, "No uid", 6); /* no uid */
    store_item items[3] = {record_item(good, "/in/ok.txt", 1),
                           failure_item("/in/x.txt", "plugin", "p", "boom", "xx", 2),
                           record_item(bad, "/in/bad.txt", 2)};
    char err[512] = "";
    CHECK_INT(store_commit_batch(st, items, 3, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "uid") != NULL);
    CHECK(strstr(err, path) != NULL);
    CHECK_INT(items[0].article_id, 0);
    CHECK_INT(items[1].failure_id, 0);
    CHECK_INT(count_rows(path, "articles"), 0);
    CHECK_INT(count_rows(path, "sources"), 0);
    CHECK_INT(count_rows(path, "raw"), 0);
    CHECK_INT(count_rows(path, "files"), 0);
    CHECK_INT(count_rows(path, "failures"), 0);
    CHECK(!store_file_known(st, 2049, 1, items[0].file.size, items[0].file.mtime_ns));

    /* an item with neither record nor failure is refused the same way */
    store_item empty = {0};
    CHECK_INT(store_commit_batch(st, &empty, 1, err, sizeof err), -EINVAL);

    /* the handle is still usable: the good items alone commit */
    CHECK_INT(commit(st, items, 2), 0);
    CHECK_INT(count_rows(path, "articles"), 1);
    CHECK_INT(count_rows(path, "failures"), 1);
    CHECK(store_file_known(st, 2049, 1, items[0].file.size, items[0].file.mtime_ns));
    CHECK_INT(commit(st, items, 0), 0);
    store_close(st);
    rec_free(good);
    rec_free(bad);
}

static void test_disk_full_is_enospc(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, &(store_options){.max_db_bytes = 256 * 1024});
    if (!st)
        return;
    size_t big_len = 1024 * 1024;
    unsigned char *big = malloc(big_len);
    uint32_t x = 12345;
    for (size_t i = 0; i < big_len; i++) { /* incompressible doesn't matter; size does */
        x = x * 1103515245u + 12345u;
        big[i] = (unsigned char)(x >> 24);
    }
    ingestd_record *small = make_rec("/in/s.txt", T0_MS, "Small", "small body");
    store_item items[2] = {record_item(small, "/in/s.txt", 1),
                           failure_item("/in/big.bin", "decode", NULL, "binary", big, big_len)};
    char err[512] = "";
    CHECK_INT(store_commit_batch(st, items, 2, err, sizeof err), -ENOSPC);
    CHECK(strstr(err, path) != NULL);
    CHECK_INT(items[0].article_id, 0);
    CHECK_INT(count_rows(path, "articles"), 0);
    CHECK_INT(count_rows(path, "failures"), 0);
    /* after the failed batch, a batch that fits goes through */
    CHECK_INT(commit(st, items, 1), 0);
    CHECK_INT(count_rows(path, "articles"), 1);
    store_close(st);
    rec_free(small);
    free(big);
}

static void test_recent(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    /* commit order differs from arrival order; "recent" follows ingested_at */
    static const int arrival[5] = {3, 1, 4, 2, 5};
    ingestd_record *recs[5];
    store_item items[5];
    for (int i = 0; i < 5; i++) {
        char title[32], body[32];
        snprintf(title, sizeof title, "Title %d", arrival[i]);
        snprintf(body, sizeof body, "Body %d", arrival[i]);
        recs[i] = make_rec("/in/r.txt", T0_MS + arrival[i] * 1000, title, body);
        items[i] = record_item(recs[i], "/in/r.txt", 0);
    }
    CHECK_INT(commit(st, items, 3), 0);
    CHECK_INT(commit(st, items + 3, 2), 0);

    json_t *r = store_recent(st, 3);
    CHECK(json_is_array(r));
    CHECK_INT(json_array_size(r), 3);
    CHECK_STR(jstr(json_array_get(r, 0), "title"), "Title 5");
    CHECK_STR(jstr(json_array_get(r, 1), "title"), "Title 4");
    CHECK_STR(jstr(json_array_get(r, 2), "title"), "Title 3");
    json_t *top = json_array_get(r, 0);
    CHECK_STR(jstr(top, "uid"), rec_get(recs[4], INGESTD_FIELD_UID, NULL));
    CHECK_STR(jstr(top, "source"), "/in/r.txt");
    CHECK_STR(jstr(top, "ingested_at"), "2024-05-01T12:00:05.000Z");
    CHECK(json_is_null(json_object_get(top, "lang")));
    CHECK(json_is_null(json_object_get(top, "published_at")));
    json_decref(r);

    r = store_recent(st, 100);
    CHECK_INT(json_array_size(r), 5);
    CHECK_STR(jstr(json_array_get(r, 4), "title"), "Title 1");
    json_decref(r);
    r = store_recent(st, 0);
    CHECK(json_is_array(r) && json_array_size(r) == 0);
    json_decref(r);
    r = store_recent(st, -4);
    CHECK(json_is_array(r) && json_array_size(r) == 0);
    json_decref(r);
    store_close(st);
    for (int i = 0; i < 5; i++)
        rec_free(recs[i]);
}

static void test_get_by_uid_and_prefix(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    ingestd_record *rec = make_rec("/in/g.txt", T0_MS, "Başlık", "Gövde metni.\n");
    CHECK_INT(rec_set(rec, INGESTD_FIELD_URL, "https://haber.example/1", 23), 0);
    CHECK_INT(rec_set(rec, INGESTD_FIELD_UPDATED_AT, "2024-05-02T08:00:00Z", 20), 0);
    json_object_set_new(rec_meta(rec), "removed_lines", json_pack("[ii]", 1, 7));
    store_item it = record_item(rec, "/in/g.txt", 5);
    CHECK_INT(commit(st, &it, 1), 0);
    const char *uid = rec_get(rec, INGESTD_FIELD_UID, NULL);

    json_t *o = store_get(st, uid, false);
    CHECK(o != NULL);
    CHECK_STR(jstr(o, "uid"), uid);
    CHECK_STR(jstr(o, "title"), "Başlık");
    CHECK_STR(jstr(o, "body"), "Gövde metni.\n");
    CHECK_STR(jstr(o, "url"), "https://haber.example/1");
    CHECK_STR(jstr(o, "updated_at"), "2024-05-02T08:00:00Z");
    CHECK_STR(jstr(o, "source_kind"), "file");
    CHECK_STR(jstr(o, "ingested_at"), "2024-05-01T12:00:00.000Z");
    CHECK(json_is_null(json_object_get(o, "guid")));
    CHECK(json_object_get(o, "lang_confidence") != NULL);
    json_t *lines = json_object_get(json_object_get(o, "meta"), "removed_lines");
    CHECK_INT(json_integer_value(json_array_get(lines, 1)), 7);
    CHECK_INT(json_array_size(json_object_get(o, "sources")), 1);
    CHECK(json_object_get(o, "raw") == NULL && json_object_get(o, "raw_base64") == NULL);
    json_decref(o);

    char prefix[8];
    memcpy(prefix, uid, 6);
    prefix[6] = '\0';
    o = store_get(st, prefix, false);
    CHECK(o != NULL);
    CHECK_STR(jstr(o, "uid"), uid);
    json_decref(o);
    for (int i = 0; i < 6; i++) /* upper case is accepted */
        if (prefix[i] >= 'a' && prefix[i] <= 'f')
            prefix[i] = (char)(prefix[i] - 'a' + 'A');
    o = store_get(st, prefix, false);
    CHECK(o != NULL);
    json_decref(o);

    /* too short, not hex, too long, empty, missing */
    json_t *none = NULL;
    prefix[5] = '\0';
    CHECK_INT(store_lookup(st, prefix, false, &none), -EINVAL);
    CHECK(store_get(st, prefix, false) == NULL);
    CHECK_INT(store_lookup(st, "xyz123", false, &none), -EINVAL);
    CHECK_INT(store_lookup(st, "", false, &none), -EINVAL);
    CHECK_INT(store_lookup(st, "0123456789abcdef0123456789abcdef0", false, &none), -EINVAL);
    char missing[33];
    memcpy(missing, uid, 33);
    missing[0] = missing[0] == '0' ? '1' : '0';
    CHECK_INT(store_lookup(st, missing, false, &none), -ENOENT);
    CHECK(none == NULL);
    CHECK(store_get(st, missing, false) == NULL);

    /* ambiguity and the range boundaries ('9' and 'f' as the last prefix character) */
    peek_exec(path,
              "INSERT INTO articles (uid, source_kind, source, ingested_at) VALUES"
              " ('abcdef00000000000000000000000000', 'stdin', '-', '2024-01-01T00:00:00.000Z'),"
              " ('abcdef11111111111111111111111111', 'stdin', '-', '2024-01-01T00:00:00.000Z'),"
              " ('12345900000000000000000000000000', 'stdin', '-', '2024-01-01T00:00:00.000Z'),"
              " ('12345a00000000000000000000000000', 'stdin', '-', '2024-01-01T00:00:00.000Z'),"
              " ('fffffff0000000000000000000000000', 'stdin', '-', '2024-01-01T00:00:00.000Z')");
    CHECK_INT(store_lookup(st, "abcdef", false, &none), -ENOTUNIQ);
    CHECK(none == NULL);
    CHECK(store_get(st, "abcdef", false) == NULL);
    o = store_get(st, "abcdef1", false);
    CHECK_STR(o ? jstr(o, "uid") : NULL, "abcdef11111111111111111111111111");
    json_decref(o);
    o = store_get(st, "abcdef00000000000000000000000000", false);
    CHECK_STR(o ? jstr(o, "uid") : NULL, "abcdef00000000000000000000000000");
    CHECK_INT(json_array_size(json_object_get(o, "sources")), 0);
    json_decref(o);
    o = store_get(st, "123459", false);
    CHECK_STR(o ? jstr(o, "uid") : NULL, "12345900000000000000000000000000");
    json_decref(o);
    o = store_get(st, "12345a", false);
    CHECK_STR(o ? jstr(o, "uid") : NULL, "12345a00000000000000000000000000");
    json_decref(o);
    o = store_get(st, "ffffff", false);
    CHECK_STR(o ? jstr(o, "uid") : NULL, "fffffff0000000000000000000000000");
    json_decref(o);
    CHECK_INT(store_lookup(st, "fffffff1", false, &none), -ENOENT);
    store_close(st);
    rec_free(rec);
}

static void test_get_with_raw(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    ingestd_record *utf = make_rec("/in/u.txt", T0_MS, NULL, "Ljubljana, 1. maja — novica\n");
    ingestd_record *leg = make_rec("/in/l.txt", T0_MS, NULL, "Αθήνα ελλάδα\n");
    ingestd_record *nul = make_rec("/in/n.txt", T0_MS, NULL, "a b");
    ingestd_record *gone = make_rec("/in/o.txt", T0_MS, NULL, "oversized");
    store_item items[4] = {record_item(utf, "/in/u.txt", 1), record_item(leg, "/in/l.txt", 2),
                           record_item(nul, "/in/n.txt", 3), record_item(gone, "/in/o.txt", 4)};
    static const char cp1253[] = "\xc1\xe8\xde\xed\xe1 \xe5\xeb\xeb\xdc\xe4\xe1\n";
    items[1].raw = cp1253;
    items[1].raw_len = sizeof cp1253 - 1;
    items[1].encoding = "windows-1253";
    items[2].raw = "a\0b";
    items[2].raw_len = 3;
    items[3].raw = NULL;
    items[3].raw_len = 0;
    CHECK_INT(commit(st, items, 4), 0);

    /* a later arrival of the same article with other original bytes: raw stays the first */
    ingestd_record *again = make_rec("/in/u2.txt", T0_MS + 9, NULL, "Ljubljana, 1. maja — novica");
    store_item later = record_item(again, "/in/u2.txt", 5);
    later.raw = "<p>Ljubljana, 1. maja — novica</p>";
    later.raw_len = strlen(later.raw);
    CHECK_INT(commit(st, &later, 1), 0);
    CHECK(later.was_duplicate);
    CHECK_INT(count_rows(path, "raw"), 4);

    json_t *o = store_get(st, rec_get(utf, INGESTD_FIELD_UID, NULL), true);
    CHECK_STR(o ? jstr(o, "raw") : NULL, "Ljubljana, 1. maja — novica\n");
    CHECK_INT(json_array_size(json_object_get(o, "sources")), 2);
    CHECK_STR(o ? jstr(o, "raw_encoding") : NULL, "utf-8");
    CHECK(o && json_object_get(o, "raw_base64") == NULL);
    json_decref(o);

    o = store_get(st, rec_get(leg, INGESTD_FIELD_UID, NULL), true);
    CHECK(o && json_object_get(o, "raw") == NULL);
    CHECK_STR(o ? jstr(o, "raw_base64") : NULL, "weje7eEg5evr3OThCg==");
    CHECK_STR(o ? jstr(o, "raw_encoding") : NULL, "windows-1253");
    CHECK_STR(o ? jstr(o, "body") : NULL, "Αθήνα ελλάδα\n");
    json_decref(o);

    o = store_get(st, rec_get(nul, INGESTD_FIELD_UID, NULL), true);
    CHECK_STR(o ? jstr(o, "raw_base64") : NULL, "YQBi");
    json_decref(o);

    o = store_get(st, rec_get(gone, INGESTD_FIELD_UID, NULL), true);
    CHECK(o && json_is_null(json_object_get(o, "raw")));
    json_decref(o);
    store_close(st);
    rec_free(utf);
    rec_free(again);
    rec_free(leg);
    rec_free(nul);
    rec_free(gone);
}

static void test_failures_listing(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    json_t *f = store_failures(st, 10);
    CHECK(json_is_array(f) && json_array_size(f) == 0);
    json_decref(f);

    store_item one = failure_item("/in/1.txt", "read", NULL, "permission denied", NULL, 0);
    CHECK_INT(commit(st, &one, 1), 0);
    ingestd_record *rec = make_rec("https://x.example/feed", T0_MS, "T", "B");
    store_item two[2] = {failure_item("/in/2.txt", "decode", NULL, "not text", "\xff\xfe", 2),
                         failure_item(NULL, "plugin", "datetime", "bad date", "B", 1)};
    two[1].rec = rec; /* a record that failed in a plugin: its source is used */
    two[1].source_kind = NULL;
    CHECK_INT(commit(st, two, 2), 0);
    CHECK(one.failure_id > 0 && two[0].failure_id > one.failure_id);
    CHECK(two[1].failure_id > two[0].failure_id);
    CHECK_INT(two[1].article_id, 0);
    CHECK_INT(count_rows(path, "articles"), 0);

    f = store_failures(st, 2);
    CHECK_INT(json_array_size(f), 2);
    json_t *newest = json_array_get(f, 0);
    CHECK_INT(json_integer_value(json_object_get(newest, "id")), two[1].failure_id);
    CHECK_STR(jstr(newest, "stage"), "plugin");
    CHECK_STR(jstr(newest, "plugin"), "datetime");
    CHECK_STR(jstr(newest, "reason"), "bad date");
    CHECK_STR(jstr(newest, "source"), "https://x.example/feed");
    CHECK_STR(jstr(newest, "source_kind"), "file");
    CHECK(jstr(newest, "failed_at") != NULL);
    CHECK(json_is_null(json_object_get(newest, "retried_at")));
    json_t *second = json_array_get(f, 1);
    CHECK_STR(jstr(second, "source"), "/in/2.txt");
    CHECK(json_is_null(json_object_get(second, "plugin")));
    json_decref(f);
    f = store_failures(st, 50);
    CHECK_INT(json_array_size(f), 3);
    CHECK_STR(jstr(json_array_get(f, 2), "reason"), "permission denied");
    json_decref(f);

    /* a file name that is not UTF-8 is stored exactly and listed lossily, never dropped */
    store_item odd = failure_item("/in/caf\xe9.txt", "decode", NULL, "binary", NULL, 0);
    CHECK_INT(commit(st, &odd, 1), 0);
    CHECK_STR(peek_text(path, "SELECT hex(source) FROM failures ORDER BY id DESC LIMIT 1"),
              "2F696E2F636166E92E747874");
    f = store_failures(st, 1);
    CHECK_STR(jstr(json_array_get(f, 0), "source"), "/in/caf\xef\xbf\xbd.txt");
    json_decref(f);
    store_close(st);
    rec_free(rec);
}

static void test_totals_and_integrity(void)
{
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    json_t *t = store_totals(st);
    CHECK_INT(json_integer_value(json_object_get(t, "articles")), 0);
    CHECK(json_integer_value(json_object_get(t, "db_bytes")) > 0);
    json_decref(t);

    ingestd_record *a = make_rec("/in/a.txt", T0_MS, "A", "aaa");
    ingestd_record *a2 = make_rec("/in/a2.txt", T0_MS, "A", "aaa");
    ingestd_record *b = make_rec("/in/b.txt", T0_MS, "B", "bbb");
    store_item items[4] = {record_item(a, "/in/a.txt", 1), record_item(a2, "/in/a2.txt", 2),
                           record_item(b, "/in/b.txt", 0),
                           failure_item("/in/c", "read", NULL, "gone", NULL, 0)};
    CHECK_INT(commit(st, items, 4), 0);
    t = store_totals(st);
    CHECK_INT(json_integer_value(json_object_get(t, "articles")), 2);
    CHECK_INT(json_integer_value(json_object_get(t, "sources")), 3);
    CHECK_INT(json_integer_value(json_object_get(t, "failures")), 1);
    CHECK_INT(json_integer_value(json_object_get(t, "files")), 2);
    CHECK_INT(json_integer_value(json_object_get(t, "db_bytes")),
              peek_int(path, "SELECT page_count * page_size FROM pragma_page_count(),"
                             " pragma_page_size()"));
    json_decref(t);

    CHECK_STR(peek_text(path, "PRAGMA integrity_check"), "ok");
    CHECK_STR(peek_text(path, "PRAGMA foreign_key_check"), "<none>");
    CHECK_STR(peek_text(path, "PRAGMA journal_mode"), "wal");
    store_close(st);
    CHECK_STR(peek_text(path, "PRAGMA integrity_check"), "ok");
    rec_free(a);
    rec_free(a2);
    rec_free(b);
}

static void test_read_only_handle(void)
{
    const char *path = new_db_path();
    store *rw = open_store(path, NULL);
    if (!rw)
        return;
    ingestd_record *a = make_rec("/in/a.txt", T0_MS, "A", "aaa");
    store_item it = record_item(a, "/in/a.txt", 1);
    CHECK_INT(commit(rw, &it, 1), 0);

    store *ro = open_store(path, &(store_options){.read_only = true});
    if (ro) {
        json_t *r = store_recent(ro, 10);
        CHECK_INT(json_array_size(r), 1);
        json_decref(r);
        CHECK(store_file_known(ro, 2049, 1, it.file.size, it.file.mtime_ns));
        ingestd_record *b = make_rec("/in/b.txt", T0_MS, "B", "bbb");
        store_item it2 = record_item(b, "/in/b.txt", 2);
        char err[512] = "";
        CHECK_INT(store_commit_batch(ro, &it2, 1, err, sizeof err), -EIO);
        CHECK(strstr(err, "readonly") != NULL || strstr(err, "read-only") != NULL);
        CHECK_INT(it2.article_id, 0);
        store_close(ro);
        rec_free(b);
    }
    CHECK_INT(count_rows(path, "articles"), 1);
    store_close(rw);
    rec_free(a);
}

/* Run one batch in a child armed to die at `point`; returns true when SIGKILL ended it. */
static bool commit_in_child_killed_at(const char *path, const char *point)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("INGESTD_CRASHPOINT", point, 1);
        crashpoint_init();
        store *st = NULL;
        char err[256];
        if (store_open(path, NULL, &st, err, sizeof err) != 0)
            _exit(2);
        ingestd_record *a = make_rec("/in/a.txt", T0_MS, "A", "aaa");
        ingestd_record *b = make_rec("/in/b.txt", T0_MS, "B", "bbb");
        store_item items[2] = {record_item(a, "/in/a.txt", 1), record_item(b, "/in/b.txt", 2)};
        store_commit_batch(st, items, 2, err, sizeof err);
        _exit(3); /* not reached when the crash point fired */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

static void test_crash_points(void)
{
    static const struct {
        const char *point;
        long long articles_after;
    } cases[] = {
        {"store.before_begin", 0},
        {"store.after_insert", 0},
        {"store.before_commit", 0},
        {"store.after_commit", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = new_db_path();
        store *st = open_store(path, NULL); /* schema in place before the child runs */
        store_close(st);
        CHECK(commit_in_child_killed_at(path, cases[i].point));
        st = open_store(path, NULL); /* recovery */
        if (!st)
            continue;
        long long n = count_rows(path, "articles");
        if (n != cases[i].articles_after)
            fprintf(stderr, "crash point %s: %lld articles\n", cases[i].point, n);
        CHECK_INT(n, cases[i].articles_after);
        CHECK_INT(count_rows(path, "files"), cases[i].articles_after);
        CHECK_INT(count_rows(path, "sources"), cases[i].articles_after);
        CHECK_STR(peek_text(path, "PRAGMA integrity_check"), "ok");
        store_close(st);
    }
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void test_throughput(void)
{
    enum { N = 20000, BATCH = 256 };
    const char *path = new_db_path();
    store *st = open_store(path, NULL);
    if (!st)
        return;
    ingestd_record **recs = malloc(N * sizeof *recs);
    store_item *items = malloc(N * sizeof *items);
    char **paths = malloc(N * sizeof *paths);
    for (int i = 0; i < N; i++) {
        char body[400];
        snprintf(body, sizeof body,
                 "Article number %d. Lorem ipsum dolor sit amet, consectetur adipiscing elit, "
                 "sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad "
                 "minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea "
                 "commodo consequat. Duis aute irure dolor in reprehenderit in voluptate.\n",
                 i);
        char title[64];
        snprintf(title, sizeof title, "Headline %d", i);
        paths[i] = malloc(64);
        snprintf(paths[i], 64, "/srv/inbox/article-%06d.txt", i);
        recs[i] = make_rec(paths[i], T0_MS + i, title, body);
        json_object_set_new(rec_meta(recs[i]), "removed_lines", json_pack("[i]", 3));
        items[i] = record_item(recs[i], paths[i], (uint64_t)i + 1000);
    }
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    int failures = 0;
    for (int i = 0; i < N; i += BATCH) {
        size_t n = (size_t)(N - i < BATCH ? N - i : BATCH);
        if (commit(st, items + i, n) != 0)
            failures++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double ms = elapsed_ms(&t0, &t1), cpu_ms = elapsed_ms(&c0, &c1);
    printf("store throughput: %d records (about 400 bytes, raw + file identity each) in batches "
           "of %d: %.1f ms wall (%.1f ms CPU), %.0f records/s wall, %.0f records/s per CPU "
           "second\n",
           N, BATCH, ms, cpu_ms, N / (ms / 1e3), N / (cpu_ms / 1e3));
    CHECK_INT(failures, 0);
    CHECK_INT(count_rows(path, "articles"), N);
    CHECK_INT(count_rows(path, "files"), N);
    store_close(st);
    for (int i = 0; i < N; i++) {
        rec_free(recs[i]);
        free(paths[i]);
    }
    free(recs);
    free(items);
    free(paths);
}

int main(void)
{
    snprintf(test_dir, sizeof test_dir, "/tmp/store_test.XXXXXX");
    if (!mkdtemp(test_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_open_creates_schema);
    RUN(test_reopen_is_idempotent);
    RUN(test_refuses_newer_schema);
    RUN(test_read_only_needs_migrated_db);
    RUN(test_commit_records_failures_drops);
    RUN(test_duplicates);
    RUN(test_file_identity);
    RUN(test_rollback_on_invalid_item);
    RUN(test_disk_full_is_enospc);
    RUN(test_recent);
    RUN(test_get_by_uid_and_prefix);
    RUN(test_get_with_raw);
    RUN(test_failures_listing);
    RUN(test_totals_and_integrity);
    RUN(test_read_only_handle);
    RUN(test_crash_points);
    RUN(test_throughput);
    remove_test_dir();
    return TEST_SUMMARY();
}
