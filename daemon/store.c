/*
 * store - the SQLite store. Opens the database (WAL, busy timeout, foreign keys), brings the
 * schema up to date through numbered migrations kept in PRAGMA user_version, commits finished
 * article jobs in one transaction per batch (articles, their arrivals, original bytes, file
 * identities, failures) and answers the read queries behind the control commands.
 *
 * It sits at the end of the flow (intake -> pipeline -> store) and runs on the loop thread.
 * Every statement is prepared once at open and reused; data is always bound, never spliced
 * into SQL text.
 */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crashpoint.h"
#include "fts.h"
#include "hash.h"
#include "utf8.h"
#include "xalloc.h"

#define STORE_DEFAULT_BUSY_TIMEOUT_MS 5000
#define STORE_JOURNAL_SIZE_LIMIT      (64 * 1024 * 1024)
#define STORE_MAX_LIST                10000 /* upper bound for store_recent / store_failures */
#define STORE_UID_HEX                 32
#define STORE_UID_MIN_PREFIX          6

/*
 * Migrations. migrations[i] takes the schema from version i to i+1; it runs in its own
 * transaction together with "PRAGMA user_version = i+1". Append new ones; never edit a released
 * one.
 *
 * Schema v1:
 *  articles  one row per distinct uid (hash of normalized title + body); the first arrival wins.
 *            published_utc is the sortable UTC form of published_at (from the datetime plugin's
 *            meta.datetime.published_utc), NULL when unknown. meta is compact JSON text.
 *  raw       original bytes, deduplicated by SHA-256; referenced by arrivals and failures.
 *  sources   one row per arrival of an article, the first one included, with its raw bytes.
 *  failures  jobs that could not become articles: stage, plugin, reason, raw bytes.
 *  files     the identity of every source file whose job was committed, with its outcome, so a
 *            rescan (or a restart after a crash) never ingests the same file twice.
 * ids are INTEGER PRIMARY KEY (rowid aliases: stable, usable as FTS5 content_rowid later).
 * dev/ino are uint64 on the C side, stored as their int64 bit pattern.
 */
static const char *const migrations[] = {
    /* v1 */
    "CREATE TABLE raw ("
    "  id INTEGER PRIMARY KEY,"
    "  sha256 TEXT NOT NULL UNIQUE,"
    "  encoding TEXT,"
    "  bytes BLOB NOT NULL"
    ") STRICT;"
    "CREATE TABLE articles ("
    "  id INTEGER PRIMARY KEY,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  source_kind TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  url TEXT,"
    "  guid TEXT,"
    "  title TEXT,"
    "  body TEXT,"
    "  lang TEXT,"
    "  lang_confidence REAL CHECK (lang_confidence IS NULL OR"
    "                              (lang_confidence >= 0 AND lang_confidence <= 1)),"
    "  published_at TEXT,"
    "  updated_at TEXT,"
    "  published_utc TEXT,"
    "  ingested_at TEXT NOT NULL,"
    "  meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta))"
    ") STRICT;"
    "CREATE INDEX articles_ingested ON articles (ingested_at);"
    "CREATE INDEX articles_published ON articles (published_utc);"
    "CREATE TABLE sources ("
    "  id INTEGER PRIMARY KEY,"
    "  article_id INTEGER NOT NULL REFERENCES articles (id),"
    "  source_kind TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  received_at TEXT NOT NULL,"
    "  raw_id INTEGER REFERENCES raw (id)"
    ") STRICT;"
    "CREATE INDEX sources_article ON sources (article_id);"
    "CREATE TABLE failures ("
    "  id INTEGER PRIMARY KEY,"
    "  source_kind TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  stage TEXT NOT NULL,"
    "  plugin TEXT,"
    "  reason TEXT NOT NULL,"
    "  raw_id INTEGER REFERENCES raw (id),"
    "  encoding TEXT,"
    "  failed_at TEXT NOT NULL,"
    "  retried_at TEXT"
    ") STRICT;"
    "CREATE TABLE files ("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL,"
    "  dev INTEGER NOT NULL,"
    "  ino INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  mtime_ns INTEGER NOT NULL,"
    "  sha256 TEXT,"
    "  outcome TEXT NOT NULL CHECK (outcome IN ('committed', 'duplicate', 'dropped', 'failed')),"
    "  article_id INTEGER REFERENCES articles (id),"
    "  failure_id INTEGER REFERENCES failures (id),"
    "  dropped_by TEXT,"
    "  committed_at TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX files_identity ON files (dev, ino, size, mtime_ns);",
    /* v2: full-text index over title and body (external content: the text lives in articles;
     * rows are added in the commit transaction, see put_article), existing articles indexed by
     * 'rebuild'; folders added at run time with `watch add` (kept across restarts). */
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "  title, body, content='articles', content_rowid='id', tokenize='" FTS_TOKENIZER_NAME "');"
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');"
    "CREATE TABLE watches ("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL UNIQUE,"
    "  after TEXT NOT NULL CHECK (after IN ('move', 'keep', 'delete')),"
    "  added_at TEXT NOT NULL"
    ") STRICT;",
    /* v3: feeds and the entries they produced (see feed_store.c). A feed's polling state is
     * committed in the transaction of the entries it produced; an entry is keyed per feed (guid,
     * else link, else a hash of title + date) with the hash of its content, so an unchanged
     * entry is skipped and a changed one updates its article. */
    "CREATE TABLE feeds ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL UNIQUE,"
    "  interval_s INTEGER NOT NULL DEFAULT 0,"
    "  from_config INTEGER NOT NULL DEFAULT 0,"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  disabled_reason TEXT,"
    "  etag TEXT,"
    "  last_modified TEXT,"
    "  next_poll_ms INTEGER NOT NULL DEFAULT 0,"
    "  last_poll_at TEXT,"
    "  last_status INTEGER,"
    "  last_error TEXT,"
    "  error_count INTEGER NOT NULL DEFAULT 0,"
    "  entries_seen INTEGER NOT NULL DEFAULT 0,"
    "  title TEXT,"
    "  added_at TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE feed_entries ("
    "  id INTEGER PRIMARY KEY,"
    "  feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
    "  entry_key TEXT NOT NULL,"
    "  content_sha256 TEXT NOT NULL,"
    "  article_id INTEGER REFERENCES articles (id),"
    "  revisions INTEGER NOT NULL DEFAULT 1,"
    "  first_seen_at TEXT NOT NULL,"
    "  last_seen_at TEXT NOT NULL,"
    "  UNIQUE (feed_id, entry_key)"
    ") STRICT;",
};

