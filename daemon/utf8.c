/*
 * utf8 - UTF-8 validation for the intake path and the record setters: nothing that fails
 * utf8_valid() is ever stored.
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

#include "xalloc.h"

size_t utf8_first_invalid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* fast path: 16 ASCII bytes at a time (plugins' host->set validates whole bodies) */
        if (len - i >= 16) {
            uint64_t a, b;
            memcpy(&a, s + i, 8);
            memcpy(&b, s + i + 8, 8);
            if (((a | b) & 0x8080808080808080u) == 0) {
                i += 16;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF && len - i >= 2 && (s[i + 1] & 0xC0) == 0x80) {
            i += 2; /* the common two-byte letter (Greek, Cyrillic, accented Latin) */
            continue;
        }
        size_t need;
        unsigned min_second = 0x80, max_second = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                min_second = 0xA0; /* overlong */
            else if (c == 0xED)
                max_second = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                min_second = 0x90; /* overlong */
            else if (c == 0xF4)
                max_second = 0x8F; /* above U+10FFFF */
        } else {
            return i;
        }
        if (len - i <= need)
            return i;
        if (s[i + 1] < min_second || s[i + 1] > max_second)
            return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += need + 1;
    }
    return len;
}

bool utf8_valid(const char *s, size_t len)
{
    return utf8_first_invalid(s, len) == len;
}

unsigned utf8_next(const char *str, size_t len, size_t *i)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[*i];
    if (c < 0x80 || *i + 1 >= len) {
        (*i)++;
        return c;
    }
    if (c < 0xE0) {
        unsigned cp = ((c & 0x1F) << 6) | (s[*i + 1] & 0x3F);
        *i += 2;
        return cp;
    }
    if (c < 0xF0 && *i + 2 < len) {
        unsigned cp = ((c & 0x0F) << 12) | ((s[*i + 1] & 0x3Fu) << 6) | (s[*i + 2] & 0x3F);
        *i += 3;
        return cp;
    }
    if (*i + 3 < len) {
        unsigned cp = ((c & 0x07) << 18) | ((s[*i + 1] & 0x3Fu) << 12) |
                      ((s[*i + 2] & 0x3Fu) << 6) | (s[*i + 3] & 0x3F);
        *i += 4;
        return cp;
    }
    (*i)++;
    return 0xFFFD;
}

size_t utf8_encode(unsigned cp, char out[4])
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

char *utf8_lossy(const char *s, size_t len)
{
    char *out = xmalloc(len * 3 + 1);
    size_t o = 0, i = 0;
    while (i < len) {
        size_t good = utf8_first_invalid(s + i, len - i);
        for (size_t k = 0; k < good; k++) {
            if (s[i + k] == '\0') {
                memcpy(out + o, "\xEF\xBF\xBD", 3);
                o += 3;
            } else {
                out[o++] = s[i + k];
            }
        }
        i += good;
        if (i < len) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}
