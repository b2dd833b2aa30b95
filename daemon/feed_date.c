/*
 * feed_date - date parsing for feed entries (see feed_date.h).
 *
 * The text is cut into tokens (numbers, words folded to lower case without accents, and the
 * separators between them), then read left to right: a time is "H:MM[:SS[.frac]]", a numeric
 * date is three numbers joined by the same '.', '/' or '-', a word may be a month (in several
 * languages), AM/PM, or - after the time - a zone; a sign followed by digits after the time is a
 * numeric offset. Words that are none of these (day names, "at", "Uhr") are skipped.
 */
#include "feed_date.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 48
#define WORD_MAX   32

enum tok_kind { T_NUM, T_WORD, T_SEP };

struct token {
    enum tok_kind kind;
    long value;          /* T_NUM */
    int ndigits;         /* T_NUM */
    char sep;            /* T_SEP: the character */
    bool upper;          /* T_WORD: all ASCII upper-case letters in the source */
    bool ascii;          /* T_WORD: ASCII letters only */
    char word[WORD_MAX]; /* T_WORD: folded (lower case, accents dropped for Latin and Greek) */
    char orig[16];       /* T_WORD: as written (truncated) */
};

/* Decode one UTF-8 code point at s (returns bytes used, 1 for an invalid byte: cp = 0xFFFD). */
static int utf8_next(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        *cp = (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        return 3;
    }
    *cp = 0xFFFD;
    return 1;
}

static bool is_letter(unsigned cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x24F) ||
           (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x400 && cp <= 0x4FF);
}

/* Lower-case and strip accents where it helps month matching. Returns the folded code point. */
static unsigned fold(unsigned cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp < 0x80)
        return cp;
    /* Latin-1 and Latin Extended-A letters used in month names, mapped to ASCII */
    static const struct {
        unsigned from;
        char to;
    } latin[] = {
        {0xC0, 'a'},  {0xC1, 'a'},  {0xC2, 'a'},  {0xC3, 'a'},  {0xC4, 'a'},  {0xC5, 'a'},
        {0xC7, 'c'},  {0xC8, 'e'},  {0xC9, 'e'},  {0xCA, 'e'},  {0xCB, 'e'},  {0xCC, 'i'},
        {0xCD, 'i'},  {0xCE, 'i'},  {0xCF, 'i'},  {0xD1, 'n'},  {0xD2, 'o'},  {0xD3, 'o'},
        {0xD4, 'o'},  {0xD5, 'o'},  {0xD6, 'o'},  {0xD9, 'u'},  {0xDA, 'u'},  {0xDB, 'u'},
        {0xDC, 'u'},  {0xE0, 'a'},  {0xE1, 'a'},  {0xE2, 'a'},  {0xE3, 'a'},  {0xE4, 'a'},
        {0xE5, 'a'},  {0xE7, 'c'},  {0xE8, 'e'},  {0xE9, 'e'},  {0xEA, 'e'},  {0xEB, 'e'},
        {0xEC, 'i'},  {0xED, 'i'},  {0xEE, 'i'},  {0xEF, 'i'},  {0xF1, 'n'},  {0xF2, 'o'},
        {0xF3, 'o'},  {0xF4, 'o'},  {0xF5, 'o'},  {0xF6, 'o'},  {0xF9, 'u'},  {0xFA, 'u'},
        {0xFB, 'u'},  {0xFC, 'u'},  {0x106, 'c'}, {0x107, 'c'}, {0x10C, 'c'}, {0x10D, 'c'},
        {0x11E, 'g'}, {0x11F, 'g'}, {0x130, 'i'}, {0x131, 'i'}, {0x15E, 's'}, {0x15F, 's'},
        {0x160, 's'}, {0x161, 's'}, {0x17D, 'z'}, {0x17E, 'z'}, {0x141, 'l'}, {0x142, 'l'},
    };
    for (size_t i = 0; i < sizeof latin / sizeof latin[0]; i++)
        if (latin[i].from == cp)
            return (unsigned char)latin[i].to;
    /* Greek: accented vowels to plain, upper to lower */
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
        return 0x3C3; /* final sigma */
    default:
        break;
    }
    if (cp >= 0x391 && cp <= 0x3A9)
        return cp + 0x20;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    return cp;
}

static size_t put_utf8(char *out, size_t cap, size_t o, unsigned cp)
{
    char buf[4];
    size_t n;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    if (o + n >= cap)
        return o;
    memcpy(out + o, buf, n);
    return o + n;
}

