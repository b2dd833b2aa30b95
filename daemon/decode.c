/*
 * decode - the intake's text decoder: raw article bytes in, NUL-free UTF-8 with LF line endings
 * out, or a one-line reason why the bytes are not text.
 *
 * Valid UTF-8 is the hot path (one scan that also finds NUL and CR bytes, then one copy). Byte-
 * order marks and declared encodings go through glibc iconv with a handle per call. Undeclared
 * 8-bit text is decoded with each candidate legacy code page (tables built once from iconv) and
 * the decoding that reads most like prose wins: letters of one script per word, lowercase
 * dominating, no symbols inside words, frequent letters of the script, and accented Latin
 * letters that one language could use together.
 */
#include "decode.h"

#include "utf8.h"
#include "xalloc.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- encoding names ---------------------------------------------------------------------- */

enum { ENC_ASCII_COMPATIBLE = 0, ENC_WIDE = 1 };

typedef struct enc_name {
    const char *canonical;
    const char *iconv_name;
    int kind;
    const char *aliases[6];
} enc_name;

static const enc_name enc_names[] = {
    {"utf-8", "UTF-8", ENC_ASCII_COMPATIBLE, {"unicode11utf8"}},
    {"utf-16", "UTF-16", ENC_WIDE, {"ucs2"}},
    {"utf-16le", "UTF-16LE", ENC_WIDE, {0}},
    {"utf-16be", "UTF-16BE", ENC_WIDE, {0}},
    {"utf-32", "UTF-32", ENC_WIDE, {"ucs4"}},
    {"utf-32le", "UTF-32LE", ENC_WIDE, {0}},
    {"utf-32be", "UTF-32BE", ENC_WIDE, {0}},
    {"us-ascii", "ASCII", ENC_ASCII_COMPATIBLE, {"ascii", "ansix3.41968", "iso646us"}},
    {"iso-8859-1", "ISO-8859-1", ENC_ASCII_COMPATIBLE, {"latin1", "l1", "cp819", "ibm819"}},
    {"iso-8859-2", "ISO-8859-2", ENC_ASCII_COMPATIBLE, {"latin2", "l2"}},
    {"iso-8859-3", "ISO-8859-3", ENC_ASCII_COMPATIBLE, {"latin3", "l3"}},
    {"iso-8859-4", "ISO-8859-4", ENC_ASCII_COMPATIBLE, {"latin4", "l4"}},
    {"iso-8859-5", "ISO-8859-5", ENC_ASCII_COMPATIBLE, {"cyrillic"}},
    {"iso-8859-6", "ISO-8859-6", ENC_ASCII_COMPATIBLE, {"arabic"}},
    {"iso-8859-7", "ISO-8859-7", ENC_ASCII_COMPATIBLE, {"greek", "greek8", "elot928"}},
    {"iso-8859-8", "ISO-8859-8", ENC_ASCII_COMPATIBLE, {"hebrew"}},
    {"iso-8859-9", "ISO-8859-9", ENC_ASCII_COMPATIBLE, {"latin5", "l5"}},
    {"iso-8859-10", "ISO-8859-10", ENC_ASCII_COMPATIBLE, {"latin6", "l6"}},
    {"iso-8859-13", "ISO-8859-13", ENC_ASCII_COMPATIBLE, {"latin7", "l7"}},
    {"iso-8859-14", "ISO-8859-14", ENC_ASCII_COMPATIBLE, {"latin8", "l8"}},
    {"iso-8859-15", "ISO-8859-15", ENC_ASCII_COMPATIBLE, {"latin9", "latin0"}},
    {"iso-8859-16", "ISO-8859-16", ENC_ASCII_COMPATIBLE, {"latin10", "l10"}},
    {"windows-1250", "CP1250", ENC_ASCII_COMPATIBLE, {"cp1250", "win1250", "xcp1250"}},
    {"windows-1251", "CP1251", ENC_ASCII_COMPATIBLE, {"cp1251", "win1251", "xcp1251"}},
    {"windows-1252", "CP1252", ENC_ASCII_COMPATIBLE, {"cp1252", "win1252", "xcp1252"}},
    {"windows-1253", "CP1253", ENC_ASCII_COMPATIBLE, {"cp1253", "win1253", "xcp1253"}},
    {"windows-1254", "CP1254", ENC_ASCII_COMPATIBLE, {"cp1254", "win1254", "xcp1254"}},
    {"windows-1255", "CP1255", ENC_ASCII_COMPATIBLE, {"cp1255", "win1255", "xcp1255"}},
    {"windows-1256", "CP1256", ENC_ASCII_COMPATIBLE, {"cp1256", "win1256", "xcp1256"}},
    {"windows-1257", "CP1257", ENC_ASCII_COMPATIBLE, {"cp1257", "win1257", "xcp1257"}},
    {"windows-1258", "CP1258", ENC_ASCII_COMPATIBLE, {"cp1258", "win1258", "xcp1258"}},
    {"koi8-r", "KOI8-R", ENC_ASCII_COMPATIBLE, {"cskoi8r"}},
    {"koi8-u", "KOI8-U", ENC_ASCII_COMPATIBLE, {0}},
    {"ibm866", "IBM866", ENC_ASCII_COMPATIBLE, {"cp866", "866"}},
    {"macintosh", "MACINTOSH", ENC_ASCII_COMPATIBLE, {"mac", "macroman", "xmacroman"}},
    {"gb18030", "GB18030", ENC_ASCII_COMPATIBLE, {0}},
    {"gbk", "GBK", ENC_ASCII_COMPATIBLE, {"cp936", "gb2312"}},
    {"big5", "BIG5", ENC_ASCII_COMPATIBLE, {"big5hkscs"}},
    {"shift_jis", "SHIFT_JIS", ENC_ASCII_COMPATIBLE, {"sjis", "mskanji", "cp932", "windows31j"}},
    {"euc-jp", "EUC-JP", ENC_ASCII_COMPATIBLE, {0}},
    {"euc-kr", "EUC-KR", ENC_ASCII_COMPATIBLE, {"cp949"}},
};

