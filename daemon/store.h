/*
 * store - the SQLite store: schema and migrations, batched commits, and the queries behind the
 * control commands.
 *
 * Thread rule: a `store` handle belongs to the thread that opened it (the loop thread in the
 * daemon; the main thread in one-shot mode). Nothing here is thread-safe. Every statement is
 * prepared once, at open, with bound parameters.
 *
 * Errors: functions return 0 or a negative errno-style code and, where an `err` buffer is
 * given, a one-line message naming the database path and the SQLite error. A full disk (or the
 * max_db_bytes cap) is always -ENOSPC, so the daemon can pause intake and retry later.
 *
 * Schema: versioned by PRAGMA user_version, one migration per version (see store.c for the
 * tables). Timestamps are ISO 8601 UTC with milliseconds ("2024-05-01T12:00:00.123Z").
 */
#ifndef INGESTD_STORE_H
#define INGESTD_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

typedef struct store store;

/* Zero-initialize and set what you need; a zero member means "default". */
typedef struct store_options {
    bool synchronous_full;    /* PRAGMA synchronous=FULL instead of NORMAL (WAL either way) */
    bool read_only;           /* open an existing database read-only (no migration) */
    unsigned busy_timeout_ms; /* wait this long for another writer's lock (default 5000) */
    uint64_t max_db_bytes;    /* cap on the database size; beyond it commits fail with -ENOSPC
                                 (0 = no cap; the schema itself is always created) */
} store_options;

/* Identity of a source file, committed in the same transaction as its article or failure. */
typedef struct store_file_identity {
    const char *path; /* the path the file had when it was claimed */
    uint64_t dev;     /* stored as the int64 with the same bits */
    uint64_t ino;
    int64_t size;
    int64_t mtime_ns;
    char sha256[65]; /* hex of the whole original bytes ("" when not computed) */
} store_file_identity;

/* One finished article job: either a record that passed the chain (rec != NULL, fail_* NULL),
 * a record dropped by a plugin (rec != NULL, dropped_by set), or a failure (rec may be NULL,
 * fail_stage and fail_reason set). */
typedef struct store_item {
    ingestd_record *rec;     /* borrowed */
    const char *source_kind; /* "file" | "feed" | "stdin"; NULL: the record's */
    const char *source;      /* path, URL or "-"; NULL: the record's */
    const void *raw;         /* original bytes (borrowed); may be NULL for an oversized file */
    size_t raw_len;
    const char *encoding;   /* the detected/declared encoding of raw, e.g. "utf-8" */
    const char *raw_sha256; /* hex SHA-256 of raw when the caller has it (saves a pass), or NULL */
    bool has_file;
    store_file_identity file;
    const char *dropped_by;  /* plugin name when a plugin returned INGESTD_DROP */
    const char *fail_stage;  /* "read" | "decode" | "plugin" | "store" ... */
    const char *fail_plugin; /* plugin name for stage "plugin", else NULL */
    const char *fail_reason;

    /* out, set by store_commit_batch */
    int64_t article_id; /* rowid in articles (0 for failures and drops) */
    int64_t failure_id; /* rowid in failures (0 unless a failure) */
    bool was_duplicate; /* the uid already existed: only a new source row was added */
} store_item;

/* Open (creating if needed) the database at path, set WAL mode, busy timeout, run migrations up
 * to the current PRAGMA user_version. The parent folder must exist. opt may be NULL (defaults).
 * On success *out is a handle owned by the caller (store_close). Fails with -EPROTONOSUPPORT
 * when the database's schema is newer than this code knows, -EINVAL when a read-only open
 * finds an older (unmigrated) schema, -ENOSPC/-EIO for SQLite errors; *out is NULL then. */
int store_open(const char *path, const store_options *opt, store **out, char *err, size_t errlen);
/* Finalize every statement and close the database (checkpointing the WAL when this is the last
 * connection). NULL is a no-op. */
void store_close(store *st);

