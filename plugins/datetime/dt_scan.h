/*
 * dt_scan - reads the dates and times of one header line.
 *
 * A line yields stamps only when it is a date line: the stamps cover the whole line
 * ("05.09.2025", "13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)"), or the line starts with a
 * dateline label ("Published: ...", " date 2025-09-03 Title..."), or it starts with a numeric
 * date followed by the rest of the line, or with any date followed by a hard separator
 * ("3 Eylül 2025 | Dünya"). A date inside a sentence is never taken.
 *
 * Pure function: no allocation, no global state, any thread; bounded by the line length
 * (every stamp consumes at least one byte).
 */
#ifndef DT_SCAN_H
#define DT_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "dt_stamp.h"

/* What the scanner knows about the article besides its text. */
typedef struct dt_ctx {
    const dt_tables *tables; /* the lookup index (dt_tables_new) */
    const char *lang;        /* the article's LANG code when known ("pl"), else NULL or "" */
    int64_t arrival_ms;      /* when the article arrived (ms since the epoch), 0 if unknown:
                                relative dates ("2 hours ago", "вчера") are read against it */
} dt_ctx;

/* Scan line[0..len) in the context t. is_cut says the line continues beyond len (it was cut
 * to bound the work), so it cannot be a line made only of dates. Stores up to cap stamps in out,
 * with `start` relative to `line` and `line` left 0; a time without a date ("güncellendi: 13:08")
 * is returned with is_time_only set for the caller to complete. Returns the number stored, 0 when
 * the line is not a date line. Never fails otherwise. */
size_t dt_scan_line(const dt_ctx *t, const char *line, size_t len, bool is_cut, dt_stamp *out,
                    size_t cap);

#endif