#define NAME_MAX_NORM 32

/* Lower-case alphanumerics of name into out; false when too long to be any of ours. */
static bool name_normalize(const char *name, char out[NAME_MAX_NORM])
{
    size_t n = 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (c == '-' || c == '_' || c == ' ' || c == '.')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (n + 1 >= NAME_MAX_NORM)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n > 0;
}

static const enc_name *enc_lookup(const char *name)
{
    char want[NAME_MAX_NORM], have[NAME_MAX_NORM];
    if (!name || !name_normalize(name, want))
        return NULL;
    for (size_t i = 0; i < sizeof enc_names / sizeof enc_names[0]; i++) {
        const enc_name *e = &enc_names[i];
        if (name_normalize(e->canonical, have) && strcmp(have, want) == 0)
            return e;
        for (size_t a = 0; a < 6 && e->aliases[a]; a++)
            if (name_normalize(e->aliases[a], have) && strcmp(have, want) == 0)
                return e;
    }
    return NULL;
}

const char *decode_canonical_name(const char *name)
{
    char want[NAME_MAX_NORM];
    if (name && name_normalize(name, want) && strcmp(want, "auto") == 0)
        return "auto";
    const enc_name *e = enc_lookup(name);
    return e ? e->canonical : NULL;
}

/* ---- small helpers ----------------------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Copy src[0..n) to dst turning CRLF and lone CR into LF; returns bytes written (<= n). */
static size_t copy_lf(char *dst, const char *src, size_t n)
{
    size_t o = 0, i = 0;
    while (i < n) {
        const char *cr = memchr(src + i, '\r', n - i);
        size_t run = cr ? (size_t)(cr - (src + i)) : n - i;
        memmove(dst + o, src + i, run);
        o += run;
        i += run;
        if (!cr)
            break;
        dst[o++] = '\n';
        i++;
        if (i < n && src[i] == '\n')
            i++;
    }
    return o;
}

/* Take ownership of buf[0..n) (n+1 bytes allocated), normalize line endings in place, finish *out.
 */
static void result_take(decode_result *out, char *buf, size_t n, const char *enc, bool had_bom)
{
    n = copy_lf(buf, buf, n);
    buf[n] = '\0';
    out->text = buf;
    out->len = n;
    out->encoding = enc;
    out->had_bom = had_bom;
}

void decode_result_free(decode_result *r)
{
    if (!r)
        return;
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* ---- UTF-8 hot path ---------------------------------------------------------------------- */

enum { SCAN_VALID, SCAN_NUL, SCAN_INVALID };

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline bool word_has_zero(uint64_t w)
{
    return ((w - ONES) & ~w & HIGHS) != 0;
}

/* One pass over s[0..len): UTF-8 validity, first NUL, presence of CR. On SCAN_NUL or
 * SCAN_INVALID, *stop is the offending offset. ASCII runs go eight bytes at a time. */
static int scan_utf8(const unsigned char *s, size_t len, size_t *stop, bool *has_cr)
{
    size_t i = 0;
    bool cr = false;
    while (i < len) {
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & HIGHS) != 0 || word_has_zero(w))
                break;
            cr = cr || word_has_zero(w ^ (ONES * '\r'));
            i += 8;
        }
        if (i >= len)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0) {
                *stop = i;
                *has_cr = cr;
                return SCAN_NUL;
            }
            cr = cr || c == '\r';
            i++;
            continue;
        }
        /* Two-byte sequences (Latin accents, Cyrillic, Greek) first: they are most of the
         * non-ASCII text we see. */
        if (c >= 0xC2 && c <= 0xDF) {
            if (len - i < 2 || (s[i + 1] & 0xC0) != 0x80)
                goto invalid;
            i += 2;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            goto invalid;
        }
        if (len - i <= need || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xC0) != 0x80 ||
            (need == 3 && (s[i + 3] & 0xC0) != 0x80))
            goto invalid;
        i += need + 1;
    }
    *has_cr = cr;
    return SCAN_VALID;
invalid:
    *stop = i;
    *has_cr = cr;
    return SCAN_INVALID;
}

/* ---- iconv path -------------------------------------------------------------------------- */