static int tokenize(const char *text, struct token *toks)
{
    const unsigned char *p = (const unsigned char *)text;
    int n = 0;
    while (*p && n < MAX_TOKENS) {
        unsigned cp;
        int used = utf8_next(p, &cp);
        if (cp >= '0' && cp <= '9') {
            struct token *t = &toks[n++];
            memset(t, 0, sizeof *t);
            t->kind = T_NUM;
            while (*p >= '0' && *p <= '9') {
                if (t->ndigits < 9)
                    t->value = t->value * 10 + (*p - '0');
                t->ndigits++;
                p++;
            }
        } else if (is_letter(cp)) {
            struct token *t = &toks[n++];
            memset(t, 0, sizeof *t);
            t->kind = T_WORD;
            t->upper = true;
            t->ascii = true;
            size_t o = 0, oo = 0;
            while (*p) {
                used = utf8_next(p, &cp);
                if (!is_letter(cp))
                    break;
                if (cp >= 0x80)
                    t->ascii = false;
                if (!(cp >= 'A' && cp <= 'Z'))
                    t->upper = false;
                o = put_utf8(t->word, sizeof t->word, o, fold(cp));
                if (oo + (size_t)used < sizeof t->orig) {
                    memcpy(t->orig + oo, p, (size_t)used);
                    oo += (size_t)used;
                }
                p += used;
            }
            t->word[o] = '\0';
            t->orig[oo] = '\0';
        } else {
            if (strchr(":./-+,", (int)cp) && cp < 0x80) {
                struct token *t = &toks[n++];
                memset(t, 0, sizeof *t);
                t->kind = T_SEP;
                t->sep = (char)cp;
            }
            p += used;
        }
    }
    return n;
}

/* Month stems: a word matches when it equals the stem, or when the stem has at least three
 * characters (bytes for ASCII) and the word starts with it. The longest match wins. */
static const struct {
    const char *stem;
    int month;
} months[] = {
    /* English, German, French, Spanish, Italian, Slovenian, Croatian, Turkish (folded) */
    {"jan", 1},
    {"feb", 2},
    {"mar", 3},
    {"apr", 4},
    {"may", 5},
    {"jun", 6},
    {"jul", 7},
    {"aug", 8},
    {"sep", 9},
    {"oct", 10},
    {"nov", 11},
    {"dec", 12},
    {"mrz", 3},
    {"mai", 5},
    {"okt", 10},
    {"dez", 12},
    {"janv", 1},
    {"fevr", 2},
    {"avr", 4},
    {"juin", 6},
    {"juil", 7},
    {"aout", 8},
    {"ene", 1},
    {"abr", 4},
    {"ago", 8},
    {"dic", 12},
    {"gen", 1},
    {"mag", 5},
    {"giu", 6},
    {"lug", 7},
    {"set", 9},
    {"ott", 10},
    {"maj", 5},
    {"avg", 8},
    {"sij", 1},
    {"velj", 2},
    {"ozu", 3},
    {"trav", 4},
    {"svib", 5},
    {"lip", 6},
    {"srp", 7},
    {"kol", 8},
    {"ruj", 9},
    {"lis", 10},
    {"stu", 11},
    {"pro", 12},
    {"oca", 1},
    {"sub", 2},
    {"nis", 4},
    {"haz", 6},
    {"tem", 7},
    {"agu", 8},
    {"eyl", 9},
    {"eki", 10},
    {"kas", 11},
    {"ara", 12},
    /* Russian (lower case Cyrillic) */
    {"янв", 1},
    {"фев", 2},
    {"мар", 3},
    {"апр", 4},
    {"май", 5},
    {"мая", 5},
    {"июн", 6},
    {"июл", 7},
    {"авг", 8},
    {"сен", 9},
    {"окт", 10},
    {"ноя", 11},
    {"дек", 12},
    /* Greek (lower case, accents dropped) */
    {"ιαν", 1},
    {"φεβ", 2},
    {"μαρ", 3},
    {"απρ", 4},
    {"μαι", 5},
    {"μαη", 5},
    {"ιουν", 6},
    {"ιουλ", 7},
    {"αυγ", 8},
    {"σεπ", 9},
    {"οκτ", 10},
    {"νοε", 11},
    {"δεκ", 12},
};

static int utf8_chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int month_of(const char *word)
{
    int best = 0;
    size_t best_len = 0;
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
        const char *stem = months[i].stem;
        size_t len = strlen(stem);
        bool match = strcmp(word, stem) == 0 ||
                     (utf8_chars(stem) >= 3 && strncmp(word, stem, len) == 0 && word[len]);
        if (match && len > best_len) {
            best = months[i].month;
            best_len = len;
        }
    }
    return best;
}