#define STORE_SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* Every statement the store runs after open, prepared once. */
enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_RAW_INSERT,
    ST_RAW_FIND,
    ST_ARTICLE_INSERT,
    ST_ARTICLE_FIND,
    ST_SOURCE_INSERT,
    ST_FAILURE_INSERT,
    ST_FILE_INSERT,
    ST_FILE_KNOWN,
    ST_RECENT,
    ST_GET_RANGE,
    ST_GET_SOURCES,
    ST_GET_RAW,
    ST_FAILURES,
    ST_TOTALS,
    ST_FTS_INSERT,
    ST_SEARCH,
    ST_EXPORT,
    ST_FAILURE_FOR_RETRY,
    ST_FAILURE_RETRIED,
    ST_FAILURES_UNRETRIED,
    ST_WATCH_ADD,
    ST_WATCH_REMOVE,
    ST_WATCH_LIST,
    ST_ARTICLE_IDS,
    ST_ARTICLE_ORIGINAL,
    ST_FTS_DELETE,
    ST_ARTICLE_UPDATE,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_RAW_INSERT] = "INSERT INTO raw (sha256, encoding, bytes) VALUES (?1, ?2, ?3)"
                      " ON CONFLICT (sha256) DO NOTHING",
    [ST_RAW_FIND] = "SELECT id FROM raw WHERE sha256 = ?1",
    [ST_ARTICLE_INSERT] =
        "INSERT INTO articles (uid, source_kind, source, url, guid, title, body, lang,"
        " lang_confidence, published_at, updated_at, published_utc, ingested_at, meta)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        " ON CONFLICT (uid) DO NOTHING",
    [ST_ARTICLE_FIND] = "SELECT id FROM articles WHERE uid = ?1",
    [ST_SOURCE_INSERT] = "INSERT INTO sources (article_id, source_kind, source, received_at,"
                         " raw_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_FAILURE_INSERT] = "INSERT INTO failures (source_kind, source, stage, plugin, reason,"
                          " raw_id, encoding, failed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_FILE_INSERT] = "INSERT INTO files (path, dev, ino, size, mtime_ns, sha256, outcome,"
                       " article_id, failure_id, dropped_by, committed_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_FILE_KNOWN] = "SELECT 1 FROM files WHERE dev = ?1 AND ino = ?2 AND size = ?3"
                      " AND mtime_ns = ?4 LIMIT 1",
    [ST_RECENT] = "SELECT uid, title, lang, published_at, source, ingested_at FROM articles"
                  " ORDER BY ingested_at DESC, id DESC LIMIT ?1",
    [ST_GET_RANGE] = "SELECT id, uid, source_kind, source, url, guid, title, body, lang,"
                     " lang_confidence, published_at, updated_at, published_utc, ingested_at,"
                     " meta FROM articles WHERE uid >= ?1 AND uid < ?2 ORDER BY uid LIMIT 2",
    [ST_GET_SOURCES] = "SELECT source_kind, source, received_at FROM sources"
                       " WHERE article_id = ?1 ORDER BY id",
    [ST_GET_RAW] = "SELECT r.bytes, r.encoding FROM sources s JOIN raw r ON r.id = s.raw_id"
                   " WHERE s.article_id = ?1 ORDER BY s.id LIMIT 1",
    [ST_FAILURES] = "SELECT id, source_kind, source, stage, plugin, reason, failed_at, retried_at"
                    " FROM failures ORDER BY id DESC LIMIT ?1",
    [ST_TOTALS] = "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM sources),"
                  " (SELECT count(*) FROM failures), (SELECT count(*) FROM files),"
                  " (SELECT page_count FROM pragma_page_count()) *"
                  " (SELECT page_size FROM pragma_page_size())",
    [ST_FTS_INSERT] = "INSERT INTO articles_fts (rowid, title, body) VALUES (?1, ?2, ?3)",
    /* bm25 weights: a word in the title counts five times one in the body */
    [ST_SEARCH] = "SELECT a.uid, a.title, a.lang, a.published_at, a.source, a.ingested_at,"
                  " snippet(articles_fts, -1, ?3, ?4, '\xE2\x80\xA6', 16) AS snippet,"
                  " bm25(articles_fts, 5.0, 1.0) AS score"
                  " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
                  " WHERE articles_fts MATCH ?1 ORDER BY score, a.id LIMIT ?2",
    [ST_EXPORT] = "SELECT id, uid, source_kind, source, url, guid, title, body, lang,"
                  " lang_confidence, published_at, updated_at, published_utc, ingested_at, meta"
                  " FROM articles WHERE id > ?1 AND (?2 IS NULL OR ingested_at >= ?2)"
                  " AND (?3 IS NULL OR lang = ?3) ORDER BY id LIMIT ?4",
    [ST_FAILURE_FOR_RETRY] =
        "SELECT f.source_kind, f.source, f.encoding, r.bytes, f.retried_at,"
        " f.stage FROM failures f LEFT JOIN raw r ON r.id = f.raw_id WHERE f.id = ?1",
    [ST_FAILURE_RETRIED] = "UPDATE failures SET retried_at = ?2 WHERE id = ?1",
    [ST_FAILURES_UNRETRIED] = "SELECT id FROM failures WHERE retried_at IS NULL AND raw_id IS NOT"
                              " NULL AND id > ?1 ORDER BY id LIMIT ?2",
    [ST_WATCH_ADD] = "INSERT INTO watches (path, after, added_at) VALUES (?1, ?2, ?3)"
                     " ON CONFLICT (path) DO NOTHING",
    [ST_WATCH_REMOVE] = "DELETE FROM watches WHERE path = ?1",
    [ST_WATCH_LIST] = "SELECT path, after, added_at FROM watches ORDER BY id",
    [ST_ARTICLE_IDS] = "SELECT id FROM articles WHERE id > ?1 AND (?2 IS NULL OR ingested_at >= ?2)"
                       " ORDER BY id LIMIT ?3",
    [ST_ARTICLE_ORIGINAL] = "SELECT a.source_kind, a.source, r.encoding, r.bytes FROM articles a"
                            " LEFT JOIN sources s ON s.id = (SELECT min(id) FROM sources"
                            " WHERE article_id = a.id) LEFT JOIN raw r ON r.id = s.raw_id"
                            " WHERE a.id = ?1",
    [ST_FTS_DELETE] = "INSERT INTO articles_fts (articles_fts, rowid, title, body)"
                      " SELECT 'delete', id, title, body FROM articles WHERE id = ?1",
    /* the uid follows the new text unless another article already has that uid */
    [ST_ARTICLE_UPDATE] =
        "UPDATE articles SET uid = CASE WHEN EXISTS (SELECT 1 FROM articles o WHERE o.uid = ?2"
        " AND o.id <> ?1) THEN uid ELSE ?2 END, url = ?3, guid = ?4, title = ?5, body = ?6,"
        " lang = ?7, lang_confidence = ?8, published_at = ?9, updated_at = ?10,"
        " published_utc = ?11, meta = ?12 WHERE id = ?1",
};

/* WAL checkpoints run on a thread of their own, on a connection of their own, so the copy of
 * the WAL into the database and its fsyncs never stall the loop thread's commits: the loop's
 * connection has wal_autocheckpoint off and its WAL hook wakes the checkpointer once the WAL
 * holds STORE_CHECKPOINT_PAGES frames. PASSIVE checkpoints take no lock that writers wait on. */
#define STORE_CHECKPOINT_PAGES 1000

typedef struct checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool running, wanted, stop;
    sqlite3 *db;
} checkpointer;

struct store {
    sqlite3 *db;
    char *path;
    bool read_only;
    sqlite3_stmt *stmt[ST_COUNT];
    checkpointer ckpt;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Map an SQLite result code to our errno convention. A full disk (or a size cap) becomes
 * -ENOSPC so the daemon can pause intake instead of failing articles. */
static int map_sqlite_rc(sqlite3 *db, int rc)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_FULL)
        return -ENOSPC;
    if (primary == SQLITE_IOERR) {
        int sys = sqlite3_system_errno(db);
        if (sys == ENOSPC || sys == EDQUOT)
            return -ENOSPC;
    }
    return -EIO;
}

