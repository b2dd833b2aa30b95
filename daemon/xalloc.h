/*
 * xalloc - allocation that never returns NULL: on exhaustion the process logs file:line and
 * aborts (the h2o rule: out-of-memory is not a condition we can serve through).
 */
#ifndef INGESTD_XALLOC_H
#define INGESTD_XALLOC_H

#include <stddef.h>

_Noreturn void xalloc_die(const char *file, int line);
void *xmalloc_at(size_t n, const char *file, int line);
void *xcalloc_at(size_t n, size_t size, const char *file, int line);
void *xrealloc_at(void *p, size_t n, const char *file, int line);
char *xstrdup_at(const char *s, const char *file, int line);
char *xstrndup_at(const char *s, size_t n, const char *file, int line);

#define xmalloc(n)     xmalloc_at((n), __FILE__, __LINE__)
#define xcalloc(n, s)  xcalloc_at((n), (s), __FILE__, __LINE__)
#define xrealloc(p, n) xrealloc_at((p), (n), __FILE__, __LINE__)
#define xstrdup(s)     xstrdup_at((s), __FILE__, __LINE__)
#define xstrndup(s, n) xstrndup_at((s), (n), __FILE__, __LINE__)

#endif
