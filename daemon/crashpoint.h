/*
 * crashpoint - named points in the commit path where a test can kill the daemon.
 *
 * When the environment variable INGESTD_CRASHPOINT names a point (e.g.
 * "store.after_commit"), the process sends itself SIGKILL the Nth time it reaches it, N being
 * INGESTD_CRASHPOINT_COUNT (default 1). Read once at start; costs one pointer compare otherwise.
 * crashpoint_init is called on the loop thread before other threads start; CRASHPOINT is safe
 * from any thread.
 */
#ifndef INGESTD_CRASHPOINT_H
#define INGESTD_CRASHPOINT_H

void crashpoint_init(void);
void crashpoint_hit(const char *name);

extern const char *crashpoint_armed;

#define CRASHPOINT(name)                                                                           \
    do {                                                                                           \
        if (crashpoint_armed)                                                                      \
            crashpoint_hit(name);                                                                  \
    } while (0)

#endif
