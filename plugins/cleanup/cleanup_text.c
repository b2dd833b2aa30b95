/*
 * cleanup_text - the cleanup plugin's text algorithm (see cleanup_text.h).
 *
 * One call makes a handful of linear passes over the article:
 *   1. normalize characters (zero-width and control characters out, CR/LF to LF);
 *   2. split into trimmed lines and classify short ones (timestamp, boilerplate, credit);
 *   3. strip a date label from the first content line and pick the title;
 *   4. key every line by its whitespace-collapsed text and a 64-bit hash;
 *   5. halve lines that hold the same text twice, drop repeated lines (first one wins);
 *   6. drop lines that are other lines glued together, found by covering the line with
 *      consecutive exact matches of other lines (a hash of each line's first bytes finds the
 *      candidates at a position, so the cost is linear in the line's length);
 *   7. write the kept lines back with single blank lines between paragraphs.
 * Work is capped for huge inputs: only the first CT_MAX_LINES lines are analyzed (the rest is
 * copied through normalized), and the glue search stops after a fixed byte budget.
 */
#include "cleanup_text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nfc.h"
#include "textbuf.h"
#include "utf8lite.h"

#define CT_MAX_LINES              200000      /* lines analyzed; later lines are copied through */
#define CT_CLASSIFY_MAX_BYTES     400         /* longer lines are always content */
#define CT_HEADER_MAX_CHARS       300         /* a headline without a date label */
#define CT_DATED_HEADER_MAX_CHARS 1000        /* a headline after a date label */
#define CT_TITLE_MAX_CHARS        250         /* a title cut from the first sentence */
#define CT_GLUE_MIN_PIECE         16          /* bytes; shorter lines are never glue pieces */
#define CT_GLUE_MAX_LINE          (1u << 20)  /* bytes; longer lines are not tested for glue */
#define CT_GLUE_BUDGET            (64u << 20) /* bytes compared in the glue search, per article */
#define CT_DOUBLE_MIN_HALF        20          /* bytes; shorter "X X" lines are left alone */
#define CT_LEARN_MAX_LINE         200         /* bytes; longer lines are never learned */

enum line_state { LINE_BLANK, LINE_KEEP, LINE_DROP };

static bool is_closing(unsigned cp);

typedef struct ct_line {
    size_t off, len; /* trimmed text in ctx.text */
    const char *key; /* the line's text (in ctx.text), its kept half for an inline double,
                      * or the title buffer for the title's pseudo line */
    size_t key_len;
    uint64_t hash;                 /* of the key */
    size_t prefix_off, prefix_len; /* a stripped date label (first content line only) */
    uint8_t state;
    uint8_t reason;           /* ct_reason, for LINE_DROP */
    bool is_halved;           /* inline double: the body gets key[0..key_len) */
    const char *dropped_half; /* inline double: the dropped copy */
    size_t dropped_half_len;
} ct_line;

typedef struct ct_ctx {
    const lk_tables *tables;
    char *text;
    size_t text_len;
    ct_line *lines;
    size_t n_lines;
    size_t tail_off; /* text[tail_off..) is copied through without analysis */
    size_t header;   /* index of the headline line, or SIZE_MAX */
} ct_ctx;

