/*
 * crashpoint - see crashpoint.h. Used by the crash-recovery tests; inert in normal runs.
 */
#include "crashpoint.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *crashpoint_armed;
static atomic_long crashpoint_remaining;

void crashpoint_init(void)
{
    const char *name = getenv("INGESTD_CRASHPOINT");
    if (!name || !*name)
        return;
    const char *count = getenv("INGESTD_CRASHPOINT_COUNT");
    long n = count ? strtol(count, NULL, 10) : 1;
    atomic_store(&crashpoint_remaining, n > 0 ? n : 1);
    crashpoint_armed = name;
}

void crashpoint_hit(const char *name)
{
    if (strcmp(name, crashpoint_armed) != 0)
        return;
    if (atomic_fetch_sub(&crashpoint_remaining, 1) == 1)
        kill(getpid(), SIGKILL);
}
