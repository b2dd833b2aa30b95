/*
 * learn - per-source boilerplate learning for the cleanup plugin: a short line that recurs in
 * most articles of one source (a site's footer, its "follow us" line, a fixed disclaimer) is
 * boilerplate for that source, even when no table knows it.
 *
 * The learner keeps, per source (a watched folder or a feed host, hashed to 64 bits), the
 * number of articles seen and, for each distinct short line (by 64-bit hash of its
 * whitespace-collapsed text), the number of articles it appeared in. A line is reported as
 * learned once the source has at least `min_articles` articles and the line appeared in at
 * least `share` of them. Decisions use the counts from before the current article, then the
 * article's lines are added.
 *
 * Memory is bounded: at most `max_sources` sources (later sources are not learned) and
 * BL_LINES_PER_SOURCE line slots per source, allocated when a source is first seen (about
 * 32 KB per source, 8 MB for the default 256 sources). Counts are halved (and lines seen once
 * forgotten) every 4 * min_articles articles of a source, so the table keeps room for new lines
 * and follows a site's changes.
 *
 * Thread safety: bl_observe may be called from any number of threads at once; one mutex guards
 * the whole learner for the few microseconds an article's lines take. bl_new and bl_free run on
 * the loop thread (plugin init and destroy).
 */
#ifndef CLEANUP_LEARN_H
#define CLEANUP_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BL_LINES_PER_SOURCE 2048 /* slots of one source's line table (a power of two) */
#define BL_MAX_LINES        256  /* lines of one article that are counted */

typedef struct bl_learner bl_learner;

typedef struct bl_config {
    unsigned min_articles; /* articles of a source before anything is learned (>= 2) */
    double share;          /* share of those articles a line must appear in (0 < share <= 1) */
    unsigned max_sources;  /* sources tracked at most */
} bl_config;

/* A learner (owned by the caller, freed with bl_free). Aborts on allocation failure. */
bl_learner *bl_new(const bl_config *cfg);
void bl_free(bl_learner *l);

/* For one article of `source`: sets learned[i] for each hashes[i] (distinct, n <=
 * BL_MAX_LINES) that is boilerplate for that source by the counts so far, then counts the
 * article. Returns the number of lines set. Never fails (an untracked source learns nothing). */
size_t bl_observe(bl_learner *l, uint64_t source, const uint64_t *hashes, size_t n, bool *learned);

/* 64-bit key of a record's source: the folder of a file path (text up to the last '/'), the
 * scheme and host of a URL, the text itself otherwise. */
uint64_t bl_source_key(const char *source, size_t len);

#endif