/* 64-bit hash of s[0..n), eight bytes per step (any good mix will do; not cryptographic). */
static uint64_t hash_bytes(const char *s, size_t n)
{
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = n * k;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    uint64_t w = 0;
    for (size_t j = 0; i + j < n; j++)
        w |= (uint64_t)(unsigned char)s[i + j] << (8 * j);
    h = (h ^ w) * k;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

/* Lead bytes that may start a character normalize_chars changes (a space is handled in the
 * plain-byte path): C0 controls and DEL,
 * and the lead bytes of NBSP, C1 controls and soft hyphen (C2), combining marks U+0300-U+036F
 * (CC, CD), U+1680 and U+180E (E1), Unicode spaces, zero-width characters and line/paragraph
 * separators (E2), U+3000 (E3), and the BOM (EF). Everything else is copied as is. */
static const bool normalize_lead[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1, [0x0E] = 1, [0x0F] = 1,
    [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
    [0x7F] = 1, [0xC2] = 1, [0xCC] = 1, [0xCD] = 1, [0xE1] = 1, [0xE2] = 1, [0xE3] = 1, [0xEF] = 1,
};

static bool is_normalize_lead(unsigned char c)
{
    return normalize_lead[c];
}

/* NFC for the combining mark at in[*i]: the starter already written at the end of out[0..*o)
 * (with the marks written after it) and the marks that follow in the input are composed and
 * rewritten in place (see nfc.h). Advances *i past the input marks. When there is no starter
 * before the mark, the sequence is too long or the result would not leave room in cap for the
 * rest of the input, the marks are copied unchanged (so *o + len - *i <= cap always holds). */
static void compose_marks(const char *in, size_t len, size_t *i, char *out, size_t *o, size_t cap)
{
    unsigned cps[NFC_MAX_SEQ];
    size_t n = 0;
    /* Walk back over marks already written to the starter. */
    size_t start = *o;
    unsigned back[NFC_MAX_SEQ / 2];
    size_t nb = 0;
    bool have_starter = false;
    while (start > 0 && nb < NFC_MAX_SEQ / 2) {
        size_t k = start - 1;
        while (k > 0 && ((unsigned char)out[k] & 0xC0) == 0x80)
            k--;
        size_t j = k;
        unsigned cp = u8_decode(out, start, &j);
        start = k;
        back[nb++] = cp;
        if (nfc_ccc(cp) == 0) {
            have_starter = cp >= 0x20;
            break;
        }
    }
    for (size_t k = nb; k-- > 0;)
        cps[n++] = back[k];
    /* Then the marks that follow in the input. */
    size_t in_start = *i, pos = *i;
    while (pos < len && n < NFC_MAX_SEQ - 4) {
        size_t next = pos;
        unsigned cp = u8_decode(in, len, &next);
        if (nfc_ccc(cp) == 0)
            break;
        cps[n++] = cp;
        pos = next;
    }
    if (pos == in_start) /* cannot happen: in[*i] is a mark */
        pos = in_start + 1;
    *i = pos;
    if (have_starter && (pos >= len || nfc_ccc(u8_decode(in, len, &(size_t){pos})) == 0)) {
        n = nfc_compose_seq(cps, n);
        size_t need = 0;
        char enc[4];
        for (size_t k = 0; k < n; k++)
            need += u8_encode(cps[k], enc);
        if (start + need + (len - pos) <= cap) { /* the rest of the input still fits */
            size_t w = start;
            for (size_t k = 0; k < n; k++)
                w += u8_encode(cps[k], out + w);
            *o = w;
            return;
        }
    }
    /* Unchanged: copy the input marks after what is already written. */
    if (*o + (pos - in_start) <= cap) {
        memcpy(out + *o, in + in_start, pos - in_start);
        *o += pos - in_start;
    }
}

/* Writes one space unless the output already ends with one. */
static void put_space(char *out, size_t *o)
{
    if (*o == 0 || out[*o - 1] != ' ')
        out[(*o)++] = ' ';
}

/* The rare path of normalize_chars: the character at in[*i] starts with a lead byte (see
 * normalize_lead). Writes its normalized form to out at *o and advances both. */
static void normalize_slow(const char *in, size_t len, size_t *i, char *out, size_t *o, size_t cap)
{
    unsigned char c = (unsigned char)in[*i];
    if (c < 0x80) {
        if (c == '\t')
            put_space(out, o);
        else if (c == '\n' || c == '\r')
            out[(*o)++] = '\n';
        if (c == '\r' && *i + 1 < len && in[*i + 1] == '\n')
            (*i)++;
        (*i)++;
        return; /* other C0 controls and DEL are dropped */
    }
    size_t start = *i;
    unsigned cp = u8_decode(in, len, i);
    if ((cp == 0xFFFD && *i == start + 1) || u8_is_invisible(cp))
        return; /* a malformed byte (cannot happen for host text) or an invisible character */
    if (cp == 0x2028 || cp == 0x2029) {
        out[(*o)++] = '\n';
    } else if (u8_is_space(cp)) {
        put_space(out, o);
    } else if (cp >= 0x0300 && cp < 0x0370 && nfc_ccc(cp)) {
        *i = start;
        compose_marks(in, len, i, out, o, cap);
    } else {
        memcpy(out + *o, in + start, *i - start);
        *o += *i - start;
    }
}

/* Step 1: copy in[0..len) to out (cap bytes, at least len + 1) without invisible and control
 * characters; CRLF, CR, U+2028 and U+2029 become LF; every run of horizontal white space (tab,
 * NBSP and the other Unicode space separators) becomes one space; combining sequences of Latin,
 * Greek and Cyrillic letters are composed (NFC). Returns the output length (< cap). */
static size_t normalize_chars(const char *in, size_t len, char *out, size_t cap)
{
    cap--; /* room for the caller's NUL */
    size_t i = 0, o = 0;
    unsigned char last = '\n'; /* out[o - 1], kept in a register ('\n' at the start) */
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (!is_normalize_lead(c)) {
            /* The hot loop: plain bytes and spaces. A space right after a space is written
             * but not kept, without a branch (spaces come every few bytes, unpredictably),
             * and without reading back the output (a store-to-load chain per byte). */
            out[o] = (char)c;
            o += !(c == ' ' && last == ' ');
            last = c;
            i++;
            continue;
        }
        /* Copies, so i and o themselves are never address-taken and stay in registers. */
        size_t si = i, so = o;
        normalize_slow(in, len, &si, out, &so, cap);
        i = si;
        o = so;
        last = o > 0 ? (unsigned char)out[o - 1] : '\n';
    }
    return o;
}

static void trim(const char *s, size_t *off, size_t *len)
{
    size_t a = *off, b = *off + *len, sl;
    while (a < b && (sl = u8_space_len_at(s, b, a)) != 0)
        a += sl;
    while (b > a && (sl = u8_space_len_before(s, b)) != 0)
        b -= sl;
    *off = a;
    *len = b - a;
}

/* Lead bytes of horizontal space characters (see u8_is_space). */
static bool may_start_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == 0xC2 || (c >= 0xE1 && c <= 0xE3);
}

