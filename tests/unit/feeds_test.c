/* feeds_test - poll scheduling arithmetic (interval jitter, max-age, Retry-After, exponential
 * backoff capped at 24 h) and the feed tables: add, known entries, one-transaction commit of
 * entries with the feed state, a revision that updates its article and keeps the old raw. */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed_http.h"
#include "feed_store.h"
#include "feeds.h"
#include "record.h"
#include "testlib.h"

static void test_delays(void)
{
    /* success: interval +-10% */
    CHECK(feeds_next_delay_s(600, 0, -1, -1, 0.0) >= 540);
    CHECK(feeds_next_delay_s(600, 0, -1, -1, 0.999) <= 660);
    /* a longer max-age wins; a shorter one does not shorten the interval */
    CHECK(feeds_next_delay_s(600, 0, 3600, -1, 0.5) == 3600);
    CHECK(feeds_next_delay_s(600, 0, 10, -1, 0.5) >= 540);
    /* errors: doubling with jitter in [half, full] */
    double d1 = feeds_next_delay_s(60, 1, -1, -1, 0.0),
           d1b = feeds_next_delay_s(60, 1, -1, -1, 0.99);
    CHECK(d1 >= 30 && d1b <= 60);
    double d4 = feeds_next_delay_s(60, 4, -1, -1, 0.0);
    CHECK(d4 >= 240 && d4 <= 480);
    /* capped at 24 h, whatever the count; never given up (always a finite delay) */
    CHECK(feeds_next_delay_s(600, 1000, -1, -1, 0.99) <= 86400);
    CHECK(feeds_next_delay_s(600, 1000, -1, -1, 0.0) >= 43200);
    /* Retry-After is honoured, capped at 24 h too */
    CHECK(feeds_next_delay_s(1, 1, -1, 120, 0.0) >= 120);
    CHECK(feeds_next_delay_s(1, 1, -1, 10000000, 0.0) == 86400);
}

static void test_hosts(void)
{
    char h[64];
    CHECK_INT(feed_http_host("http://Example.ORG:8080/feed", h, sizeof h), 0);
    CHECK_STR(h, "example.org");
    CHECK_INT(feed_http_host("https://127.0.0.1/x", h, sizeof h), 0);
    CHECK_STR(h, "127.0.0.1");
    CHECK_INT(feed_http_host("file:///etc/passwd", h, sizeof h), -EINVAL);
    CHECK_INT(feed_http_host("ftp://example.org/x", h, sizeof h), -EINVAL);
    CHECK_INT(feed_http_host("not a url", h, sizeof h), -EINVAL);
    CHECK_INT(feed_http_host(NULL, h, sizeof h), -EINVAL);
}

static ingestd_record *make_rec(const char *url, const char *text)
{
    ingestd_record *rec = rec_new("feed", url, 1700000000000, text, strlen(text));
    rec_set_internal(rec, INGESTD_FIELD_INGESTED_AT, "2025-10-27T10:00:00.000Z", 24);
    rec_compute_uid(rec);
    return rec;
}

