/*
 * utf8_fast_test - utf8_first_invalid (with its 16-byte ASCII and two-byte fast paths) against a
 * byte-by-byte reference validator written here from RFC 3629, on 20,000 pseudo-random
 * mixtures of ASCII, 2-, 3- and 4-byte characters with one corrupted byte at a random offset
 * (so faults land before, inside and after 16-byte blocks), plus truncated tails.
 */
#include "utf8.h"

#include "testlib.h"

#include <stdint.h>
#include <string.h>

/* Reference: length of the valid prefix, one code point at a time, no shortcuts. */
static size_t reference_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i], n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (len - i <= n)
            return i;
        for (unsigned k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return len;
}

static uint32_t rnd(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 8;
}

static void test_against_reference(void)
{
    static const char *const pieces[] = {
        "a",    "Hello world, ",   "ş", "Ω", "ж", "€", "😀", "\n", "ğüİ", "αβγ ",
        "中文", "0123456789abcdef"};
    unsigned char buf[512];
    uint32_t x = 7;
    int mismatches = 0;
    for (int n = 0; n < 20000; n++) {
        size_t len = 0;
        size_t target = rnd(&x) % 400;
        while (len < target) {
            const char *p = pieces[rnd(&x) % (sizeof pieces / sizeof pieces[0])];
            size_t pl = strlen(p);
            memcpy(buf + len, p, pl);
            len += pl;
        }
        if (len && n % 4 != 0)
            buf[rnd(&x) % len] = (unsigned char)(rnd(&x) & 0xFF);
        if (len && n % 5 == 0)
            len -= rnd(&x) % (len < 3 ? len : 3); /* maybe cut a character */
        if (utf8_first_invalid((const char *)buf, len) != reference_prefix(buf, len))
            mismatches++;
    }
    CHECK_INT(mismatches, 0);
}

static void test_edges(void)
{
    CHECK_INT(utf8_first_invalid("0123456789abcdef\x80", 17), 16);
    CHECK_INT(utf8_first_invalid("0123456789abcde\xC3", 16), 15);
    CHECK_INT(utf8_first_invalid("\xC0\x80", 2), 0);     /* overlong two-byte */
    CHECK_INT(utf8_first_invalid("\xED\xA0\x80", 3), 0); /* surrogate */
    CHECK_INT(utf8_first_invalid("\xC3\xA7\xC3", 3), 2);
    CHECK(utf8_valid("0123456789abcdef0123456789abcdefş", 34));
}

int main(void)
{
    RUN(test_edges);
    RUN(test_against_reference);
    return TEST_SUMMARY();
}
