/*
 * quarantine - poison-article protection: remember which article a worker was processing when
 * the daemon crashed (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), and at the next start take an
 * article that crashed the daemon `threshold` times out of the way (a `failures` row of stage
 * "quarantine" with the signal and the module the crash happened in; the file goes to failed/).
 *
 * The crash file (the database path + ".crashes") holds one line per crash, written by the
 * signal handler with write(2) only:
 *   "crash <signo> <module> <dev> <ino> <size> <mtime_ns> <hex of the path>\n"
 * The module is the basename of the shared object (plugin .so, libc, ingestd) that holds the
 * faulting instruction, from a table of loaded objects taken at quarantine_install.
 */
#ifndef INGESTD_QUARANTINE_H
#define INGESTD_QUARANTINE_H

#include <stddef.h>

#include "store.h"

/* Open (create) the crash file at crash_path for appending and install the fatal-signal
 * handler; takes the table of loaded objects (call after the plugins are loaded; call again to
 * refresh it after a reload loads new ones). Loop thread, before the workers start.
 * Returns 0 or -errno (the crash file cannot be opened; no handler is installed then). */
int quarantine_install(const char *crash_path);

/* Re-take the table of loaded objects (after plugins were loaded or unloaded). Loop thread;
 * workers must not be inside a plugin that is being unloaded. */
void quarantine_refresh_modules(void);

/* Mark the calling worker thread as processing the file at path, whose identity (filled in
 * while it is read) is at *ident; both must stay valid until quarantine_leave. Any thread;
 * cheap (two thread-local stores; the first call on a thread also gives it a signal stack so
 * that a stack overflow is recorded too). */
void quarantine_enter(const char *path, const store_file_identity *ident);
/* The calling thread is no longer processing a file. */
void quarantine_leave(void);

/* Called for each quarantined file after its failure row is committed: the owner moves the
 * file out of the watched folder (or leaves it; its identity is remembered either way). */
typedef void (*quarantine_ack_fn)(void *ctx, const char *path);

/* Read the crash file: every file that crashed the daemon at least `threshold` times and is
 * still at its path with the same identity is committed to st as a failure (stage
 * "quarantine", plugin = the module of the last crash, reason naming the signal and the count,
 * the original bytes up to max_bytes) and handed to ack. Lines of files that are gone, changed
 * or quarantined are dropped; the others are kept for the next start. Loop thread, before
 * intake starts. Returns the number quarantined (>= 0), or -errno when the crash file cannot
 * be rewritten or the store refuses a failure (the file then stays for the next start). A
 * missing crash file is 0. */
int quarantine_recover(store *st, const char *crash_path, unsigned threshold, long long max_bytes,
                       quarantine_ack_fn ack, void *ctx);

#endif