static void test_store(void)
{
    char dir[] = "/tmp/feeds_testXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/db.sqlite", dir);
    store *st = NULL;
    char err[512];
    CHECK_INT(store_open(path, NULL, &st, err, sizeof err), 0);
    if (!st)
        return;
    const char *url = "http://127.0.0.1/feed.xml";
    feed_row row;
    bool existed = true;
    CHECK_INT(feed_store_add(st, url, 60, false, &row, &existed, err, sizeof err), 0);
    CHECK(!existed);
    CHECK(row.id > 0);
    CHECK(row.enabled);

    /* a poll with one entry: article, entry row and state in one transaction */
    ingestd_record *rec = make_rec(url, "Title one\n\nFirst version of the text.");
    feed_store_entry e = {.key = "guid:1", .sha256 = "aaaa"};
    e.item.rec = rec;
    e.item.source_kind = "feed";
    e.item.source = url;
    e.item.raw = "first raw";
    e.item.raw_len = 9;
    e.item.encoding = "utf-8";
    feed_row next;
    feed_row_copy(&next, &row);
    free(next.etag);
    next.etag = strdup("\"v1\"");
    next.last_status = 200;
    next.next_poll_ms = 123456;
    CHECK_INT(feed_store_commit(st, &next, &e, 1, err, sizeof err), 0);
    int64_t article = e.item.article_id;
    CHECK(article > 0);
    json_t *known = feed_store_known(st, row.id);
    CHECK(json_is_array(json_object_get(known, "guid:1")));
    CHECK_STR(json_string_value(json_array_get(json_object_get(known, "guid:1"), 0)), "aaaa");
    CHECK_INT(json_integer_value(json_array_get(json_object_get(known, "guid:1"), 1)), article);
    json_decref(known);

    /* the changed entry updates the same article; the first raw stays */
    ingestd_record *rec2 = make_rec(url, "Title one\n\nSecond version of the text.");
    feed_store_entry e2 = {.key = "guid:1", .sha256 = "bbbb", .revise_id = article};
    e2.item.rec = rec2;
    e2.item.source_kind = "feed";
    e2.item.source = url;
    e2.item.raw = "second raw";
    e2.item.raw_len = 10;
    e2.item.encoding = "utf-8";
    CHECK_INT(feed_store_commit(st, &next, &e2, 1, err, sizeof err), 0);
    CHECK_INT(e2.item.article_id, article);

    feed_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(feed_store_load(st, &rows, &n), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(rows[0].etag, "\"v1\"");
        CHECK_INT(rows[0].last_status, 200);
        CHECK_INT(rows[0].next_poll_ms, 123456);
        CHECK_INT(rows[0].entries_seen, 1); /* one key, seen twice */
        feed_row_clear(&rows[0]);
    }
    free(rows);
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM sources"
                       " WHERE article_id = ?1), (SELECT body FROM articles WHERE id = ?1),"
                       " (SELECT revisions FROM feed_entries), (SELECT count(*) FROM raw)",
                       -1, &s, NULL);
    sqlite3_bind_int64(s, 1, article);
    CHECK_INT(sqlite3_step(s), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(s, 0), 1);
    CHECK_INT(sqlite3_column_int(s, 1), 2);
    CHECK_STR((const char *)sqlite3_column_text(s, 2), "Title one\n\nSecond version of the text.");
    CHECK_INT(sqlite3_column_int(s, 3), 2);
    CHECK_INT(sqlite3_column_int(s, 4), 2);
    sqlite3_finalize(s);

    /* a commit that fails leaves nothing: a url taken by another feed */
    feed_row other;
    CHECK_INT(feed_store_add(st, "http://127.0.0.1/other.xml", 0, false, &other, &existed, err,
                             sizeof err),
              0);
    free(next.url);
    next.url = strdup("http://127.0.0.1/other.xml");
    ingestd_record *rec3 = make_rec(url, "Another\n\nEntry that must not stay.");
    feed_store_entry e3 = {.key = "guid:2", .sha256 = "cccc"};
    e3.item.rec = rec3;
    e3.item.source_kind = "feed";
    e3.item.source = url;
    CHECK_INT(feed_store_commit(st, &next, &e3, 1, err, sizeof err), -EEXIST);
    CHECK_INT(e3.item.article_id, 0);
    known = feed_store_known(st, row.id);
    CHECK(json_object_get(known, "guid:2") == NULL);
    json_decref(known);

    CHECK_INT(feed_store_remove(st, url), 0);
    CHECK_INT(feed_store_remove(st, url), -ENOENT);
    rec_free(rec);
    rec_free(rec2);
    rec_free(rec3);
    feed_row_clear(&row);
    feed_row_clear(&other);
    feed_row_clear(&next);
    store_close(st);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN(test_delays);
    RUN(test_hosts);
    RUN(test_store);
    return TEST_SUMMARY();
}
