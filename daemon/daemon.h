/*
 * daemon - the long-running service: owns the loop, the configuration, the plugin chain, the
 * store, the folder watcher and the control socket, and moves every article from claim to
 * commit to acknowledgement.
 *
 * Thread rule: all daemon state lives on the loop thread; workers only run intake jobs.
 */
#ifndef INGESTD_DAEMON_H
#define INGESTD_DAEMON_H

/* Exit codes of the daemon and the one-shot mode. */
enum {
    DAEMON_EXIT_OK = 0,
    DAEMON_EXIT_FAILURE = 1, /* runtime failure (or, in one-shot mode, some input failed) */
    DAEMON_EXIT_USAGE = 2,
    DAEMON_EXIT_CONFIG = 78, /* EX_CONFIG: bad configuration or plugin chain */
};

/* Load the configuration at config_path, start everything, serve until SIGTERM/SIGINT or the
 * `shutdown` command, drain and commit in-flight work, and return an exit code. Errors at start
 * are printed as one line on stderr. */
int daemon_run(const char *config_path);

#endif
