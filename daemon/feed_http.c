/*
 * feed_http - libcurl multi on libuv (see feed_http.h).
 *
 * libcurl tells us which sockets to watch (socket callback: one uv_poll per socket, kept in
 * curl's per-socket pointer) and when to call it back (timer callback: one uv_timer); every
 * readiness event or timeout goes back to curl_multi_socket_action, after which finished
 * transfers are collected from curl_multi_info_read. A request waits in its host's queue while
 * that host already has per_host transfers running (or max_total run overall).
 */
#include "feed_http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "feed_date.h"
#include "xalloc.h"

#define HOST_BUCKETS 1024

struct host_slot {
    char *name;
    int active;
    struct request *queue_head, *queue_tail;
    struct host_slot *next;
};

struct request {
    feed_http *h;
    CURL *easy;
    struct curl_slist *headers;
    char *url, *etag, *last_modified;
    struct host_slot *host;
    feed_http_done_cb cb;
    void *ctx;
    feed_http_response resp;
    size_t body_cap;
    bool all_permanent; /* every redirect so far was 301/308 */
    long hop_status;
    char errbuf[CURL_ERROR_SIZE];
    struct request *next, *prev; /* running list, or the host queue (next only) */
};

struct sock_ctx {
    uv_poll_t poll;
    curl_socket_t fd;
    feed_http *h;
    struct sock_ctx *next, *prev; /* every open poll handle, closed at the latest by close */
};