/* The schema version this code creates (the value of PRAGMA user_version after store_open). */
int store_schema_version(void);

/* Commit n items in ONE transaction: for each record, INSERT the article (uid UNIQUE: an
 * existing uid, from an earlier batch or earlier in this one, adds only a `sources` row and sets
 * was_duplicate), its raw bytes (deduplicated by SHA-256), the file identity (outcome
 * committed/duplicate); for each failure a `failures` row with the raw bytes and the file
 * identity (outcome failed); for a drop only the file identity (outcome dropped). Records must
 * have a uid (rec_compute_uid) and are only read. Either all items are committed or none: on
 * error the batch is rolled back, every item's out fields are zeroed, err is set, and the
 * result is -ENOSPC (disk full or max_db_bytes reached), -EINVAL (a malformed item, e.g. a
 * record without uid: a programming error, retrying will not help) or -EIO (any other SQLite
 * error). n == 0 is a no-op. Crash points: "store.before_begin", "store.after_insert" (after
 * the first item's rows), "store.before_commit", "store.after_commit". */
int store_commit_batch(store *st, store_item *items, size_t n, char *err, size_t errlen);

/* True when a file with exactly this identity (dev, ino, size, mtime_ns) was committed (as an
 * article, a duplicate, a drop or a failure). Used by scans to skip what is already done.
 * An index lookup; false on a database error. */
bool store_file_known(store *st, uint64_t dev, uint64_t ino, int64_t size, int64_t mtime_ns);

/* The n most recent articles (by ingested_at, then commit order), newest first: a JSON array
 * of objects with uid, title, lang, published_at, source, ingested_at. n is clamped to
 * 0..10000. Caller owns it; NULL on a database error. */
json_t *store_recent(store *st, int n);

/* One article by uid (a unique prefix of at least 6 hex chars is accepted, either case): every
 * record field (uid, source_kind, source, url, guid, title, body, lang, lang_confidence,
 * published_at, updated_at, published_utc, ingested_at), meta as an object, and `sources`
 * (array of {source_kind, source, received_at}, first arrival first). With with_raw, the first
 * arrival's original bytes: `raw` as text when they are UTF-8 without NUL, else `raw_base64`
 * (RFC 4648); `raw_encoding` names their encoding; `raw` is null when they were not kept.
 * Returns NULL when not found, ambiguous or malformed; caller owns the result. */
json_t *store_get(store *st, const char *uid, bool with_raw);

/* store_get with the reason when there is no result: 0 and *out set (caller owns it), or
 * -EINVAL (not 6..32 hex chars), -ENOENT (no such article), -ENOTUNIQ (the prefix matches more
 * than one article), -EIO (database error); *out is NULL then. */
int store_lookup(store *st, const char *uid, bool with_raw, json_t **out);

/* The n most recent failures, newest first: a JSON array of objects with id, source_kind,
 * source, stage, plugin, reason, failed_at, retried_at. n is clamped to 0..10000. Caller owns
 * it; NULL on a database error. */
json_t *store_failures(store *st, int n);

/* Totals from the database: {"articles": N, "sources": N, "failures": N, "files": N,
 * "db_bytes": N} (db_bytes: page_count * page_size, WAL content included). Caller owns it;
 * NULL on a database error. Counts rows, so it costs a scan on large databases. */
json_t *store_totals(store *st);

/* Full-text search over title and body, best first (bm25, title words weigh more): a JSON
 * array of {uid, title, lang, published_at, source, ingested_at, snippet, score} in *out
 * (caller owns it). query is the user's words, each quoted (no FTS syntax possible; "word*" is
 * a prefix search), or with raw_syntax an FTS5 query as is. The snippet marks the matches
 * with mark_open / mark_close (NULL: "[" and "]"). n is clamped to 0..10000. Returns 0, or
 * -EINVAL (no words, or a malformed raw query; err says why) or -EIO. */
int store_search(store *st, const char *query, bool raw_syntax, int n, const char *mark_open,
                 const char *mark_close, json_t **out, char *err, size_t errlen);