static const struct {
    const char *name;
    int offset_min;
} zones[] = {
    {"z", 0},       {"ut", 0},     {"utc", 0},    {"gmt", 0},    {"wet", 0},    {"west", 60},
    {"bst", 60},    {"cet", 60},   {"met", 60},   {"mez", 60},   {"cest", 120}, {"mest", 120},
    {"mesz", 120},  {"eet", 120},  {"oez", 120},  {"eest", 180}, {"oesz", 180}, {"msk", 180},
    {"msd", 240},   {"trt", 180},  {"sast", 120}, {"cat", 120},  {"eat", 180},  {"wat", 60},
    {"gst", 240},   {"pkt", 300},  {"ict", 420},  {"wib", 420},  {"hkt", 480},  {"sgt", 480},
    {"awst", 480},  {"pht", 480},  {"jst", 540},  {"kst", 540},  {"acst", 570}, {"aest", 600},
    {"aedt", 660},  {"nzst", 720}, {"nzdt", 780}, {"est", -300}, {"edt", -240}, {"cst", -360},
    {"cdt", -300},  {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420}, {"akst", -540},
    {"akdt", -480}, {"hst", -600}, {"brt", -180}, {"art", -180}, {"nst", -210}, {"ndt", -150},
    {"adt", -180},
};

int feed_date_zone_offset(const char *name, int *offset_min)
{
    if (!name)
        return -ENOENT;
    char low[16];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    low[i] = '\0';
    if (name[i])
        return -ENOENT;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        if (strcmp(zones[z].name, low) == 0) {
            *offset_min = zones[z].offset_min;
            return 0;
        }
    }
    return -ENOENT;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int full_year(const struct token *t)
{
    if (t->ndigits == 4)
        return (int)t->value;
    if (t->ndigits <= 2)
        return t->value < 70 ? 2000 + (int)t->value : 1900 + (int)t->value;
    return -1;
}

static bool sep_at(const struct token *toks, int n, int i, char c)
{
    return i < n && toks[i].kind == T_SEP && (c == 0 || toks[i].sep == c);
}

static bool num_at(const struct token *toks, int n, int i)
{
    return i < n && toks[i].kind == T_NUM;
}

/* Read a numeric offset at toks[i] (a '+' or '-' followed by digits). Returns tokens used, 0
 * when there is none. */
static int read_offset(const struct token *toks, int n, int i, int *offset_min)
{
    if (!sep_at(toks, n, i, 0) || (toks[i].sep != '+' && toks[i].sep != '-') ||
        !num_at(toks, n, i + 1))
        return 0;
    int sign = toks[i].sep == '-' ? -1 : 1;
    const struct token *h = &toks[i + 1];
    int hours, mins = 0, used = 2;
    if (h->ndigits == 4 || h->ndigits == 3) {
        hours = (int)h->value / 100;
        mins = (int)h->value % 100;
    } else if (h->ndigits <= 2) {
        hours = (int)h->value;
        if (sep_at(toks, n, i + 2, ':') && num_at(toks, n, i + 3) && toks[i + 3].ndigits == 2) {
            mins = (int)toks[i + 3].value;
            used = 4;
        }
    } else {
        return 0;
    }
    if (hours > 14 || mins > 59)
        return 0;
    *offset_min = sign * (hours * 60 + mins);
    return used;
}

