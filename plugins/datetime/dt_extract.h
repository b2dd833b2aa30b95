/*
 * dt_extract - finds the publication and update time of an article in its header zone.
 *
 * The header zone is the first DT_ZONE_LINES non-empty lines that start within the first
 * DT_ZONE_BYTES bytes; of each line only the first DT_LINE_BYTES bytes are read, so the work is
 * bounded whatever the input (a 10 MB text without a newline costs the same as a short one).
 * Lines with no digit in their first DT_DIGIT_WINDOW bytes that are longer than DT_SHORT_LINE
 * bytes are skipped (a named day, "Yesterday", has no digit); the others are read
 * by dt_scan; the stamps are then merged and chosen:
 *   - published: the first stamp labelled as publication, else the first plain stamp (a written
 *     date before a relative one: "aujourd'hui à 06h00 | 03/09/2025" is the 3rd), merged
 *     with every compatible non-update stamp so the most precise reading wins ("05.09.2025" +
 *     "2025-09-05T20:33+0300" -> 2025-09-05T20:33:00+03:00);
 *   - updated: the latest stamp marked as an update (not earlier than published), else the
 *     latest plain written (not relative) stamp strictly later than published.
 *
 * Pure function on caller memory: no allocation, no global state, any thread (t is shared
 * read-only).
 */
#ifndef DT_EXTRACT_H
#define DT_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "dt_scan.h"
#include "dt_stamp.h"

#define DT_ZONE_LINES   8
#define DT_ZONE_BYTES   1536
#define DT_LINE_BYTES   256
#define DT_MAX_FOUND    20
#define DT_DIGIT_WINDOW 96 /* a date line has a digit within its first 96 bytes */
#define DT_SHORT_LINE   40 /* ...or is this short ("Yesterday", "вчера", "Dün") */

typedef struct dt_result {
    dt_stamp found[DT_MAX_FOUND]; /* every accepted stamp in text order; start is a text offset */
    size_t n_found;
    bool has_published, has_updated;
    dt_stamp published, updated;    /* valid when has_published / has_updated */
    char unknown_zone[DT_ZONE_MAX]; /* first unknown zone name met, "" when none */
} dt_result;

/* Read text[0..len) (any bytes; UTF-8 expected) in the context c (tables, language hint,
 * arrival time) and fill *res. Never fails: a text without a header date gives n_found 0 and
 * neither time. */
void dt_extract(const dt_ctx *c, const char *text, size_t len, dt_result *res);

#endif
