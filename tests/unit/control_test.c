/*
 * control_test - the control socket server against real clients. The server runs on a uv loop
 * in this thread; the test clients are plain non-blocking sockets, and every wait for the
 * client side pumps the loop (poll on the loop's backend fd and the client fd), so the test is
 * single-threaded and can inspect the server between steps.
 */
#include "control.h"
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static uv_loop_t loop;
static ctl_server *srv;
static char tmpdir[64];
static char sock_path[100]; /* fits sun_path */
static int handler_calls;

/* ---- the test handler --------------------------------------------------------------------- */

static json_t *test_handler(void *ctx, const char *cmd, json_t *request)
{
    handler_calls++;
    json_t *seq = json_object_get(request, "seq");
    if (strcmp(cmd, "echo") == 0) {
        json_t *reply = json_pack("{s:s}", "cmd", cmd);
        if (seq)
            json_object_set(reply, "seq", seq);
        return reply;
    }
    if (strcmp(cmd, "boom") == 0)
        return ctl_error("boom failed: %d", 42);
    if (strcmp(cmd, "noreply") == 0)
        return NULL;
    if (strcmp(cmd, "array") == 0)
        return json_array();
    if (strcmp(cmd, "withok") == 0)
        return json_pack("{s:s, s:b}", "note", "mine", "ok", 0);
    if (strcmp(cmd, "blob") == 0) {
        size_t n = (size_t)json_integer_value(json_object_get(request, "size"));
        char *data = malloc(n + 1);
        memset(data, 'x', n);
        data[n] = '\0';
        json_t *reply = json_pack("{s:O?, s:s}", "seq", seq, "data", data);
        free(data);
        return reply;
    }
    if (strcmp(cmd, "close") == 0) {
        ctl_server_close(srv);
        return json_pack("{s:b}", "bye", 1);
    }
    return ctl_error("unknown command \"%s\"", cmd);
}

/* ---- loop pumping and the client side ----------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to ms for the loop or fd (if >= 0) to have something, then run the loop once. */
static void pump_once(int fd, int ms)
{
    struct pollfd p[2] = {{.fd = uv_backend_fd(&loop), .events = POLLIN},
                          {.fd = fd, .events = POLLIN}};
    int t = uv_backend_timeout(&loop);
    if (t < 0 || t > ms)
        t = ms;
    poll(p, fd >= 0 ? 2 : 1, t);
    uv_run(&loop, UV_RUN_NOWAIT);
}

static void pump(int ms)
{
    int64_t end = now_ms() + ms;
    do
        pump_once(-1, (int)(end - now_ms() > 0 ? end - now_ms() : 0));
    while (now_ms() < end);
}

typedef struct tclient {
    int fd;
    char *buf;
    size_t len, cap;
    bool closed; /* EOF or reset seen */
} tclient;

static bool tc_connect(tclient *tc)
{
    memset(tc, 0, sizeof *tc);
    tc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
    if (connect(tc->fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(tc->fd);
        tc->fd = -1;
        return false;
    }
    fcntl(tc->fd, F_SETFL, fcntl(tc->fd, F_GETFL) | O_NONBLOCK);
    pump(5); /* let the server accept */
    return true;
}

static void tc_close(tclient *tc)
{
    if (tc->fd >= 0)
        close(tc->fd);
    tc->fd = -1;
    free(tc->buf);
    tc->buf = NULL;
    tc->len = tc->cap = 0;
}

static bool tc_send(tclient *tc, const char *s, size_t n)
{
    int64_t end = now_ms() + 5000;
    while (n > 0) {
        ssize_t w = send(tc->fd, s, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w > 0) {
            s += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EAGAIN && now_ms() < end) {
            pump_once(-1, 2);
        } else {
            return false;
        }
    }
    return true;
}

static bool tc_sends(tclient *tc, const char *s)
{
    return tc_send(tc, s, strlen(s));
}

/* Read what is available into tc->buf; false when nothing came. */
static bool tc_fill(tclient *tc)
{
    if (tc->cap - tc->len < 65536) {
        tc->cap = tc->cap ? tc->cap * 2 : 131072;
        tc->buf = realloc(tc->buf, tc->cap);
    }
    ssize_t r = recv(tc->fd, tc->buf + tc->len, tc->cap - tc->len, MSG_DONTWAIT);
    if (r > 0) {
        tc->len += (size_t)r;
        return true;
    }
    if (r == 0 || (r < 0 && errno != EAGAIN))
        tc->closed = true;
    return false;
}

/* The next reply line (malloc'd, without "\n"), or NULL on timeout or close. */
static char *tc_read_line(tclient *tc, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        char *nl = tc->len ? memchr(tc->buf, '\n', tc->len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - tc->buf);
            char *line = malloc(n + 1);
            memcpy(line, tc->buf, n);
            line[n] = '\0';
            memmove(tc->buf, nl + 1, tc->len - n - 1);
            tc->len -= n + 1;
            return line;
        }
        if (tc->closed || now_ms() >= end)
            return NULL;
        if (!tc_fill(tc) && !tc->closed)
            pump_once(tc->fd, (int)(end - now_ms() > 0 ? end - now_ms() : 0));
    }
}