/* Write the whitespace-collapsed form of s[0..len) to out; returns its length. */
static size_t collapse_ws(const char *s, size_t len, char *out)
{
    size_t i = 0, o = 0;
    bool pending = false;
    while (i < len) {
        size_t run = i;
        while (run < len && !may_start_space((unsigned char)s[run]))
            run++;
        if (run > i) {
            if (pending) {
                out[o++] = ' ';
                pending = false;
            }
            memcpy(out + o, s + i, run - i);
            o += run - i;
            i = run;
            if (i == len)
                break;
        }
        size_t sl = u8_space_len_at(s, len, i);
        if (sl) {
            pending = o > 0;
            i += sl;
            continue;
        }
        if (pending) {
            out[o++] = ' ';
            pending = false;
        }
        out[o++] = s[i++];
    }
    return o;
}

/* a and b are equal after collapsing white space (leading and trailing space ignored). */
static bool norm_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    bool started = false;
    for (;;) {
        size_t sa = i < alen ? u8_space_len_at(a, alen, i) : 0;
        size_t sb = j < blen ? u8_space_len_at(b, blen, j) : 0;
        if (sa || sb) {
            bool a_space = sa != 0, b_space = sb != 0;
            while (i < alen && (sa = u8_space_len_at(a, alen, i)) != 0)
                i += sa;
            while (j < blen && (sb = u8_space_len_at(b, blen, j)) != 0)
                j += sb;
            if (a_space != b_space && started && i < alen && j < blen)
                return false;
            continue;
        }
        if (i == alen || j == blen)
            return i == alen && j == blen;
        if (a[i] != b[j])
            return false;
        started = true;
        i++;
        j++;
    }
}

static bool has_letter(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (u8_is_letter(u8_decode(s, len, &i)))
            return true;
    }
    return false;
}

/* Step 2: split text[0..text_len) into lines (up to CT_MAX_LINES) and classify them. */
static void split_lines(ct_ctx *c)
{
    size_t count = 1;
    for (const char *p = c->text, *end = c->text + c->text_len;
         (p = memchr(p, '\n', (size_t)(end - p))) != NULL && count < CT_MAX_LINES; p++)
        count++;
    c->lines = tb_xcalloc(count, sizeof *c->lines);
    size_t pos = 0;
    while (c->n_lines < count && pos <= c->text_len) {
        const char *nl = memchr(c->text + pos, '\n', c->text_len - pos);
        size_t end = nl ? (size_t)(nl - c->text) : c->text_len;
        ct_line *ln = &c->lines[c->n_lines++];
        ln->off = pos;
        ln->len = end - pos;
        trim(c->text, &ln->off, &ln->len);
        ln->state = ln->len ? LINE_KEEP : LINE_BLANK;
        pos = end + 1;
        if (!nl)
            break;
    }
    c->tail_off = pos < c->text_len ? pos : c->text_len;

    for (size_t i = 0; i < c->n_lines; i++) {
        ct_line *ln = &c->lines[i];
        if (ln->state != LINE_KEEP || ln->len > CT_CLASSIFY_MAX_BYTES)
            continue;
        const char *s = c->text + ln->off;
        int reason = -1;
        switch (lk_classify(c->tables, s, ln->len)) {
        case LK_CREDIT:
            reason = CT_REASON_CREDIT;
            break;
        case LK_TIMESTAMP:
            reason = CT_REASON_TIMESTAMP;
            break;
        case LK_BOILERPLATE:
            reason = CT_REASON_BOILERPLATE;
            break;
        case LK_CONTENT:
            break;
        }
        if (reason >= 0) {
            ln->state = LINE_DROP;
            ln->reason = (uint8_t)reason;
        }
    }
}

static size_t first_kept(const ct_ctx *c, size_t from)
{
    for (size_t i = from; i < c->n_lines; i++)
        if (c->lines[i].state == LINE_KEEP && i != c->header)
            return i;
    return SIZE_MAX;
}

