/*
 * fts_test - full-text search through the real store: the "ingestd" tokenizer's folds
 * (Turkish i, Greek tonos and final sigma, Cyrillic ё, Latin diacritics, apostrophes), ranking,
 * snippets, safety of user queries against FTS syntax, raw-syntax errors, the index kept in the
 * commit transaction (a rolled back batch leaves nothing searchable), migration of a v1
 * database (existing articles indexed), export pages, retry bookkeeping and runtime watches.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fts.h"
#include "record.h"
#include "store.h"
#include "testlib.h"

#define T0_MS 1714564800000LL

static char dir[64];

static ingestd_record *make_rec(const char *title, const char *body)
{
    ingestd_record *rec = rec_new("file", "/in/x.txt", T0_MS, body, strlen(body));
    CHECK(rec != NULL);
    CHECK_INT(rec_set(rec, INGESTD_FIELD_TITLE, title, strlen(title)), 0);
    rec_compute_uid(rec);
    return rec;
}

static void commit_articles(store *st, const char *const (*texts)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ingestd_record *rec = make_rec(texts[i][0], texts[i][1]);
        store_item it = {.rec = rec, .source_kind = "file", .source = "/in/x.txt"};
        char err[256] = "";
        CHECK_INT(store_commit_batch(st, &it, 1, err, sizeof err), 0);
        rec_free(rec);
    }
}

/* Number of hits for a user query (-1 on error). */
static int hits(store *st, const char *q)
{
    json_t *res = NULL;
    char err[256] = "";
    int rc = store_search(st, q, false, 100, NULL, NULL, &res, err, sizeof err);
    if (rc) {
        fprintf(stderr, "search %s: %d %s\n", q, rc, err);
        return -1;
    }
    int n = (int)json_array_size(res);
    json_decref(res);
    return n;
}

static const char *const texts[][2] = {
    {"Kore'nin yeni başkenti", "İSTANBUL'dan gelen haber: Işıklı caddeler ve ılık hava."},
    {"Ο κόσμος της θάλασσας", "ΚΟΣΜΟΣ και ΘΆΛΑΣΣΑ: η ατμοσφαιρική ρύπανση μειώθηκε."},
    {"Новая ёлка в Москве", "Ёлку поставили на площади. KURSK и Курск в новостях."},
    {"Čistilna naprava v Kranju", "Občina je zaključila gradnjo. Straße und Kursk."},
    {"Harbour news", "The harbour master spoke about kursk and the weather."},
};

static store *fresh_store(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    store *st = NULL;
    char err[256] = "";
    CHECK_INT(store_open(path, NULL, &st, err, sizeof err), 0);
    return st;
}

static void test_folds(void)
{
    store *st = fresh_store("folds.sqlite");
    commit_articles(st, texts, sizeof texts / sizeof texts[0]);
    CHECK_INT(hits(st, "Kore"), 1);     /* apostrophe splits Kore'nin */
    CHECK_INT(hits(st, "istanbul"), 1); /* İSTANBUL'dan */
    CHECK_INT(hits(st, "ISIKLI"), 1);   /* Işıklı: dotless i and ş */
    CHECK_INT(hits(st, "ilik"), 1);     /* ılık */
    CHECK_INT(hits(st, "kosmos"), 0);   /* no transliteration */
    CHECK_INT(hits(st, "κοσμος"), 1);   /* κόσμος, ΚΟΣΜΟΣ: tonos and final sigma */
    CHECK_INT(hits(st, "ΘΑΛΑΣΣΑ"), 1);
    CHECK_INT(hits(st, "елка"), 1); /* ёлка, Ёлку */
    CHECK_INT(hits(st, "ёлку"), 1);
    CHECK_INT(hits(st, "kursk"), 3); /* KURSK, Kursk, kursk */
    CHECK_INT(hits(st, "курск"), 1);
    CHECK_INT(hits(st, "cistilna"), 1);
    CHECK_INT(hits(st, "strasse"), 1);
    CHECK_INT(hits(st, "harb*"), 1);
    CHECK_INT(hits(st, "harbour weather"), 1); /* words are ANDed */
    CHECK_INT(hits(st, "harbour Moskve"), 0);
    store_close(st);
}

static void test_rank_and_snippet(void)
{
    store *st = fresh_store("rank.sqlite");
    static const char *const t2[][2] = {
        {"Other things", "A long body that mentions the harbour once among many other words."},
        {"Harbour opens", "The harbour opens; harbour traffic grows."},
    };
    commit_articles(st, t2, 2);
    json_t *res = NULL;
    char err[256];
    CHECK_INT(store_search(st, "harbour", false, 10, "<", ">", &res, err, sizeof err), 0);
    CHECK_INT((int)json_array_size(res), 2);
    json_t *first = json_array_get(res, 0);
    CHECK_STR(json_string_value(json_object_get(first, "title")), "Harbour opens");
    const char *snip = json_string_value(json_object_get(json_array_get(res, 1), "snippet"));
    CHECK(snip && strstr(snip, "<harbour>"));
    json_decref(res);
    CHECK_INT(store_search(st, "harbour", false, 1, NULL, NULL, &res, err, sizeof err), 0);
    CHECK_INT((int)json_array_size(res), 1);
    json_decref(res);
    store_close(st);
}