/* Transcode in[0..len) from `from` to UTF-8 into a fresh buffer (one spare byte for the NUL).
 * Returns 0, -EILSEQ with *bad = offset of the first byte that does not decode, or -EINVAL when
 * iconv does not know `from`. */
static int transcode(const char *from, const unsigned char *in, size_t len, char **outp,
                     size_t *outlen, size_t *bad)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return -EINVAL;
    size_t cap = len + len / 2 + 16;
    char *buf = xmalloc(cap);
    char *src = (char *)in;
    size_t left = len, used = 0;
    int rc = 0;
    while (left > 0) {
        char *dst = buf + used;
        size_t room = cap - 1 - used;
        size_t r = iconv(cd, &src, &left, &dst, &room);
        used = (size_t)(dst - buf);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            cap = cap * 2;
            buf = xrealloc(buf, cap);
            continue;
        }
        *bad = len - left; /* EILSEQ, or EINVAL: truncated sequence at the end */
        rc = -EILSEQ;
        break;
    }
    if (rc == 0) {
        /* Flush any shift state (stateful encodings). */
        char *dst = buf + used;
        size_t room = cap - 1 - used;
        iconv(cd, NULL, NULL, &dst, &room);
        used = (size_t)(dst - buf);
    }
    iconv_close(cd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *outp = buf;
    *outlen = used;
    return 0;
}

/* Transcode from a named encoding and finish *out; the message names `canonical`. */
static int decode_via_iconv(const enc_name *e, const unsigned char *in, size_t len, size_t base,
                            bool had_bom, decode_result *out, char *err, size_t errlen)
{
    char *buf;
    size_t n, bad = 0;
    int rc = transcode(e->iconv_name, in, len, &buf, &n, &bad);
    if (rc == -EINVAL) {
        set_err(err, errlen, "encoding %s is not available in this system's iconv", e->canonical);
        return -EINVAL;
    }
    if (rc < 0) {
        set_err(err, errlen, "not valid %s at byte %zu", e->canonical, base + bad);
        return -EILSEQ;
    }
    const char *nul = memchr(buf, '\0', n);
    if (nul || !utf8_valid(buf, n)) {
        if (nul)
            set_err(err, errlen, "binary data (NUL character in %s text)", e->canonical);
        else
            set_err(err, errlen, "not valid %s (decoder produced invalid UTF-8)", e->canonical);
        free(buf);
        return -EILSEQ;
    }
    result_take(out, buf, n, e->canonical, had_bom);
    return 0;
}

/* ---- legacy 8-bit detection -------------------------------------------------------------- */

/* Candidates in tie-break order: when two decodings score the same they are (nearly) the same
 * text, and the more common code page is named. */
static const struct {
    const char *canonical;
    const char *iconv_name;
} cands[] = {
    {"windows-1252", "CP1252"},   {"iso-8859-15", "ISO-8859-15"}, {"windows-1250", "CP1250"},
    {"iso-8859-2", "ISO-8859-2"}, {"windows-1251", "CP1251"},     {"koi8-r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},         {"iso-8859-7", "ISO-8859-7"},   {"windows-1253", "CP1253"},
    {"windows-1254", "CP1254"},
};
#define NCANDS (sizeof cands / sizeof cands[0])

/* High half of each candidate: code point per byte 0x80..0xFF, 0 when undefined or a C1
 * control (which does not occur in text). Filled once from iconv. */
static uint16_t cand_high[NCANDS][128];
static pthread_once_t cand_once = PTHREAD_ONCE_INIT;

static void cand_tables_init(void)
{
    for (size_t c = 0; c < NCANDS; c++) {
        iconv_t cd = iconv_open("UTF-32LE", cands[c].iconv_name);
        if (cd == (iconv_t)-1)
            continue; /* no such converter: the candidate never fits */
        for (unsigned b = 0x80; b <= 0xFF; b++) {
            char in = (char)b;
            unsigned char u[8];
            char *src = &in, *dst = (char *)u;
            size_t left = 1, room = sizeof u;
            iconv(cd, NULL, NULL, NULL, NULL);
            if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1 || room != 4)
                continue;
            uint32_t cp = u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
            if (cp >= 0xA0 && cp <= 0xFFFF)
                cand_high[c][b - 0x80] = (uint16_t)cp;
        }
        iconv_close(cd);
    }
}

enum { SCRIPT_NONE, SCRIPT_LATIN, SCRIPT_CYRILLIC, SCRIPT_GREEK };

static int cp_script(unsigned cp)
{
    if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
        return SCRIPT_LATIN;
    if (cp < 0xC0)
        return SCRIPT_NONE;
    if (cp <= 0x24F)
        return (cp == 0xD7 || cp == 0xF7) ? SCRIPT_NONE : SCRIPT_LATIN;
    if (cp == 0x386 || (cp >= 0x388 && cp <= 0x3FF && cp != 0x38B && cp != 0x38D && cp != 0x3A2))
        return SCRIPT_GREEK;
    if (cp >= 0x400 && cp <= 0x4FF)
        return SCRIPT_CYRILLIC;
    return SCRIPT_NONE;
}