/* Step 4: key every line by its text (white space is already collapsed by step 1). */
static void build_keys(ct_ctx *c)
{
    for (size_t i = 0; i < c->n_lines; i++) {
        ct_line *ln = &c->lines[i];
        if (ln->state == LINE_BLANK)
            continue;
        ln->key = c->text + ln->off;
        ln->key_len = ln->len;
        ln->hash = hash_bytes(ln->key, ln->key_len);
    }
}

typedef struct quote_pair {
    unsigned open, close;
} quote_pair;

static const quote_pair quote_pairs[] = {
    {0xBB, 0xAB},     {0xAB, 0xBB},     {'"', '"'},       {0x201C, 0x201D},
    {0x201E, 0x201C}, {0x201E, 0x201D}, {0x2039, 0x203A}, {0x203A, 0x2039},
    {0x201D, 0x201D}, {0x2018, 0x2019}, {'\'', '\''},     {0x300C, 0x300D},
};

/* When s[0..len) is wrapped in one pair of quotes with none of them inside, narrow it to the
 * inside (trimmed). */
static void strip_wrapping_quotes(const char *s, size_t *off, size_t *len)
{
    if (*len < 3)
        return;
    const char *p = s + *off;
    size_t i = 0;
    unsigned first = u8_decode(p, *len, &i);
    size_t last_start = *len - 1;
    while (last_start > 0 && ((unsigned char)p[last_start] & 0xC0) == 0x80)
        last_start--;
    size_t j = last_start;
    unsigned last = u8_decode(p, *len, &j);
    if (last_start < i)
        return;
    for (size_t q = 0; q < sizeof quote_pairs / sizeof quote_pairs[0]; q++) {
        if (first != quote_pairs[q].open || last != quote_pairs[q].close)
            continue;
        size_t k = i;
        while (k < last_start) {
            unsigned cp = u8_decode(p, last_start, &k);
            if (cp == quote_pairs[q].open || cp == quote_pairs[q].close)
                return;
        }
        size_t inner_off = *off + i, inner_len = last_start - i;
        trim(s, &inner_off, &inner_len);
        if (inner_len == 0)
            return;
        *off = inner_off;
        *len = inner_len;
        return;
    }
}

static bool is_sentence_punct(unsigned cp)
{
    return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026;
}

static bool is_closing(unsigned cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D || cp == 0x2019 ||
           cp == 0xBB || cp == 0xAB || cp == 0x201C || cp == '.' || cp == '!' || cp == '?' ||
           cp == 0x2026;
}

/* The '.' at s[dot] ends an abbreviation, an initial or an ordinal ("Dr.", "S.", "2."). */
static bool dot_is_abbreviation(const char *s, size_t dot)
{
    size_t b = dot;
    while (b > 0) {
        size_t k = b - 1;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        size_t j = k;
        unsigned cp = u8_decode(s, b, &j);
        if (!u8_is_letter(cp) && !(cp >= '0' && cp <= '9'))
            break;
        b = k;
    }
    size_t wlen = dot - b;
    if (wlen == 0)
        return false;
    bool all_digits = true;
    for (size_t i = b; i < dot; i++)
        all_digits &= s[i] >= '0' && s[i] <= '9';
    if (all_digits)
        return wlen <= 2;
    if (u8_count(s + b, wlen) == 1)
        return true;
    static const char *const abbrevs[] = {"dr", "mr",  "mrs", "ms",  "prof", "st",  "vs",  "jr",
                                          "sr", "gen", "no",  "nr",  "npr",  "tj",  "itd", "bkz",
                                          "vb", "sv",  "ul",  "gov", "sen",  "rep", "inc", "ltd",
                                          "co", "hz",  "doç", "av",  "mah",  "cad", "sok"};
    char w[8];
    if (wlen >= sizeof w)
        return false;
    for (size_t i = 0; i < wlen; i++)
        w[i] = (char)((s[b + i] >= 'A' && s[b + i] <= 'Z') ? s[b + i] + 32 : s[b + i]);
    w[wlen] = '\0';
    for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++)
        if (strcmp(w, abbrevs[i]) == 0)
            return true;
    return false;
}

/* Byte offset just past the first sentence of s[0..len) if it ends before `limit`; else 0. */
static size_t first_sentence_end(const char *s, size_t len, size_t limit)
{
    size_t i = 0;
    while (i < len && i < limit) {
        size_t at = i;
        unsigned cp = u8_decode(s, len, &i);
        if (!is_sentence_punct(cp))
            continue;
        size_t k = i;
        while (k < len) {
            size_t m = k;
            if (!is_closing(u8_decode(s, len, &m)))
                break;
            k = m;
        }
        if (k < len && !u8_space_len_at(s, len, k))
            continue;
        if (cp == '.' && dot_is_abbreviation(s, at))
            continue;
        return k <= limit ? k : 0;
    }
    return 0;
}

