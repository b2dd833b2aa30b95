/*
 * feed_store - the feeds and feed_entries tables (schema v3, see store.c): the feed list and
 * each feed's polling state, the entries seen per feed (key + content hash + article), and the
 * one-transaction commit of a poll: its articles, failures, entry rows and the feed's new state.
 *
 * Thread rules: like store, the loop thread only (the store handle's thread).
 * Errors: 0 or a negative errno (-ENOENT, -EEXIST, -ENOSPC, -EIO) with a one-line message in
 * err where one is taken.
 */
#ifndef INGESTD_FEED_STORE_H
#define INGESTD_FEED_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One feeds row. Strings are owned by the row (feed_row_clear). */
typedef struct feed_row {
    int64_t id;
    char *url;
    int64_t interval_s; /* 0: the configured default */
    bool from_config;
    bool enabled;
    char *disabled_reason;
    char *etag;
    char *last_modified;
    int64_t next_poll_ms; /* wall clock, ms since the epoch; 0: as soon as possible */
    char *last_poll_at;   /* ISO 8601 UTC */
    int64_t last_status;  /* HTTP status of the last poll, 0 for a transport error */
    char *last_error;
    int64_t error_count; /* consecutive failed polls */
    int64_t entries_seen;
    char *title;
} feed_row;

void feed_row_clear(feed_row *r);
/* Deep copy of src into dst (dst is overwritten, not cleared first). */
void feed_row_copy(feed_row *dst, const feed_row *src);

/* Every feed, in id order, into a new array (*rows, *n; free each with feed_row_clear, then the
 * array). Returns 0 or -EIO. */
int feed_store_load(store *st, feed_row **rows, size_t *n);

/* Add url (or, when it exists, update its interval and from_config); fills *row with the
 * stored state. Returns 0 (row filled, *existed says which case) or -EIO. */
int feed_store_add(store *st, const char *url, int64_t interval_s, bool from_config, feed_row *row,
                   bool *existed, char *err, size_t errlen);

/* Delete a feed and its entry rows (articles stay). Returns 0, -ENOENT or -EIO. */
int feed_store_remove(store *st, const char *url);

/* The entries seen for a feed: an object entry_key -> [content_sha256, article_id or 0].
 * Caller owns it; NULL on a database error. */
json_t *feed_store_known(store *st, int64_t feed_id);

/* One entry of a poll to commit. */
typedef struct feed_store_entry {
    const char *key;    /* the entry's dedup key within its feed */
    const char *sha256; /* hash of the entry's content as found */
    int64_t revise_id;  /* > 0: the entry changed; update this article (store_put_revision) */
    store_item item;    /* the job's outcome (record, drop or failure), as for the store */
} feed_store_entry;

/* In ONE transaction: each entry's rows (article, arrival, revision or failure), its
 * feed_entries row (upserted: a changed entry counts a revision), and the feed's state from
 * *state (url, etag, last_modified, next_poll_ms, last_poll_at, last_status, last_error,
 * error_count, enabled, disabled_reason, title; entries_seen grows by the new keys). All or
 * nothing: on error everything is rolled back and the result is -ENOSPC, -EEXIST (the new url
 * belongs to another feed), -EINVAL or -EIO. */
int feed_store_commit(store *st, const feed_row *state, feed_store_entry *entries, size_t n,
                      char *err, size_t errlen);

/* The polling state of several feeds (polls that produced no entry: 304s, errors) in ONE
 * transaction, as feed_store_commit does for one (entries_seen unchanged). All or nothing;
 * 0 or -ENOSPC / -EIO. */
int feed_store_commit_states(store *st, const feed_row *const *states, size_t n, char *err,
                             size_t errlen);

#endif
