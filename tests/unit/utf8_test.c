/*
 * utf8_test - UTF-8 validation per RFC 3629 at every boundary (shortest and longest sequence of
 * each length, overlongs, surrogates, code points above U+10FFFF, truncated and interrupted
 * sequences), the offset of the first invalid byte, the utf8_next/utf8_encode round trip over
 * every scalar value, and utf8_lossy's replacement rules.
 */
#include "utf8.h"

#include "testlib.h"

#include <stdlib.h>

#define LIT(s) (s), (sizeof(s) - 1)

static void test_valid_boundaries(void)
{
    CHECK(utf8_valid("", 0));
    CHECK(utf8_valid(LIT("plain ASCII \x7f")));
    CHECK(utf8_valid(LIT("\xC2\x80")));         /* U+0080, smallest 2-byte */
    CHECK(utf8_valid(LIT("\xDF\xBF")));         /* U+07FF, largest 2-byte */
    CHECK(utf8_valid(LIT("\xE0\xA0\x80")));     /* U+0800, smallest 3-byte */
    CHECK(utf8_valid(LIT("\xED\x9F\xBF")));     /* U+D7FF, just below the surrogates */
    CHECK(utf8_valid(LIT("\xEE\x80\x80")));     /* U+E000, just above them */
    CHECK(utf8_valid(LIT("\xEF\xBF\xBF")));     /* U+FFFF */
    CHECK(utf8_valid(LIT("\xF0\x90\x80\x80"))); /* U+10000, smallest 4-byte */
    CHECK(utf8_valid(LIT("\xF4\x8F\xBF\xBF"))); /* U+10FFFF, the last code point */
    CHECK(utf8_valid(LIT("T\xC3\xBCrk\xC3\xA7"
                         "e \xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD"
                         "\xCE\xB9\xCE\xBA\xCE\xAC \xC4\x8Dlovek \xF0\x9F\x98\x80")));
    /* NUL is allowed by the check itself (callers refuse it separately) */
    CHECK(utf8_valid("a\0b", 3));
}