static void test_injection_and_raw(void)
{
    store *st = fresh_store("inject.sqlite");
    commit_articles(st, texts, sizeof texts / sizeof texts[0]);
    /* FTS syntax in user words is plain text: no error, and no operator effect */
    static const char *const nasty[] = {
        "\"",       "harbour OR kursk", "title:harbour", "NEAR(a b)", "(((",
        "-harbour", "harbour\"",        "^kursk",        "a AND",     "NOT"};
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++)
        CHECK(hits(st, nasty[i]) >= 0);
    CHECK_INT(hits(st, "harbour OR kursk"), 0); /* "or" is a word here, found nowhere */
    json_t *res = NULL;
    char err[256] = "";
    /* raw FTS syntax on request, errors reported */
    CHECK_INT(store_search(st, "harbour OR kursk", true, 10, NULL, NULL, &res, err, sizeof err), 0);
    CHECK_INT((int)json_array_size(res), 3);
    json_decref(res);
    CHECK_INT(store_search(st, "(((", true, 10, NULL, NULL, &res, err, sizeof err), -EINVAL);
    CHECK(res == NULL && strstr(err, "syntax"));
    CHECK_INT(store_search(st, "  * ", false, 10, NULL, NULL, &res, err, sizeof err), -EINVAL);
    char *q = fts_user_query("a\"b c*");
    CHECK_STR(q, "\"a\"\"b\" \"c\" *");
    free(q);
    store_close(st);
}

static void test_fold_token(void)
{
    char out[64];
    size_t n = fts_fold_token("ıi\xCC\x87", 5, out);
    CHECK_INT((int)n, 2);
    CHECK(memcmp(out, "ii", 2) == 0);
    n = fts_fold_token("\xff\xfe", 2, out); /* invalid UTF-8 is copied */
    CHECK_INT((int)n, 2);
}

/* A v1 database (made by dropping the v2 objects and resetting user_version) is migrated, and
 * its articles become searchable. */
