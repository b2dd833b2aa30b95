/*
 * log - stderr logging with syslog priority prefixes for journald.
 */
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static atomic_int current_level = LOG_LVL_INFO;

void log_set_level(int level)
{
    atomic_store(&current_level, level);
}

int log_level(void)
{
    return atomic_load(&current_level);
}

int log_level_from_name(const char *name)
{
    static const struct {
        const char *name;
        int level;
    } names[] = {{"error", LOG_LVL_ERR},
                 {"warning", LOG_LVL_WARNING},
                 {"notice", LOG_LVL_NOTICE},
                 {"info", LOG_LVL_INFO},
                 {"debug", LOG_LVL_DEBUG}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].level;
    return -1;
}

void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
{
    if (level > atomic_load(&current_level))
        return;
    char line[2048];
    int n = snprintf(line, sizeof line, "<%d>%s", level, prefix ? prefix : "");
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    size_t len = m < 0 ? (size_t)n : (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    /* one event, one line: fold embedded newlines */
    for (size_t i = 0; i < len; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}

void log_msg(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, NULL, fmt, ap);
    va_end(ap);
}