/* More than one sentence in s[0..len) (a sentence end followed by more text). */
static bool has_several_sentences(const char *s, size_t len)
{
    size_t e = first_sentence_end(s, len, len);
    if (e == 0)
        return false;
    while (e < len && u8_space_len_at(s, len, e))
        e += u8_space_len_at(s, len, e);
    return e < len;
}

/* Title from the first sentence of s[0..len): the sentence when it fits in
 * CT_TITLE_MAX_CHARS, else a word-boundary cut with "…". */
static void sentence_title(const char *s, size_t len, tb_buf *out)
{
    size_t limit = u8_offset_of_char(s, len, CT_TITLE_MAX_CHARS);
    size_t end = first_sentence_end(s, len, limit);
    if (end) {
        tb_append(out, s, end);
        return;
    }
    if (limit >= len) {
        tb_append(out, s, len);
        return;
    }
    size_t cut = limit;
    for (size_t k = limit; k > limit / 2; k--) {
        if (u8_space_len_at(s, len, k)) {
            cut = k;
            break;
        }
    }
    /* Do not end on separating punctuation. */
    while (cut > 0 && (s[cut - 1] == ',' || s[cut - 1] == ';' || s[cut - 1] == ':' ||
                       s[cut - 1] == ' ' || s[cut - 1] == '-'))
        cut--;
    cut = u8_cut(s, len, cut);
    tb_append(out, s, cut);
    tb_puts(out, "\xE2\x80\xA6"); /* … */
}

/* Step 3: date label of the first content line, then the headline. */
static void choose_title(ct_ctx *c, const char *existing, size_t existing_len, ct_result *r,
                         tb_buf *title)
{
    size_t f = first_kept(c, 0);
    if (f == SIZE_MAX)
        return;
    ct_line *ln = &c->lines[f];
    size_t plen = lk_date_prefix_len(c->tables, c->text + ln->off, ln->len);
    if (plen) {
        ln->prefix_off = ln->off;
        ln->prefix_len = plen;
        trim(c->text, &ln->prefix_off, &ln->prefix_len);
        ln->off += plen;
        ln->len -= plen;
        trim(c->text, &ln->off, &ln->len);
    }
    bool has_more = first_kept(c, f + 1) != SIZE_MAX;
    size_t qoff = ln->off, qlen = ln->len;
    strip_wrapping_quotes(c->text, &qoff, &qlen);

    if (existing) {
        r->title_from = CT_TITLE_EXISTING;
        if (has_more && (norm_eq(existing, existing_len, c->text + ln->off, ln->len) ||
                         norm_eq(existing, existing_len, c->text + qoff, qlen))) {
            ln->state = LINE_DROP;
            ln->reason = CT_REASON_TITLE;
        }
        return;
    }
    if (!has_more || !has_letter(c->text + qoff, qlen) || c->text[qoff + qlen - 1] == ':')
        return;
    size_t chars = u8_count(c->text + qoff, qlen);
    bool is_header =
        plen ? chars <= CT_DATED_HEADER_MAX_CHARS
             : chars <= CT_HEADER_MAX_CHARS && !has_several_sentences(c->text + qoff, qlen);
    if (!is_header)
        return;
    c->header = f;
    r->title_from = CT_TITLE_HEADER_LINE;
    tb_buf tmp;
    tb_init(&tmp);
    tb_reserve(&tmp, qlen);
    tmp.len = collapse_ws(c->text + qoff, qlen, tmp.data);
    tmp.data[tmp.len] = '\0';
    *title = tmp;
}

/* Step 5a: a line whose key is "X X" or "XX" with a long X keeps one X. */
static void halve_doubles(ct_ctx *c)
{
    for (size_t i = 0; i < c->n_lines; i++) {
        ct_line *ln = &c->lines[i];
        if (ln->state != LINE_KEEP || i == c->header || ln->key_len < 2 * CT_DOUBLE_MIN_HALF)
            continue;
        const char *k = ln->key;
        size_t n = ln->key_len, half = 0, second = 0;
        if ((n & 1) && k[n / 2] == ' ' && memcmp(k, k + n / 2 + 1, n / 2) == 0) {
            half = n / 2;
            second = n / 2 + 1;
        } else if (!(n & 1) && memcmp(k, k + n / 2, n / 2) == 0) {
            half = n / 2;
            second = n / 2;
        }
        if (!half || !has_letter(k, half))
            continue;
        /* A real doubled caption or sentence has several words; glued without a space, the
         * first copy must end like a sentence or a credit ("... Foto: STA" + "..."). */
        size_t spaces = 0;
        for (size_t j = 0; j < half; j++)
            spaces += k[j] == ' ';
        if (spaces < 3)
            continue;
        if (second == half && !is_closing((unsigned char)k[half - 1]) && k[half - 1] != ':')
            continue;
        /* The halves must split on a character boundary (they are equal, so one check). */
        if (((unsigned char)k[second] & 0xC0) == 0x80)
            continue;
        ln->is_halved = true;
        ln->dropped_half = k + second;
        ln->dropped_half_len = n - second;
        ln->key_len = half;
        ln->hash = hash_bytes(k, half);
    }
}

