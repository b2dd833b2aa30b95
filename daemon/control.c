/*
 * control - the control socket server. It owns the listening Unix socket and one small state
 * per client: a line buffer (pipelined requests plus at most one partial line), an idle timer
 * and the count of replies being written. Each complete line is parsed here; malformed,
 * non-object, "cmd"-less and oversized requests are answered here; the rest go to the daemon's
 * handler, whose reply is serialised on one line and queued with uv_write.
 *
 * Memory is released only in libuv close callbacks, so a client stays valid for the whole of a
 * callback even when something inside it (a failed write, the handler closing the server)
 * decides to close it; flags say what happened and the loops stop.
 */
#include "control.h"

#include "utf8.h"
#include "xalloc.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_READ_CHUNK     65536 /* bytes offered to each read(2) */
#define CTL_CLOSE_GRACE_MS 1000  /* a closing client's replies get this long to go out */
#define CTL_BACKLOG        128

typedef struct ctl_client ctl_client;

struct ctl_client {
    ctl_server *srv;
    uv_pipe_t pipe;
    uv_timer_t timer; /* idle timeout; the grace period once draining */
    char *buf;        /* unprocessed input: complete lines and at most one partial line */
    size_t len, cap;
    unsigned writes_in_flight; /* uv_write requests whose callback has not run */
    int handles_open;          /* pipe + timer until their close callbacks */
    bool is_counted;           /* counts toward max_clients */
    bool is_reading;
    bool is_paused;   /* not answering until the output queue drains */
    bool saw_eof;     /* the peer half-closed: answer what is buffered, then close */
    bool is_draining; /* closing once the replies in flight are written */
    bool is_closed;   /* uv_close() called */
    bool in_dispatch; /* inside client_process(): defer the final close */
    ctl_client *prev, *next;
};

struct ctl_server {
    uv_loop_t *loop;
    uv_pipe_t listener;
    char *path;
    dev_t sock_dev; /* identity of our socket file, so close never unlinks a successor's */
    ino_t sock_ino;
    ctl_limits limits;
    size_t output_high_water; /* stop answering a client while its queue is above this */
    ctl_handler handler;
    void *ctx;
    ctl_client *clients; /* every client not yet uv_close()d */
    unsigned nclients;   /* counted clients */
    unsigned live_allocs;
    bool is_closing;
    bool listener_closed;
    char readbuf[CTL_READ_CHUNK]; /* libuv reads into it and calls on_read at once */
};

typedef struct ctl_write {
    uv_write_t req;
    ctl_client *client;
    char *text;
} ctl_write;

static char newline[] = "\n";

json_t *ctl_error(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *msg = xmalloc((size_t)n + 1);
    msg[0] = '\0';
    vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);

    size_t len = strlen(msg), off = 0;
    while ((off += utf8_first_invalid(msg + off, len - off)) < len)
        msg[off++] = '?';

    json_t *reply = json_object();
    if (!reply)
        xalloc_die(__FILE__, __LINE__);
    json_object_set_new(reply, "ok", json_false());
    json_object_set_new(reply, "error", json_string(msg));
    free(msg);
    return reply;
}

/* ---- freeing ------------------------------------------------------------------------------ */

static void server_maybe_free(ctl_server *srv)
{
    if (srv->is_closing && srv->listener_closed && srv->live_allocs == 0) {
        free(srv->path);
        free(srv);
    }
}

static void on_client_handle_closed(uv_handle_t *handle)
{
    ctl_client *c = handle->data;
    if (--c->handles_open > 0)
        return;
    ctl_server *srv = c->srv;
    free(c->buf);
    free(c);
    srv->live_allocs--;
    server_maybe_free(srv);
}

static void client_uncount(ctl_client *c)
{
    if (c->is_counted) {
        c->is_counted = false;
        c->srv->nclients--;
    }
}

static void client_stop_reading(ctl_client *c)
{
    if (c->is_reading) {
        uv_read_stop((uv_stream_t *)&c->pipe);
        c->is_reading = false;
    }
}

