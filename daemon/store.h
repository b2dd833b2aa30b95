/*
 * store - the SQLite store: schema and migrations, batched commits, and the queries behind the
 * control commands.
 *
 * Thread rule: a `store` handle belongs to the thread that opened it (the loop thread in the
 * daemon; the main thread in one-shot mode). Nothing here is thread-safe. Every statement is
 * prepared once, at open, with bound parameters.
 *
 * Errors: functions return 0 or a negative errno-style code and, where an `err` buffer is
 * given, a one-line message naming the database path and the SQLite error.
 */
#ifndef INGESTD_STORE_H
#define INGESTD_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

typedef struct store store;

typedef struct store_options {
    bool synchronous_full; /* PRAGMA synchronous=FULL instead of NORMAL (WAL either way) */
    bool read_only;        /* open an existing database read-only (no migration) */
} store_options;

/* Identity of a source file, committed in the same transaction as its article or failure. */
typedef struct store_file_identity {
    const char *path; /* the path the file had when it was claimed */
    uint64_t dev;
    uint64_t ino;
    int64_t size;
    int64_t mtime_ns;
    char sha256[65]; /* hex of the whole original bytes */
} store_file_identity;

/* One finished article job: either a record that passed the chain (rec != NULL, fail_* NULL),
 * a record dropped by a plugin (rec != NULL, dropped_by set), or a failure (rec may be NULL,
 * fail_stage and fail_reason set). */
typedef struct store_item {
    ingestd_record *rec; /* borrowed */
    const char *source_kind; /* "file" | "feed" | "stdin" */
    const char *source;      /* path, URL or "-" */
    const void *raw;         /* original bytes (borrowed); may be NULL for an oversized file */
    size_t raw_len;
    const char *encoding;    /* the detected/declared encoding of raw, e.g. "utf-8" */
    bool has_file;
    store_file_identity file;
    const char *dropped_by;  /* plugin name when a plugin returned INGESTD_DROP */
    const char *fail_stage;  /* "read" | "decode" | "plugin" | "store" ... */
    const char *fail_plugin; /* plugin name for stage "plugin", else NULL */
    const char *fail_reason;

    /* out, set by store_commit_batch */
    int64_t article_id;  /* rowid in articles (0 for failures and drops) */
    int64_t failure_id;  /* rowid in failures (0 unless a failure) */
    bool was_duplicate;  /* the uid already existed: only a new source row was added */
} store_item;

/* Open (creating if needed) the database at path, set WAL mode, busy timeout, run migrations up
 * to the current PRAGMA user_version. The parent folder must exist. */
int store_open(const char *path, const store_options *opt, store **out, char *err,
               size_t errlen);
void store_close(store *st);

/* Commit n items in ONE transaction: for each record, INSERT the article (uid UNIQUE: an
 * existing uid adds only a `sources` row and sets was_duplicate), its raw bytes, the file
 * identity; for each failure a `failures` row with the raw bytes and the file identity. Either
 * all items are committed or none (rolled back, -EIO, err set). Crash points:
 * "store.before_begin", "store.after_insert", "store.before_commit", "store.after_commit". */
int store_commit_batch(store *st, store_item *items, size_t n, char *err, size_t errlen);

/* True when a file with exactly this identity (dev, ino, size, mtime_ns) was committed (as an
 * article, a drop or a failure). Used by scans to skip what is already done. */
bool store_file_known(store *st, uint64_t dev, uint64_t ino, int64_t size, int64_t mtime_ns);

/* The n most recent articles, newest first: a JSON array of objects with uid, title, lang,
 * published_at, source, ingested_at. Caller owns it. */
json_t *store_recent(store *st, int n);

/* One article by uid (a unique prefix of at least 6 hex chars is accepted): every record field,
 * meta as an object, and `sources` (array of {source_kind, source, received_at}). With
 * with_raw, `raw` holds the original bytes as text when they are UTF-8, else `raw_base64`.
 * Returns NULL when not found (-ENOENT semantics), caller owns the result. */
json_t *store_get(store *st, const char *uid, bool with_raw);

/* The n most recent failures, newest first: id, source, stage, plugin, reason, failed_at. */
json_t *store_failures(store *st, int n);

/* Totals from the database: {"articles": N, "sources": N, "failures": N, "files": N,
 * "db_bytes": N}. */
json_t *store_totals(store *st);

/* The database path as given to store_open. */
const char *store_path(const store *st);

#endif
