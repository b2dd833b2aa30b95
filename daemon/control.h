/*
 * control - the control socket server: a Unix stream socket speaking one JSON object per line
 * in each direction (protocol in README "Control protocol").
 *
 * Thread rule: everything here runs on the loop thread. The server parses each request line,
 * answers malformed or oversized ones itself with {"ok":false,"error":...}, and hands well-formed
 * requests to the daemon's handler. Limits: request line size, number of clients, idle time;
 * a slow or hostile client never blocks the loop.
 */
#ifndef INGESTD_CONTROL_H
#define INGESTD_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <uv.h>

#define CTL_PROTOCOL_VERSION 1

typedef struct ctl_server ctl_server;

typedef struct ctl_limits {
    size_t max_request_bytes; /* default 65536: longer lines get an error reply, then close */
    unsigned max_clients;     /* default 64: more are answered with an error and closed */
    unsigned idle_timeout_ms; /* default 60000: a silent client is disconnected */
} ctl_limits;

/* Called on the loop thread for each well-formed request (a JSON object whose "cmd" is a
 * string). Returns a new reply object, ownership passes to the server; the server sets "ok":
 * true unless the handler already set "ok". Use ctl_error() for failures. */
typedef json_t *(*ctl_handler)(void *ctx, const char *cmd, json_t *request);

/* Bind and listen at path (mode 0660). A stale socket file (nothing listening) is replaced; a
 * live one is an error ("another ingestd is running"). Returns 0 or a negative errno with a
 * message in err. limits may be NULL for defaults. */
int ctl_server_start(uv_loop_t *loop, const char *path, const ctl_limits *limits,
                     ctl_handler handler, void *ctx, ctl_server **out, char *err, size_t errlen);

/* Stop listening, close every client, unlink the socket file; frees the server once libuv has
 * closed all handles (the loop must keep running until then). NULL is a no-op. */
void ctl_server_close(ctl_server *srv);

/* Number of connected clients. */
unsigned ctl_server_clients(const ctl_server *srv);

/* {"ok": false, "error": "<formatted message>"}. */
json_t *ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