static void test_migration_indexes_old_rows(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/mig.sqlite", dir);
    store *st = fresh_store("mig.sqlite");
    commit_articles(st, texts, sizeof texts / sizeof texts[0]);
    store_close(st);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(fts_register(db), 0);
    /* back to v1: drop every table a later migration added (the index first) */
    CHECK_INT(sqlite3_exec(db, "DROP TABLE articles_fts", NULL, NULL, NULL), SQLITE_OK);
    for (;;) {
        sqlite3_stmt *s = NULL;
        CHECK_INT(sqlite3_prepare_v2(db,
                                     "SELECT name FROM sqlite_master WHERE type = 'table' AND name"
                                     " NOT IN ('raw', 'articles', 'sources', 'failures', 'files')"
                                     " AND name NOT LIKE 'sqlite_%' LIMIT 1",
                                     -1, &s, NULL),
                  SQLITE_OK);
        char sql[256] = "";
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(sql, sizeof sql, "DROP TABLE \"%s\"", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        if (!sql[0])
            break;
        CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    CHECK_INT(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    st = fresh_store("mig.sqlite");
    CHECK_INT(hits(st, "kursk"), 3);
    store_close(st);
}

/* The index row is part of the batch: a batch rolled back leaves no search hit. */
static void test_index_in_transaction(void)
{
    store *st = fresh_store("tx.sqlite");
    ingestd_record *good = make_rec("Lighthouse", "The lighthouse keeper retired.");
    ingestd_record *bad = rec_new("file", "/in/bad.txt", T0_MS, "No uid", 6);
    store_item items[2] = {{.rec = good, .source_kind = "file", .source = "/in/a"},
                           {.rec = bad, .source_kind = "file", .source = "/in/b"}};
    char err[256];
    CHECK_INT(store_commit_batch(st, items, 2, err, sizeof err), -EINVAL);
    CHECK_INT(hits(st, "lighthouse"), 0);
    CHECK_INT(store_commit_batch(st, items, 1, err, sizeof err), 0);
    CHECK_INT(hits(st, "lighthouse"), 1);
    CHECK_INT(store_commit_batch(st, items, 1, err, sizeof err), 0); /* a duplicate */
    CHECK_INT(hits(st, "lighthouse"), 1);
    rec_free(good);
    rec_free(bad);
    store_close(st);
}

static void test_export_retry_watches(void)
{
    store *st = fresh_store("misc.sqlite");
    commit_articles(st, texts, sizeof texts / sizeof texts[0]);
    json_t *page = store_export_page(st, 0, NULL, NULL, 2);
    CHECK_INT((int)json_array_size(page), 2);
    json_int_t last = json_integer_value(json_object_get(json_array_get(page, 1), "id"));
    json_decref(page);
    page = store_export_page(st, last, NULL, NULL, 100);
    CHECK_INT((int)json_array_size(page), 3);
    json_decref(page);
    page = store_export_page(st, 0, "2999", NULL, 100);
    CHECK_INT((int)json_array_size(page), 0);
    json_decref(page);
    page = store_export_page(st, 0, "2000-01-01", "xx", 100);
    CHECK_INT((int)json_array_size(page), 0);
    json_decref(page);

    store_item f = {.source_kind = "file",
                    .source = "/in/f.txt",
                    .raw = "bytes",
                    .raw_len = 5,
                    .fail_stage = "plugin",
                    .fail_plugin = "x",
                    .fail_reason = "bad"};
    char err[256];
    CHECK_INT(store_commit_batch(st, &f, 1, err, sizeof err), 0);
    int64_t ids[4];
    CHECK_INT((int)store_unretried_failures(st, 0, ids, 4), 1);
    store_failed_job job;
    CHECK_INT(store_failure_for_retry(st, ids[0], &job), 0);
    CHECK_INT((int)job.raw_len, 5);
    CHECK(memcmp(job.raw, "bytes", 5) == 0);
    CHECK_STR(job.stage, "plugin");
    CHECK(!job.was_retried);
    store_failed_job_clear(&job);
    CHECK_INT(store_mark_retried(st, ids[0]), 0);
    CHECK_INT((int)store_unretried_failures(st, 0, ids, 4), 0);
    CHECK_INT(store_failure_for_retry(st, 9999, &job), -ENOENT);

    CHECK_INT(store_watch_add(st, "/srv/a", "keep", err, sizeof err), 0);
    CHECK_INT(store_watch_add(st, "/srv/a", "keep", err, sizeof err), -EEXIST);
    CHECK_INT(store_watch_add(st, "/srv/b", "move", err, sizeof err), 0);
    json_t *w = store_watch_list(st);
    CHECK_INT((int)json_array_size(w), 2);
    json_decref(w);
    CHECK_INT(store_watch_remove(st, "/srv/a", err, sizeof err), 0);
    CHECK_INT(store_watch_remove(st, "/srv/a", err, sizeof err), -ENOENT);
    w = store_watch_list(st);
    CHECK_INT((int)json_array_size(w), 1);
    json_decref(w);
    store_close(st);
}

/* store_update_article replaces the text and its index entry; the original bytes stay. */
static void test_update_in_place(void)
{
    store *st = fresh_store("upd.sqlite");
    ingestd_record *rec = make_rec("Old title", "An old body about lighthouses.");
    store_item it = {.rec = rec,
                     .source_kind = "file",
                     .source = "/in/u.txt",
                     .raw = "RAW",
                     .raw_len = 3,
                     .encoding = "utf-8"};
    char err[256];
    CHECK_INT(store_commit_batch(st, &it, 1, err, sizeof err), 0);
    int64_t ids[4];
    CHECK_INT((int)store_article_ids(st, 0, NULL, ids, 4), 1);
    CHECK_INT((int)store_article_ids(st, 0, "2999", ids, 4), 0);
    store_failed_job orig;
    CHECK_INT(store_article_original(st, ids[0], &orig), 0);
    CHECK_INT((int)orig.raw_len, 3);
    CHECK_STR(orig.source, "/in/x.txt"); /* the record's source */
    store_failed_job_clear(&orig);
    ingestd_record *now = make_rec("New title", "A new body about harbours.");
    CHECK_INT(store_update_article(st, ids[0], now, err, sizeof err), 0);
    CHECK_INT(hits(st, "lighthouses"), 0);
    CHECK_INT(hits(st, "harbours"), 1);
    json_t *a = store_get(st, rec_get(now, INGESTD_FIELD_UID, NULL), false);
    CHECK(a != NULL);
    CHECK_STR(json_string_value(json_object_get(a, "title")), "New title");
    json_decref(a);
    rec_free(rec);
    rec_free(now);
    store_close(st);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/fts_test.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_fold_token);
    RUN(test_folds);
    RUN(test_rank_and_snippet);
    RUN(test_injection_and_raw);
    RUN(test_migration_indexes_old_rows);
    RUN(test_index_in_transaction);
    RUN(test_export_retry_watches);
    RUN(test_update_in_place);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return TEST_SUMMARY();
}
