/*
 * feed_http - HTTP GETs of feeds on the libuv loop: libcurl's multi interface driven by libuv
 * (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION with uv_poll + uv_timer), no thread per
 * transfer and nothing blocking on the loop (libcurl resolves names on its own thread).
 *
 * Each request: http/https only (redirects too), a bounded number of redirects, connect / total
 * / low-speed timeouts, a maximum body size (the transfer is aborted in the write callback),
 * gzip/deflate/br as libcurl offers them, keep-alive and connection reuse through the multi
 * handle, User-Agent "ingestd/VERSION", conditional GET (If-None-Match / If-Modified-Since).
 * Requests beyond the per-host concurrency limit (or the global one) wait in a queue.
 *
 * Thread rules: everything here runs on the loop thread that created the handle.
 */
#ifndef INGESTD_FEED_HTTP_H
#define INGESTD_FEED_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct feed_http feed_http;

/* Zero members take the defaults shown. */
typedef struct feed_http_options {
    long connect_timeout_s; /* 10 (never more than total_timeout_s) */
    long total_timeout_s;   /* 30 */
    long low_speed_time_s;  /* 15: abort when slower than low_speed_bytes/s for this long */
    long low_speed_bytes;   /* 100 */
    int64_t max_body_bytes; /* 8 MiB */
    int per_host;           /* 2 transfers at once per host */
    int max_total;          /* 64 transfers at once */
    long max_redirects;     /* 5 */
    const char *user_agent; /* "ingestd/" INGESTD_VERSION */
} feed_http_options;

/* What a request produced. Strings are owned by the response (freed after the callback). */
typedef struct feed_http_response {
    long status;     /* final HTTP status; 0 when no response came (see error) */
    int curl_code;   /* CURLcode, 0 on success */
    char error[256]; /* "" on success, else a one-line reason */
    bool too_large;  /* aborted: the body passed max_body_bytes */
    char *body;      /* NUL-terminated for convenience; body_len bytes */
    size_t body_len;
    char *etag; /* headers of the final response, NULL when absent */
    char *last_modified;
    char *content_type;
    long max_age_s;     /* Cache-Control max-age, -1 when absent */
    long retry_after_s; /* Retry-After (seconds or HTTP date, converted), -1 when absent */
    char *moved_to;     /* the final URL when every redirect was permanent (301/308) */
    long redirects;
    double seconds; /* total transfer time */
} feed_http_response;

/* Called on the loop thread when a request finishes (or fails). resp is valid only during the
 * call. Not called for requests cancelled by feed_http_close. */
typedef void (*feed_http_done_cb)(void *ctx, const feed_http_response *resp);

/* Create the client on loop. opt may be NULL. Returns 0 and *out, or -ENOMEM / -EIO when
 * libcurl cannot be set up (a one-line reason in err). */
int feed_http_new(uv_loop_t *loop, const feed_http_options *opt, feed_http **out, char *err,
                  size_t errlen);

/* Queue a GET of url. etag / last_modified (may be NULL) make it conditional. The callback
 * runs later, never from inside this call. Returns 0, or -EINVAL when url is not an absolute
 * http(s) URL with a host (nothing is queued then), -ESHUTDOWN after feed_http_close. */
int feed_http_get(feed_http *h, const char *url, const char *etag, const char *last_modified,
                  feed_http_done_cb cb, void *ctx);

/* Requests running plus waiting. */
size_t feed_http_pending(const feed_http *h);

/* Cancel every request (their callbacks are not called), release libcurl, close the handles;
 * the memory is freed once libuv has closed them (keep running the loop). NULL is a no-op. */
void feed_http_close(feed_http *h);

/* The lower-case host of an http(s) URL into out (empty on error). Returns 0 or -EINVAL. */
int feed_http_host(const char *url, char *out, size_t outlen);

#endif