/* Record an SQLite failure in err (with the db path and sqlite3_errmsg) and return its code.
 * Must run before anything else touches the connection, so errmsg is still the right one. */
static int sqlite_fail(const store *st, int rc, const char *what, char *err, size_t errlen)
{
    set_err(err, errlen, "store %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
    return map_sqlite_rc(st->db, rc);
}

/* UTC wall clock as ISO 8601 with milliseconds, e.g. 2024-05-01T12:00:00.123Z. */
static void format_now_utc(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/* ---- statement helpers ---------------------------------------------------------------------
 * Binding goes through these so the first bind error is kept and reported at step time. */

static void bind_text(sqlite3_stmt *s, int i, const char *v, size_t len, int *rc)
{
    if (*rc != SQLITE_OK)
        return;
    *rc =
        v ? sqlite3_bind_text64(s, i, v, len, SQLITE_STATIC, SQLITE_UTF8) : sqlite3_bind_null(s, i);
}

static void bind_cstr(sqlite3_stmt *s, int i, const char *v, int *rc)
{
    bind_text(s, i, v, v ? strlen(v) : 0, rc);
}

static void bind_int64(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_int64(s, i, v);
}

/* A foreign key or other optional id: 0 means NULL. */
static void bind_id(sqlite3_stmt *s, int i, int64_t id, int *rc)
{
    if (*rc != SQLITE_OK)
        return;
    *rc = id > 0 ? sqlite3_bind_int64(s, i, id) : sqlite3_bind_null(s, i);
}

static void bind_double_or_null(sqlite3_stmt *s, int i, double v, bool is_set, int *rc)
{
    if (*rc != SQLITE_OK)
        return;
    *rc = is_set ? sqlite3_bind_double(s, i, v) : sqlite3_bind_null(s, i);
}

static void stmt_done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Run a write statement whose binds are done (bind_rc is the bind result). With id_out, an
 * INSERT's new rowid goes there, or 0 when no row was inserted (an ON CONFLICT DO NOTHING).
 * (Not RETURNING: it buffers rows in an ephemeral table, a malloc'd b-tree per execution.)
 * Resets the statement in every case. */
static int stmt_exec(const store *st, sqlite3_stmt *s, int bind_rc, int64_t *id_out,
                     const char *what, char *err, size_t errlen)
{
    int rc = bind_rc;
    if (id_out)
        *id_out = 0;
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int ret = 0;
    if (rc != SQLITE_DONE)
        ret = sqlite_fail(st, rc, what, err, errlen);
    else if (id_out && sqlite3_changes(st->db) > 0)
        *id_out = sqlite3_last_insert_rowid(st->db);
    stmt_done(s);
    return ret;
}

/* ---- open, migrations, close --------------------------------------------------------------- */

int store_schema_version(void)
{
    return STORE_SCHEMA_VERSION;
}

static int read_user_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *version = sqlite3_column_int(s, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

/* Run one pragma that returns a single text row (e.g. journal_mode) into out. */
static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    out[0] = '\0';
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(s, 0);
            snprintf(out, outlen, "%s", t ? (const char *)t : "");
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

/* Bring the schema to STORE_SCHEMA_VERSION, one migration per transaction. The version is read
 * again under the write lock so two processes opening a fresh file cannot both migrate. */
static int migrate(store *st, char *err, size_t errlen)
{
    for (;;) {
        int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return sqlite_fail(st, rc, "begin migration", err, errlen);
        int version = 0;
        rc = read_user_version(st->db, &version);
        if (rc != SQLITE_OK) {
            int ret = sqlite_fail(st, rc, "read user_version", err, errlen);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return ret;
        }
        if (version > STORE_SCHEMA_VERSION) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            set_err(err, errlen,
                    "store %s: database schema version %d is newer than this ingestd knows (%d);"
                    " refusing to open it (use a newer ingestd)",
                    st->path, version, STORE_SCHEMA_VERSION);
            return -EPROTONOSUPPORT;
        }
        if (version == STORE_SCHEMA_VERSION) {
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
            return 0;
        }
        char *msg = NULL;
        rc = sqlite3_exec(st->db, migrations[version], NULL, NULL, &msg);
        if (rc == SQLITE_OK) {
            /* A pragma cannot take a bound parameter; the value is our own integer. */
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
            rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            set_err(err, errlen, "store %s: migration to schema version %d failed: %s", st->path,
                    version + 1, msg ? msg : sqlite3_errstr(rc));
            int ret = map_sqlite_rc(st->db, rc);
            sqlite3_free(msg);
            if (!sqlite3_get_autocommit(st->db))
                sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return ret;
        }
    }
}

static int configure(store *st, const store_options *opt, char *err, size_t errlen)
{
    unsigned busy =
        opt && opt->busy_timeout_ms ? opt->busy_timeout_ms : STORE_DEFAULT_BUSY_TIMEOUT_MS;
    int rc = sqlite3_busy_timeout(st->db, (int)busy);
    if (rc != SQLITE_OK)
        return sqlite_fail(st, rc, "set busy timeout", err, errlen);
    rc = sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sqlite_fail(st, rc, "enable foreign keys", err, errlen);
    if (st->read_only)
        return 0;

    char mode[16];
    rc = pragma_text(st->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
    if (rc != SQLITE_OK)
        return sqlite_fail(st, rc, "set WAL mode", err, errlen);
    if (strcmp(mode, "wal") != 0) {
        set_err(err, errlen, "store %s: cannot use WAL journal mode (got \"%s\")", st->path, mode);
        return -EIO;
    }
    const char *sync =
        opt && opt->synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
    rc = sqlite3_exec(st->db, sync, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA journal_size_limit = %d", STORE_JOURNAL_SIZE_LIMIT);
        rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK)
        return sqlite_fail(st, rc, "set pragmas", err, errlen);
    return 0;
}

/* Apply opt->max_db_bytes (after migrations, so the schema itself always fits). */
static int apply_size_cap(store *st, const store_options *opt, char *err, size_t errlen)
{
    if (!opt || opt->max_db_bytes == 0 || st->read_only)
        return 0;
    char page_size[32];
    int rc = pragma_text(st->db, "PRAGMA page_size", page_size, sizeof page_size);
    if (rc != SQLITE_OK)
        return sqlite_fail(st, rc, "read page size", err, errlen);
    long long psize = atoll(page_size);
    if (psize <= 0)
        psize = 4096;
    long long pages = (long long)(opt->max_db_bytes / (uint64_t)psize);
    if (pages < 1)
        pages = 1;
    char sql[64], got[32];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
    rc = pragma_text(st->db, sql, got, sizeof got);
    if (rc != SQLITE_OK)
        return sqlite_fail(st, rc, "set max_page_count", err, errlen);
    return 0;
}

static void *checkpointer_main(void *arg)
{
    checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->wanted && !c->stop)
            pthread_cond_wait(&c->wake, &c->lock);
        if (c->stop)
            break;
        c->wanted = false;
        pthread_mutex_unlock(&c->lock);
        /* errors (busy, full disk) only mean the WAL stays longer; the next wake retries */
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* sqlite3_wal_hook callback, on the committing (loop) thread after each commit. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    checkpointer *c = arg;
    if (pages >= STORE_CHECKPOINT_PAGES) {
        pthread_mutex_lock(&c->lock);
        c->wanted = true;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->lock);
    }
    return SQLITE_OK;
}

/* Start the checkpointer; when anything fails, SQLite's own autocheckpoint stays in charge. */
static void checkpointer_start(store *st)
{
    checkpointer *c = &st->ckpt;
    if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(c->db);
        c->db = NULL;
        return;
    }
    sqlite3_busy_timeout(c->db, STORE_DEFAULT_BUSY_TIMEOUT_MS);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->wake);
        sqlite3_close(c->db);
        c->db = NULL;
        return;
    }
    c->running = true;
    sqlite3_exec(st->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
    sqlite3_wal_hook(st->db, wal_hook, c);
}