/* Close at once; replies not yet written are dropped. */
static void client_close_now(ctl_client *c)
{
    if (c->is_closed)
        return;
    c->is_closed = true;
    client_uncount(c);
    client_stop_reading(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->srv->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    uv_close((uv_handle_t *)&c->pipe, on_client_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_client_handle_closed);
}

static void client_maybe_finish(ctl_client *c)
{
    if (c->is_draining && !c->is_closed && !c->in_dispatch && c->writes_in_flight == 0)
        client_close_now(c);
}

static void on_grace_timeout(uv_timer_t *timer)
{
    client_close_now(timer->data);
}

/* Answer nothing more; close once the replies in flight are out (or the grace period ends). */
static void client_drain_and_close(ctl_client *c)
{
    if (c->is_closed || c->is_draining)
        return;
    c->is_draining = true;
    client_uncount(c);
    client_stop_reading(c);
    uv_timer_start(&c->timer, on_grace_timeout, CTL_CLOSE_GRACE_MS, 0);
    client_maybe_finish(c);
}

/* ---- writing ------------------------------------------------------------------------------ */

static void client_process(ctl_client *c);
static void client_start_reading(ctl_client *c);
static void client_touch(ctl_client *c);

static void on_write(uv_write_t *req, int status)
{
    ctl_write *w = (ctl_write *)req;
    ctl_client *c = w->client;
    free(w->text);
    free(w);
    c->writes_in_flight--;
    if (c->is_closed)
        return;
    if (status < 0) {
        client_close_now(c);
        return;
    }
    if (!c->is_draining)
        client_touch(c);
    if (c->is_paused && c->pipe.write_queue_size < c->srv->output_high_water) {
        c->is_paused = false;
        client_process(c);
        client_start_reading(c);
    }
    client_maybe_finish(c);
}

/* Queue one reply line; consumes reply. Closes the client when it is not reading its replies
 * (the queue would pass max_output_bytes) or when the write fails. */
static void client_send(ctl_client *c, json_t *reply)
{
    if (c->is_closed) {
        json_decref(reply);
        return;
    }
    char *text = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    if (!text)
        text = xstrdup("{\"ok\":false,\"error\":\"internal error: the reply cannot be encoded\"}");
    size_t len = strlen(text);
    size_t queued = c->pipe.write_queue_size;
    if (queued > 0 && queued + len + 1 > c->srv->limits.max_output_bytes) {
        free(text);
        client_close_now(c);
        return;
    }
    ctl_write *w = xmalloc(sizeof *w);
    w->client = c;
    w->text = text;
    uv_buf_t bufs[2] = {uv_buf_init(text, (unsigned)len), uv_buf_init(newline, 1)};
    if (uv_write(&w->req, (uv_stream_t *)&c->pipe, bufs, 2, on_write) < 0) {
        free(text);
        free(w);
        client_close_now(c);
        return;
    }
    c->writes_in_flight++;
}

/* ---- requests ----------------------------------------------------------------------------- */

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static json_t *with_ok_first(json_t *reply)
{
    if (json_object_get(reply, "ok"))
        return reply;
    json_t *out = json_object();
    if (!out)
        xalloc_die(__FILE__, __LINE__);
    json_object_set_new(out, "ok", json_true());
    json_object_update(out, reply);
    json_decref(reply);
    return out;
}

json_t *ctl_dispatch_line(const char *line, size_t len, ctl_handler handler, void *ctx)
{
    if (is_blank(line, len))
        return NULL;
    json_error_t jerr;
    json_t *req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    json_t *reply;
    if (!req) {
        reply = ctl_error("malformed JSON at byte %d: %s", jerr.position, jerr.text);
    } else if (!json_is_object(req)) {
        reply = ctl_error("the request must be a JSON object");
    } else {
        json_t *cmd = json_object_get(req, "cmd");
        if (!cmd) {
            reply = ctl_error("missing \"cmd\"");
        } else if (!json_is_string(cmd)) {
            reply = ctl_error("\"cmd\" must be a string");
        } else {
            reply = handler(ctx, json_string_value(cmd), req);
            if (!reply) {
                reply = ctl_error("internal error: \"%s\" gave no reply", json_string_value(cmd));
            } else if (!json_is_object(reply)) {
                json_decref(reply);
                reply = ctl_error("internal error: \"%s\" gave a reply that is not an object",
                                  json_string_value(cmd));
            } else {
                reply = with_ok_first(reply);
            }
        }
    }
    json_decref(req);
    return reply;
}

static void client_handle_line(ctl_client *c, const char *line, size_t len)
{
    json_t *reply = ctl_dispatch_line(line, len, c->srv->handler, c->srv->ctx);
    if (reply)
        client_send(c, reply);
}

/* Answer every complete buffered line in order, unless the output queue is too long (pause) or
 * the client is closing; then keep the rest (at most one partial line when not paused). */
static void client_process(ctl_client *c)
{
    const size_t max_request = c->srv->limits.max_request_bytes;
    size_t pos = 0;
    c->in_dispatch = true;
    while (!c->is_closed && !c->is_draining) {
        if (c->pipe.write_queue_size >= c->srv->output_high_water) {
            c->is_paused = true;
            client_stop_reading(c);
            break;
        }
        char *start = c->buf + pos;
        size_t avail = c->len - pos, linelen;
        char *nl = avail ? memchr(start, '\n', avail) : NULL;
        if (nl)
            linelen = (size_t)(nl - start);
        else if (c->saw_eof && avail > 0)
            linelen = avail;
        else
            break;
        pos += linelen + (nl ? 1 : 0);
        if (linelen > 0 && start[linelen - 1] == '\r')
            linelen--;
        if (linelen > max_request) {
            client_send(c, ctl_error("request too large (limit %zu bytes)", max_request));
            client_drain_and_close(c);
            break;
        }
        client_handle_line(c, start, linelen);
    }
    if (pos > 0) {
        memmove(c->buf, c->buf + pos, c->len - pos);
        c->len -= pos;
    }
    if (!c->is_closed && !c->is_draining && !c->is_paused) {
        /* What is left is one partial line; +1 leaves room for a final '\r'. */
        if (c->len > max_request + 1) {
            client_send(c, ctl_error("request too large (limit %zu bytes)", max_request));
            client_drain_and_close(c);
        } else if (c->saw_eof) {
            client_drain_and_close(c);
        }
    }
    c->in_dispatch = false;
    client_maybe_finish(c);
}

/* ---- reading and timers ------------------------------------------------------------------- */

static void on_idle_timeout(uv_timer_t *timer)
{
    ctl_client *c = timer->data;
    client_send(c, ctl_error("idle timeout (%u ms), closing", c->srv->limits.idle_timeout_ms));
    client_drain_and_close(c);
}

static void client_touch(ctl_client *c)
{
    uv_timer_start(&c->timer, on_idle_timeout, c->srv->limits.idle_timeout_ms, 0);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    ctl_client *c = handle->data;
    *buf = uv_buf_init(c->srv->readbuf, sizeof c->srv->readbuf);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    ctl_client *c = stream->data;
    if (nread == 0 || c->is_closed)
        return;
    if (nread < 0) {
        if (nread == UV_EOF) {
            c->saw_eof = true;
            client_stop_reading(c);
            client_process(c);
        } else {
            client_close_now(c);
        }
        return;
    }
    client_touch(c);
    size_t n = (size_t)nread;
    if (c->cap - c->len < n) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap - c->len < n)
            cap *= 2;
        c->buf = xrealloc(c->buf, cap);
        c->cap = cap;
    }
    memcpy(c->buf + c->len, buf->base, n);
    c->len += n;
    client_process(c);
}