static json_t *tc_read_reply(tclient *tc)
{
    char *line = tc_read_line(tc, 3000);
    if (!line)
        return NULL;
    json_t *reply = json_loads(line, 0, NULL);
    free(line);
    return reply;
}

/* Read and discard until the server closes; true if it did within timeout_ms. */
static bool tc_wait_closed(tclient *tc, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (!tc->closed && now_ms() < end) {
        if (!tc_fill(tc) && !tc->closed)
            pump_once(tc->fd, 5);
        tc->len = 0;
    }
    return tc->closed;
}

static const char *reply_error(json_t *reply)
{
    return json_string_value(json_object_get(reply, "error"));
}

static bool reply_ok(json_t *reply)
{
    return json_is_true(json_object_get(reply, "ok"));
}

/* Send a request line and check that it gets an ok reply. */
static bool roundtrip_ok(tclient *tc)
{
    if (!tc_sends(tc, "{\"cmd\":\"echo\"}\n"))
        return false;
    json_t *reply = tc_read_reply(tc);
    bool ok = reply && reply_ok(reply);
    json_decref(reply);
    return ok;
}

/* ---- setup -------------------------------------------------------------------------------- */

static int start_server(const ctl_limits *limits)
{
    char err[512] = "";
    int r = ctl_server_start(&loop, sock_path, limits, test_handler, NULL, &srv, err, sizeof err);
    if (r < 0)
        fprintf(stderr, "ctl_server_start: %s\n", err);
    return r;
}