/* Lower-case form of a letter of our scripts (identity for anything else). */
static unsigned cp_lower(unsigned cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 0x20;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 0x20;
    if (cp == 0x178)
        return 0xFF;
    if (cp == 0x130)
        return 0x131; /* Turkish dotted capital I: counted with dotless i, both Turkish-only */
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177) ||
        (cp >= 0x218 && cp <= 0x21B))
        return cp | 1;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
        return (cp & 1) ? cp + 1 : cp;
    if (cp >= 0x391 && cp <= 0x3AB)
        return cp + 0x20;
    if (cp == 0x386)
        return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A)
        return cp + 0x25;
    if (cp == 0x38C)
        return 0x3CC;
    if (cp == 0x38E || cp == 0x38F)
        return cp + 0x3F;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    if (cp == 0x490)
        return 0x491;
    return cp;
}

static bool cp_is_letter(unsigned cp)
{
    return cp_script(cp) != SCRIPT_NONE;
}

static bool cp_is_upper(unsigned cp)
{
    return cp_is_letter(cp) && cp_lower(cp) != cp && cp != 0x131;
}

/* Punctuation that prose uses: spaces, quotes, dashes, ellipsis, bullets, currency, degree. */
static bool cp_is_text_punct(unsigned cp)
{
    switch (cp) {
    case 0xA0:
    case 0xA1:
    case 0xBF:
    case 0xAB:
    case 0xBB:
    case 0xB0:
    case 0xA7:
    case 0xAD:
    case 0xB7:
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x2013:
    case 0x2014:
    case 0x2026:
    case 0x2022:
    case 0x20AC:
    case 0x2116:
        return true;
    default:
        return false;
    }
}

/* Symbols that text does use (currency, legal marks, arithmetic, fractions), though not inside
 * words. */
static bool cp_is_text_symbol(unsigned cp)
{
    switch (cp) {
    case 0xA2:
    case 0xA3:
    case 0xA5:
    case 0xA9:
    case 0xAE:
    case 0xB1:
    case 0xD7:
    case 0xF7:
    case 0xBC:
    case 0xBD:
    case 0xBE:
    case 0x2030:
    case 0x2020:
    case 0x2122:
        return true;
    default:
        return false;
    }
}

/* Letter frequencies in basis points (1/100 of a percent) of running text: for Cyrillic the
 * highest among Russian, Ukrainian, Bulgarian, Serbian and Macedonian, for Greek modern Greek,
 * rounded from published letter counts. A decoding through the wrong code page shuffles letters,
 * so its letters are rarer on average. Unlisted letters of these scripts count as very rare. */
static const struct {
    const char *letter;
    uint16_t basis_points;
} letter_freqs[] = {
    {"о", 1097}, {"а", 950}, {"и", 880}, {"е", 845}, {"т", 750},  {"н", 670}, {"і", 550},
    {"с", 547},  {"р", 473}, {"в", 454}, {"л", 440}, {"к", 349},  {"м", 321}, {"д", 298},
    {"п", 281},  {"у", 262}, {"ъ", 260}, {"я", 201}, {"ы", 190},  {"ь", 174}, {"г", 170},
    {"з", 165},  {"б", 159}, {"ј", 150}, {"ч", 144}, {"й", 121},  {"х", 97},  {"ж", 94},
    {"ш", 73},   {"ю", 64},  {"ї", 60},  {"љ", 50},  {"њ", 50},   {"ц", 48},  {"є", 40},
    {"ћ", 40},   {"щ", 36},  {"э", 32},  {"ў", 30},  {"ф", 26},   {"ё", 20},  {"ђ", 20},
    {"ќ", 20},   {"џ", 10},  {"ѓ", 10},  {"ѕ", 5},   {"α", 1200}, {"ο", 980}, {"τ", 800},
    {"ι", 790},  {"ε", 780}, {"ν", 660}, {"η", 500}, {"ρ", 470},  {"σ", 420}, {"υ", 400},
    {"π", 400},  {"κ", 400}, {"μ", 330}, {"λ", 280}, {"ς", 250},  {"ω", 190}, {"γ", 180},
    {"ί", 180},  {"δ", 170}, {"ά", 170}, {"έ", 160}, {"ό", 150},  {"θ", 130}, {"χ", 110},
    {"ή", 110},  {"φ", 80},  {"ύ", 80},  {"β", 60},  {"ώ", 50},   {"ξ", 40},  {"ζ", 40},
    {"ψ", 15},   {"ϊ", 5},
};

/* Accented Latin letters in basis points, the highest among the languages of the Latin
 * candidates (Western, Central European, Nordic, Romanian, Turkish, Albanian); weighed against
 * 1%, since each language has only a few of them. ð and þ are kept low on purpose: Icelandic is
 * rare, and they are what Turkish ğ and ş look like through windows-1252. */
