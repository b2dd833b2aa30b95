/*
 * dt_text - the character layer of the datetime plugin: a bounds-checked UTF-8 decoder, a
 * locale-free case and diacritic fold (Latin, Greek, Cyrillic) and folded prefix matching, so
 * the tables can list month names and markers in their natural spelling and still match
 * "EYLÜL", "Σεπτεμβρίου", "ΣΕΠΤΕΜΒΡΙΟΥ" or "СЕНТЯБРЯ".
 *
 * Pure functions over [p, end) ranges: no allocation, no global state, safe from any thread.
 * They never read past `end` and tolerate malformed or truncated UTF-8 (a bad byte decodes as
 * U+FFFD and advances one byte), because the caller cuts long lines at arbitrary bytes.
 */
#ifndef DT_TEXT_H
#define DT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the code point at *p (p < end), advance *p past it. Invalid or truncated sequences
 * yield 0xFFFD and advance one byte. Never fails. */
uint32_t dt_utf8_next(const char **p, const char *end);

/* The code point at p without advancing (0 at end). */
uint32_t dt_utf8_peek(const char *p, const char *end);

/* Case- and diacritic-folded form of cp: "Ş"->"s", "İ"/"ı"->"i", "Ά"->"α", "ς"->"σ",
 * "Ё"->"е". Returns 0 for combining marks (which the matchers skip). */
uint32_t dt_fold(uint32_t cp);

/* Unicode whitespace the scanner treats as a space (ASCII blanks, NBSP, U+2000..U+200B,
 * U+202F, U+205F, U+3000, U+FEFF). */
bool dt_is_space(uint32_t cp);

/* A letter or digit for word-boundary purposes (ASCII alnum, most code points >= U+00C0 that
 * are not punctuation, symbols or emoji). */
bool dt_is_word(uint32_t cp);

/* p after any run of dt_is_space characters. */
const char *dt_skip_spaces(const char *p, const char *end);

/* When `pattern` (NUL-terminated UTF-8, any case) matches a prefix of [p, end) under dt_fold,
 * return the number of bytes of the text it covers, else 0. A space in the pattern matches one
 * or more spaces in the text. With `whole_word`, the match must also end at a word boundary. */
size_t dt_match_folded(const char *p, const char *end, const char *pattern, bool whole_word);

#endif