struct feed_http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    feed_http_options opt;
    char user_agent[64];
    struct host_slot *hosts[HOST_BUCKETS];
    struct request *running;
    size_t n_running, n_queued;
    struct sock_ctx *socks;
    bool closing;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static unsigned hash_str(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int feed_http_host(const char *url, char *out, size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    if (!url)
        return -EINVAL;
    CURLU *u = curl_url();
    if (!u)
        return -ENOMEM;
    int ret = -EINVAL;
    char *scheme = NULL, *host = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host &&
        (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0)) {
        size_t n = strlen(host);
        if (n < outlen) {
            for (size_t i = 0; i <= n; i++)
                out[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
            ret = 0;
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ret;
}

static struct host_slot *host_get(feed_http *h, const char *name)
{
    unsigned b = hash_str(name) % HOST_BUCKETS;
    for (struct host_slot *s = h->hosts[b]; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    struct host_slot *s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    s->next = h->hosts[b];
    h->hosts[b] = s;
    return s;
}

/* ---- responses ---- */

static void resp_free(feed_http_response *r)
{
    free(r->body);
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    free(r->moved_to);
    memset(r, 0, sizeof *r);
}

static void request_free(struct request *rq)
{
    if (rq->easy)
        curl_easy_cleanup(rq->easy);
    curl_slist_free_all(rq->headers);
    free(rq->url);
    free(rq->etag);
    free(rq->last_modified);
    resp_free(&rq->resp);
    free(rq);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct request *rq = userp;
    size_t n = size * nmemb;
    feed_http_response *r = &rq->resp;
    if ((int64_t)(r->body_len + n) > rq->h->opt.max_body_bytes) {
        r->too_large = true;
        return 0; /* abort: CURLE_WRITE_ERROR */
    }
    if (r->body_len + n + 1 > rq->body_cap) {
        size_t cap = rq->body_cap ? rq->body_cap : 16384;
        while (r->body_len + n + 1 > cap)
            cap *= 2;
        r->body = xrealloc(r->body, cap);
        rq->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

/* A header value without surrounding blanks and CRLF, as a new string. */
static char *header_value(const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n > 1024)
        n = 1024;
    return xstrndup(v, n);
}

static long parse_retry_after(const char *v)
{
    char *end;
    long secs = strtol(v, &end, 10);
    if (end != v && *end == '\0')
        return secs < 0 ? 0 : secs;
    feed_date d;
    if (feed_date_parse(v, &d) == 0 && d.zone == FEED_ZONE_KNOWN) {
        int64_t delta = d.utc_epoch_s - (int64_t)time(NULL);
        return delta < 0 ? 0 : (long)delta;
    }
    return -1;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct request *rq = userp;
    size_t n = size * nmemb;
    feed_http_response *r = &rq->resp;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or a 100 Continue): forget the previous headers */
        const char *sp = memchr(data, ' ', n);
        long status = sp ? strtol(sp + 1, NULL, 10) : 0;
        if (rq->hop_status >= 300 && rq->hop_status < 400 && rq->hop_status != 301 &&
            rq->hop_status != 308)
            rq->all_permanent = false;
        rq->hop_status = status;
        free(r->etag);
        free(r->last_modified);
        free(r->content_type);
        r->etag = r->last_modified = r->content_type = NULL;
        r->max_age_s = r->retry_after_s = -1;
        return n;
    }
    const char *colon = memchr(data, ':', n);
    if (!colon)
        return n;
    size_t klen = (size_t)(colon - data);
    const char *v = colon + 1;
    size_t vlen = n - klen - 1;
    if (klen == 4 && strncasecmp(data, "ETag", 4) == 0) {
        free(r->etag);
        r->etag = header_value(v, vlen);
    } else if (klen == 13 && strncasecmp(data, "Last-Modified", 13) == 0) {
        free(r->last_modified);
        r->last_modified = header_value(v, vlen);
    } else if (klen == 12 && strncasecmp(data, "Content-Type", 12) == 0) {
        free(r->content_type);
        r->content_type = header_value(v, vlen);
    } else if (klen == 13 && strncasecmp(data, "Cache-Control", 13) == 0) {
        char *cc = header_value(v, vlen);
        const char *m = strcasestr(cc, "max-age=");
        if (m)
            r->max_age_s = strtol(m + 8, NULL, 10);
        if (strcasestr(cc, "no-cache") || strcasestr(cc, "no-store"))
            r->max_age_s = r->max_age_s < 0 ? -1 : r->max_age_s;
        free(cc);
    } else if (klen == 11 && strncasecmp(data, "Retry-After", 11) == 0) {
        char *ra = header_value(v, vlen);
        r->retry_after_s = parse_retry_after(ra);
        free(ra);
    }
    return n;
}

/* ---- scheduling of requests ---- */

static void start_request(feed_http *h, struct request *rq)
{
    rq->host->active++;
    h->n_running++;
    rq->next = h->running;
    rq->prev = NULL;
    if (h->running)
        h->running->prev = rq;
    h->running = rq;
    CURLMcode mc = curl_multi_add_handle(h->multi, rq->easy);
    if (mc != CURLM_OK) {
        /* reported like a transfer error on the next timer turn */
        snprintf(rq->resp.error, sizeof rq->resp.error, "cannot start transfer: %s",
                 curl_multi_strerror(mc));
    }
}

/* Start queued requests while their host and the global limit allow. */
static void pump_host(feed_http *h, struct host_slot *s)
{
    while (s->queue_head && s->active < h->opt.per_host &&
           h->n_running < (size_t)h->opt.max_total) {
        struct request *rq = s->queue_head;
        s->queue_head = rq->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        h->n_queued--;
        start_request(h, rq);
    }
}

static void pump_all(feed_http *h)
{
    if (!h->n_queued)
        return;
    for (size_t b = 0; b < HOST_BUCKETS && h->n_running < (size_t)h->opt.max_total; b++)
        for (struct host_slot *s = h->hosts[b]; s; s = s->next)
            pump_host(h, s);
}

static void finish(feed_http *h, struct request *rq, CURLcode code)
{
    if (rq->prev)
        rq->prev->next = rq->next;
    else
        h->running = rq->next;
    if (rq->next)
        rq->next->prev = rq->prev;
    h->n_running--;
    rq->host->active--;
    curl_multi_remove_handle(h->multi, rq->easy);

    feed_http_response *r = &rq->resp;
    r->curl_code = (int)code;
    curl_easy_getinfo(rq->easy, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(rq->easy, CURLINFO_REDIRECT_COUNT, &r->redirects);
    curl_easy_getinfo(rq->easy, CURLINFO_TOTAL_TIME, &r->seconds);
    if (code != CURLE_OK) {
        if (r->too_large)
            snprintf(r->error, sizeof r->error, "body larger than %lld bytes: transfer aborted",
                     (long long)h->opt.max_body_bytes);
        else if (code == CURLE_FILESIZE_EXCEEDED) {
            r->too_large = true;
            snprintf(r->error, sizeof r->error, "body larger than %lld bytes (announced)",
                     (long long)h->opt.max_body_bytes);
        } else
            snprintf(r->error, sizeof r->error, "%s%s%s", curl_easy_strerror(code),
                     rq->errbuf[0] ? ": " : "", rq->errbuf);
        size_t el = strlen(r->error);
        while (el && r->error[el - 1] == '\n')
            r->error[--el] = '\0';
    }
    if (r->redirects > 0 && rq->all_permanent && code == CURLE_OK) {
        char *eff = NULL;
        curl_easy_getinfo(rq->easy, CURLINFO_EFFECTIVE_URL, &eff);
        if (eff && strcmp(eff, rq->url) != 0)
            r->moved_to = xstrdup(eff);
    }
    if (!r->body) {
        r->body = xstrdup("");
        r->body_len = 0;
    }
    struct host_slot *s = rq->host;
    rq->cb(rq->ctx, r);
    request_free(rq);
    if (!h->closing) {
        pump_host(h, s);
        pump_all(h);
    }
}

static void check_done(feed_http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct request *rq = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&rq);
        if (rq)
            finish(h, rq, msg->data.result);
    }
}

/* ---- libuv glue ---- */

static void on_poll(uv_poll_t *p, int status, int events)
{
    struct sock_ctx *sc = p->data;
    feed_http *h = sc->h;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    int running;
    curl_multi_socket_action(h->multi, sc->fd, flags, &running);
    check_done(h);
}

static void on_sock_closed(uv_handle_t *hd)
{
    free(hd->data);
}

static void sock_release(feed_http *h, struct sock_ctx *sc)
{
    if (sc->prev)
        sc->prev->next = sc->next;
    else
        h->socks = sc->next;
    if (sc->next)
        sc->next->prev = sc->prev;
    uv_poll_stop(&sc->poll);
    uv_close((uv_handle_t *)&sc->poll, on_sock_closed);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    feed_http *h = userp;
    struct sock_ctx *sc = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (sc) {
            sock_release(h, sc);
            curl_multi_assign(h->multi, fd, NULL);
        }
        return 0;
    }
    if (!sc) {
        sc = xcalloc(1, sizeof *sc);
        sc->fd = fd;
        sc->h = h;
        if (uv_poll_init_socket(h->loop, &sc->poll, fd) != 0) {
            free(sc);
            return -1;
        }
        sc->poll.data = sc;
        sc->next = h->socks;
        if (h->socks)
            h->socks->prev = sc;
        h->socks = sc;
        curl_multi_assign(h->multi, fd, sc);
    }
    int events = 0;
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&sc->poll, events, on_poll);
    return 0;
}