/* Close the server, run the loop until every handle is gone, check the file is removed. */
static void stop_server(void)
{
    ctl_server_close(srv);
    ctl_server_close(srv); /* a second call is a no-op */
    srv = NULL;
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(!uv_loop_alive(&loop));
    struct stat st;
    CHECK(lstat(sock_path, &st) < 0 && errno == ENOENT);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_good_request(void)
{
    CHECK_INT(start_server(NULL), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    CHECK_INT(ctl_server_clients(srv), 1);
    CHECK(tc_sends(&tc, "{\"cmd\":\"echo\",\"seq\":5}\n"));
    char *line = tc_read_line(&tc, 3000);
    CHECK_STR(line, "{\"ok\":true,\"cmd\":\"echo\",\"seq\":5}");
    free(line);
    /* a handler that sets "ok" itself is left alone */
    CHECK(tc_sends(&tc, "{\"cmd\":\"withok\"}\n"));
    line = tc_read_line(&tc, 3000);
    CHECK_STR(line, "{\"note\":\"mine\",\"ok\":false}");
    free(line);
    CHECK(tc_sends(&tc, "{\"cmd\":\"boom\"}\n"));
    line = tc_read_line(&tc, 3000);
    CHECK_STR(line, "{\"ok\":false,\"error\":\"boom failed: 42\"}");
    free(line);
    CHECK(tc_sends(&tc, "{\"cmd\":\"nope\"}\n"));
    json_t *reply = tc_read_reply(&tc);
    CHECK_STR(reply_error(reply), "unknown command \"nope\"");
    json_decref(reply);
    tc_close(&tc);
    pump(20);
    CHECK_INT(ctl_server_clients(srv), 0);
    stop_server();
}

static void test_handler_bad_replies(void)
{
    CHECK_INT(start_server(NULL), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    CHECK(tc_sends(&tc, "{\"cmd\":\"noreply\"}\n{\"cmd\":\"array\"}\n"));
    json_t *reply = tc_read_reply(&tc);
    CHECK(reply && !reply_ok(reply));
    CHECK(reply_error(reply) && strstr(reply_error(reply), "internal error"));
    json_decref(reply);
    reply = tc_read_reply(&tc);
    CHECK(reply && !reply_ok(reply));
    CHECK(reply_error(reply) && strstr(reply_error(reply), "not an object"));
    json_decref(reply);
    CHECK(roundtrip_ok(&tc));
    tc_close(&tc);
    stop_server();
}

static void check_error_then_usable(tclient *tc, const char *request, const char *expect)
{
    int calls = handler_calls;
    CHECK(tc_sends(tc, request));
    json_t *reply = tc_read_reply(tc);
    CHECK(reply != NULL);
    CHECK(json_is_false(json_object_get(reply, "ok")));
    const char *err = reply_error(reply);
    if (!err || !strstr(err, expect))
        fprintf(stderr, "  request %s got error %s\n", request, err ? err : "(none)");
    CHECK(err && strstr(err, expect));
    json_decref(reply);
    CHECK_INT(handler_calls, calls); /* the server answered it, not the handler */
    CHECK(roundtrip_ok(tc));         /* and the connection still works */
}

static void test_bad_requests(void)
{
    CHECK_INT(start_server(NULL), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    check_error_then_usable(&tc, "{bad json\n", "malformed JSON");
    check_error_then_usable(&tc, "{\"cmd\":\"echo\"} trailing\n", "malformed JSON");
    check_error_then_usable(&tc, "\"\xff\xfe\"\n", "malformed JSON");
    check_error_then_usable(&tc, "[1,2]\n", "must be a JSON object");
    check_error_then_usable(&tc, "42\n", "must be a JSON object");
    check_error_then_usable(&tc, "\"status\"\n", "must be a JSON object");
    check_error_then_usable(&tc, "{\"x\":1}\n", "missing \"cmd\"");
    check_error_then_usable(&tc, "{\"cmd\":5}\n", "\"cmd\" must be a string");
    check_error_then_usable(&tc, "{\"cmd\":null}\n", "\"cmd\" must be a string");
    check_error_then_usable(&tc, "{\"cmd\":\"a\",\"cmd\":\"b\"}\n", "malformed JSON");
    CHECK_INT(ctl_server_clients(srv), 1);
    tc_close(&tc);
    stop_server();
}

static void test_pipelined_and_blank(void)
{
    CHECK_INT(start_server(NULL), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    /* three requests in one write, one ending in \r\n, blank lines between */
    CHECK(tc_sends(&tc, "{\"cmd\":\"echo\",\"seq\":1}\n\n{\"cmd\":\"echo\",\"seq\":2}\r\n  \r\n"
                        "{\"cmd\":\"boom\",\"seq\":3}\n{\"cmd\":\"echo\",\"seq\":4}\n"));
    for (int i = 1; i <= 4; i++) {
        json_t *reply = tc_read_reply(&tc);
        CHECK(reply != NULL);
        if (i == 3)
            CHECK_STR(reply_error(reply), "boom failed: 42");
        else
            CHECK_INT(json_integer_value(json_object_get(reply, "seq")), i);
        json_decref(reply);
    }
    char *extra = tc_read_line(&tc, 100); /* the blank lines got no reply */
    CHECK(extra == NULL);
    free(extra);
    tc_close(&tc);
    stop_server();
}

static void test_split_request(void)
{
    CHECK_INT(start_server(NULL), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    CHECK(tc_sends(&tc, "{\"cmd\":"));
    pump(20);
    CHECK(tc_sends(&tc, "\"echo\",\"se"));
    char *early = tc_read_line(&tc, 50);
    CHECK(early == NULL); /* nothing until the line is complete */
    free(early);
    CHECK(tc_sends(&tc, "q\":7}\r"));
    pump(20);
    CHECK(tc_sends(&tc, "\n{\"cmd\":\"echo\",\"seq\":8}\n{\"cmd\""));
    json_t *reply = tc_read_reply(&tc);
    CHECK_INT(json_integer_value(json_object_get(reply, "seq")), 7);
    json_decref(reply);
    reply = tc_read_reply(&tc);
    CHECK_INT(json_integer_value(json_object_get(reply, "seq")), 8);
    json_decref(reply);
    CHECK(tc_sends(&tc, ":\"echo\",\"seq\":9}\n"));
    reply = tc_read_reply(&tc);
    CHECK_INT(json_integer_value(json_object_get(reply, "seq")), 9);
    json_decref(reply);
    tc_close(&tc);
    stop_server();
}

/* A line of exactly len bytes (before the terminator) that is a valid echo request. */
static char *request_of_length(size_t len, const char *terminator)
{
    const char *head = "{\"cmd\":\"echo\",\"pad\":\"";
    const char *tail = "\"}";
    size_t fixed = strlen(head) + strlen(tail);
    char *s = malloc(len + strlen(terminator) + 1);
    strcpy(s, head);
    memset(s + strlen(head), 'p', len - fixed);
    strcpy(s + len - strlen(tail), tail);
    strcat(s, terminator);
    return s;
}

static void test_oversized(void)
{
    ctl_limits limits = {.max_request_bytes = 1024};
    CHECK_INT(start_server(&limits), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    /* exactly at the limit, with \n and with \r\n: answered */
    char *req = request_of_length(1024, "\n");
    CHECK(tc_sends(&tc, req));
    free(req);
    req = request_of_length(1024, "\r\n");
    CHECK(tc_sends(&tc, req));
    free(req);
    for (int i = 0; i < 2; i++) {
        json_t *ok = tc_read_reply(&tc);
        CHECK(ok && reply_ok(ok));
        json_decref(ok);
    }
    /* one byte over: error, then close */
    req = request_of_length(1025, "\n");
    CHECK(tc_sends(&tc, req));
    free(req);
    json_t *reply = tc_read_reply(&tc);
    CHECK_STR(reply_error(reply), "request too large (limit 1024 bytes)");
    json_decref(reply);
    CHECK(tc_wait_closed(&tc, 2000));
    tc_close(&tc);

    /* a line that never ends is refused once it cannot fit, without waiting for "\n" */
    CHECK(tc_connect(&tc));
    char big[4000];
    memset(big, 'a', sizeof big);
    CHECK(tc_send(&tc, big, sizeof big));
    reply = tc_read_reply(&tc);
    CHECK_STR(reply_error(reply), "request too large (limit 1024 bytes)");
    json_decref(reply);
    CHECK(tc_wait_closed(&tc, 2000));
    tc_close(&tc);
    pump(20);
    CHECK_INT(ctl_server_clients(srv), 0);
    stop_server();
}

static void test_too_many_clients(void)
{
    ctl_limits limits = {.max_clients = 2};
    CHECK_INT(start_server(&limits), 0);
    tclient a, b, c, d;
    CHECK(tc_connect(&a) && roundtrip_ok(&a));
    CHECK(tc_connect(&b) && roundtrip_ok(&b));
    CHECK_INT(ctl_server_clients(srv), 2);
    CHECK(tc_connect(&c));
    char *line = tc_read_line(&c, 3000);
    CHECK_STR(line, "{\"ok\":false,\"error\":\"too many clients\"}");
    free(line);
    CHECK(tc_wait_closed(&c, 2000));
    tc_close(&c);
    CHECK_INT(ctl_server_clients(srv), 2);
    CHECK(roundtrip_ok(&a) && roundtrip_ok(&b)); /* the others are unaffected */
    /* a slot freed is a slot reusable */
    tc_close(&a);
    pump(20);
    CHECK_INT(ctl_server_clients(srv), 1);
    CHECK(tc_connect(&d) && roundtrip_ok(&d));
    CHECK_INT(ctl_server_clients(srv), 2);
    tc_close(&b);
    tc_close(&d);
    stop_server();
}

static void test_idle_timeout(void)
{
    ctl_limits limits = {.idle_timeout_ms = 200};
    CHECK_INT(start_server(&limits), 0);
    tclient silent, busy;
    CHECK(tc_connect(&silent));
    CHECK(tc_connect(&busy));
    for (int i = 0; i < 5; i++) { /* 5 x 100 ms: busy stays, silent goes */
        pump(100);
        CHECK(roundtrip_ok(&busy));
    }
    json_t *reply = tc_read_reply(&silent);
    CHECK(reply_error(reply) && strstr(reply_error(reply), "idle timeout"));
    json_decref(reply);
    CHECK(tc_wait_closed(&silent, 1000));
    CHECK_INT(ctl_server_clients(srv), 1);
    CHECK(roundtrip_ok(&busy));
    tc_close(&silent);
    tc_close(&busy);
    stop_server();
}

static void test_eof_answers_last_line(void)
{
    CHECK_INT(start_server(NULL), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    CHECK(tc_sends(&tc, "{\"cmd\":\"echo\",\"seq\":1}\n{\"cmd\":\"echo\",\"seq\":2}"));
    shutdown(tc.fd, SHUT_WR);
    json_t *reply = tc_read_reply(&tc);
    CHECK_INT(json_integer_value(json_object_get(reply, "seq")), 1);
    json_decref(reply);
    reply = tc_read_reply(&tc);
    CHECK_INT(json_integer_value(json_object_get(reply, "seq")), 2);
    json_decref(reply);
    CHECK(tc_wait_closed(&tc, 2000));
    tc_close(&tc);
    stop_server();
}

static void test_backpressure(void)
{
    /* high water = 64 KiB / 8 = 8 KiB; 200 replies of 10 KiB = 2 MB if nobody held back */
    ctl_limits limits = {.max_output_bytes = 65536};
    CHECK_INT(start_server(&limits), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    for (int i = 0; i < 200; i++) {
        char req[128];
        snprintf(req, sizeof req, "{\"cmd\":\"blob\",\"seq\":%d,\"size\":10240}\n", i);
        CHECK(tc_sends(&tc, req));
    }
    size_t peak = 0;
    for (int i = 0; i < 30; i++) {
        pump(10);
        size_t queued = ctl_server_output_bytes(srv);
        peak = queued > peak ? queued : peak;
    }
    CHECK(peak > 0);                   /* the client's socket buffer really filled up */
    CHECK(peak < 8192 + 10240 + 1024); /* ... and the server then stopped answering */
    CHECK_INT(ctl_server_clients(srv), 1);
    /* a reader now gets every reply, in order */
    for (int i = 0; i < 200; i++) {
        json_t *reply = tc_read_reply(&tc);
        CHECK(reply != NULL);
        if (!reply)
            break;
        CHECK_INT(json_integer_value(json_object_get(reply, "seq")), i);
        CHECK_INT(strlen(json_string_value(json_object_get(reply, "data"))), 10240);
        json_decref(reply);
        size_t queued = ctl_server_output_bytes(srv);
        peak = queued > peak ? queued : peak;
    }
    CHECK(peak < 8192 + 10240 + 1024);
    CHECK(roundtrip_ok(&tc));
    tc_close(&tc);
    stop_server();
}

static void test_output_cap(void)
{
    ctl_limits limits = {.max_output_bytes = 65536};
    CHECK_INT(start_server(&limits), 0);
    tclient tc;
    CHECK(tc_connect(&tc));
    /* a single reply larger than the cap into an empty queue is delivered */
    CHECK(tc_sends(&tc, "{\"cmd\":\"blob\",\"seq\":1,\"size\":200000}\n"));
    json_t *reply = tc_read_reply(&tc);
    CHECK(reply && strlen(json_string_value(json_object_get(reply, "data"))) == 200000);
    json_decref(reply);
    /* fill the client's socket buffer with small replies until the server has to queue */
    char batch[50 * 16 + 1] = "";
    for (int i = 0; i < 50; i++)
        strcat(batch, "{\"cmd\":\"echo\"}\n");
    int sent = 0;
    while (ctl_server_output_bytes(srv) == 0 && sent < 100000) {
        CHECK(tc_sends(&tc, batch));
        sent += 50;
        pump(2);
    }
    CHECK(ctl_server_output_bytes(srv) > 0);
    CHECK_INT(ctl_server_clients(srv), 1);
    /* a reply that would take the queue past the cap closes the client that is not reading */
    CHECK(tc_sends(&tc, "{\"cmd\":\"blob\",\"size\":100000}\n"));
    pump(50);
    CHECK_INT(ctl_server_clients(srv), 0);
    CHECK_INT(ctl_server_output_bytes(srv), 0);
    CHECK(tc_wait_closed(&tc, 2000));
    tc_close(&tc);
    stop_server();
}

static void test_socket_mode(void)
{
    mode_t old = umask(0); /* the server must not inherit a permissive umask */
    int r = start_server(NULL);
    mode_t during = umask(old);
    CHECK_INT(r, 0);
    CHECK_INT(during, 0); /* and it puts the umask back */
    struct stat st;
    CHECK(lstat(sock_path, &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_INT(st.st_mode & 07777, 0660);
    stop_server();
}

static void test_stale_socket_replaced(void)
{
    /* a socket file nobody listens on, as a killed daemon leaves behind */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    close(fd);
    struct stat st;
    CHECK(lstat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode));
    CHECK_INT(start_server(NULL), 0);
    tclient tc;
    CHECK(tc_connect(&tc) && roundtrip_ok(&tc));
    tc_close(&tc);
    stop_server();
}

static void test_live_socket_refused(void)
{
    CHECK_INT(start_server(NULL), 0);
    ctl_server *first = srv, *second = NULL;
    char err[512] = "", expect[512];
    int r = ctl_server_start(&loop, sock_path, NULL, test_handler, NULL, &second, err, sizeof err);
    CHECK_INT(r, -EADDRINUSE);
    CHECK(second == NULL);
    snprintf(expect, sizeof expect, "another ingestd is listening on %s", sock_path);
    CHECK_STR(err, expect);
    srv = first; /* the first one still serves */
    tclient tc;
    CHECK(tc_connect(&tc) && roundtrip_ok(&tc));
    tc_close(&tc);
    stop_server();
}

static void test_path_errors(void)
{
    char err[512] = "", expect[512], path[256];
    ctl_server *s = NULL;

    snprintf(path, sizeof path, "%s/nope/x.sock", tmpdir);
    int r = ctl_server_start(&loop, path, NULL, test_handler, NULL, &s, err, sizeof err);
    CHECK_INT(r, -ENOENT);
    snprintf(expect, sizeof expect, "control socket %s: no such directory %s/nope", path, tmpdir);
    CHECK_STR(err, expect);

    /* a regular file in the way is not deleted */
    snprintf(path, sizeof path, "%s/file", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("keep me", f);
    fclose(f);
    r = ctl_server_start(&loop, path, NULL, test_handler, NULL, &s, err, sizeof err);
    CHECK_INT(r, -EEXIST);
    CHECK(strstr(err, "not a socket") != NULL);
    struct stat st;
    CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
    unlink(path);

    /* a path that does not fit in sun_path is refused rather than truncated */
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    r = ctl_server_start(&loop, longpath, NULL, test_handler, NULL, &s, err, sizeof err);
    CHECK_INT(r, -ENAMETOOLONG);
    CHECK(s == NULL);
    CHECK(!uv_loop_alive(&loop));
}

static void test_close_from_handler(void)
{
    CHECK_INT(start_server(NULL), 0);
    tclient tc, other;
    CHECK(tc_connect(&tc));
    CHECK(tc_connect(&other));
    CHECK(tc_sends(&tc, "{\"cmd\":\"close\"}\n{\"cmd\":\"echo\"}\n"));
    json_t *reply = tc_read_reply(&tc);
    CHECK(reply && reply_ok(reply) && json_is_true(json_object_get(reply, "bye")));
    json_decref(reply);
    char *line = tc_read_line(&tc, 200); /* nothing after the server closed */
    CHECK(line == NULL);
    free(line);
    CHECK(tc_wait_closed(&tc, 2000));
    CHECK(tc_wait_closed(&other, 2000));
    struct stat st;
    CHECK(lstat(sock_path, &st) < 0 && errno == ENOENT);
    tc_close(&tc);
    tc_close(&other);
    srv = NULL; /* already closed by the handler */
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(!uv_loop_alive(&loop));
}

static void test_close_keeps_successor_socket(void)
{
    CHECK_INT(start_server(NULL), 0);
    /* someone replaced the file (a new daemon after ours was considered dead) */
    unlink(sock_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    ctl_server_close(srv);
    srv = NULL;
    uv_run(&loop, UV_RUN_DEFAULT);
    struct stat st;
    CHECK(lstat(sock_path, &st) == 0); /* not ours: left alone */
    close(fd);
    unlink(sock_path);
}

static void test_ctl_error(void)
{
    json_t *e = ctl_error("bad %s in %d", "\xff\xc3\xa9", 3);
    CHECK(json_is_false(json_object_get(e, "ok")));
    CHECK_STR(reply_error(e), "bad ?\xc3\xa9 in 3");
    json_decref(e);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ctltest.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(sock_path, sizeof sock_path, "%s/control.sock", tmpdir);
    uv_loop_init(&loop);

    RUN(test_ctl_error);
    RUN(test_good_request);
    RUN(test_handler_bad_replies);
    RUN(test_bad_requests);
    RUN(test_pipelined_and_blank);
    RUN(test_split_request);
    RUN(test_oversized);
    RUN(test_too_many_clients);
    RUN(test_idle_timeout);
    RUN(test_eof_answers_last_line);
    RUN(test_backpressure);
    RUN(test_output_cap);
    RUN(test_socket_mode);
    RUN(test_stale_socket_replaced);
    RUN(test_live_socket_refused);
    RUN(test_path_errors);
    RUN(test_close_from_handler);
    RUN(test_close_keeps_successor_socket);

    CHECK_INT(uv_loop_close(&loop), 0);
    rmdir(tmpdir);
    return TEST_SUMMARY();
}