static bool key_eq(const ct_line *a, const ct_line *b)
{
    return a->hash == b->hash && a->key_len == b->key_len &&
           memcmp(a->key, b->key, a->key_len) == 0;
}

/* Lines without a letter or digit ("—", "* * *", a lone emoji) may repeat as separators. */
static bool worth_dedup(const ct_line *ln)
{
    if (ln->key_len < 4)
        return false;
    size_t i = 0;
    while (i < ln->key_len) {
        unsigned char ch = (unsigned char)ln->key[i];
        if (ch < 0x80) {
            if ((ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z'))
                return true;
            i++;
            continue;
        }
        if (u8_is_letter(u8_decode(ln->key, ln->key_len, &i)))
            return true;
    }
    return false;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 16;
    while (p < n)
        p *= 2;
    return p;
}

/* Step 5b: drop every line whose key was seen before (the headline and the title count as
 * seen first). `extra` is a pseudo line holding the title's key, or NULL. */
static void drop_repeats(ct_ctx *c, const ct_line *extra)
{
    size_t cap = pow2_at_least(2 * (c->n_lines + 2));
    uint32_t *slots = tb_xcalloc(cap, sizeof *slots); /* line index + 1; n_lines+1 = extra */
    size_t n_total = c->n_lines + 1;
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t idx = 0; idx < n_total; idx++) {
            /* Pass 0 seeds the headline and the title; pass 1 walks the body. */
            bool seed = idx == c->header || idx == c->n_lines;
            if ((pass == 0) != seed)
                continue;
            const ct_line *ln = idx == c->n_lines ? extra : &c->lines[idx];
            if (!ln || ln->state != LINE_KEEP || !worth_dedup(ln))
                continue;
            size_t h = (size_t)ln->hash & (cap - 1);
            bool seen = false;
            while (slots[h]) {
                size_t other = slots[h] - 1;
                const ct_line *o = other == c->n_lines ? extra : &c->lines[other];
                if (key_eq(o, ln)) {
                    seen = true;
                    break;
                }
                h = (h + 1) & (cap - 1);
            }
            if (!seen) {
                slots[h] = (uint32_t)(idx + 1);
            } else if (!seed) {
                c->lines[idx].state = LINE_DROP;
                c->lines[idx].reason = CT_REASON_DUPLICATE;
            }
        }
    }
    free(slots);
}

/* Step 6: drop lines made only of other (shorter) lines' texts, glued with or without a
 * space. Every dropped line is covered by strictly shorter lines that are either kept or
 * covered in turn, so no text is lost. */
static void drop_glued(ct_ctx *c)
{
    size_t n_pieces = 0;
    for (size_t i = 0; i < c->n_lines; i++)
        n_pieces += c->lines[i].state == LINE_KEEP && c->lines[i].key_len >= CT_GLUE_MIN_PIECE;
    if (n_pieces < 2)
        return;
    size_t cap = pow2_at_least(2 * n_pieces);
    uint32_t *heads = tb_xcalloc(cap, sizeof *heads); /* line index + 1 */
    uint32_t *next = tb_xcalloc(c->n_lines, sizeof *next);
    for (size_t i = 0; i < c->n_lines; i++) {
        const ct_line *ln = &c->lines[i];
        if (ln->state != LINE_KEEP || ln->key_len < CT_GLUE_MIN_PIECE)
            continue;
        size_t h = (size_t)hash_bytes(ln->key, CT_GLUE_MIN_PIECE) & (cap - 1);
        next[i] = heads[h];
        heads[h] = (uint32_t)(i + 1);
    }
    /* The candidates are fixed before any drop, so the outcome does not depend on order. */
    bool *candidate = tb_xcalloc(c->n_lines, sizeof *candidate);
    for (size_t i = 0; i < c->n_lines; i++)
        candidate[i] = c->lines[i].state == LINE_KEEP;

    size_t budget = CT_GLUE_BUDGET;
    unsigned char *reach = NULL;
    size_t reach_cap = 0;
    for (size_t li = 0; li < c->n_lines && budget > 0; li++) {
        ct_line *ln = &c->lines[li];
        size_t n = ln->key_len;
        if (!candidate[li] || li == c->header || n < 2 * CT_GLUE_MIN_PIECE ||
            n > CT_GLUE_MAX_LINE || ln->is_halved)
            continue;
        const char *k = ln->key;
        if (!heads[(size_t)hash_bytes(k, CT_GLUE_MIN_PIECE) & (cap - 1)])
            continue; /* no line starts like this one: the common case, O(1) */
        if (reach_cap < n + 1) {
            free(reach);
            reach_cap = n + 1;
            reach = tb_xmalloc(reach_cap);
        }
        memset(reach, 0, n + 1);
        reach[0] = 1;
        size_t furthest = 0;
        for (size_t p = 0; p < n && p <= furthest && budget > 0; p++) {
            if (!reach[p] || n - p < CT_GLUE_MIN_PIECE)
                continue;
            size_t h = (size_t)hash_bytes(k + p, CT_GLUE_MIN_PIECE) & (cap - 1);
            budget = budget > CT_GLUE_MIN_PIECE ? budget - CT_GLUE_MIN_PIECE : 0;
            for (uint32_t e = heads[h]; e; e = next[e - 1]) {
                size_t pi = e - 1;
                const ct_line *pc = &c->lines[pi];
                size_t plen = pc->key_len;
                if (pi == li || plen >= n || plen > n - p || !candidate[pi])
                    continue;
                budget = budget > plen ? budget - plen : 0;
                if (memcmp(k + p, pc->key, plen) != 0)
                    continue;
                size_t q = p + plen;
                if (q < n && k[q] == ' ')
                    q++;
                reach[q] = 1;
                if (q > furthest)
                    furthest = q;
            }
        }
        if (reach[n]) {
            ln->state = LINE_DROP;
            ln->reason = CT_REASON_GLUED;
        }
    }
    free(reach);
    free(candidate);
    free(next);
    free(heads);
}

