/*
 * example_util.h - small helpers shared by the example plugins (header only, libc only).
 *
 * A plugin may not link against the daemon, so it brings what it needs. These helpers are:
 *   - a minimal JSON reader for configuration blocks (objects, arrays, strings with every
 *     escape including \uXXXX surrogate pairs, integers; other values can be skipped);
 *   - UTF-8 case folding for matching without regard to case: ASCII, Latin-1, Latin
 *     Extended-A (Turkish dotted and dotless i both fold to "i"), Greek (tonos and dialytika
 *     removed, final sigma folded to sigma) and Cyrillic. Other letters are left as they are.
 * Every function is reentrant: no global state, so process() stays thread-safe.
 */
#ifndef EXAMPLE_UTIL_H
#define EXAMPLE_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strdup is POSIX, not C17: a copy of s (caller frees), NULL when out of memory. */
static inline char *ex_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *out = malloc(n);
    return out ? memcpy(out, s, n) : NULL;
}

/* ---- minimal JSON reader ------------------------------------------------------------------ */

/* A cursor over JSON text; err receives the first problem. */
typedef struct jr {
    const char *p;
    char *err;
    size_t errlen;
} jr;

static inline void jr_ws(jr *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static inline bool jr_fail(jr *r, const char *what)
{
    if (r->err && r->errlen && !r->err[0])
        snprintf(r->err, r->errlen, "config: %s", what);
    return false;
}

/* Consume character c (after whitespace) if it is next. */
static inline bool jr_eat(jr *r, char c)
{
    jr_ws(r);
    if (*r->p != c)
        return false;
    r->p++;
    return true;
}

static inline size_t ex_utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static inline int jr_hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* Read a JSON string; returns a malloc'd NUL-terminated UTF-8 copy (caller frees) or NULL. */
static inline char *jr_string(jr *r)
{
    jr_ws(r);
    if (*r->p != '"') {
        jr_fail(r, "expected a string");
        return NULL;
    }
    r->p++;
    size_t cap = 32, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (;;) {
        if (n + 5 > cap) {
            cap *= 2;
            char *bigger = realloc(out, cap);
            if (!bigger) {
                free(out);
                return NULL;
            }
            out = bigger;
        }
        char c = *r->p;
        if (c == '\0') {
            free(out);
            jr_fail(r, "unterminated string");
            return NULL;
        }
        r->p++;
        if (c == '"')
            break;
        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        char e = *r->p++;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            out[n++] = e;
            break;
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'u': {
            int hi = jr_hex4(r->p);
            if (hi < 0)
                goto bad;
            r->p += 4;
            uint32_t cp = (uint32_t)hi;
            if (hi >= 0xD800 && hi <= 0xDBFF && r->p[0] == '\\' && r->p[1] == 'u') {
                int lo = jr_hex4(r->p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    r->p += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                goto bad;
            n += ex_utf8_put(cp, out + n);
            break;
        }
        default:
            goto bad;
        }
    }
    out[n] = '\0';
    return out;
bad:
    free(out);
    jr_fail(r, "bad escape in a string");
    return NULL;
}

/* Read an integer (no fraction, no exponent) into *out. */
static inline bool jr_int(jr *r, long long *out)
{
    jr_ws(r);
    char *end;
    long long v = strtoll(r->p, &end, 10);
    if (end == r->p || *end == '.' || *end == 'e' || *end == 'E')
        return jr_fail(r, "expected an integer");
    r->p = end;
    *out = v;
    return true;
}

/* Skip any JSON value. */
static inline bool jr_skip(jr *r, int depth)
{
    jr_ws(r);
    if (depth > 64)
        return jr_fail(r, "nested too deeply");
    char c = *r->p;
    if (c == '"') {
        char *s = jr_string(r);
        free(s);
        return s != NULL;
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        r->p++;
        if (jr_eat(r, close))
            return true;
        do {
            if (c == '{') {
                char *k = jr_string(r);
                free(k);
                if (!k || !jr_eat(r, ':'))
                    return jr_fail(r, "expected \"key\": value");
            }
            if (!jr_skip(r, depth + 1))
                return false;
        } while (jr_eat(r, ','));
        return jr_eat(r, close) || jr_fail(r, "expected ',' or a closing bracket");
    }
    const char *start = r->p;
    while (*r->p && !strchr(",}] \t\r\n", *r->p))
        r->p++;
    return r->p > start || jr_fail(r, "expected a value");
}

/* A list of strings. */
typedef struct strlist {
    char **v;
    size_t n;
} strlist;

static inline void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static inline bool strlist_add(strlist *l, char *s)
{
    char **bigger = realloc(l->v, (l->n + 1) * sizeof *l->v);
    if (!bigger)
        return false;
    l->v = bigger;
    l->v[l->n++] = s;
    return true;
}

/* Read ["a", "b", ...] into *out (appended). */
static inline bool jr_string_array(jr *r, strlist *out)
{
    if (!jr_eat(r, '['))
        return jr_fail(r, "expected an array of strings");
    if (jr_eat(r, ']'))
        return true;
    do {
        char *s = jr_string(r);
        if (!s || !strlist_add(out, s)) {
            free(s);
            return jr_fail(r, "expected an array of strings");
        }
    } while (jr_eat(r, ','));
    return jr_eat(r, ']') || jr_fail(r, "expected ',' or ']' in an array");
}

/* ---- UTF-8 case folding --------------------------------------------------------------------- */

/* Decode one code point at s[*i] (s has len bytes); invalid bytes decode as U+FFFD. */
static inline uint32_t ex_utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[*i];
    int need = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (need < 0 || *i + (size_t)need >= len + (need == 0 ? 1 : 0)) {
        (*i)++;
        return need == 0 ? c : 0xFFFD;
    }
    uint32_t cp = need == 0 ? c : need == 1 ? c & 0x1Fu : need == 2 ? c & 0x0Fu : c & 0x07u;
    for (int k = 1; k <= need; k++) {
        if ((u[*i + (size_t)k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (u[*i + (size_t)k] & 0x3Fu);
    }
    *i += (size_t)need + 1;
    return cp;
}

/* The folded form of one code point (see the header comment for what is covered). */
static inline uint32_t ex_fold(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c == 0x130 || c == 0x131)
        return 'i'; /* Turkish İ and ı */
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c | 1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1u) ? c + 1 : c;
    if (c == 0x178)
        return 0xFF;
    /* Greek: upper to lower, then drop tonos/dialytika, final sigma to sigma */
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        c += 32;
    switch (c) {
    case 0x386:
    case 0x3AC:
        return 0x3B1;
    case 0x388:
    case 0x3AD:
        return 0x3B5;
    case 0x389:
    case 0x3AE:
        return 0x3B7;
    case 0x38A:
    case 0x3AF:
    case 0x3AA:
    case 0x3CA:
    case 0x390:
        return 0x3B9;
    case 0x38C:
    case 0x3CC:
        return 0x3BF;
    case 0x38E:
    case 0x3CD:
    case 0x3AB:
    case 0x3CB:
    case 0x3B0:
        return 0x3C5;
    case 0x38F:
    case 0x3CE:
        return 0x3C9;
    case 0x3C2:
        return 0x3C3;
    default:
        break;
    }
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

/* True for code points that are part of a word (letters, digits, marks): ASCII alphanumerics
 * and everything from U+00C0 up except common punctuation and space blocks. */
static inline bool ex_is_word(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c < 0xC0 || c == 0xD7 || c == 0xF7 || c == 0xFFFD)
        return false;
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xFF00 && c <= 0xFF0F))
        return false;
    return c != 0x37E && c != 0x387; /* Greek question mark and ano teleia */
}