/* Up to n articles with id > after_id (in id order), optionally only those ingested at or
 * after `since` (an ISO 8601 prefix, compared as text) and of language `lang` (NULL or "" for
 * any): a JSON array of objects with every store_get field plus "id" (the cursor for the next
 * page). Caller owns it; NULL on a database error. */
json_t *store_export_page(store *st, int64_t after_id, const char *since, const char *lang, int n);

/* A failure's stored inputs, for `retry`. Strings and raw are owned (store_failed_job_clear). */
typedef struct store_failed_job {
    char *source_kind, *source, *encoding, *stage;
    void *raw;
    size_t raw_len;
    bool was_retried;
} store_failed_job;

/* Load failure failure_id into *out: 0, -ENODATA (found, but its bytes were not kept: *out is
 * filled without raw; clear it), -ENOENT (no such failure) or -EIO; *out is zeroed on the last
 * two. */
int store_failure_for_retry(store *st, int64_t failure_id, store_failed_job *out);
/* Free what store_failure_for_retry filled in and zero it. */
void store_failed_job_clear(store_failed_job *job);
/* Set the failure's retried_at to now. 0 or -EIO. */
int store_mark_retried(store *st, int64_t failure_id);
/* Ids of failures never retried and with raw bytes, id > after_id, ascending, at most max,
 * into ids; returns the count (0 also on a database error). */
size_t store_unretried_failures(store *st, int64_t after_id, int64_t *ids, size_t max);

/* Ids of articles with id > after_id, ingested at or after `since` (NULL: any), ascending, at
 * most max, into ids; returns the count (0 also on a database error). For `reprocess`. */
size_t store_article_ids(store *st, int64_t after_id, const char *since, int64_t *ids, size_t max);
/* The first arrival's original bytes of an article, with its source_kind, source and encoding,
 * into *out (clear it with store_failed_job_clear): 0, -ENODATA (bytes not kept), -ENOENT or
 * -EIO (*out zeroed on every error). */
int store_article_original(store *st, int64_t article_id, store_failed_job *out);
/* Replace the article's fields (all but source_kind, source, ingested_at) with rec's and its
 * full-text entry, in one transaction. The uid follows rec's unless another article already
 * has it (then the old uid stays). 0, -EINVAL (rec without uid), -ENOSPC or -EIO (err set). */
int store_update_article(store *st, int64_t article_id, ingestd_record *rec, char *err,
                         size_t errlen);

/* Folders added at run time (`watch add`), kept across restarts: add (-EEXIST when present),
 * remove (-ENOENT when absent), list ([{path, after, added_at}], caller owns; NULL on a
 * database error). after is "move", "keep" or "delete". Errors: -EIO (message in err). */
int store_watch_add(store *st, const char *path, const char *after, char *err, size_t errlen);
int store_watch_remove(store *st, const char *path, char *err, size_t errlen);
json_t *store_watch_list(store *st);

/* The database path as given to store_open. */
const char *store_path(const store *st);

/* For modules keeping their own tables in the same database (feed_store): the connection (use
 * it on the store's thread only; never close it). */
struct sqlite3 *store_sqlite(store *st);

/* Write one item's rows (article or arrival, raw bytes, failure) inside a transaction the
 * caller has opened on store_sqlite(st); out fields as in store_commit_batch. Returns 0 or
 * -EINVAL / -ENOSPC / -EIO (the caller rolls back). */
int store_put_item(store *st, store_item *it, char *err, size_t errlen);

/* A new version of an existing article (a feed entry that changed): the article's fields and
 * full-text index follow it->rec (the uid too, unless another article has it), and an arrival
 * with the new raw bytes is added; earlier arrivals keep their raw bytes. Inside the caller's
 * transaction. Returns 0 (it->article_id set) or a negative errno as store_put_item. */
int store_put_revision(store *st, int64_t article_id, store_item *it, char *err, size_t errlen);

#endif
