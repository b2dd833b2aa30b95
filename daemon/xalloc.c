/*
 * xalloc - aborting allocation wrappers.
 */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xalloc_die(const char *file, int line)
{
    fprintf(stderr, "<2>ingestd: out of memory at %s:%d\n", file, line);
    abort();
}

void *xmalloc_at(size_t n, const char *file, int line)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        xalloc_die(file, line);
    return p;
}

void *xcalloc_at(size_t n, size_t size, const char *file, int line)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        xalloc_die(file, line);
    return p;
}

void *xrealloc_at(void *p, size_t n, const char *file, int line)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        xalloc_die(file, line);
    return q;
}

char *xstrdup_at(const char *s, const char *file, int line)
{
    size_t n = strlen(s);
    char *p = xmalloc_at(n + 1, file, line);
    memcpy(p, s, n + 1);
    return p;
}

char *xstrndup_at(const char *s, size_t n, const char *file, int line)
{
    char *p = xmalloc_at(n + 1, file, line);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
