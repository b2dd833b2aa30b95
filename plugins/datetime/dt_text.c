/*
 * dt_text - UTF-8 decoding, folding and folded matching for the datetime plugin (see dt_text.h).
 * The fold tables cover the scripts the plugin's name tables use today (Latin-1, Latin
 * Extended-A, Romanian comma letters, Greek, Cyrillic and its extensions, Armenian, full-width
 * ASCII); scripts without case (Georgian, Hebrew, Arabic, CJK...) fold to themselves.
 */
#include "dt_text.h"

/* Base letters of U+00C0..U+00FF; '*' keeps the code point (×, ÷, Þ, þ, ß). */
static const char latin1_base[65] = "aaaaaaaceeeeiiiidnooooo*ouuuuy**"
                                    "aaaaaaaceeeeiiiidnooooo*ouuuuy*y";

/* Base letters of U+0100..U+017F (Latin Extended-A), lower case. */
static const char latin_ext_a_base[129] = "aaaaaaccccccccdd"
                                          "ddeeeeeeeeeegggg"
                                          "gggghhhhiiiiiiii"
                                          "iiiijjkkklllllll"
                                          "lllnnnnnnnnnoooo"
                                          "oooorrrrrrssssss"
                                          "ssttttttuuuuuuuu"
                                          "uuuuwwyyyzzzzzzs";

uint32_t dt_utf8_next(const char **pp, const char *end)
{
    const unsigned char *p = (const unsigned char *)*pp;
    const unsigned char *e = (const unsigned char *)end;
    unsigned char c = p[0];
    if (c < 0x80) {
        *pp += 1;
        return c;
    }
    int need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        *pp += 1;
        return 0xFFFD;
    }
    if (e - p <= need) {
        *pp += 1;
        return 0xFFFD;
    }
    for (int i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *pp += 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *pp += 1;
        return 0xFFFD;
    }
    *pp += need + 1;
    return cp;
}

uint32_t dt_utf8_peek(const char *p, const char *end)
{
    if (p >= end)
        return 0;
    return dt_utf8_next(&p, end);
}

static uint32_t fold_greek(uint32_t cp)
{
    switch (cp) {
    case 0x0386: /* Ά */
    case 0x03AC: /* ά */
        return 0x03B1;
    case 0x0388: /* Έ */
    case 0x03AD:
        return 0x03B5;
    case 0x0389: /* Ή */
    case 0x03AE:
        return 0x03B7;
    case 0x038A: /* Ί */
    case 0x03AF:
    case 0x0390: /* ΐ */
    case 0x03AA: /* Ϊ */
    case 0x03CA: /* ϊ */
        return 0x03B9;
    case 0x038C: /* Ό */
    case 0x03CC:
        return 0x03BF;
    case 0x038E: /* Ύ */
    case 0x03CD:
    case 0x03B0: /* ΰ */
    case 0x03AB: /* Ϋ */
    case 0x03CB: /* ϋ */
        return 0x03C5;
    case 0x038F: /* Ώ */
    case 0x03CE:
        return 0x03C9;
    case 0x03C2: /* final sigma */
        return 0x03C3;
    default:
        break;
    }
    if (cp >= 0x0391 && cp <= 0x03A9)
        return cp + 0x20;
    return cp;
}

