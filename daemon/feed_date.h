/*
 * feed_date - parses the dates feeds carry: RFC 822 (named and numeric zones), RFC 3339 / W3C,
 * localized day and month names ("Pzt, 27 Eki 2025"), "GMT+3", "27.10.2025 13:05" and the
 * broken forms real feeds emit. Pure functions, safe from any thread.
 *
 * A zone name is mapped only when it is known (EET, EEST, CET, CEST, MSK, TRT, US zones...);
 * an unknown or ambiguous one is recorded as unknown, never taken as UTC.
 */
#ifndef INGESTD_FEED_DATE_H
#define INGESTD_FEED_DATE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum feed_zone {
    FEED_ZONE_NONE = 0, /* the text states no zone (local time of the source, unknown offset) */
    FEED_ZONE_KNOWN,    /* offset_min is the stated offset */
    FEED_ZONE_UNKNOWN,  /* a zone was stated but its name is unknown or ambiguous (zone_name) */
} feed_zone;

typedef struct feed_date {
    bool ok;       /* a calendar date was found */
    bool has_time; /* a time of day was found (else 00:00:00 is implied) */
    feed_zone zone;
    int year, month, day, hour, minute, second;
    int offset_min;      /* for FEED_ZONE_KNOWN: minutes east of UTC */
    char zone_name[16];  /* the zone as written, for named zones (known or not) */
    int64_t utc_epoch_s; /* seconds since the epoch; valid for FEED_ZONE_KNOWN only */
    char iso[40];        /* "2025-10-27T13:05:00+03:00"; no offset unless FEED_ZONE_KNOWN; a
                            date alone is "2025-10-27" */
    char utc[32];        /* "2025-10-27T10:05:00Z" for FEED_ZONE_KNOWN, else "" */
} feed_date;

/* Parse text (NUL-terminated UTF-8; NULL is allowed) into *out (always fully written).
 * Returns 0 when a valid calendar date was found (out->ok), -EINVAL otherwise (out zeroed but
 * for ok=false). Never reads past the terminating NUL; any thread. */
int feed_date_parse(const char *text, feed_date *out);

/* The offset in minutes east of UTC of a zone name ("EEST" -> 180), case-insensitive.
 * Returns 0 and sets *offset_min for a known zone, -ENOENT for an unknown or ambiguous one. */
int feed_date_zone_offset(const char *name, int *offset_min);

#endif
