/*
 * learn - per-source boilerplate learning (see learn.h). Part of the cleanup plugin.
 *
 * Sources live in an open-addressed table of max_sources * 2 slots keyed by the source hash;
 * each holds a lazily allocated open-addressed line table (hash -> article count). Hash 0 marks
 * an empty slot, so a real hash of 0 is stored as 1.
 */
#include "learn.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

typedef struct bl_line {
    uint64_t hash;
    uint32_t count;
} bl_line;

typedef struct bl_source {
    uint64_t key; /* 0 = empty slot */
    uint32_t articles;
    uint32_t n_lines;
    bl_line *lines; /* BL_LINES_PER_SOURCE slots */
} bl_source;

struct bl_learner {
    bl_config cfg;
    pthread_mutex_t lock;
    bl_source *sources;
    size_t source_cap; /* power of two, >= 2 * max_sources */
    size_t n_sources;
};

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
}

bl_learner *bl_new(const bl_config *cfg)
{
    bl_learner *l = tb_xcalloc(1, sizeof *l);
    l->cfg = *cfg;
    pthread_mutex_init(&l->lock, NULL);
    size_t cap = 16;
    while (cap < 2 * (size_t)cfg->max_sources)
        cap *= 2;
    l->source_cap = cap;
    l->sources = tb_xcalloc(cap, sizeof *l->sources);
    return l;
}

void bl_free(bl_learner *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->source_cap; i++)
        free(l->sources[i].lines);
    free(l->sources);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/* The source's slot, created when there is room; NULL when the learner is full. */
static bl_source *find_source(bl_learner *l, uint64_t key)
{
    size_t i = (size_t)mix(key) & (l->source_cap - 1);
    while (l->sources[i].key) {
        if (l->sources[i].key == key)
            return &l->sources[i];
        i = (i + 1) & (l->source_cap - 1);
    }
    if (l->n_sources >= l->cfg.max_sources)
        return NULL;
    l->n_sources++;
    l->sources[i].key = key;
    l->sources[i].lines = tb_xcalloc(BL_LINES_PER_SOURCE, sizeof(bl_line));
    return &l->sources[i];
}

/* The line's slot in the source (an empty one when absent), or NULL when the table is full
 * and the line is absent. */
static bl_line *find_line(bl_source *s, uint64_t hash)
{
    size_t i = (size_t)mix(hash) & (BL_LINES_PER_SOURCE - 1);
    for (size_t probes = 0; probes < BL_LINES_PER_SOURCE; probes++) {
        if (s->lines[i].hash == hash || s->lines[i].hash == 0)
            return &s->lines[i];
        i = (i + 1) & (BL_LINES_PER_SOURCE - 1);
    }
    return NULL;
}

/* Halve every count and the article count; lines that drop to zero are forgotten. */
static void decay(bl_source *s)
{
    bl_line *old = s->lines;
    s->lines = tb_xcalloc(BL_LINES_PER_SOURCE, sizeof(bl_line));
    s->n_lines = 0;
    for (size_t i = 0; i < BL_LINES_PER_SOURCE; i++) {
        if (!old[i].hash || old[i].count / 2 == 0)
            continue;
        bl_line *slot = find_line(s, old[i].hash);
        slot->hash = old[i].hash;
        slot->count = old[i].count / 2;
        s->n_lines++;
    }
    free(old);
    s->articles /= 2;
}

size_t bl_observe(bl_learner *l, uint64_t source, const uint64_t *hashes, size_t n, bool *learned)
{
    memset(learned, 0, n * sizeof *learned);
    if (!source)
        source = 1;
    size_t found = 0;
    pthread_mutex_lock(&l->lock);
    bl_source *s = find_source(l, source);
    if (s) {
        bool ripe = s->articles >= l->cfg.min_articles;
        double need = l->cfg.share * s->articles;
        for (size_t i = 0; i < n; i++) {
            uint64_t h = hashes[i] ? hashes[i] : 1;
            bl_line *slot = find_line(s, h);
            if (!slot)
                continue; /* full: this line is not tracked until the next decay */
            if (slot->hash == 0) {
                if (s->n_lines >= BL_LINES_PER_SOURCE * 3 / 4)
                    continue; /* keep the table sparse enough to probe quickly */
                slot->hash = h;
                s->n_lines++;
            }
            if (ripe && (double)slot->count >= need) {
                learned[i] = true;
                found++;
            }
            slot->count++;
        }
        s->articles++;
        if (s->articles >= 4 * l->cfg.min_articles)
            decay(s);
    }
    pthread_mutex_unlock(&l->lock);
    return found;
}

uint64_t bl_source_key(const char *source, size_t len)
{
    size_t end = len;
    const char *scheme = len >= 3 ? memchr(source, ':', len) : NULL;
    if (scheme && (size_t)(scheme - source) + 3 <= len && scheme[1] == '/' && scheme[2] == '/') {
        const char *host = scheme + 3;
        const char *slash = memchr(host, '/', len - (size_t)(host - source));
        end = slash ? (size_t)(slash - source) : len;
    } else {
        const char *last = NULL;
        for (const char *p = source; (p = memchr(p, '/', len - (size_t)(p - source))) != NULL; p++)
            last = p;
        if (last)
            end = (size_t)(last - source);
    }
    /* FNV-1a, then a final mix. */
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < end; i++) {
        h ^= (unsigned char)source[i];
        h *= 0x100000001B3ull;
    }
    return mix(h) | 1;
}