static void checkpointer_stop(store *st)
{
    checkpointer *c = &st->ckpt;
    if (!c->running)
        return;
    sqlite3_wal_hook(st->db, NULL, NULL);
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->wake);
    sqlite3_close(c->db);
    c->db = NULL;
    c->running = false;
}

static void store_free(store *st)
{
    if (!st)
        return;
    checkpointer_stop(st);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    if (st->db)
        sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int store_open(const char *path, const store_options *opt, store **out, char *err, size_t errlen)
{
    *out = NULL;
    store *st = xcalloc(1, sizeof *st);
    st->path = xstrdup(path);
    st->read_only = opt && opt->read_only;

    /* NOMUTEX: a handle belongs to one thread (see store.h). */
    int flags = SQLITE_OPEN_NOMUTEX |
                (st->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
    int ret;
    if (rc != SQLITE_OK) {
        if (st->db)
            ret = sqlite_fail(st, rc, "open", err, errlen);
        else {
            set_err(err, errlen, "store %s: open: %s", path, sqlite3_errstr(rc));
            ret = -ENOMEM;
        }
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    /* the full-text index's tokenizer must exist before the schema that uses it */
    if (fts_register(st->db) < 0) {
        set_err(err, errlen, "store %s: SQLite without FTS5 (full-text search)", path);
        ret = -ENOSYS;
        goto fail;
    }

    ret = configure(st, opt, err, errlen);
    if (ret < 0)
        goto fail;

    if (st->read_only) {
        int version = 0;
        rc = read_user_version(st->db, &version);
        if (rc != SQLITE_OK) {
            ret = sqlite_fail(st, rc, "read user_version", err, errlen);
            goto fail;
        }
        if (version != STORE_SCHEMA_VERSION) {
            set_err(err, errlen, "store %s: schema version %d, this ingestd needs %d%s", path,
                    version, STORE_SCHEMA_VERSION,
                    version > STORE_SCHEMA_VERSION ? " (database is newer; use a newer ingestd)"
                                                   : " (open it read-write once to migrate)");
            ret = version > STORE_SCHEMA_VERSION ? -EPROTONOSUPPORT : -EINVAL;
            goto fail;
        }
    } else {
        ret = migrate(st, err, errlen);
        if (ret < 0)
            goto fail;
        ret = apply_size_cap(st, opt, err, errlen);
        if (ret < 0)
            goto fail;
        checkpointer_start(st);
    }

    for (int i = 0; i < ST_COUNT; i++) {
        rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
                                NULL);
        if (rc != SQLITE_OK) {
            ret = sqlite_fail(st, rc, "prepare statement", err, errlen);
            goto fail;
        }
    }
    *out = st;
    return 0;

fail:
    store_free(st);
    return ret;
}

void store_close(store *st)
{
    if (!st)
        return;
    if (!st->read_only)
        sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
    store_free(st);
}

const char *store_path(const store *st)
{
    return st->path;
}

/* ---- batch commit -------------------------------------------------------------------------- */

/* Insert (or find) the raw bytes of an item; *raw_id = 0 when the item carries none. */
static int put_raw(store *st, const store_item *it, int64_t *raw_id, char *err, size_t errlen)
{
    *raw_id = 0;
    if (!it->raw)
        return 0;
    char hex[65];
    if (it->raw_sha256 && strlen(it->raw_sha256) == 64) {
        memcpy(hex, it->raw_sha256, 65); /* the caller hashed these very bytes already */
    } else {
        uint8_t digest[32];
        hash_sha256(it->raw, it->raw_len, digest);
        hash_hex(digest, 32, hex);
    }

    sqlite3_stmt *s = st->stmt[ST_RAW_INSERT];
    int brc = SQLITE_OK;
    bind_text(s, 1, hex, 64, &brc);
    bind_cstr(s, 2, it->encoding, &brc);
    if (brc == SQLITE_OK)
        brc = sqlite3_bind_blob64(s, 3, it->raw, it->raw_len, SQLITE_STATIC);
    int ret = stmt_exec(st, s, brc, raw_id, "insert raw bytes", err, errlen);
    if (ret < 0 || *raw_id > 0)
        return ret;

    /* Same bytes seen before: reuse that row. */
    s = st->stmt[ST_RAW_FIND];
    brc = SQLITE_OK;
    bind_text(s, 1, hex, 64, &brc);
    int rc = brc == SQLITE_OK ? sqlite3_step(s) : brc;
    if (rc == SQLITE_ROW) {
        *raw_id = sqlite3_column_int64(s, 0);
        ret = 0;
    } else {
        ret =
            sqlite_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "find raw bytes", err, errlen);
    }
    stmt_done(s);
    return ret;
}

/* published_utc comes from the datetime plugin: meta.datetime.published_utc. */
static const char *meta_published_utc(json_t *meta)
{
    json_t *dt = json_object_get(meta, "datetime");
    json_t *v = json_is_object(dt) ? json_object_get(dt, "published_utc") : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int put_article(store *st, store_item *it, int64_t raw_id, char *err, size_t errlen)
{
    ingestd_record *rec = it->rec;
    size_t uid_len = 0;
    const char *uid = rec_get(rec, INGESTD_FIELD_UID, &uid_len);
    const char *ingested = rec_get(rec, INGESTD_FIELD_INGESTED_AT, NULL);
    json_t *meta = rec_meta(rec);
    char *meta_text = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
    if (meta && !meta_text)
        xalloc_die(__FILE__, __LINE__);
    double conf = rec_lang_confidence(rec);

    sqlite3_stmt *s = st->stmt[ST_ARTICLE_INSERT];
    int brc = SQLITE_OK;
    bind_text(s, 1, uid, uid_len, &brc);
    static const ingestd_field text_fields[] = {
        INGESTD_FIELD_SOURCE_KIND, INGESTD_FIELD_SOURCE, INGESTD_FIELD_URL,  INGESTD_FIELD_GUID,
        INGESTD_FIELD_TITLE,       INGESTD_FIELD_BODY,   INGESTD_FIELD_LANG,
    };
    for (size_t f = 0; f < sizeof text_fields / sizeof text_fields[0]; f++) {
        size_t len = 0;
        const char *v = rec_get(rec, text_fields[f], &len);
        bind_text(s, (int)f + 2, v, len, &brc);
    }
    bind_double_or_null(s, 9, conf, conf >= 0, &brc);
    size_t len = 0;
    const char *v = rec_get(rec, INGESTD_FIELD_PUBLISHED_AT, &len);
    bind_text(s, 10, v, len, &brc);
    v = rec_get(rec, INGESTD_FIELD_UPDATED_AT, &len);
    bind_text(s, 11, v, len, &brc);
    bind_cstr(s, 12, meta_published_utc(meta), &brc);
    bind_cstr(s, 13, ingested, &brc);
    bind_cstr(s, 14, meta_text ? meta_text : "{}", &brc);
    int64_t id = 0;
    int ret = stmt_exec(st, s, brc, &id, "insert article", err, errlen);
    free(meta_text);
    if (ret < 0)
        return ret;

    if (id > 0) {
        /* a new article: index its title and body in the same transaction */
        s = st->stmt[ST_FTS_INSERT];
        brc = SQLITE_OK;
        bind_int64(s, 1, id, &brc);
        v = rec_get(rec, INGESTD_FIELD_TITLE, &len);
        bind_text(s, 2, v, len, &brc);
        v = rec_get(rec, INGESTD_FIELD_BODY, &len);
        bind_text(s, 3, v, len, &brc);
        ret = stmt_exec(st, s, brc, NULL, "index article text", err, errlen);
        if (ret < 0)
            return ret;
    }
    if (id == 0) {
        /* The uid exists (an earlier batch or earlier in this one): record an arrival only. */
        s = st->stmt[ST_ARTICLE_FIND];
        brc = SQLITE_OK;
        bind_text(s, 1, uid, uid_len, &brc);
        int rc = brc == SQLITE_OK ? sqlite3_step(s) : brc;
        if (rc == SQLITE_ROW)
            id = sqlite3_column_int64(s, 0);
        else
            ret = sqlite_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "find article", err,
                              errlen);
        stmt_done(s);
        if (ret < 0)
            return ret;
        it->was_duplicate = true;
    }
    it->article_id = id;

    s = st->stmt[ST_SOURCE_INSERT];
    brc = SQLITE_OK;
    bind_int64(s, 1, id, &brc);
    bind_cstr(s, 2,
              it->source_kind ? it->source_kind : rec_get(rec, INGESTD_FIELD_SOURCE_KIND, NULL),
              &brc);
    bind_cstr(s, 3, it->source ? it->source : rec_get(rec, INGESTD_FIELD_SOURCE, NULL), &brc);
    bind_cstr(s, 4, ingested, &brc);
    bind_id(s, 5, raw_id, &brc);
    return stmt_exec(st, s, brc, NULL, "insert source", err, errlen);
}

static int put_failure(store *st, store_item *it, int64_t raw_id, const char *now, char *err,
                       size_t errlen)
{
    const char *kind = it->source_kind;
    const char *source = it->source;
    if (it->rec) {
        if (!kind)
            kind = rec_get(it->rec, INGESTD_FIELD_SOURCE_KIND, NULL);
        if (!source)
            source = rec_get(it->rec, INGESTD_FIELD_SOURCE, NULL);
    }
    sqlite3_stmt *s = st->stmt[ST_FAILURE_INSERT];
    int brc = SQLITE_OK;
    bind_cstr(s, 1, kind, &brc);
    bind_cstr(s, 2, source, &brc);
    bind_cstr(s, 3, it->fail_stage, &brc);
    bind_cstr(s, 4, it->fail_plugin, &brc);
    bind_cstr(s, 5, it->fail_reason ? it->fail_reason : "(no reason given)", &brc);
    bind_id(s, 6, raw_id, &brc);
    bind_cstr(s, 7, it->encoding, &brc);
    bind_cstr(s, 8, now, &brc);
    return stmt_exec(st, s, brc, &it->failure_id, "insert failure", err, errlen);
}

static int put_file(store *st, const store_item *it, const char *outcome, const char *now,
                    char *err, size_t errlen)
{
    const store_file_identity *f = &it->file;
    sqlite3_stmt *s = st->stmt[ST_FILE_INSERT];
    int brc = SQLITE_OK;
    bind_cstr(s, 1, f->path ? f->path : it->source, &brc);
    bind_int64(s, 2, (int64_t)f->dev, &brc);
    bind_int64(s, 3, (int64_t)f->ino, &brc);
    bind_int64(s, 4, f->size, &brc);
    bind_int64(s, 5, f->mtime_ns, &brc);
    size_t hlen = strnlen(f->sha256, sizeof f->sha256);
    bind_text(s, 6, hlen ? f->sha256 : NULL, hlen, &brc);
    bind_cstr(s, 7, outcome, &brc);
    bind_id(s, 8, it->article_id, &brc);
    bind_id(s, 9, it->failure_id, &brc);
    bind_cstr(s, 10, it->dropped_by, &brc);
    bind_cstr(s, 11, now, &brc);
    return stmt_exec(st, s, brc, NULL, "insert file identity", err, errlen);
}

/* Malformed items are programming errors upstream; they fail the whole batch. */
static const char *item_problem(const store_item *it)
{
    if (it->fail_stage) {
        if (!it->source_kind && !(it->rec && rec_get(it->rec, INGESTD_FIELD_SOURCE_KIND, NULL)))
            return "failure without source_kind";
        if (!it->source && !(it->rec && rec_get(it->rec, INGESTD_FIELD_SOURCE, NULL)))
            return "failure without source";
        return NULL;
    }
    if (!it->rec)
        return "item has neither a record nor a failure";
    if (it->dropped_by)
        return NULL;
    if (!rec_get(it->rec, INGESTD_FIELD_UID, NULL))
        return "record has no uid (rec_compute_uid was not called)";
    if (!rec_get(it->rec, INGESTD_FIELD_INGESTED_AT, NULL))
        return "record has no ingested_at";
    return NULL;
}

static int commit_item(store *st, store_item *it, const char *now, char *err, size_t errlen)
{
    int64_t raw_id = 0;
    int ret;
    if (it->fail_stage) {
        ret = put_raw(st, it, &raw_id, err, errlen);
        if (ret == 0)
            ret = put_failure(st, it, raw_id, now, err, errlen);
        if (ret == 0 && it->has_file)
            ret = put_file(st, it, "failed", now, err, errlen);
        return ret;
    }
    if (it->dropped_by)
        return it->has_file ? put_file(st, it, "dropped", now, err, errlen) : 0;
    ret = put_raw(st, it, &raw_id, err, errlen);
    if (ret == 0)
        ret = put_article(st, it, raw_id, err, errlen);
    if (ret == 0 && it->has_file)
        ret = put_file(st, it, it->was_duplicate ? "duplicate" : "committed", now, err, errlen);
    return ret;
}

static void clear_outputs(store_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        items[i].article_id = 0;
        items[i].failure_id = 0;
        items[i].was_duplicate = false;
    }
}