static void client_start_reading(ctl_client *c)
{
    if (c->is_reading || c->is_closed || c->is_draining || c->is_paused || c->saw_eof)
        return;
    if (uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read) < 0) {
        client_close_now(c);
        return;
    }
    c->is_reading = true;
}

static void on_connection(uv_stream_t *listener, int status)
{
    ctl_server *srv = listener->data;
    if (status < 0 || srv->is_closing)
        return;
    ctl_client *c = xcalloc(1, sizeof *c);
    c->srv = srv;
    uv_pipe_init(srv->loop, &c->pipe, 0);
    uv_timer_init(srv->loop, &c->timer);
    c->pipe.data = c;
    c->timer.data = c;
    c->handles_open = 2;
    srv->live_allocs++;
    c->next = srv->clients;
    if (srv->clients)
        srv->clients->prev = c;
    srv->clients = c;

    if (uv_accept(listener, (uv_stream_t *)&c->pipe) < 0) {
        client_close_now(c);
        return;
    }
    if (srv->nclients >= srv->limits.max_clients) {
        client_send(c, ctl_error("too many clients"));
        client_drain_and_close(c);
        return;
    }
    c->is_counted = true;
    srv->nclients++;
    client_touch(c);
    client_start_reading(c);
}

/* ---- the listening socket ----------------------------------------------------------------- */

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The socket file at path, if any: a live listener is an error, a stale one is removed. */
static int clear_stale_socket(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return fail(-errno, err, errlen, "control socket %s: %s", path, strerror(errno));
    }
    if (!S_ISSOCK(st.st_mode))
        return fail(-EEXIST, err, errlen, "control socket %s: exists and is not a socket", path);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return fail(-errno, err, errlen, "control socket %s: socket: %s", path, strerror(errno));
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    int connect_errno = errno;
    close(fd);
    /* EAGAIN: a listener whose backlog is full is alive too. */
    if (r == 0 || connect_errno == EAGAIN || connect_errno == EINPROGRESS)
        return fail(-EADDRINUSE, err, errlen, "another ingestd is listening on %s", path);
    if (connect_errno != ECONNREFUSED)
        return fail(-connect_errno, err, errlen, "control socket %s: cannot probe: %s", path,
                    strerror(connect_errno));
    if (unlink(path) < 0 && errno != ENOENT)
        return fail(-errno, err, errlen, "control socket %s: cannot remove the stale socket: %s",
                    path, strerror(errno));
    return 0;
}

