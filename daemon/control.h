/*
 * control - the control socket server: a Unix stream socket speaking one JSON object per line
 * in each direction (protocol in README "Control protocol").
 *
 * Thread rule: everything here runs on the loop thread. The server parses each request line,
 * answers malformed or oversized ones itself with {"ok":false,"error":...}, and hands well-formed
 * requests to the daemon's handler. Limits: request line size, number of clients, idle time,
 * queued reply bytes; a slow or hostile client never blocks the loop nor grows memory without
 * bound.
 *
 * Wire rules: lines end with "\n" ("\r\n" is accepted); blank lines are ignored; several
 * requests may arrive in one read (pipelining) and one request across many reads; replies come
 * in request order. When the client half-closes, a final line without "\n" is still answered,
 * then the server closes once the replies are written.
 *
 * Output flow control: while a client's unsent replies exceed max_output_bytes / 8, the server
 * stops reading and answering that client (its requests wait in the socket); a reply that would
 * push unsent output past max_output_bytes closes the client. A single reply into an empty
 * queue is always accepted, whatever its size (e.g. the raw bytes of a large article).
 *
 * The process must ignore SIGPIPE (libuv writes to the socket with write(2)).
 */
#ifndef INGESTD_CONTROL_H
#define INGESTD_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <uv.h>

#define CTL_PROTOCOL_VERSION 1

#define CTL_DEFAULT_MAX_REQUEST_BYTES 65536
#define CTL_DEFAULT_MAX_CLIENTS       64
#define CTL_DEFAULT_IDLE_TIMEOUT_MS   60000
#define CTL_DEFAULT_MAX_OUTPUT_BYTES  (8u * 1024 * 1024)

typedef struct ctl_server ctl_server;

/* A field left 0 takes its default. */
typedef struct ctl_limits {
    size_t max_request_bytes; /* default 65536: longer lines get an error reply, then close */
    unsigned max_clients;     /* default 64: more are answered with an error and closed */
    unsigned idle_timeout_ms; /* default 60000: a silent client is told so, then closed */
    size_t max_output_bytes;  /* default 8 MiB: unsent replies per client (see above) */
} ctl_limits;

/* Called on the loop thread for each well-formed request (a JSON object whose "cmd" is a
 * string). request is borrowed (valid during the call; cmd points into it). Returns a new reply
 * object, ownership passes to the server; the server puts "ok": true first unless the handler
 * already set "ok". Use ctl_error() for failures. NULL or a non-object becomes an "internal
 * error" reply. The handler may call ctl_server_close(); its reply is still delivered. */
typedef json_t *(*ctl_handler)(void *ctx, const char *cmd, json_t *request);

/* Bind and listen at path (mode 0660; the folder must exist). A stale socket file (nothing
 * listening) is replaced; a live one is an error ("another ingestd is listening on PATH"); a
 * file that is not a socket is left alone and is an error. Returns 0 and the server in *out, or
 * a negative errno with a one-line message in err (nothing to clean up then). limits may be NULL
 * for defaults. Loop thread; not reentrant with other code that changes the umask. */
int ctl_server_start(uv_loop_t *loop, const char *path, const ctl_limits *limits,
                     ctl_handler handler, void *ctx, ctl_server **out, char *err, size_t errlen);

/* Stop listening, unlink the socket file (if it is still ours), stop reading every client and
 * close each once its queued replies are written (at most 1 s later); frees the server once
 * libuv has closed all handles (the loop must keep running until then). The handler is not
 * called again. NULL or a second call is a no-op. */
void ctl_server_close(ctl_server *srv);

/* Number of connected clients, not counting refused extras or clients being closed. */
unsigned ctl_server_clients(const ctl_server *srv);

/* Reply bytes accepted but not yet handed to the kernel, summed over all clients (for stats and
 * tests). */
size_t ctl_server_output_bytes(const ctl_server *srv);

/* {"ok": false, "error": "<formatted message>"}; a new reference. Bytes of the message that are
 * not valid UTF-8 become '?'. Never fails (allocation failure aborts). Any thread. */
json_t *ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse one request line and produce its reply: an error reply for malformed JSON, a non-object
 * or a missing/non-string "cmd", otherwise the handler's reply with "ok" first. Returns NULL
 * for a blank line (no reply). Caller owns the reply. Loop thread (or any single thread). */
json_t *ctl_dispatch_line(const char *line, size_t len, ctl_handler handler, void *ctx);

#endif