uint32_t dt_fold(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            return cp + 0x20;
        return cp;
    }
    if (cp >= 0x0300 && cp <= 0x036F)
        return 0; /* combining marks: ignored */
    if (cp >= 0xC0 && cp <= 0xFF) {
        char b = latin1_base[cp - 0xC0];
        if (b != '*')
            return (uint32_t)b;
        if (cp == 0xDE) /* Þ */
            return 0xFE;
        return cp;
    }
    if (cp >= 0x0100 && cp <= 0x017F)
        return (uint32_t)latin_ext_a_base[cp - 0x100];
    if (cp >= 0x0218 && cp <= 0x021B) /* Ș ș Ț ț */
        return cp < 0x021A ? 's' : 't';
    if (cp >= 0x0386 && cp <= 0x03CE)
        return fold_greek(cp);
    if ((cp >= 0x0460 && cp <= 0x04BF) || (cp >= 0x04D0 && cp <= 0x04FF))
        return cp | 1; /* Cyrillic extended pairs: upper even, lower odd ("Қ" -> "қ") */
    if (cp >= 0x04C1 && cp <= 0x04CE)
        return (cp & 1) ? cp + 1 : cp;
    if (cp >= 0x0531 && cp <= 0x0556) /* Armenian capitals */
        return cp + 0x30;
    if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII: "：" -> ":" */
        return dt_fold(cp - 0xFEE0);
    if (cp >= 0x0400 && cp <= 0x045F) {
        if (cp == 0x0401 || cp == 0x0451) /* Ё ё */
            return 0x0435;
        if (cp < 0x0410)
            return cp + 0x50;
        if (cp < 0x0430)
            return cp + 0x20;
        return cp;
    }
    return cp;
}

bool dt_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\v' || cp == '\f' ||
           cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000 || cp == 0xFEFF;
}

bool dt_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || cp == 0xFFFD || cp == 0xFEFF)
        return false;
    if (cp >= 0x2000 && cp <= 0x2BFF) /* punctuation, symbols, arrows, dingbats */
        return false;
    switch (cp) { /* punctuation of other scripts: Armenian, Hebrew, Arabic, Devanagari */
    case 0x055C:
    case 0x055D:
    case 0x055E:
    case 0x0589:
    case 0x05BE:
    case 0x05C0:
    case 0x05C3:
    case 0x060C:
    case 0x061B:
    case 0x061F:
    case 0x066A:
    case 0x066B:
    case 0x066C:
    case 0x066D:
    case 0x06D4:
    case 0x0964:
    case 0x0965:
        return false;
    default:
        break;
    }
    if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation */
        return false;
    if (cp >= 0xFE00 && cp <= 0xFE0F) /* variation selectors */
        return false;
    if (cp >= 0xFF00 && cp <= 0xFF65) /* full-width forms: letters and digits only */
        return (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
               (cp >= 0xFF41 && cp <= 0xFF5A);
    if (cp >= 0x1F000 && cp <= 0x1FAFF) /* emoji */
        return false;
    return true;
}

const char *dt_skip_spaces(const char *p, const char *end)
{
    while (p < end) {
        const char *q = p;
        if (!dt_is_space(dt_utf8_next(&q, end)))
            break;
        p = q;
    }
    return p;
}

/* Next folded code point of the text, skipping combining marks; 0 at end. */
static uint32_t next_folded(const char **p, const char *end)
{
    while (*p < end) {
        uint32_t f = dt_fold(dt_utf8_next(p, end));
        if (f)
            return f;
    }
    return 0;
}

size_t dt_match_folded(const char *p, const char *end, const char *pattern, bool whole_word)
{
    const char *t = p;
    const char *pat = pattern;
    uint32_t last = 0;
    while (*pat) {
        /* the pattern is valid NUL-terminated UTF-8: a sequence never runs past the NUL */
        uint32_t want = dt_fold(dt_utf8_next(&pat, pat + 4));
        if (!want)
            continue;
        last = want;
        if (want == ' ') {
            const char *s = dt_skip_spaces(t, end);
            if (s == t)
                return 0;
            t = s;
            continue;
        }
        if (t >= end || next_folded(&t, end) != want)
            return 0;
    }
    /* A combining mark right after the match still belongs to the last letter. */
    while (t < end) {
        const char *q = t;
        uint32_t cp = dt_utf8_next(&q, end);
        if (!(cp >= 0x0300 && cp <= 0x036F))
            break;
        t = q;
    }
    /* A pattern ending in punctuation ("kl.", "г.") is its own boundary. */
    if (whole_word && dt_is_word(last) && t < end && dt_is_word(dt_utf8_peek(t, end)))
        return 0;
    return (size_t)(t - p);
}
