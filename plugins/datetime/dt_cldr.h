/*
 * dt_cldr - the generated name tables of the datetime plugin: month and weekday names of many
 * languages from Unicode CLDR plus hand-written inflected forms (tools/extra_names.tsv), written
 * by tools/gen_cldr_tables.py into dt_cldr.c. Regenerate with:
 *   python3 plugins/datetime/tools/gen_cldr_tables.py > plugins/datetime/dt_cldr.c
 *
 * Read-only data: safe from any thread.
 */
#ifndef DT_CLDR_H
#define DT_CLDR_H

#include <stddef.h>

/* One name: its natural spelling (matched through dt_text's fold), its value (month 1..12,
 * weekday 1..7 from Monday, or a table-specific value), and the languages that use it as a
 * space-separated list of LANG codes ("es pt ca"). A spelling with several readings has one row
 * per reading, the default (most languages) first. */
typedef struct dt_row {
    const char *text;
    int value;
    const char *lang;
} dt_row;

extern const dt_row dt_cldr_month_rows[];
extern const size_t dt_cldr_month_count;
extern const dt_row dt_cldr_weekday_rows[];
extern const size_t dt_cldr_weekday_count;

#endif