/* Fold s[0..len) into a new NUL-terminated UTF-8 string (caller frees); *out_len gets its
 * length. NULL when out of memory. */
static inline char *ex_fold_utf8(const char *s, size_t len, size_t *out_len)
{
    char *out = malloc(len * 2 + 1); /* a folded code point never needs more than 2x */
    if (!out)
        return NULL;
    size_t i = 0, n = 0;
    while (i < len)
        n += ex_utf8_put(ex_fold(ex_utf8_next(s, len, &i)), out + n);
    out[n] = '\0';
    if (out_len)
        *out_len = n;
    return out;
}

/* The code point that ends just before s[pos] (0 at the start). */
static inline uint32_t ex_prev_cp(const char *s, size_t pos)
{
    if (pos == 0)
        return 0;
    size_t start = pos - 1;
    while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80 && pos - start < 4)
        start--;
    size_t i = start;
    return ex_utf8_next(s, pos, &i);
}

/* Find folded needle in folded hay. With whole_word, the match must start and end at word
 * boundaries; with prefix (a keyword written "word*"), only the start must. */
static inline bool ex_find(const char *hay, size_t hay_len, const char *needle, size_t nlen,
                           bool whole_word, bool prefix)
{
    if (nlen == 0 || nlen > hay_len)
        return false;
    for (size_t pos = 0; pos + nlen <= hay_len; pos++) {
        if (hay[pos] != needle[0] || memcmp(hay + pos, needle, nlen) != 0)
            continue;
        bool ok = true;
        if (whole_word || prefix) {
            if (ex_is_word(ex_prev_cp(hay, pos)))
                ok = false;
            if (ok && whole_word && !prefix && pos + nlen < hay_len) {
                size_t i = pos + nlen;
                if (ex_is_word(ex_utf8_next(hay, hay_len, &i)))
                    ok = false;
            }
        }
        if (ok)
            return true;
    }
    return false;
}

#endif /* EXAMPLE_UTIL_H */
