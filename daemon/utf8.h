/*
 * utf8 - UTF-8 validation and small helpers.
 *
 * Pure functions, no allocation, safe from any thread.
 */
#ifndef INGESTD_UTF8_H
#define INGESTD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF). NUL bytes are allowed by this check; callers that need C strings refuse them. */
bool utf8_valid(const char *s, size_t len);

/* Offset of the first invalid byte of s[0..len), or len when all is valid. */
size_t utf8_first_invalid(const char *s, size_t len);

/* Decode one code point at s[*i] (s[0..len) must be valid UTF-8), advance *i past it. */
unsigned utf8_next(const char *s, size_t len, size_t *i);

/* Encode code point cp (<= 0x10FFFF, not a surrogate) into out; returns bytes written (1..4). */
size_t utf8_encode(unsigned cp, char out[4]);

/* A new NUL-terminated copy of s[0..len) with every invalid byte and NUL replaced by U+FFFD.
 * Caller frees. */
char *utf8_lossy(const char *s, size_t len);

#endif