static const struct {
    const char *letter;
    uint16_t basis_points;
} latin_freqs[] = {
    {"ı", 500}, {"ë", 500}, {"á", 340}, {"é", 300}, {"ä", 300}, {"ö", 200}, {"ü", 190}, {"ł", 190},
    {"ş", 170}, {"í", 160}, {"ă", 160}, {"å", 150}, {"č", 150}, {"ó", 120}, {"ç", 120}, {"ě", 120},
    {"ř", 120}, {"ğ", 110}, {"ę", 110}, {"ý", 100}, {"î", 100}, {"š", 100}, {"ą", 100}, {"ţ", 100},
    {"ș", 100}, {"ț", 100}, {"ž", 90},  {"ø", 90},  {"ő", 90},  {"æ", 80},  {"ż", 80},  {"ś", 70},
    {"ú", 60},  {"â", 60},  {"ã", 60},  {"ů", 60},  {"à", 50},  {"ľ", 40},  {"ć", 40},  {"è", 35},
    {"ß", 30},  {"ñ", 30},  {"õ", 30},  {"đ", 30},  {"ê", 25},  {"ń", 20},  {"ô", 10},  {"ò", 10},
    {"ň", 10},  {"ű", 10},  {"ì", 5},   {"ù", 5},   {"û", 5},   {"œ", 5},   {"ď", 5},   {"ť", 5},
    {"ź", 6},   {"ï", 2},   {"ĺ", 1},   {"ŕ", 1},   {"ð", 6},   {"þ", 6},
};
enum { LETTER_WEIGHT_MIN = -15, LETTER_WEIGHT_MAX = 6 };
static int8_t weight_cyr[0x60], weight_grk[0x50]; /* by code point - 0x430 / - 0x380 */
static int8_t weight_lat[0x190];                  /* by code point - 0xC0 */

/* Weight of a letter: 3 * log2(frequency / 2.5%), clipped, in score tenths. */
static void letter_weights_init(void)
{
    memset(weight_cyr, LETTER_WEIGHT_MIN, sizeof weight_cyr);
    memset(weight_grk, LETTER_WEIGHT_MIN, sizeof weight_grk);
    memset(weight_lat, LETTER_WEIGHT_MIN, sizeof weight_lat);
    for (size_t k = 0; k < sizeof latin_freqs / sizeof latin_freqs[0]; k++) {
        const char *l = latin_freqs[k].letter;
        size_t i = 0;
        unsigned cp = utf8_next(l, strlen(l), &i);
        int wi = (int)lround(3.0 * log2(latin_freqs[k].basis_points / 100.0));
        if (wi < LETTER_WEIGHT_MIN)
            wi = LETTER_WEIGHT_MIN;
        if (wi > LETTER_WEIGHT_MAX)
            wi = LETTER_WEIGHT_MAX;
        weight_lat[cp - 0xC0] = (int8_t)wi;
    }
    for (size_t k = 0; k < sizeof letter_freqs / sizeof letter_freqs[0]; k++) {
        const char *l = letter_freqs[k].letter;
        size_t i = 0;
        unsigned cp = utf8_next(l, strlen(l), &i);
        double w = 3.0 * log2(letter_freqs[k].basis_points / 250.0);
        int wi = (int)lround(w);
        if (wi < LETTER_WEIGHT_MIN)
            wi = LETTER_WEIGHT_MIN;
        if (wi > LETTER_WEIGHT_MAX)
            wi = LETTER_WEIGHT_MAX;
        if (cp >= 0x430 && cp < 0x490)
            weight_cyr[cp - 0x430] = (int8_t)wi;
        else if (cp >= 0x380 && cp < 0x3D0)
            weight_grk[cp - 0x380] = (int8_t)wi;
    }
}

static int letter_weight(unsigned cp)
{
    unsigned lc = cp_lower(cp);
    if (lc == 0x491)
        return LETTER_WEIGHT_MIN; /* ґ: 0.05% in Ukrainian */
    if (lc >= 0x430 && lc < 0x490)
        return weight_cyr[lc - 0x430];
    if (lc >= 0x380 && lc < 0x3D0)
        return weight_grk[lc - 0x380];
    if (lc >= 0xC0 && lc < 0x250)
        return weight_lat[lc - 0xC0];
    return 0;
}

/* Accented Latin letters (lower-case) each language writes; a real text's accented letters are
 * (nearly) all explained by one of these sets. */
static const char *const latin_profiles[] = {
    "àâæçéèêëîïôœùûüÿ",  /* French */
    "äöüßé",             /* German */
    "áéíñóúü",           /* Spanish */
    "áâãàçéêíóôõúü",     /* Portuguese */
    "àèéìíòóùú",         /* Italian */
    "àçéèíïòóúü",        /* Catalan */
    "áéëïóöüè",          /* Dutch */
    "åäöéüšžõ",          /* Swedish, Finnish, Estonian */
    "åæøéó",             /* Danish, Norwegian */
    "áðéíóúýþæö",        /* Icelandic */
    "áčďéěíňóřšťúůýž",   /* Czech */
    "áäčďéíĺľňóôŕšťúýž", /* Slovak */
    "ąćęłńóśźż",         /* Polish */
    "áéíóöőúüű",         /* Hungarian */
    "čćđšžé",            /* Slovene, Croatian, Bosnian */
    "ăâîşţșț",           /* Romanian */
    "çğıöşüâîû",         /* Turkish */
    "çë",                /* Albanian */
};
#define NPROFILES           (sizeof latin_profiles / sizeof latin_profiles[0])
#define MAX_PROFILE_LETTERS 20
static uint16_t profile_cps[NPROFILES][MAX_PROFILE_LETTERS];