static void format_out(feed_date *d)
{
    if (!d->has_time) {
        snprintf(d->iso, sizeof d->iso, "%04d-%02d-%02d", d->year, d->month, d->day);
    } else if (d->zone == FEED_ZONE_KNOWN) {
        int off = d->offset_min < 0 ? -d->offset_min : d->offset_min;
        snprintf(d->iso, sizeof d->iso, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", d->year,
                 d->month, d->day, d->hour, d->minute, d->second, d->offset_min < 0 ? '-' : '+',
                 off / 60, off % 60);
    } else {
        snprintf(d->iso, sizeof d->iso, "%04d-%02d-%02dT%02d:%02d:%02d", d->year, d->month, d->day,
                 d->hour, d->minute, d->second);
    }
    if (d->zone == FEED_ZONE_KNOWN) {
        int64_t days = days_from_civil(d->year, d->month, d->day);
        d->utc_epoch_s = days * 86400 + d->hour * 3600 + d->minute * 60 + d->second -
                         (int64_t)d->offset_min * 60;
        int64_t ud =
            d->utc_epoch_s >= 0 ? d->utc_epoch_s / 86400 : -((-d->utc_epoch_s + 86399) / 86400);
        int64_t secs = d->utc_epoch_s - ud * 86400;
        int y, m, dd;
        civil_from_days(ud, &y, &m, &dd);
        snprintf(d->utc, sizeof d->utc, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, dd,
                 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    }
}

int feed_date_parse(const char *text, feed_date *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return -EINVAL;
    struct token toks[MAX_TOKENS];
    int n = tokenize(text, toks);
    int year = -1, month = 0, day = 0;
    int hour = -1, minute = 0, second = 0;
    bool pm = false, am = false;
    for (int i = 0; i < n; i++) {
        struct token *t = &toks[i];
        if (t->kind == T_NUM) {
            /* a time: H:MM[:SS[.frac]] */
            if (hour < 0 && t->ndigits <= 2 && sep_at(toks, n, i + 1, ':') &&
                num_at(toks, n, i + 2) && toks[i + 2].ndigits == 2) {
                hour = (int)t->value;
                minute = (int)toks[i + 2].value;
                i += 2;
                if (sep_at(toks, n, i + 1, ':') && num_at(toks, n, i + 2) &&
                    toks[i + 2].ndigits == 2) {
                    second = (int)toks[i + 2].value;
                    i += 2;
                    if (sep_at(toks, n, i + 1, '.') && num_at(toks, n, i + 2))
                        i += 2; /* fraction of a second */
                }
                continue;
            }
            /* a numeric date: three numbers joined by the same separator */
            if (month == 0 && sep_at(toks, n, i + 1, 0) && num_at(toks, n, i + 2) &&
                sep_at(toks, n, i + 3, toks[i + 1].sep) && num_at(toks, n, i + 4) &&
                strchr("./-", toks[i + 1].sep)) {
                const struct token *a = t, *b = &toks[i + 2], *c = &toks[i + 4];
                if (a->ndigits == 4) {
                    year = (int)a->value;
                    month = (int)b->value;
                    day = (int)c->value;
                } else if (c->ndigits == 4 || c->ndigits == 2) {
                    year = full_year(c);
                    if (b->value > 12 && a->value <= 12) { /* US order: M/D/Y */
                        month = (int)a->value;
                        day = (int)b->value;
                    } else {
                        day = (int)a->value;
                        month = (int)b->value;
                    }
                } else {
                    continue;
                }
                i += 4;
                continue;
            }
            /* an offset written without its sign is not a thing; digits alone: day or year */
            if (t->ndigits == 4 && year < 0 && t->value >= 1000) {
                year = (int)t->value;
            } else if (t->ndigits <= 2 && day == 0 && t->value >= 1 && t->value <= 31 && hour < 0) {
                day = (int)t->value;
            } else if (t->ndigits <= 2 && year < 0 && day && month) {
                year = full_year(t);
            }
            continue;
        }
        if (t->kind == T_SEP) {
            if (hour >= 0 && (t->sep == '+' || t->sep == '-') && out->zone == FEED_ZONE_NONE) {
                int off = 0;
                int used = read_offset(toks, n, i, &off);
                if (used) {
                    out->zone = FEED_ZONE_KNOWN;
                    out->offset_min = off;
                    i += used - 1;
                }
            }
            continue;
        }
        /* a word */
        if (strcmp(t->word, "pm") == 0 || strcmp(t->word, "p") == 0) {
            pm = hour >= 0;
            continue;
        }
        if (strcmp(t->word, "am") == 0 || strcmp(t->word, "a") == 0) {
            am = hour >= 0;
            continue;
        }
        if (strcmp(t->word, "t") == 0 && hour < 0)
            continue; /* ISO date/time separator */
        if (hour >= 0 && out->zone == FEED_ZONE_NONE && t->ascii) {
            int off = 0;
            if (feed_date_zone_offset(t->word, &off) == 0) {
                out->zone = FEED_ZONE_KNOWN;
                out->offset_min = off;
                snprintf(out->zone_name, sizeof out->zone_name, "%s", t->orig);
                /* GMT+3, UTC+03:00 */
                int extra = 0;
                int used = read_offset(toks, n, i + 1, &extra);
                if (used && off == 0) {
                    out->offset_min = extra;
                    i += used;
                }
                continue;
            }
            if (t->upper && strlen(t->word) >= 2 && strlen(t->word) <= 5) {
                out->zone = FEED_ZONE_UNKNOWN;
                snprintf(out->zone_name, sizeof out->zone_name, "%s", t->orig);
                continue;
            }
        }
        if (month == 0) {
            int m = month_of(t->word);
            if (m) {
                month = m;
                continue;
            }
        }
    }
    if (hour >= 0 && pm && hour < 12)
        hour += 12;
    if (hour == 12 && am)
        hour = 0;
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        year < 1900 || year > 2200) {
        memset(out, 0, sizeof *out);
        return -EINVAL;
    }
    if (hour == 24 && minute == 0 && second == 0)
        hour = 23, minute = 59, second = 59;
    if (hour > 23 || minute > 59 || second > 60) {
        memset(out, 0, sizeof *out);
        return -EINVAL;
    }
    if (second == 60)
        second = 59;
    out->ok = true;
    out->year = year;
    out->month = month;
    out->day = day;
    out->has_time = hour >= 0;
    out->hour = hour >= 0 ? hour : 0;
    out->minute = hour >= 0 ? minute : 0;
    out->second = hour >= 0 ? second : 0;
    if (!out->has_time && out->zone != FEED_ZONE_NONE)
        out->zone = FEED_ZONE_NONE;
    format_out(out);
    return 0;
}