static void on_timeout(uv_timer_t *t)
{
    feed_http *h = t->data;
    int running;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(h);
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    feed_http *h = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&h->timer);
    else
        uv_timer_start(&h->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

/* ---- public ---- */

int feed_http_new(uv_loop_t *loop, const feed_http_options *opt, feed_http **out, char *err,
                  size_t errlen)
{
    *out = NULL;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(curl_init_rc));
        return -EIO;
    }
    feed_http *h = xcalloc(1, sizeof *h);
    h->loop = loop;
    if (opt)
        h->opt = *opt;
    if (h->opt.total_timeout_s <= 0)
        h->opt.total_timeout_s = 30;
    if (h->opt.connect_timeout_s <= 0)
        h->opt.connect_timeout_s = 10;
    if (h->opt.connect_timeout_s > h->opt.total_timeout_s)
        h->opt.connect_timeout_s = h->opt.total_timeout_s;
    if (h->opt.low_speed_time_s <= 0)
        h->opt.low_speed_time_s = 15;
    if (h->opt.low_speed_bytes <= 0)
        h->opt.low_speed_bytes = 100;
    if (h->opt.max_body_bytes <= 0)
        h->opt.max_body_bytes = 8 * 1024 * 1024;
    if (h->opt.per_host <= 0)
        h->opt.per_host = 2;
    if (h->opt.max_total <= 0)
        h->opt.max_total = 64;
    if (h->opt.max_redirects <= 0)
        h->opt.max_redirects = 5;
    snprintf(h->user_agent, sizeof h->user_agent, "%s",
             h->opt.user_agent ? h->opt.user_agent : "ingestd/" INGESTD_VERSION);
    h->multi = curl_multi_init();
    if (!h->multi) {
        free(h);
        snprintf(err, errlen, "libcurl: cannot create a multi handle");
        return -ENOMEM;
    }
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)h->opt.per_host);
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->opt.max_total);
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    *out = h;
    return 0;
}

