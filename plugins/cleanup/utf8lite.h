/*
 * utf8lite - the few UTF-8 helpers the cleanup plugin needs: decoding, boundary-safe cuts,
 * a small case/accent fold for matching words, and character classes (space, letter, invisible).
 *
 * Pure functions on caller-owned memory, no allocation, safe from any thread. The plugin links
 * no daemon code, so this is its own small copy of what it needs.
 */
#ifndef CLEANUP_UTF8LITE_H
#define CLEANUP_UTF8LITE_H

#include <stdbool.h>
#include <stddef.h>

/* Decode the code point at s[*i] (i < len) and advance *i past it. Malformed or truncated
 * sequences decode to U+FFFD and advance by one byte, so a loop always terminates. */
unsigned u8_decode(const char *s, size_t len, size_t *i);

/* Encode cp (<= 0x10FFFF, not a surrogate) into out; returns the byte count (1..4). */
size_t u8_encode(unsigned cp, char out[4]);

/* Largest n <= max_bytes such that s[0..n) ends on a character boundary (s[0..len) valid). */
size_t u8_cut(const char *s, size_t len, size_t max_bytes);

/* Number of code points in s[0..len). */
size_t u8_count(const char *s, size_t len);

/* Byte offset after the first max_chars code points of s[0..len) (len when shorter). */
size_t u8_offset_of_char(const char *s, size_t len, size_t max_chars);

/* Matching fold: lower case for Latin (incl. Latin-1, Extended-A and Extended Additional),
 * Greek and Cyrillic;
 * Turkish dotted/dotless i and Greek accents and final sigma fold to the plain letter. Other
 * code points are returned unchanged. */
unsigned u8_fold(unsigned cp);

/* Fold s[0..len) into out[0..cap) (see u8_fold). Returns the bytes written; stops early, on a
 * character boundary, when out is full. */
size_t u8_fold_copy(const char *s, size_t len, char *out, size_t cap);

/* Horizontal white space: tab, space, NBSP and the Unicode space separators (not newline). */
bool u8_is_space(unsigned cp);

/* Byte length of the horizontal space character at s[i] (0 when there is none). */
size_t u8_space_len_at(const char *s, size_t len, size_t i);

/* Byte length of the horizontal space character that ends at s[end) (0 when none). */
size_t u8_space_len_before(const char *s, size_t end);

/* Letters, roughly: ASCII letters and every non-ASCII code point outside the punctuation,
 * symbol, space and emoji blocks (combining marks count as letters, so words stay whole). */
bool u8_is_letter(unsigned cp);

/* Characters the cleanup strips outright: zero-width and BOM characters, soft hyphen, C1
 * controls. */
bool u8_is_invisible(unsigned cp);

#endif