static void profile_tables_init(void)
{
    for (size_t p = 0; p < NPROFILES; p++) {
        const char *s = latin_profiles[p];
        size_t n = strlen(s), i = 0, k = 0;
        while (i < n && k < MAX_PROFILE_LETTERS)
            profile_cps[p][k++] = (uint16_t)utf8_next(s, n, &i);
    }
}

/* Everything scoring needs to know about one byte read through one candidate code page,
 * computed once so that judging a text is table lookups. */
enum { CASE_NONE, CASE_LOWER, CASE_UPPER };
enum { SYM_NONE, SYM_PUNCT, SYM_TEXT, SYM_OTHER };
typedef struct byte_info {
    uint16_t cp;
    uint8_t script;      /* SCRIPT_* */
    uint8_t letter_case; /* CASE_* */
    int8_t weight;       /* letter frequency weight */
    uint8_t sym;         /* SYM_* for non-letters */
    bool accented;       /* a Latin letter outside ASCII */
    uint32_t profiles;   /* bit p: Latin profile p writes this letter */
} byte_info;
static byte_info cand_info[NCANDS][256];
_Static_assert(NPROFILES <= 32, "profile bits must fit byte_info.profiles");

static void byte_info_init(void)
{
    for (size_t c = 0; c < NCANDS; c++) {
        for (unsigned b = 0; b < 256; b++) {
            byte_info *bi = &cand_info[c][b];
            unsigned cp = b < 0x80 ? b : cand_high[c][b - 0x80];
            bi->cp = (uint16_t)cp;
            bi->script = (uint8_t)cp_script(cp);
            if (bi->script != SCRIPT_NONE) {
                bi->letter_case = cp_is_upper(cp) ? CASE_UPPER : CASE_LOWER;
                bi->weight = (int8_t)letter_weight(cp);
            } else {
                bi->sym = cp < 0x80               ? SYM_NONE
                          : cp_is_text_punct(cp)  ? SYM_PUNCT
                          : cp_is_text_symbol(cp) ? SYM_TEXT
                                                  : SYM_OTHER;
            }
            bi->accented = bi->script == SCRIPT_LATIN && cp >= 0x80;
            if (bi->accented) {
                unsigned lc = cp_lower(cp);
                for (size_t p = 0; p < NPROFILES; p++)
                    for (size_t j = 0; j < MAX_PROFILE_LETTERS && profile_cps[p][j]; j++)
                        if (profile_cps[p][j] == lc)
                            bi->profiles |= 1u << p;
            }
        }
    }
}

static void tables_init(void)
{
    cand_tables_init();
    letter_weights_init();
    profile_tables_init();
    byte_info_init();
}

/* Score weights, in tenths of a "plausible letter". */
enum {
    SC_LOWER = 10,              /* a lower-case letter: prose is mostly lower case */
    SC_UPPER = 3,               /* an upper-case letter */
    SC_MIXED_SCRIPT = -30,      /* per neighbouring letter of another script */
    SC_CASE_FLIP = -30,         /* upper case right after lower case inside a word */
    SC_CAPS_THEN_LOWER = -20,   /* lower case after two capitals inside a word */
    SC_GREEK_SIGMA = -30,       /* final sigma inside a word, or medial sigma at a word's end */
    SC_SYMBOL = -10,            /* a symbol prose rarely uses */
    SC_LONE_CAPITAL = -10,      /* an accented Latin capital standing alone as a word */
    SC_SYMBOL_TOUCHING = -20,   /* ... per neighbouring letter */
    SC_PUNCT = 5,               /* quotes, dashes and the like between words */
    SC_PUNCT_IN_WORD = -30,     /* the same glued between two letters */
    SC_ALL_ACCENTED_WORD = -15, /* per letter of a Latin word with no plain ASCII letter */
    SC_UNEXPLAINED = -25,       /* per accented Latin letter no single language explains */
    SC_ACCEPT_MEAN =
        -5, /* the winner's mean per 8-bit character must reach this (random bytes: < -13) */
};

/* Most of the input that detection looks at; longer texts are judged by their beginning (the
 * chosen code page must still decode every byte). */
#define DETECT_WINDOW (256 * 1024)

static const byte_info space_info = {.cp = ' '};