int store_commit_batch(store *st, store_item *items, size_t n, char *err, size_t errlen)
{
    clear_outputs(items, n);
    if (n == 0)
        return 0;
    char now[32];
    format_now_utc(now);

    CRASHPOINT("store.before_begin");
    int ret = stmt_exec(st, st->stmt[ST_BEGIN], SQLITE_OK, NULL, "begin transaction", err, errlen);
    if (ret < 0)
        return ret;

    for (size_t i = 0; i < n; i++) {
        const char *problem = item_problem(&items[i]);
        if (problem) {
            set_err(err, errlen, "store %s: batch item %zu: %s; batch rolled back", st->path, i,
                    problem);
            ret = -EINVAL;
            goto rollback;
        }
        ret = commit_item(st, &items[i], now, err, errlen);
        if (ret < 0)
            goto rollback;
        if (i == 0)
            CRASHPOINT("store.after_insert");
    }

    CRASHPOINT("store.before_commit");
    ret = stmt_exec(st, st->stmt[ST_COMMIT], SQLITE_OK, NULL, "commit", err, errlen);
    if (ret < 0)
        goto rollback;
    CRASHPOINT("store.after_commit");
    return 0;

rollback:
    /* Some errors (SQLITE_FULL, IOERR, BUSY on commit) may already have rolled back. */
    if (!sqlite3_get_autocommit(st->db)) {
        sqlite3_stmt *s = st->stmt[ST_ROLLBACK];
        sqlite3_step(s);
        stmt_done(s);
    }
    clear_outputs(items, n);
    return ret;
}