int feed_http_get(feed_http *h, const char *url, const char *etag, const char *last_modified,
                  feed_http_done_cb cb, void *ctx)
{
    if (h->closing)
        return -ESHUTDOWN;
    char host[256];
    if (feed_http_host(url, host, sizeof host) != 0)
        return -EINVAL;
    struct request *rq = xcalloc(1, sizeof *rq);
    rq->h = h;
    rq->url = xstrdup(url);
    rq->etag = etag && *etag ? xstrdup(etag) : NULL;
    rq->last_modified = last_modified && *last_modified ? xstrdup(last_modified) : NULL;
    rq->cb = cb;
    rq->ctx = ctx;
    rq->all_permanent = true;
    rq->resp.max_age_s = rq->resp.retry_after_s = -1;
    rq->host = host_get(h, host);
    rq->easy = curl_easy_init();
    if (!rq->easy)
        xalloc_die(__FILE__, __LINE__);
    CURL *e = rq->easy;
    curl_easy_setopt(e, CURLOPT_URL, rq->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)rq);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, h->opt.max_redirects);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, h->opt.connect_timeout_s);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, h->opt.total_timeout_s);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, h->opt.low_speed_bytes);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, h->opt.low_speed_time_s);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->opt.max_body_bytes);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, h->user_agent);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, rq);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, rq);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, rq->errbuf);
    rq->headers = curl_slist_append(
        NULL, "Accept: application/rss+xml, application/atom+xml, application/feed+json, "
              "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
    char line[1200];
    if (rq->etag) {
        snprintf(line, sizeof line, "If-None-Match: %s", rq->etag);
        rq->headers = curl_slist_append(rq->headers, line);
    }
    if (rq->last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", rq->last_modified);
        rq->headers = curl_slist_append(rq->headers, line);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, rq->headers);

    struct host_slot *s = rq->host;
    rq->next = NULL;
    if (s->queue_tail)
        s->queue_tail->next = rq;
    else
        s->queue_head = rq;
    s->queue_tail = rq;
    h->n_queued++;
    pump_host(h, s);
    return 0;
}

size_t feed_http_pending(const feed_http *h)
{
    return h ? h->n_running + h->n_queued : 0;
}

static void on_timer_closed(uv_handle_t *hd)
{
    free(hd->data);
}

void feed_http_close(feed_http *h)
{
    if (!h || h->closing)
        return;
    h->closing = true;
    while (h->running) {
        struct request *rq = h->running;
        h->running = rq->next;
        curl_multi_remove_handle(h->multi, rq->easy);
        request_free(rq);
    }
    for (size_t b = 0; b < HOST_BUCKETS; b++) {
        struct host_slot *s = h->hosts[b];
        while (s) {
            struct host_slot *next = s->next;
            struct request *rq = s->queue_head;
            while (rq) {
                struct request *rn = rq->next;
                request_free(rq);
                rq = rn;
            }
            free(s->name);
            free(s);
            s = next;
        }
        h->hosts[b] = NULL;
    }
    curl_multi_cleanup(h->multi);
    h->multi = NULL;
    while (h->socks) /* whatever libcurl did not announce as removed */
        sock_release(h, h->socks);
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, on_timer_closed);
}