static int check_parent(const char *path, char *err, size_t errlen)
{
    char copy[sizeof(((struct sockaddr_un *)0)->sun_path)];
    snprintf(copy, sizeof copy, "%s", path);
    const char *dir = dirname(copy);
    struct stat st;
    if (stat(dir, &st) < 0) {
        if (errno == ENOENT)
            return fail(-ENOENT, err, errlen, "control socket %s: no such directory %s", path, dir);
        return fail(-errno, err, errlen, "control socket %s: %s: %s", path, dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return fail(-ENOTDIR, err, errlen, "control socket %s: %s is not a directory", path, dir);
    return 0;
}

static void on_listener_closed(uv_handle_t *handle)
{
    ctl_server *srv = handle->data;
    srv->listener_closed = true;
    server_maybe_free(srv);
}

int ctl_server_start(uv_loop_t *loop, const char *path, const ctl_limits *limits,
                     ctl_handler handler, void *ctx, ctl_server **out, char *err, size_t errlen)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    *out = NULL;
    if (!path || !path[0])
        return fail(-EINVAL, err, errlen, "control socket: empty path");
    if (strlen(path) >= sizeof addr.sun_path)
        return fail(-ENAMETOOLONG, err, errlen, "control socket %s: path too long (max %zu bytes)",
                    path, sizeof addr.sun_path - 1);
    memcpy(addr.sun_path, path, strlen(path) + 1);

    int r = check_parent(path, err, errlen);
    if (r < 0)
        return r;
    r = clear_stale_socket(path, err, errlen);
    if (r < 0)
        return r;

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return fail(-errno, err, errlen, "control socket %s: socket: %s", path, strerror(errno));
    mode_t old_umask = umask(0117); /* the file is born 0660, never wider */
    r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    int bind_errno = errno;
    umask(old_umask);
    if (r < 0) {
        close(fd);
        return fail(-bind_errno, err, errlen, "control socket %s: bind: %s", path,
                    strerror(bind_errno));
    }
    struct stat st;
    if (chmod(path, 0660) < 0 || lstat(path, &st) < 0 || listen(fd, CTL_BACKLOG) < 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return fail(-e, err, errlen, "control socket %s: %s", path, strerror(e));
    }

    ctl_server *srv = xcalloc(1, sizeof *srv);
    srv->loop = loop;
    srv->path = xstrdup(path);
    srv->sock_dev = st.st_dev;
    srv->sock_ino = st.st_ino;
    srv->handler = handler;
    srv->ctx = ctx;
    if (limits)
        srv->limits = *limits;
    if (!srv->limits.max_request_bytes)
        srv->limits.max_request_bytes = CTL_DEFAULT_MAX_REQUEST_BYTES;
    if (!srv->limits.max_clients)
        srv->limits.max_clients = CTL_DEFAULT_MAX_CLIENTS;
    if (!srv->limits.idle_timeout_ms)
        srv->limits.idle_timeout_ms = CTL_DEFAULT_IDLE_TIMEOUT_MS;
    if (!srv->limits.max_output_bytes)
        srv->limits.max_output_bytes = CTL_DEFAULT_MAX_OUTPUT_BYTES;
    srv->output_high_water = srv->limits.max_output_bytes / 8;
    if (srv->output_high_water == 0)
        srv->output_high_water = 1;

    uv_pipe_init(loop, &srv->listener, 0);
    srv->listener.data = srv;
    r = uv_pipe_open(&srv->listener, fd);
    if (r < 0)
        close(fd); /* not the handle's yet */
    else
        r = uv_listen((uv_stream_t *)&srv->listener, CTL_BACKLOG, on_connection);
    if (r < 0) {
        fail(r, err, errlen, "control socket %s: listen: %s", path, uv_strerror(r));
        srv->is_closing = true;
        uv_close((uv_handle_t *)&srv->listener, on_listener_closed);
        unlink(path);
        return r;
    }
    *out = srv;
    return 0;
}

void ctl_server_close(ctl_server *srv)
{
    if (!srv || srv->is_closing)
        return;
    srv->is_closing = true;
    uv_close((uv_handle_t *)&srv->listener, on_listener_closed);
    struct stat st;
    if (lstat(srv->path, &st) == 0 && st.st_dev == srv->sock_dev && st.st_ino == srv->sock_ino)
        unlink(srv->path);
    ctl_client *next;
    for (ctl_client *c = srv->clients; c; c = next) {
        next = c->next;
        client_drain_and_close(c);
    }
}

unsigned ctl_server_clients(const ctl_server *srv)
{
    return srv ? srv->nclients : 0;
}

size_t ctl_server_output_bytes(const ctl_server *srv)
{
    size_t total = 0;
    for (const ctl_client *c = srv ? srv->clients : NULL; c; c = c->next)
        total += c->pipe.write_queue_size;
    return total;
}