static int score_high_char(const byte_info *c, const byte_info *prev2, const byte_info *prev,
                           const byte_info *next)
{
    bool lp = prev->script != SCRIPT_NONE, ln = next->script != SCRIPT_NONE;
    if (c->script == SCRIPT_NONE) {
        if (c->sym == SYM_PUNCT) {
            if (lp && ln && c->cp != 0x2019 && c->cp != 0xAD && c->cp != 0xB7)
                return SC_PUNCT_IN_WORD;
            if ((c->cp == 0x2019 && !lp && ln) || (c->cp == 0x2018 && lp && !ln))
                return 0; /* a closing quote opening a word, or the reverse */
            return SC_PUNCT;
        }
        return (c->sym == SYM_TEXT ? 0 : SC_SYMBOL) + SC_SYMBOL_TOUCHING * ((int)lp + (int)ln);
    }
    bool upper = c->letter_case == CASE_UPPER;
    int s = (upper ? SC_UPPER : SC_LOWER) + c->weight;
    if (lp && prev->script != c->script)
        s += SC_MIXED_SCRIPT;
    if (ln && next->script != c->script)
        s += SC_MIXED_SCRIPT;
    if (upper && prev->letter_case == CASE_LOWER)
        s += SC_CASE_FLIP;
    if (!upper && next->letter_case == CASE_UPPER)
        s += SC_CASE_FLIP;
    if (!upper && prev->letter_case == CASE_UPPER && prev2->letter_case == CASE_UPPER)
        s += SC_CAPS_THEN_LOWER;
    if (upper && c->script == SCRIPT_LATIN && !lp && !ln)
        s += SC_LONE_CAPITAL;
    if (c->cp == 0x3C2 && ln)
        s += SC_GREEK_SIGMA;
    if (c->cp == 0x3C3 && lp && !ln)
        s += SC_GREEK_SIGMA;
    return s;
}

/* Plausibility of s[0..len) read through `info`; *nhigh receives the 8-bit characters judged. */
static long score_candidate(const unsigned char *s, size_t len, const byte_info *info, long *nhigh)
{
    uint32_t accented_count[128] = {0};
    uint8_t accented_seen[128];
    size_t naccented_seen = 0;
    long score = 0, count = 0, word_plain = 0, word_accented = 0;
    const byte_info *prev2 = &space_info, *prev = &space_info;
    for (size_t i = 0; i <= len; i++) {
        const byte_info *c = i < len ? &info[s[i]] : &space_info;
        if (i < len && s[i] >= 0x80) {
            const byte_info *next = i + 1 < len ? &info[s[i + 1]] : &space_info;
            score += score_high_char(c, prev2, prev, next);
            count++;
            if (c->accented && accented_count[s[i] - 0x80]++ == 0)
                accented_seen[naccented_seen++] = s[i];
        }
        if (c->script == SCRIPT_LATIN) {
            if (c->accented)
                word_accented++;
            else
                word_plain++;
        } else if (c->script == SCRIPT_NONE) {
            if (word_accented >= 2 && word_plain == 0)
                score += SC_ALL_ACCENTED_WORD * word_accented;
            word_plain = word_accented = 0;
        }
        prev2 = prev;
        prev = c;
    }

    /* Accented Latin letters that the best-fitting language does not explain. */
    long total = 0, best = 0;
    for (size_t k = 0; k < naccented_seen; k++)
        total += accented_count[accented_seen[k] - 0x80];
    for (size_t p = 0; p < NPROFILES && total > 0; p++) {
        long explained = 0;
        for (size_t k = 0; k < naccented_seen; k++)
            if (info[accented_seen[k]].profiles & (1u << p))
                explained += accented_count[accented_seen[k] - 0x80];
        if (explained > best)
            best = explained;
    }
    score += SC_UNEXPLAINED * (total - best);
    *nhigh = count;
    return score;
}

/* C0 controls that plain text does not contain (tab, LF, VT, FF, CR, SUB and ESC can occur). */
static bool byte_is_odd_control(unsigned b)
{
    return (b < 0x20 && b != '\t' && b != '\n' && b != '\v' && b != '\f' && b != '\r' &&
            b != 0x1A && b != 0x1B) ||
           b == 0x7F;
}

static int decode_legacy(const unsigned char *s, size_t len, decode_result *out, char *err,
                         size_t errlen)
{
    pthread_once(&cand_once, tables_init);

    bool present[256] = {false};
    uint8_t highs[128]; /* the distinct 8-bit byte values of the input */
    size_t nhighs = 0, controls = 0;
    for (size_t i = 0; i < len; i++) {
        if (!present[s[i]]) {
            present[s[i]] = true;
            if (s[i] >= 0x80)
                highs[nhighs++] = s[i];
        }
        controls += byte_is_odd_control(s[i]);
    }
    if (controls > 8 && controls * 50 > len) {
        set_err(err, errlen, "binary data (%zu control bytes in %zu)", controls, len);
        return -EILSEQ;
    }

    size_t window = len < DETECT_WINDOW ? len : DETECT_WINDOW;
    int best = -1;
    long best_score = 0, best_n = 1;
    for (size_t c = 0; c < NCANDS; c++) {
        bool fits = true;
        for (size_t k = 0; k < nhighs && fits; k++)
            if (cand_high[c][highs[k] - 0x80] == 0)
                fits = false;
        if (!fits)
            continue;
        long n;
        long sc = score_candidate(s, window, cand_info[c], &n);
        if (best < 0 || sc > best_score) {
            best = (int)c;
            best_score = sc;
            best_n = n > 0 ? n : 1;
        }
    }
    if (best < 0 || best_score < (long)SC_ACCEPT_MEAN * best_n) {
        set_err(err, errlen, "undecodable: not UTF-8 and no legacy encoding fits");
        return -EILSEQ;
    }

    const uint16_t *high = cand_high[best];
    if (len > (SIZE_MAX - 1) / 3) {
        set_err(err, errlen, "input too large to decode");
        return -EFBIG;
    }
    char *buf = xmalloc(len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x80)
            buf[o++] = (char)s[i];
        else
            o += utf8_encode(high[s[i] - 0x80], buf + o);
    }
    result_take(out, buf, o, cands[best].canonical, false);
    return 0;
}

