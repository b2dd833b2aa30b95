/*
 * feeds - the feed scheduler: keeps every feed's state (url, ETag, Last-Modified, next poll,
 * error count, last error, last status, entries seen), polls due feeds through feed_http,
 * parses and runs each new or changed entry through the plugin chain on a worker thread, and
 * commits the entries with the feed's new state in one transaction (feed_store).
 *
 * Politeness: per-feed interval with +-10% jitter; first polls spread over start_jitter_s;
 * conditional GET; Cache-Control max-age and Retry-After honoured (never before they allow);
 * errors (transport, 4xx/5xx, 429, 503, unparsable body) back off exponentially with jitter up
 * to 24 h and polling never stops for good; a permanent redirect (301/308) updates the stored
 * URL; 410 disables the feed with a logged reason (`feed poll URL` enables it again).
 *
 * Thread rules: every function here runs on the loop thread; only the worker half of a poll
 * runs on libuv's thread pool, and it touches nothing but its job.
 */
#ifndef INGESTD_FEEDS_H
#define INGESTD_FEEDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pipeline.h"
#include "store.h"

typedef struct feeds feeds;

typedef struct feeds_options {
    int64_t interval_s;     /* default poll interval (a feed's own interval_s overrides it) */
    int64_t max_body_bytes; /* largest feed body */
    int64_t per_host;       /* transfers at once per host */
    int64_t timeout_s;      /* total time of one transfer */
    int64_t start_jitter_s; /* first polls spread over this many seconds */
    int64_t max_in_flight;  /* polls (transfer + parse + chain) at once */
    const char *const *config_urls;  /* feeds from the configuration file */
    const int64_t *config_intervals; /* their interval_s (0: interval_s) */
    size_t n_config;
    void (*on_idle)(void *ctx); /* after feeds_stop: called when the last worker poll ended */
    void *ctx;
} feeds_options;

/* Load the stored feeds, add (or update) the configured ones, remove those that an earlier
 * configuration added and this one no longer lists, and start the scheduler on loop. *pipe is
 * read whenever a poll starts (so a reloaded chain is picked up). Returns 0 and *out, or a
 * negative errno with a message in err. */
int feeds_start(uv_loop_t *loop, store *st, pipeline **pipe, const feeds_options *opt, feeds **out,
                char *err, size_t errlen);

/* Add a feed (http/https URL) to poll soon; interval_s 0 means the default. An existing feed
 * gets the new interval and is polled soon. Returns 0 with *feed_out (caller owns; NULL
 * allowed), or -EINVAL (bad URL), -EIO. */
int feeds_add(feeds *fs, const char *url, int64_t interval_s, json_t **feed_out, char *err,
              size_t errlen);

/* Stop polling url and forget its entries (the articles stay). 0, -ENOENT or -EIO. */
int feeds_remove(feeds *fs, const char *url);

/* Poll url as soon as possible (re-enabling it when a 410 had disabled it). 0 or -ENOENT. */
int feeds_poll_now(feeds *fs, const char *url);

/* The feeds with their state: an array of objects (url, interval_s, enabled, disabled_reason,
 * last_poll_at, last_status, last_error, error_count, entries_seen, next_poll_at, polling,
 * title). Caller owns it. */
json_t *feeds_list(feeds *fs);

/* Counters since start: {"feeds", "polls", "not_modified", "errors", "entries_new",
 * "entries_changed", "in_flight"}. Caller owns it. */
json_t *feeds_stats(feeds *fs);

/* Stop starting polls and cancel transfers; polls already on a worker finish and commit. */
void feeds_stop(feeds *fs);

/* True when no poll is on a worker (after feeds_stop, the loop may end once this holds). */
bool feeds_idle(const feeds *fs);

/* Free everything (after the loop has run to its end). NULL is a no-op. */
void feeds_free(feeds *fs);

/* The next poll delay in seconds after a poll: interval (or max-age / Retry-After when longer,
 * capped at 24 h) on success, interval * 2^(errors-1) with jitter, capped at 24 h, after the
 * errors-th consecutive error. rnd is a uniform number in [0, 1). Pure (for tests). */
double feeds_next_delay_s(int64_t interval_s, int64_t error_count, long max_age_s,
                          long retry_after_s, double rnd);

#endif