/* ---- queries ------------------------------------------------------------------------------- */

bool store_file_known(store *st, uint64_t dev, uint64_t ino, int64_t size, int64_t mtime_ns)
{
    sqlite3_stmt *s = st->stmt[ST_FILE_KNOWN];
    int brc = SQLITE_OK;
    bind_int64(s, 1, (int64_t)dev, &brc);
    bind_int64(s, 2, (int64_t)ino, &brc);
    bind_int64(s, 3, size, &brc);
    bind_int64(s, 4, mtime_ns, &brc);
    bool known = brc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW;
    stmt_done(s);
    return known;
}

/* A JSON string of t[0..len); bytes that are not UTF-8 (file paths are bytes, and the store
 * keeps them exactly) become U+FFFD so the value is never lost from a reply. */
static json_t *json_text_lossy(const char *t, size_t len)
{
    if (utf8_valid(t, len))
        return json_stringn(t, len);
    char *safe = xmalloc(len * 3 + 1);
    size_t o = 0, i = 0;
    while (i < len) {
        size_t good = utf8_first_invalid(t + i, len - i);
        memcpy(safe + o, t + i, good);
        o += good;
        i += good;
        if (i < len) {
            memcpy(safe + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(safe, o);
    free(safe);
    return j;
}

/* Column i as a JSON value: text -> string, integer, real, NULL -> null. */
static json_t *column_json(sqlite3_stmt *s, int i)
{
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(s, i));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(s, i));
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
        const char *t = (const char *)sqlite3_column_text(s, i);
        int len = sqlite3_column_bytes(s, i);
        return t ? json_text_lossy(t, (size_t)len) : json_null();
    }
    default:
        return json_null();
    }
}

/* Append one object per row of a prepared, bound statement, keys naming the columns. Returns
 * the array, or NULL (after freeing it) on an SQLite error. Resets the statement. */
static json_t *rows_to_array(sqlite3_stmt *s)
{
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *row = json_object();
        int cols = sqlite3_column_count(s);
        for (int c = 0; c < cols; c++)
            json_object_set_new(row, sqlite3_column_name(s, c), column_json(s, c));
        json_array_append_new(arr, row);
    }
    stmt_done(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static int clamp_limit(int n)
{
    return n < 0 ? 0 : n > STORE_MAX_LIST ? STORE_MAX_LIST : n;
}

json_t *store_recent(store *st, int n)
{
    sqlite3_stmt *s = st->stmt[ST_RECENT];
    sqlite3_bind_int(s, 1, clamp_limit(n));
    return rows_to_array(s);
}

json_t *store_failures(store *st, int n)
{
    sqlite3_stmt *s = st->stmt[ST_FAILURES];
    sqlite3_bind_int(s, 1, clamp_limit(n));
    return rows_to_array(s);
}

json_t *store_totals(store *st)
{
    sqlite3_stmt *s = st->stmt[ST_TOTALS];
    json_t *o = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        o = json_pack("{sIsIsIsIsI}", "articles", (json_int_t)sqlite3_column_int64(s, 0), "sources",
                      (json_int_t)sqlite3_column_int64(s, 1), "failures",
                      (json_int_t)sqlite3_column_int64(s, 2), "files",
                      (json_int_t)sqlite3_column_int64(s, 3), "db_bytes",
                      (json_int_t)sqlite3_column_int64(s, 4));
    }
    stmt_done(s);
    return o;
}

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 (RFC 4648, padded) of data[0..len) as a JSON string. */
static json_t *base64_json(const unsigned char *data, size_t len)
{
    size_t out_len = (len + 2) / 3 * 4;
    char *out = xmalloc(out_len + 1);
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[o++] = base64_alphabet[v >> 18];
        out[o++] = base64_alphabet[(v >> 12) & 63];
        out[o++] = base64_alphabet[(v >> 6) & 63];
        out[o++] = base64_alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0);
        out[o++] = base64_alphabet[v >> 18];
        out[o++] = base64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < len ? base64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    json_t *j = json_stringn(out, o);
    free(out);
    return j;
}

/* Validate a uid or uid prefix and compute the half-open range [lo, hi) of uids it covers:
 * uids are lower-case hex, so bumping the prefix's last character bounds every extension. */
static int uid_range(const char *uid, char lo[STORE_UID_HEX + 1], char hi[STORE_UID_HEX + 1])
{
    size_t len = uid ? strlen(uid) : 0;
    if (len < STORE_UID_MIN_PREFIX || len > STORE_UID_HEX)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = uid[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return -EINVAL;
        lo[i] = c;
    }
    lo[len] = '\0';
    memcpy(hi, lo, len + 1);
    hi[len - 1]++; /* '9' -> ':' and 'f' -> 'g' both sort right after every extension */
    return 0;
}

static json_t *article_sources(store *st, int64_t article_id)
{
    sqlite3_stmt *s = st->stmt[ST_GET_SOURCES];
    sqlite3_bind_int64(s, 1, article_id);
    return rows_to_array(s);
}

static int article_raw(store *st, int64_t article_id, json_t *o)
{
    sqlite3_stmt *s = st->stmt[ST_GET_RAW];
    sqlite3_bind_int64(s, 1, article_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const void *bytes = sqlite3_column_blob(s, 0);
        size_t len = (size_t)sqlite3_column_bytes(s, 0);
        if (!bytes)
            bytes = "";
        if (utf8_valid(bytes, len) && !memchr(bytes, '\0', len))
            json_object_set_new(o, "raw", json_stringn(bytes, len));
        else
            json_object_set_new(o, "raw_base64", base64_json(bytes, len));
        json_object_set_new(o, "raw_encoding", column_json(s, 1));
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        json_object_set_new(o, "raw", json_null()); /* not kept (e.g. an oversized file) */
        rc = SQLITE_OK;
    }
    stmt_done(s);
    return rc == SQLITE_OK ? 0 : -EIO;
}

