/*
 * utf8lite - small UTF-8 helpers of the cleanup plugin (see utf8lite.h). The body the plugin
 * receives is valid UTF-8 (the host refuses anything else), but every function here still
 * tolerates malformed bytes so that no input can make it read out of bounds.
 */
#include "utf8lite.h"

#include <stdint.h>

unsigned u8_decode(const char *s, size_t len, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = len - *i;
    unsigned c = p[0];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    size_t n;
    unsigned cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        *i += 1;
        return 0xFFFD;
    }
    if (left < n) {
        *i += 1;
        return 0xFFFD;
    }
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *i += 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *i += 1;
        return 0xFFFD;
    }
    *i += n;
    return cp;
}

size_t u8_encode(unsigned cp, char out[4])
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

size_t u8_cut(const char *s, size_t len, size_t max_bytes)
{
    if (len <= max_bytes)
        return len;
    size_t n = max_bytes;
    /* Step back over continuation bytes to the start of the character that straddles the cut. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

size_t u8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

size_t u8_offset_of_char(const char *s, size_t len, size_t max_chars)
{
    size_t i = 0, n = 0;
    while (i < len && n < max_chars) {
        u8_decode(s, len, &i);
        n++;
    }
    return i;
}

unsigned u8_fold(unsigned cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp < 0x100)
        return (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ? cp + 32 : cp;
    if (cp < 0x180) {
        if (cp == 0x130 || cp == 0x131) /* Turkish İ and ı match i */
            return 'i';
        if (cp == 0x178)
            return 0xFF;
        if (((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) && !(cp & 1))
            return cp + 1;
        if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) && (cp & 1))
            return cp + 1;
        return cp;
    }
    if ((cp >= 0x1E00 && cp <= 0x1E95) || (cp >= 0x1EA0 && cp <= 0x1EFF))
        return cp | 1; /* Latin Extended Additional (Vietnamese...): upper even, lower odd */
    if (cp >= 0x386 && cp <= 0x3CE) {
        /* Greek: upper to lower, then drop tonos/dialytika and unify final sigma. */
        if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)
            cp += 32;
        switch (cp) {
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
        case 0x3CA:
        case 0x390:
            return 0x3B9;
        case 0x38C:
        case 0x3CC:
            return 0x3BF;
        case 0x38E:
        case 0x3CD:
        case 0x3CB:
        case 0x3B0:
            return 0x3C5;
        case 0x38F:
        case 0x3CE:
            return 0x3C9;
        case 0x3C2:
            return 0x3C3;
        default:
            return cp;
        }
    }
    if (cp >= 0x400 && cp <= 0x45F) {
        if (cp >= 0x410 && cp <= 0x42F)
            return cp + 32;
        if (cp <= 0x40F)
            cp += 80;
        return cp == 0x451 ? 0x435 : cp; /* ё matches е */
    }
    return cp;
}

size_t u8_fold_copy(const char *s, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < len) {
        unsigned cp = u8_fold(u8_decode(s, len, &i));
        char tmp[4];
        size_t n = u8_encode(cp, tmp);
        if (o + n > cap)
            break;
        for (size_t k = 0; k < n; k++)
            out[o++] = tmp[k];
    }
    return o;
}

bool u8_is_space(unsigned cp)
{
    return cp == ' ' || cp == '\t' || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0x1680;
}

size_t u8_space_len_at(const char *s, size_t len, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t')
        return 1;
    if (c < 0xC2 || c > 0xE3)
        return 0;
    size_t j = i;
    unsigned cp = u8_decode(s, len, &j);
    return u8_is_space(cp) ? j - i : 0;
}

size_t u8_space_len_before(const char *s, size_t end)
{
    if (end == 0)
        return 0;
    unsigned char c = (unsigned char)s[end - 1];
    if (c == ' ' || c == '\t')
        return 1;
    if ((c & 0xC0) != 0x80)
        return 0;
    size_t start = end - 1;
    while (start > 0 && end - start < 4 && ((unsigned char)s[start] & 0xC0) == 0x80)
        start--;
    size_t j = start;
    unsigned cp = u8_decode(s, end, &j);
    return (j == end && u8_is_space(cp)) ? end - start : 0;
}

bool u8_is_letter(unsigned cp)
{
    if (cp < 0x80)
        return (cp | 32) >= 'a' && (cp | 32) <= 'z';
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return false;
    if (cp >= 0x2000 && cp <= 0x2BFF) /* punctuation, symbols, arrows, math, dingbats */
        return false;
    if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation */
        return false;
    if (cp >= 0xFE00 && cp <= 0xFE0F) /* variation selectors (emoji presentation) */
        return false;
    if (cp >= 0xFF00 && cp <= 0xFF20)
        return false;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) /* emoji and pictographs */
        return false;
    if (cp == 0xFFFD || cp == 0xFEFF || cp == 0xAD)
        return false;
    return true;
}

bool u8_is_invisible(unsigned cp)
{
    return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD ||
           (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x2061 && cp <= 0x2064) || cp == 0x180E;
}