/* Step 6b: lines the source repeats in most of its articles (see learn.h). Only short lines
 * count; when the learner flags more than half of an article's counted lines, the article is
 * most likely a re-send of an earlier one, and nothing is dropped. */
static void drop_learned(ct_ctx *c, bl_learner *learner, uint64_t source)
{
    uint64_t hashes[BL_MAX_LINES];
    uint32_t index[BL_MAX_LINES];
    bool learned[BL_MAX_LINES];
    size_t n = 0;
    for (size_t i = 0; i < c->n_lines && n < BL_MAX_LINES; i++) {
        const ct_line *ln = &c->lines[i];
        if (ln->state != LINE_KEEP || i == c->header || ln->key_len > CT_LEARN_MAX_LINE ||
            ln->is_halved || !worth_dedup(ln))
            continue;
        hashes[n] = ln->hash;
        index[n++] = (uint32_t)i;
    }
    if (n == 0)
        return;
    size_t found = bl_observe(learner, source, hashes, n, learned);
    if (found == 0 || 2 * found > n)
        return;
    for (size_t k = 0; k < n; k++) {
        if (!learned[k])
            continue;
        c->lines[index[k]].state = LINE_DROP;
        c->lines[index[k]].reason = CT_REASON_LEARNED;
    }
}

static void emit_line(tb_buf *out, const char *s, size_t len, bool *wrote_any, bool *blank)
{
    if (*wrote_any)
        tb_append(out, *blank ? "\n\n" : "\n", *blank ? 2 : 1);
    tb_append(out, s, len);
    *wrote_any = true;
    *blank = false;
}

/* Step 7: the body from the kept lines and the copied-through tail. */
static void assemble(const ct_ctx *c, tb_buf *out)
{
    bool wrote_any = false, blank = false;
    tb_reserve(out, c->text_len);
    for (size_t i = 0; i < c->n_lines; i++) {
        const ct_line *ln = &c->lines[i];
        if (ln->state == LINE_BLANK) {
            blank = wrote_any;
            continue;
        }
        if (ln->state != LINE_KEEP || i == c->header)
            continue;
        if (ln->is_halved)
            emit_line(out, ln->key, ln->key_len, &wrote_any, &blank);
        else
            emit_line(out, c->text + ln->off, ln->len, &wrote_any, &blank);
    }
    size_t pos = c->tail_off;
    while (pos < c->text_len) {
        const char *nl = memchr(c->text + pos, '\n', c->text_len - pos);
        size_t end = nl ? (size_t)(nl - c->text) : c->text_len;
        size_t off = pos, len = end - pos;
        trim(c->text, &off, &len);
        if (len == 0)
            blank = wrote_any;
        else
            emit_line(out, c->text + off, len, &wrote_any, &blank);
        pos = end + 1;
    }
    if (!out->data)
        tb_append(out, "", 0);
}

static void report(ct_result *r, ct_reason reason, const char *s, size_t len)
{
    if (r->n_removed < CT_MAX_REPORTED)
        r->removed[r->n_removed++] = (ct_removed){.reason = reason, .text = s, .len = len};
    r->removed_total++;
    r->reason_counts[reason]++;
}

