/*
 * dt_stamp - one date/time found in an article, and the calendar arithmetic on it: range
 * checks, comparison, merging of two readings of the same instant, ISO 8601 output.
 *
 * Pure functions on caller-owned values: no allocation, no global state, any thread.
 */
#ifndef DT_STAMP_H
#define DT_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dt_tables.h"

#define DT_YEAR_MIN 1900
#define DT_YEAR_MAX 2100
#define DT_ISO_MAX  32 /* "2025-09-05T20:33:00+03:00" plus NUL fits with room */
#define DT_ZONE_MAX 8  /* unknown zone names are 2..5 letters */

typedef struct dt_stamp {
    int year, month, day;     /* a valid date, or year 0 while is_time_only */
    int hour, minute, second; /* hour -1: date only; second -1: written as HH:MM */
    int offset_min;           /* minutes east of UTC, when has_offset */
    bool has_offset;
    bool is_time_only;              /* "13:08" alone: takes its date from a neighbouring stamp */
    bool is_ambiguous;              /* numeric a/b/yyyy with a, b <= 12, read as day/month */
    bool is_month_name;             /* written with a month name ("3 Eylül 2025") */
    bool is_relative;               /* "3 hours ago", "yesterday": computed from the arrival */
    dt_role role;                   /* set by a dateline label or an in-line marker */
    char unknown_zone[DT_ZONE_MAX]; /* zone name not in the table ("" when none) */
    size_t start, len;              /* the matched text, bytes, in the text given to the scanner */
    unsigned line;                  /* 1-based line number, set by dt_extract */
} dt_stamp;

/* Days in month m (1..12) of year y (Gregorian leap rules); 0 for a bad month. */
int dt_days_in_month(int y, int m);

/* True when y-m-d is a real date with DT_YEAR_MIN <= y <= DT_YEAR_MAX. */
bool dt_date_valid(int y, int m, int d);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (any valid date). */
int64_t dt_days_from_civil(int y, int m, int d);

/* True when a and b can be the same instant written with different precision: same date, and
 * each of time, seconds and offset either equal or present on one side only (two stamps that
 * both carry an offset are compared as UTC instants). */
bool dt_stamp_compatible(const dt_stamp *a, const dt_stamp *b);

/* -1, 0 or 1 as a is earlier than, not distinguishable from, or later than b. UTC instants are
 * compared when both have a time and an offset, local wall time otherwise; a date-only stamp
 * compares equal to any time on its date. */
int dt_stamp_compare(const dt_stamp *a, const dt_stamp *b);

/* Add to `into` the precision `from` has and it lacks (time, seconds, offset), for compatible
 * stamps. The position (start, len, line) and role of `into` are kept. */
void dt_stamp_merge(dt_stamp *into, const dt_stamp *from);

/* ISO 8601 text of s: "2025-09-03", "2025-10-27T13:05:00" or "2025-09-05T20:33:00+03:00"
 * (UTC is written "+00:00"). Returns the length written into out (NUL-terminated). */
size_t dt_stamp_format(const dt_stamp *s, char out[DT_ISO_MAX]);

/* The same instant in UTC, "2025-09-05T17:33:00Z", when s has a time and an offset; returns 0
 * and writes "" otherwise. */
size_t dt_stamp_format_utc(const dt_stamp *s, char out[DT_ISO_MAX]);

/* Set the date of s (and, with with_time, its time to the minute at offset +00:00) to the UTC
 * instant secs seconds after the epoch. Returns false, leaving s as it was, when the date is
 * out of the DT_YEAR_MIN..DT_YEAR_MAX range. */
bool dt_stamp_set_utc(dt_stamp *s, int64_t secs, bool with_time);

#endif
