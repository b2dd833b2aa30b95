/*
 * log - one line per event on stderr, with a syslog priority prefix ("<3>", "<6>", ...) that
 * journald turns into the entry's priority. Thread-safe (each line is one stdio call).
 */
#ifndef INGESTD_LOG_H
#define INGESTD_LOG_H

#include <stdarg.h>

enum {
    LOG_LVL_ERR = 3,
    LOG_LVL_WARNING = 4,
    LOG_LVL_NOTICE = 5,
    LOG_LVL_INFO = 6,
    LOG_LVL_DEBUG = 7
};

/* Lines above this level are not written. Set once at start (and on reload). */
void log_set_level(int level);
int log_level(void);

/* Parse "error", "warning", "notice", "info", "debug"; -1 when unknown. */
int log_level_from_name(const char *name);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap);

#define log_err(...)    log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