static void collect_removed(const ct_ctx *c, ct_result *r)
{
    for (size_t i = 0; i < c->n_lines; i++) {
        const ct_line *ln = &c->lines[i];
        if (ln->prefix_len)
            report(r, CT_REASON_TIMESTAMP, c->text + ln->prefix_off, ln->prefix_len);
        if (ln->state == LINE_DROP)
            report(r, (ct_reason)ln->reason, c->text + ln->off, ln->len);
        else if (ln->state == LINE_KEEP && ln->is_halved)
            report(r, CT_REASON_INLINE_DOUBLE, ln->dropped_half, ln->dropped_half_len);
    }
}

/* Nothing but noise was found: give the text back with only the character, line and blank
 * normalizations (an article is never emptied by the cleanup). */
static void restore_all(ct_ctx *c)
{
    for (size_t i = 0; i < c->n_lines; i++) {
        ct_line *ln = &c->lines[i];
        if (ln->state == LINE_BLANK)
            continue;
        if (ln->prefix_len) {
            ln->len += ln->off - ln->prefix_off;
            ln->off = ln->prefix_off;
            ln->prefix_len = 0;
        }
        ln->state = LINE_KEEP;
        ln->is_halved = false;
    }
}

void ct_clean(const lk_tables *tables, bl_learner *learner, uint64_t source, const char *text,
              size_t len, const char *existing_title, size_t existing_len, ct_result *out)
{
    memset(out, 0, sizeof *out);
    ct_ctx c = {.tables = tables, .header = SIZE_MAX};
    /* Composition may lengthen a sequence slightly ("é" + U+0323 is 4 bytes, its NFC 5);
     * compose_marks leaves a sequence alone rather than overrun the buffer. */
    size_t cap = len + len / 4 + 16;
    c.text = tb_xmalloc(cap);
    c.text_len = normalize_chars(text, len, c.text, cap);
    c.text[c.text_len] = '\0';

    if (existing_title) {
        size_t eo = 0, el = existing_len;
        trim(existing_title, &eo, &el);
        if (el == 0)
            existing_title = NULL;
        else {
            existing_title += eo;
            existing_len = el;
        }
    }

    split_lines(&c);
    tb_buf title;
    tb_init(&title);
    choose_title(&c, existing_title, existing_len, out, &title);
    build_keys(&c);
    halve_doubles(&c);
    ct_line title_key = {.state = LINE_KEEP, .key = title.data, .key_len = title.len};
    if (title.len)
        title_key.hash = hash_bytes(title.data, title.len);
    drop_repeats(&c, title.len ? &title_key : NULL);
    drop_glued(&c);
    if (learner)
        drop_learned(&c, learner, source);

    bool any_kept = first_kept(&c, 0) != SIZE_MAX;
    if (!any_kept && out->title_from != CT_TITLE_HEADER_LINE) {
        restore_all(&c);
        any_kept = first_kept(&c, 0) != SIZE_MAX;
    }
    if (out->title_from == CT_TITLE_NONE && any_kept) {
        const ct_line *fl = &c.lines[first_kept(&c, 0)];
        tb_buf st;
        tb_init(&st);
        if (fl->is_halved)
            sentence_title(fl->key, fl->key_len, &st);
        else
            sentence_title(c.text + fl->off, fl->len, &st);
        tb_free(&title);
        title = st;
        out->title_from = CT_TITLE_FIRST_SENTENCE;
    }
    if (out->title_from == CT_TITLE_HEADER_LINE || out->title_from == CT_TITLE_FIRST_SENTENCE) {
        out->title = title.data;
        out->title_len = title.len;
    } else {
        tb_free(&title);
    }

    tb_buf body;
    tb_init(&body);
    assemble(&c, &body);
    out->body = body.data;
    out->body_len = body.len;
    collect_removed(&c, out);
    out->storage_text = c.text;
    free(c.lines);
}

void ct_result_free(ct_result *r)
{
    free(r->body);
    free(r->title);
    free(r->storage_text);
    memset(r, 0, sizeof *r);
}

const char *ct_reason_name(ct_reason reason)
{
    switch (reason) {
    case CT_REASON_TIMESTAMP:
        return "timestamp";
    case CT_REASON_DUPLICATE:
        return "duplicate";
    case CT_REASON_GLUED:
        return "glued";
    case CT_REASON_BOILERPLATE:
        return "boilerplate";
    case CT_REASON_CREDIT:
        return "credit";
    case CT_REASON_INLINE_DOUBLE:
        return "inline_double";
    case CT_REASON_TITLE:
        return "title";
    case CT_REASON_LEARNED:
        return "learned";
    case CT_REASON_COUNT:
        break;
    }
    return "other";
}

const char *ct_title_from_name(ct_title_from from)
{
    switch (from) {
    case CT_TITLE_NONE:
        return "none";
    case CT_TITLE_EXISTING:
        return "existing";
    case CT_TITLE_HEADER_LINE:
        return "header_line";
    case CT_TITLE_FIRST_SENTENCE:
        return "first_sentence";
    }
    return "none";
}
