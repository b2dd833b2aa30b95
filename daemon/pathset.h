/*
 * pathset - a set of strings (file paths) with O(1) insert, lookup and removal.
 *
 * Owned by one thread (the loop thread in the daemon); not thread-safe. Strings are copied.
 */
#ifndef INGESTD_PATHSET_H
#define INGESTD_PATHSET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pathset pathset;

pathset *pathset_new(void);
void pathset_free(pathset *s);
/* Insert a copy of key; returns true when it was not present before. */
bool pathset_add(pathset *s, const char *key);
bool pathset_has(const pathset *s, const char *key);
/* Remove key; returns true when it was present. */
bool pathset_remove(pathset *s, const char *key);
size_t pathset_count(const pathset *s);

#endif
