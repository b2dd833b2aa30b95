/*
 * dt_tables - the language data of the datetime plugin: month names (full, genitive and
 * abbreviated), weekday names, named time zones, datelines and update markers, the small words
 * that join a date to its time, and year suffixes ("г.", "года", "r.").
 *
 * Month and weekday names are generated from CLDR (dt_cldr.c); the other tables are const
 * arrays in dt_tables.c in natural spelling (matched through dt_text's fold); a new language is
 * new rows, not new code. dt_tables_new builds, once, an
 * index of each table sorted by the folded first letter, so a lookup costs a binary search and
 * a few candidate compares however many languages the tables hold. The index is immutable
 * after dt_tables_new: lookups may run concurrently on any thread.
 *
 * Lookups work at one position of a [p, end) range and allocate nothing. Each returns 0 (or
 * false) when nothing matches; on a match it stores the length in bytes of the matched text in
 * *len_out. When several rows match, the longest wins.
 */
#ifndef DT_TABLES_H
#define DT_TABLES_H

#include <stdbool.h>
#include <stddef.h>

/* What a dateline label or an in-line marker says about the stamp that follows it. */
typedef enum dt_role {
    DT_ROLE_NONE = 0,  /* a plain date, or a neutral label ("Date:", "Tarih:") */
    DT_ROLE_PUBLISHED, /* "Published:", "Yayınlanma:", "Objavljeno:" ... */
    DT_ROLE_UPDATED, /* "Updated", "güncellendi", "обновлено", "ενημερώθηκε" ... */
} dt_role;

typedef struct dt_tables dt_tables;

/* Build the lookup index of every table. Returns NULL when malloc fails. Free with
 * dt_tables_free (NULL is accepted). Call on one thread; use from any. */
dt_tables *dt_tables_new(void);
void dt_tables_free(dt_tables *t);

/* Month number 1..12 of the month name at p (a whole word; an abbreviation's trailing '.' is
 * not included), or 0. lang (a LANG code, or NULL/"" when unknown) picks the reading of a
 * spelling that names different months in different languages. */
int dt_match_month(const dt_tables *t, const char *p, const char *end, const char *lang,
                   size_t *len_out);

/* True when a weekday name (full or abbreviated, whole word) starts at p. */
bool dt_match_weekday(const dt_tables *t, const char *p, const char *end, size_t *len_out);

/* A named time zone at p (case-sensitive upper case, whole word: "EEST", "MSK", "UTC").
 * Stores its offset east of UTC in minutes in *offset_min and returns true, or false. */
bool dt_match_zone_name(const char *p, const char *end, size_t *len_out, int *offset_min);

/* A dateline label or update marker at p ("Published", "Son güncelleme", "mis à jour"):
 * returns true and stores its role, or false. Any ':' after it is left to the caller. */
bool dt_match_marker(const dt_tables *t, const char *p, const char *end, size_t *len_out,
                     dt_role *role);

/* A word joining a date and a time or introducing a date ("at", "um", "à", "saat", "в",
 * "στις", "ob", "on", "le"), whole word; 0 when none. */
size_t dt_match_connector(const dt_tables *t, const char *p, const char *end);

/* A word that may stand after a year ("г.", "года", "r.", "yılı"), whole word; 0 when none. */
size_t dt_match_year_suffix(const dt_tables *t, const char *p, const char *end);

/* "am"/"a.m." (returns 1) or "pm"/"p.m." (returns 2) after a time, whole word; 0 when none. */
int dt_match_meridiem(const dt_tables *t, const char *p, const char *end, size_t *len_out);

/* A word that may stand after a time ("Uhr", "h", "ч."), whole word; 0 when none. */
size_t dt_match_time_suffix(const dt_tables *t, const char *p, const char *end);

/* A word between day and month or month and year in name dates ("de", "del", "of"); 0 when
 * none. */
size_t dt_match_date_particle(const dt_tables *t, const char *p, const char *end);

/* Relative dates. dt_match_ago: a word that makes an amount relative, whole word: 1 when it
 * stands before the amount ("vor", "il y a", "hace"), 2 after it ("ago", "önce", "назад"), 3
 * for an optional word before the amount that needs a 2 after it ("for ... siden"), 0 when
 * none. dt_match_unit: a time unit starting a word ("hours", "Stunden", "saat", "часа"),
 * *len_out covering the whole word: its length in minutes (1, 60, 1440), 0 when none;
 * *has_ago tells that the word's ending itself means "ago" (Hungarian "órája", "小时前").
 * dt_match_day_word: "today" (1), "yesterday" (2), "the day before yesterday" (3) in many
 * languages, whole word; 0 when none. */
int dt_match_ago(const dt_tables *t, const char *p, const char *end, size_t *len_out);
int dt_match_unit(const dt_tables *t, const char *p, const char *end, size_t *len_out,
                  bool *has_ago);
int dt_match_day_word(const dt_tables *t, const char *p, const char *end, size_t *len_out);

#endif