static void test_invalid_sequences(void)
{
    static const struct {
        const char *s;
        size_t len;
        size_t first_bad;
        const char *what;
    } cases[] = {
        {LIT("\x80"), 0, "lone continuation byte"},
        {LIT("ab\xBF"), 2, "continuation byte after ASCII"},
        {LIT("\xC0\x80"), 0, "overlong NUL"},
        {LIT("\xC1\xBF"), 0, "overlong 2-byte"},
        {LIT("\xE0\x9F\xBF"), 0, "overlong 3-byte (U+07FF)"},
        {LIT("\xE0\x80\x80"), 0, "overlong 3-byte NUL"},
        {LIT("\xF0\x8F\xBF\xBF"), 0, "overlong 4-byte (U+FFFF)"},
        {LIT("x\xED\xA0\x80"), 1, "high surrogate U+D800"},
        {LIT("\xED\xBF\xBF"), 0, "low surrogate U+DFFF"},
        {LIT("\xED\xA0\xBD\xED\xB8\x80"), 0, "CESU-8 surrogate pair"},
        {LIT("\xF4\x90\x80\x80"), 0, "U+110000"},
        {LIT("\xF5\x80\x80\x80"), 0, "lead byte F5"},
        {LIT("\xF8\x88\x80\x80\x80"), 0, "5-byte form"},
        {LIT("\xFE"), 0, "byte FE"},
        {LIT("\xFF"), 0, "byte FF"},
        {LIT("ok\xC3"), 2, "truncated 2-byte at the end"},
        {LIT("ok\xE2\x82"), 2, "truncated 3-byte at the end"},
        {LIT("ok\xF0\x9F\x98"), 2, "truncated 4-byte at the end"},
        {LIT("\xC3\x28"), 0, "2-byte with ASCII as continuation"},
        {LIT("\xE2\x28\xA1"), 0, "3-byte broken at the second byte"},
        {LIT("\xE2\x82\x28"), 0, "3-byte broken at the third byte"},
        {LIT("\xF0\x9F\x28\x98"), 0, "4-byte broken at the third byte"},
        {LIT("\xF0\x9F\x98\x28"), 0, "4-byte broken at the fourth byte"},
        {LIT("\xC3\xA9\xC3\xA9\xE2\x82"), 4, "valid text then a truncated sequence"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = utf8_first_invalid(cases[i].s, cases[i].len);
        if (got != cases[i].first_bad || utf8_valid(cases[i].s, cases[i].len))
            fprintf(stderr, "  case: %s\n", cases[i].what);
        CHECK_INT(got, cases[i].first_bad);
        CHECK(!utf8_valid(cases[i].s, cases[i].len));
    }
    /* the length bounds the check: a valid prefix of an invalid buffer is valid */
    CHECK(utf8_valid("ab\xFF", 2));
    CHECK_INT(utf8_first_invalid(LIT("abc")), 3);
    /* a multibyte sequence cut by len is invalid even when the bytes after it would fit */
    CHECK(!utf8_valid("\xE2\x82\xAC", 2));
}

static void test_encode_decode_round_trip(void)
{
    size_t mismatches = 0;
    for (unsigned cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char buf[8];
        size_t n = utf8_encode(cp, buf);
        size_t expect_n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        buf[n] = 'z';
        size_t i = 0;
        unsigned back = utf8_next(buf, n + 1, &i);
        if (n != expect_n || !utf8_valid(buf, n) || back != cp || i != n) {
            if (mismatches++ < 5)
                fprintf(stderr, "  U+%04X: %zu bytes, decoded U+%04X, advanced %zu\n", cp, n, back,
                        i);
        }
        /* also as the very last character of the buffer */
        i = 0;
        if (utf8_next(buf, n, &i) != cp || i != n) {
            if (mismatches++ < 5)
                fprintf(stderr, "  U+%04X at the end of the buffer\n", cp);
        }
    }
    CHECK_INT(mismatches, 0);

    char buf[4];
    CHECK_INT(utf8_encode(0x20AC, buf), 3);
    CHECK(memcmp(buf, "\xE2\x82\xAC", 3) == 0);
    CHECK_INT(utf8_encode(0x1F600, buf), 4);
    CHECK(memcmp(buf, "\xF0\x9F\x98\x80", 4) == 0);

    /* walking a mixed string yields its code points in order */
    const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
    size_t len = strlen(s), i = 0;
    unsigned expect[] = {'a', 0xE9, 0x20AC, 0x1F600, 'z'};
    for (size_t k = 0; k < 5; k++)
        CHECK_INT(utf8_next(s, len, &i), expect[k]);
    CHECK_INT(i, len);
}

static void test_lossy(void)
{
    char *out = utf8_lossy(LIT("caf\xC3\xA9"));
    CHECK_STR(out, "caf\xC3\xA9"); /* valid text is unchanged */
    free(out);

    out = utf8_lossy(LIT("a\xFF"
                         "b"));
    CHECK_STR(out, "a\xEF\xBF\xBD"
                   "b");
    free(out);

    out = utf8_lossy("a\0b", 3); /* NUL becomes U+FFFD so the result is a C string */
    CHECK_STR(out, "a\xEF\xBF\xBD"
                   "b");
    free(out);

    /* every invalid byte is replaced on its own; the valid neighbours survive */
    out = utf8_lossy(LIT("\xE2\x82"
                         "x\xC0\x80\xCE\xB1"));
    CHECK_STR(out, "\xEF\xBF\xBD\xEF\xBF\xBD"
                   "x\xEF\xBF\xBD\xEF\xBF\xBD\xCE\xB1");
    CHECK(utf8_valid(out, strlen(out)));
    free(out);

    out = utf8_lossy(LIT("\xED\xA0\x80")); /* a surrogate: three replacements */
    CHECK_STR(out, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    free(out);

    out = utf8_lossy("", 0);
    CHECK_STR(out, "");
    free(out);

    /* all 256 byte values: the result is valid, NUL-free, and keeps the ASCII bytes in order */
    char all[256];
    for (int b = 0; b < 256; b++)
        all[b] = (char)b;
    out = utf8_lossy(all, sizeof all);
    size_t n = strlen(out);
    CHECK(utf8_valid(out, n));
    /* 1 NUL + 128 high bytes replaced (3 bytes each), 127 ASCII bytes kept */
    CHECK_INT(n, 127 + 129 * 3);
    CHECK(memcmp(out + 3, "\x01\x02\x03", 3) == 0);
    free(out);
}

int main(void)
{
    RUN(test_valid_boundaries);
    RUN(test_invalid_sequences);
    RUN(test_encode_decode_round_trip);
    RUN(test_lossy);
    return TEST_SUMMARY();
}