int store_lookup(store *st, const char *uid, bool with_raw, json_t **out)
{
    *out = NULL;
    char lo[STORE_UID_HEX + 1], hi[STORE_UID_HEX + 1];
    if (uid_range(uid, lo, hi) < 0)
        return -EINVAL;

    sqlite3_stmt *s = st->stmt[ST_GET_RANGE];
    int brc = SQLITE_OK;
    bind_cstr(s, 1, lo, &brc);
    bind_cstr(s, 2, hi, &brc);
    int rc = brc == SQLITE_OK ? sqlite3_step(s) : brc;
    if (rc != SQLITE_ROW) {
        stmt_done(s);
        return rc == SQLITE_DONE ? -ENOENT : -EIO;
    }
    json_t *o = json_object();
    int cols = sqlite3_column_count(s);
    for (int c = 1; c < cols; c++) { /* column 0 is the internal id */
        const char *name = sqlite3_column_name(s, c);
        if (strcmp(name, "meta") == 0) {
            const char *t = (const char *)sqlite3_column_text(s, c);
            json_t *meta = t ? json_loads(t, 0, NULL) : NULL;
            json_object_set_new(o, name, meta ? meta : json_object());
        } else {
            json_object_set_new(o, name, column_json(s, c));
        }
    }
    int64_t id = sqlite3_column_int64(s, 0);
    rc = sqlite3_step(s);
    stmt_done(s);
    if (rc != SQLITE_DONE) {
        json_decref(o);
        return rc == SQLITE_ROW ? -ENOTUNIQ : -EIO;
    }

    json_t *sources = article_sources(st, id);
    if (!sources || (with_raw && article_raw(st, id, o) < 0)) {
        json_decref(sources);
        json_decref(o);
        return -EIO;
    }
    json_object_set_new(o, "sources", sources);
    *out = o;
    return 0;
}

json_t *store_get(store *st, const char *uid, bool with_raw)
{
    json_t *o = NULL;
    store_lookup(st, uid, with_raw, &o);
    return o;
}

/* ---- search, export, retry, runtime watches ------------------------------------------------ */

int store_search(store *st, const char *query, bool raw_syntax, int n, const char *mark_open,
                 const char *mark_close, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    char *match = raw_syntax ? xstrdup(query ? query : "") : fts_user_query(query ? query : "");
    if (!match || !*match) {
        free(match);
        set_err(err, errlen, "the search has no words");
        return -EINVAL;
    }
    sqlite3_stmt *s = st->stmt[ST_SEARCH];
    int brc = SQLITE_OK;
    bind_cstr(s, 1, match, &brc);
    if (brc == SQLITE_OK)
        brc = sqlite3_bind_int(s, 2, clamp_limit(n));
    bind_cstr(s, 3, mark_open ? mark_open : "[", &brc);
    bind_cstr(s, 4, mark_close ? mark_close : "]", &brc);
    json_t *arr = json_array();
    int rc = brc;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(s);
        if (rc != SQLITE_ROW)
            break;
        json_t *row = json_object();
        for (int c = 0; c < sqlite3_column_count(s); c++)
            json_object_set_new(row, sqlite3_column_name(s, c), column_json(s, c));
        json_array_append_new(arr, row);
    }
    int ret = 0;
    if (rc != SQLITE_DONE) {
        /* a malformed --raw query is the user's error: say what FTS5 said */
        set_err(err, errlen, "%s", sqlite3_errmsg(st->db));
        ret = raw_syntax && (rc & 0xff) == SQLITE_ERROR ? -EINVAL : -EIO;
        json_decref(arr);
        arr = NULL;
    }
    stmt_done(s);
    free(match);
    *out = arr;
    return ret;
}

