/*
 * notify - the systemd notification protocol (sd_notify) without libsystemd: one datagram to
 * $NOTIFY_SOCKET per state change ("READY=1", "STOPPING=1", "STATUS=..."). A no-op when the
 * daemon does not run under a Type=notify unit. Loop thread only.
 */
#ifndef INGESTD_NOTIFY_H
#define INGESTD_NOTIFY_H

/* Send `state` (newline-separated KEY=VALUE assignments). Returns 0, or a negative errno;
 * 0 as well when $NOTIFY_SOCKET is unset. */
int notify_send(const char *state);

#endif