/* ---- BOM-less UTF-16 --------------------------------------------------------------------- */

/* ASCII-heavy UTF-16 has a NUL in every other byte: the UTF-16LE or UTF-16BE entry, or NULL. */
static const enc_name *guess_utf16(const unsigned char *s, size_t len)
{
    if (len < 4 || len % 2 != 0)
        return NULL;
    size_t m = len < 4096 ? len : 4096, pairs = m / 2, zero_even = 0, zero_odd = 0;
    for (size_t i = 0; i + 1 < m; i += 2) {
        zero_even += s[i] == 0;
        zero_odd += s[i + 1] == 0;
    }
    if (zero_odd * 10 >= pairs * 3 && zero_even * 20 <= pairs)
        return enc_lookup("utf-16le");
    if (zero_even * 10 >= pairs * 3 && zero_odd * 20 <= pairs)
        return enc_lookup("utf-16be");
    return NULL;
}

/* ---- entry point ------------------------------------------------------------------------- */

static int decode_bom(const unsigned char *s, size_t len, const enc_name **enc)
{
    if (len >= 4 && s[0] == 0xFF && s[1] == 0xFE && s[2] == 0 && s[3] == 0) {
        *enc = enc_lookup("utf-32le");
        return 4;
    }
    if (len >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE && s[3] == 0xFF) {
        *enc = enc_lookup("utf-32be");
        return 4;
    }
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        *enc = enc_lookup("utf-8");
        return 3;
    }
    if (len >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
        *enc = enc_lookup("utf-16le");
        return 2;
    }
    if (len >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
        *enc = enc_lookup("utf-16be");
        return 2;
    }
    return 0;
}

int decode_to_utf8(const void *raw, size_t len, const char *declared, decode_result *out, char *err,
                   size_t errlen)
{
    const unsigned char *s = raw;
    memset(out, 0, sizeof *out);
    set_err(err, errlen, "%s", "");

    const enc_name *decl = NULL;
    if (declared) {
        const char *canon = decode_canonical_name(declared);
        if (!canon) {
            set_err(err, errlen, "unsupported encoding '%.40s'", declared);
            return -EINVAL;
        }
        if (strcmp(canon, "auto") != 0)
            decl = enc_lookup(declared);
    }
    if (len == 0) {
        set_err(err, errlen, "empty file");
        return -ENODATA;
    }

    const enc_name *bom_enc = NULL;
    size_t skip = (size_t)decode_bom(s, len, &bom_enc);
    bool had_bom = skip > 0;
    if (bom_enc && bom_enc->kind == ENC_WIDE)
        return decode_via_iconv(bom_enc, s + skip, len - skip, skip, true, out, err, errlen);
    if (!had_bom && decl && decl->kind == ENC_WIDE)
        return decode_via_iconv(decl, s, len, 0, false, out, err, errlen);

    const unsigned char *body = s + skip;
    size_t n = len - skip, stop = 0;
    bool has_cr = false;
    int scan = scan_utf8(body, n, &stop, &has_cr);
    if (scan == SCAN_VALID) {
        char *buf = xmalloc(n + 1);
        size_t m = has_cr ? copy_lf(buf, (const char *)body, n) : (memcpy(buf, body, n), n);
        buf[m] = '\0';
        out->text = buf;
        out->len = m;
        out->encoding = "utf-8";
        out->had_bom = had_bom;
        return 0;
    }
    if (had_bom) {
        if (scan == SCAN_NUL)
            set_err(err, errlen, "binary data (NUL byte at offset %zu)", skip + stop);
        else
            set_err(err, errlen, "not valid utf-8 at byte %zu", skip + stop);
        return -EILSEQ;
    }

    const unsigned char *nul = scan == SCAN_NUL ? s + stop : memchr(s, 0, len);
    if (decl && strcmp(decl->canonical, "utf-8") != 0 && !nul)
        return decode_via_iconv(decl, s, len, 0, false, out, err, errlen);
    if (decl && strcmp(decl->canonical, "utf-8") == 0 && scan == SCAN_INVALID) {
        set_err(err, errlen, "not valid utf-8 at byte %zu", stop);
        return -EILSEQ;
    }
    if (nul) {
        const enc_name *wide = decl ? NULL : guess_utf16(s, len);
        if (wide && decode_via_iconv(wide, s, len, 0, false, out, err, errlen) == 0)
            return 0;
        set_err(err, errlen, "binary data (NUL byte at offset %zu)", (size_t)(nul - s));
        return -EILSEQ;
    }
    return decode_legacy(s, len, out, err, errlen);
}