json_t *store_export_page(store *st, int64_t after_id, const char *since, const char *lang, int n)
{
    sqlite3_stmt *s = st->stmt[ST_EXPORT];
    int brc = SQLITE_OK;
    bind_int64(s, 1, after_id, &brc);
    bind_cstr(s, 2, since && *since ? since : NULL, &brc);
    bind_cstr(s, 3, lang && *lang ? lang : NULL, &brc);
    if (brc == SQLITE_OK)
        brc = sqlite3_bind_int(s, 4, clamp_limit(n));
    if (brc != SQLITE_OK) {
        stmt_done(s);
        return NULL;
    }
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int c = 0; c < sqlite3_column_count(s); c++) {
            const char *name = sqlite3_column_name(s, c);
            if (strcmp(name, "meta") == 0) {
                const char *t = (const char *)sqlite3_column_text(s, c);
                json_t *meta = t ? json_loads(t, 0, NULL) : NULL;
                json_object_set_new(row, name, meta ? meta : json_object());
            } else {
                json_object_set_new(row, name, column_json(s, c));
            }
        }
        json_array_append_new(arr, row);
    }
    stmt_done(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* Read one stored original (columns: source_kind, source, encoding, bytes, and for failures
 * retried_at and stage) into out. -ENODATA: the row exists but its bytes were not kept;
 * -ENOENT: no such row; -EIO: SQLite error. */
static int load_original(store *st, int stmt_index, int64_t id, bool is_failure,
                         store_failed_job *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = st->stmt[stmt_index];
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    int ret = 0;
    if (rc == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(s, 0);
        const char *source = (const char *)sqlite3_column_text(s, 1);
        const char *enc = (const char *)sqlite3_column_text(s, 2);
        out->source_kind = xstrdup(kind ? kind : "file");
        out->source = xstrdup(source ? source : "");
        out->encoding = enc ? xstrdup(enc) : NULL;
        const char *stage = NULL;
        if (is_failure) {
            out->was_retried = sqlite3_column_type(s, 4) != SQLITE_NULL;
            stage = (const char *)sqlite3_column_text(s, 5);
        }
        out->stage = xstrdup(stage ? stage : "");
        if (sqlite3_column_type(s, 3) == SQLITE_NULL) {
            ret = -ENODATA;
        } else {
            const void *b = sqlite3_column_blob(s, 3);
            out->raw_len = (size_t)sqlite3_column_bytes(s, 3);
            out->raw = xmalloc(out->raw_len ? out->raw_len : 1);
            if (out->raw_len)
                memcpy(out->raw, b, out->raw_len);
        }
    } else {
        ret = rc == SQLITE_DONE ? -ENOENT : -EIO;
    }
    stmt_done(s);
    /* a failure without kept bytes is still described (retry reports why it cannot run) */
    if (ret < 0 && !(is_failure && ret == -ENODATA))
        store_failed_job_clear(out);
    return ret;
}

int store_failure_for_retry(store *st, int64_t failure_id, store_failed_job *out)
{
    return load_original(st, ST_FAILURE_FOR_RETRY, failure_id, true, out);
}

void store_failed_job_clear(store_failed_job *job)
{
    free(job->source_kind);
    free(job->source);
    free(job->encoding);
    free(job->stage);
    free(job->raw);
    memset(job, 0, sizeof *job);
}

int store_mark_retried(store *st, int64_t failure_id)
{
    char now[32];
    format_now_utc(now);
    sqlite3_stmt *s = st->stmt[ST_FAILURE_RETRIED];
    int brc = SQLITE_OK;
    bind_int64(s, 1, failure_id, &brc);
    bind_cstr(s, 2, now, &brc);
    return stmt_exec(st, s, brc, NULL, "mark failure retried", NULL, 0);
}

size_t store_unretried_failures(store *st, int64_t after_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *s = st->stmt[ST_FAILURES_UNRETRIED];
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
    size_t n = 0;
    while (n < max && sqlite3_step(s) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(s, 0);
    stmt_done(s);
    return n;
}

int store_watch_add(store *st, const char *path, const char *after, char *err, size_t errlen)
{
    char now[32];
    format_now_utc(now);
    sqlite3_stmt *s = st->stmt[ST_WATCH_ADD];
    int brc = SQLITE_OK;
    bind_cstr(s, 1, path, &brc);
    bind_cstr(s, 2, after, &brc);
    bind_cstr(s, 3, now, &brc);
    int64_t id = 0;
    int ret = stmt_exec(st, s, brc, &id, "add watch folder", err, errlen);
    if (ret == 0 && id == 0)
        return -EEXIST;
    return ret;
}

int store_watch_remove(store *st, const char *path, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->stmt[ST_WATCH_REMOVE];
    int brc = SQLITE_OK;
    bind_cstr(s, 1, path, &brc);
    int ret = stmt_exec(st, s, brc, NULL, "remove watch folder", err, errlen);
    if (ret == 0 && sqlite3_changes(st->db) == 0)
        return -ENOENT;
    return ret;
}

json_t *store_watch_list(store *st)
{
    return rows_to_array(st->stmt[ST_WATCH_LIST]);
}

size_t store_article_ids(store *st, int64_t after_id, const char *since, int64_t *ids, size_t max)
{
    sqlite3_stmt *s = st->stmt[ST_ARTICLE_IDS];
    int brc = SQLITE_OK;
    bind_int64(s, 1, after_id, &brc);
    bind_cstr(s, 2, since && *since ? since : NULL, &brc);
    bind_int64(s, 3, (int64_t)max, &brc);
    size_t n = 0;
    while (brc == SQLITE_OK && n < max && sqlite3_step(s) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(s, 0);
    stmt_done(s);
    return n;
}

int store_article_original(store *st, int64_t article_id, store_failed_job *out)
{
    return load_original(st, ST_ARTICLE_ORIGINAL, article_id, false, out);
}

/* The UPDATE and both index changes of store_update_article, inside its transaction. */
static int update_article_rows(store *st, int64_t id, ingestd_record *rec, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->stmt[ST_FTS_DELETE];
    int brc = SQLITE_OK;
    bind_int64(s, 1, id, &brc);
    int ret = stmt_exec(st, s, brc, NULL, "unindex article text", err, errlen);
    if (ret < 0)
        return ret;

    json_t *meta = rec_meta(rec);
    char *meta_text = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
    if (meta && !meta_text)
        xalloc_die(__FILE__, __LINE__);
    double conf = rec_lang_confidence(rec);
    s = st->stmt[ST_ARTICLE_UPDATE];
    brc = SQLITE_OK;
    bind_int64(s, 1, id, &brc);
    static const ingestd_field fields[] = {
        INGESTD_FIELD_UID,   INGESTD_FIELD_URL,  INGESTD_FIELD_GUID,
        INGESTD_FIELD_TITLE, INGESTD_FIELD_BODY, INGESTD_FIELD_LANG,
    };
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        size_t len = 0;
        const char *v = rec_get(rec, fields[f], &len);
        bind_text(s, (int)f + 2, v, len, &brc);
    }
    bind_double_or_null(s, 8, conf, conf >= 0, &brc);
    size_t len = 0;
    const char *v = rec_get(rec, INGESTD_FIELD_PUBLISHED_AT, &len);
    bind_text(s, 9, v, len, &brc);
    v = rec_get(rec, INGESTD_FIELD_UPDATED_AT, &len);
    bind_text(s, 10, v, len, &brc);
    bind_cstr(s, 11, meta_published_utc(meta), &brc);
    bind_cstr(s, 12, meta_text ? meta_text : "{}", &brc);
    ret = stmt_exec(st, s, brc, NULL, "update article", err, errlen);
    free(meta_text);
    if (ret < 0)
        return ret;

    s = st->stmt[ST_FTS_INSERT];
    brc = SQLITE_OK;
    bind_int64(s, 1, id, &brc);
    v = rec_get(rec, INGESTD_FIELD_TITLE, &len);
    bind_text(s, 2, v, len, &brc);
    v = rec_get(rec, INGESTD_FIELD_BODY, &len);
    bind_text(s, 3, v, len, &brc);
    return stmt_exec(st, s, brc, NULL, "index article text", err, errlen);
}

int store_update_article(store *st, int64_t article_id, ingestd_record *rec, char *err,
                         size_t errlen)
{
    if (!rec_get(rec, INGESTD_FIELD_UID, NULL)) {
        set_err(err, errlen, "store %s: update of article %lld: record has no uid", st->path,
                (long long)article_id);
        return -EINVAL;
    }
    int ret = stmt_exec(st, st->stmt[ST_BEGIN], SQLITE_OK, NULL, "begin transaction", err, errlen);
    if (ret < 0)
        return ret;
    ret = update_article_rows(st, article_id, rec, err, errlen);
    if (ret == 0)
        ret = stmt_exec(st, st->stmt[ST_COMMIT], SQLITE_OK, NULL, "commit", err, errlen);
    if (ret < 0 && !sqlite3_get_autocommit(st->db)) {
        sqlite3_stmt *s = st->stmt[ST_ROLLBACK];
        sqlite3_step(s);
        stmt_done(s);
    }
    return ret;
}

/* ---- for feed_store: rows written inside a transaction the caller opened ------------------ */

struct sqlite3 *store_sqlite(store *st)
{
    return st->db;
}

int store_put_item(store *st, store_item *it, char *err, size_t errlen)
{
    it->article_id = it->failure_id = 0;
    it->was_duplicate = false;
    const char *problem = item_problem(it);
    if (problem) {
        set_err(err, errlen, "store %s: %s", st->path, problem);
        return -EINVAL;
    }
    char now[32];
    format_now_utc(now);
    return commit_item(st, it, now, err, errlen);
}

int store_put_revision(store *st, int64_t article_id, store_item *it, char *err, size_t errlen)
{
    if (!it->rec || !rec_get(it->rec, INGESTD_FIELD_UID, NULL)) {
        set_err(err, errlen, "store %s: revision without a record uid", st->path);
        return -EINVAL;
    }
    int64_t raw_id = 0;
    int ret = put_raw(st, it, &raw_id, err, errlen);
    if (ret == 0)
        ret = update_article_rows(st, article_id, it->rec, err, errlen);
    if (ret < 0)
        return ret;
    sqlite3_stmt *s = st->stmt[ST_SOURCE_INSERT];
    int brc = SQLITE_OK;
    bind_int64(s, 1, article_id, &brc);
    bind_cstr(s, 2, it->source_kind ? it->source_kind : "feed", &brc);
    bind_cstr(s, 3, it->source ? it->source : rec_get(it->rec, INGESTD_FIELD_SOURCE, NULL), &brc);
    bind_cstr(s, 4, rec_get(it->rec, INGESTD_FIELD_INGESTED_AT, NULL), &brc);
    bind_id(s, 5, raw_id, &brc);
    ret = stmt_exec(st, s, brc, NULL, "insert source", err, errlen);
    if (ret == 0)
        it->article_id = article_id;
    return ret;
}
