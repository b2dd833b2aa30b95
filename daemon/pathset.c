/*
 * pathset - open addressing with linear probing and tombstones; grows at 50% load, so memory is
 * proportional to the number of paths pending or in flight (bounded by the daemon's limits).
 */
#include "pathset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define TOMBSTONE ((char *)(uintptr_t)1)

struct pathset {
    char **slots;
    size_t cap; /* power of two */
    size_t count;
    size_t used; /* count + tombstones */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

pathset *pathset_new(void)
{
    pathset *s = xcalloc(1, sizeof *s);
    s->cap = 64;
    s->slots = xcalloc(s->cap, sizeof *s->slots);
    return s;
}

void pathset_free(pathset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i] && s->slots[i] != TOMBSTONE)
            free(s->slots[i]);
    free(s->slots);
    free(s);
}

static size_t find_slot(const pathset *s, const char *key, bool *found)
{
    size_t mask = s->cap - 1, i = hash_str(key) & mask, first_free = SIZE_MAX;
    for (;;) {
        char *v = s->slots[i];
        if (!v) {
            *found = false;
            return first_free != SIZE_MAX ? first_free : i;
        }
        if (v == TOMBSTONE) {
            if (first_free == SIZE_MAX)
                first_free = i;
        } else if (strcmp(v, key) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static void grow(pathset *s)
{
    size_t old_cap = s->cap;
    char **old = s->slots;
    if (s->count * 4 >= s->cap)
        s->cap *= 2; /* otherwise only tombstones are cleared */
    s->slots = xcalloc(s->cap, sizeof *s->slots);
    s->used = s->count;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i] && old[i] != TOMBSTONE) {
            bool found;
            s->slots[find_slot(s, old[i], &found)] = old[i];
        }
    }
    free(old);
}

bool pathset_add(pathset *s, const char *key)
{
    if ((s->used + 1) * 2 > s->cap)
        grow(s);
    bool found;
    size_t i = find_slot(s, key, &found);
    if (found)
        return false;
    if (!s->slots[i])
        s->used++;
    s->slots[i] = xstrdup(key);
    s->count++;
    return true;
}

bool pathset_has(const pathset *s, const char *key)
{
    bool found;
    find_slot(s, key, &found);
    return found;
}

bool pathset_remove(pathset *s, const char *key)
{
    bool found;
    size_t i = find_slot(s, key, &found);
    if (!found)
        return false;
    free(s->slots[i]);
    s->slots[i] = TOMBSTONE;
    s->count--;
    return true;
}

size_t pathset_count(const pathset *s)
{
    return s->count;
}
