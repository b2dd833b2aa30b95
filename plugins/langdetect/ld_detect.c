/*
 * ld_detect - language identification for the langdetect plugin.
 *
 * Pass 1 decodes the texts (at most LD_ANALYSIS_CAP bytes of each) and counts letters per
 * Unicode script. The dominant script decides the language alone when it belongs to one
 * language (Greek, Hangul, Thai, ...; Han with kana is Japanese, Han alone Chinese). Otherwise
 * pass 2 feeds the letters of that script only (so a Russian caption in a Turkish article is
 * ignored) to the character n-gram model of ld_model.h: every n-gram of orders 1..max_order
 * adds its log-probability for each language of the script, and the best sum wins.
 * Everything lives on the stack; the model is constant data.
 */
#include "ld_detect.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define LD_MAX_LANGS       128
#define LD_CJK_WEIGHT      3 /* one Han/kana/Hangul character counts as this many letters */
#define LD_SCRIPT_HANI     28
#define LD_SCRIPT_HIRA     27
#define LD_SCRIPT_HANG     24
#define LD_CHECK_EVERY     64   /* elements between early-stop checks */
#define LD_DECISIVE_MIN    256  /* elements before stopping early */
#define LD_DECISIVE_MARGIN 40.0 /* nats of lead that end the analysis */
#define LD_SETTLED_MIN     1024 /* elements after which a smaller lead ends the analysis */
#define LD_SETTLED_MARGIN  12.0 /* that smaller lead, in nats */
#define LD_MAX_ELEMENTS    2560 /* elements after which the analysis ends anyway */
#define LD_WORD_WEIGHT     3.0  /* weight of the word stage against the n-gram sum */
#define LD_WORD_HASH_INIT  0x84222325CBF29CE4ull
#define LD_MIX_MIN_SHARE   0.1 /* a script with this share of the letters is listed in mix */
#define LD_CALIB_SLOPE     0.9 /* confidence = logistic(slope * log(1 + lead) + bias) */
#define LD_CALIB_BIAS      (-1.4)

/* Cursor over the analysed texts. */
typedef struct ld_cursor {
    const char *const *texts;
    const size_t *lens;
    size_t n, text, pos, end;
} ld_cursor;

static void cursor_init(ld_cursor *c, const char *const *texts, const size_t *lens, size_t n)
{
    c->texts = texts;
    c->lens = lens;
    c->n = n;
    c->text = 0;
    c->pos = 0;
    c->end = (n > 0 && texts[0]) ? (lens[0] < LD_ANALYSIS_CAP ? lens[0] : LD_ANALYSIS_CAP) : 0;
}

/* Next codepoint; 0x20 between texts and for each invalid byte; returns -1 at the end. */
static int32_t cursor_next(ld_cursor *c)
{
    while (c->pos >= c->end) {
        if (++c->text >= c->n)
            return -1;
        c->pos = 0;
        c->end = c->texts[c->text] ? c->lens[c->text] : 0;
        if (c->end > LD_ANALYSIS_CAP)
            c->end = LD_ANALYSIS_CAP;
        return 0x20;
    }
    const unsigned char *s = (const unsigned char *)c->texts[c->text];
    unsigned char b = s[c->pos];
    if (b < 0x80) {
        c->pos++;
        return b;
    }
    size_t need;
    uint32_t cp, min;
    if (b >= 0xC2 && b <= 0xDF) {
        need = 1, cp = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2, cp = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3, cp = b & 0x07, min = 0x10000;
    } else {
        c->pos++;
        return 0x20;
    }
    if (c->end - c->pos <= need) {
        c->pos = c->end;
        return 0x20;
    }
    for (size_t i = 1; i <= need; i++) {
        unsigned char t = s[c->pos + i];
        if ((t & 0xC0) != 0x80) {
            c->pos++;
            return 0x20;
        }
        cp = (cp << 6) | (t & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        c->pos++;
        return 0x20;
    }
    c->pos += need + 1;
    return (int32_t)cp;
}

/* Script id of cp; *hint caches the last matching range (texts are mostly one script). */
static uint8_t script_of(uint32_t cp, size_t *hint)
{
    if (cp < 0x80)
        return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? LD_SCRIPT_LATN : LD_SCRIPT_NONE;
    const ld_script_range *r = &ld_script_ranges[*hint];
    if (cp >= r->first && cp <= r->last)
        return r->script;
    size_t lo = 0, hi = ld_script_range_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ld_script_ranges[mid].last < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ld_script_range_count && cp >= ld_script_ranges[lo].first) {
        *hint = lo;
        return ld_script_ranges[lo].script;
    }
    return LD_SCRIPT_NONE;
}

static uint32_t fold(const ld_model *m, uint32_t cp)
{
    if (cp < 0x800)
        return m->fold_lo[cp];
    if (cp >= 0x1E00 && cp < 0x1F00)
        return m->fold_1e[cp - 0x1E00];
    return cp;
}

/* FNV-1a over the codepoints from last to first, so a gram extends to the left cheaply. */
#define LD_HASH_INIT 0xCBF29CE484222325ull
static uint64_t hash_step(uint64_t h, uint32_t cp)
{
    return (h ^ cp) * 0x100000001B3ull;
}

static uint64_t hash_final(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    return h;
}

/* Adds the postings of the entry with hash h (if listed) in slots[] to delta[]. */
__attribute__((always_inline)) static inline void
add_postings(const ld_model *m, const uint32_t *slots, uint32_t mask, uint64_t h, int32_t *delta)
{
    uint32_t fp = (uint32_t)(h >> 52);
    uint32_t slot = (uint32_t)h & mask;
    uint32_t v;
    for (;;) {
        v = slots[slot];
        if (v == LD_SLOT_EMPTY)
            return;
        if (v >> 20 == fp)
            break;
        slot = (slot + 1) & mask;
    }
    const uint8_t *p = m->postings + 2 * (size_t)(v & 0xFFFFF);
    for (;;) {
        delta[p[0] & 0x7F] += p[1];
        if (p[0] & LD_POSTING_LAST)
            return;
        p += 2;
    }
}

static void add_ngram(const ld_model *m, uint64_t h, int32_t *delta)
{
    add_postings(m, m->slots, m->slot_mask, h, delta);
}

/* The two best languages of a script so far. */
typedef struct ld_rank {
    int best_i, second_i; /* language indexes, -1 when none */
    double best, second;  /* log-likelihoods */
} ld_rank;

static void rank_langs(const ld_model *m, uint8_t script, const int32_t *delta,
                       const uint32_t *count, unsigned order_max, ld_rank *r)
{
    r->best = r->second = -INFINITY;
    r->best_i = r->second_i = -1;
    for (uint32_t l = 0; l < m->lang_count && l < LD_MAX_LANGS; l++) {
        if (m->langs[l].script != script)
            continue;
        double s = delta[l] * (double)m->score_scale;
        for (unsigned k = 0; k < order_max; k++)
            s += count[k] * (double)m->langs[l].floor[k];
        if (s > r->best) {
            r->second = r->best, r->second_i = r->best_i;
            r->best = s, r->best_i = (int)l;
        } else if (s > r->second) {
            r->second = s, r->second_i = (int)l;
        }
    }
}

/* Re-ranks the members of a confusable group by n-gram plus word log-likelihood; updates the
 * two best indexes and scores. */
static void regroup(const ld_model *m, uint8_t group, const int32_t *delta,
                    const int32_t *word_delta, const uint32_t *count, unsigned order_max,
                    uint32_t words, int *best_i, int *second_i, double *best, double *second)
{
    *best = *second = -INFINITY;
    *best_i = *second_i = -1;
    for (uint32_t l = 0; l < m->lang_count && l < LD_MAX_LANGS; l++) {
        if (m->langs[l].group != group)
            continue;
        double s = delta[l] * (double)m->score_scale;
        for (unsigned k = 0; k < order_max; k++)
            s += count[k] * (double)m->langs[l].floor[k];
        s += LD_WORD_WEIGHT *
             (word_delta[l] * (double)m->score_scale + words * (double)m->langs[l].word_floor);
        if (s > *best) {
            *second = *best, *second_i = *best_i;
            *best = s, *best_i = (int)l;
        } else if (s > *second) {
            *second = s, *second_i = (int)l;
        }
    }
}

/* Score the letters of `script` with the n-gram model; fills lang/runner-up of out. Stops
 * early once the leader is LD_DECISIVE_MARGIN nats ahead after LD_DECISIVE_MIN elements,
 * LD_SETTLED_MARGIN nats ahead after LD_SETTLED_MIN elements, or after LD_MAX_ELEMENTS
 * elements (long texts are decided on their first few thousand letters). */
static void score_ngrams(const ld_model *m, const char *const *texts, const size_t *lens, size_t n,
                         uint8_t script, ld_result *out)
{
    int32_t delta[LD_MAX_LANGS] = {0};
    int32_t word_delta[LD_MAX_LANGS] = {0};
    uint32_t count[LD_MAX_ORDER] = {0};
    uint32_t words = 0;
    uint64_t wh = LD_WORD_HASH_INIT;
    uint32_t window[LD_MAX_ORDER]; /* window[0] is the newest element */
    unsigned have = 1, order_max = m->max_order < LD_MAX_ORDER ? m->max_order : LD_MAX_ORDER;
    size_t hint = 0;
    int last_space = 1;
    uint32_t elements = 0;
    window[0] = 0x20;

    ld_cursor c;
    cursor_init(&c, texts, lens, n);
    for (int end = 0; !end;) {
        int32_t cp = cursor_next(&c);
        uint32_t elem;
        if (cp < 0) {
            end = 1;
            if (last_space)
                break;
            elem = 0x20;
        } else {
            uint8_t sc = script_of((uint32_t)cp, &hint);
            if (sc == LD_SCRIPT_MARK)
                continue;
            if (sc == script) {
                elem = fold(m, (uint32_t)cp);
            } else {
                if (last_space)
                    continue;
                elem = 0x20;
            }
        }
        if (elem == 0x20) {
            if (!last_space && m->word_slots) { /* a word ended */
                add_postings(m, m->word_slots, m->word_slot_mask, hash_final(wh), word_delta);
                words++;
            }
            wh = LD_WORD_HASH_INIT;
        } else {
            wh = hash_step(wh, elem);
        }
        last_space = elem == 0x20;
        memmove(window + 1, window, (LD_MAX_ORDER - 1) * sizeof window[0]);
        window[0] = elem;
        if (have < order_max)
            have++;
        /* Grams ending here, growing to the left; none has a space inside. */
        uint64_t h = hash_step(LD_HASH_INIT, elem);
        if (elem != 0x20) {
            add_ngram(m, hash_final(h), delta);
            count[0]++;
        }
        for (unsigned k = 2; k <= have; k++) {
            if (k > 2 && window[k - 2] == 0x20)
                break;
            h = hash_step(h, window[k - 1]);
            add_ngram(m, hash_final(h), delta);
            count[k - 1]++;
        }
        if (++elements % LD_CHECK_EVERY == 0 && elements >= LD_DECISIVE_MIN) {
            ld_rank r;
            rank_langs(m, script, delta, count, order_max, &r);
            double lead = r.best - r.second;
            if (r.second_i < 0 || lead >= LD_DECISIVE_MARGIN ||
                (elements >= LD_SETTLED_MIN && lead >= LD_SETTLED_MARGIN) ||
                elements >= LD_MAX_ELEMENTS)
                break;
        }
    }

    ld_rank r;
    rank_langs(m, script, delta, count, order_max, &r);
    double total = 0;
    for (unsigned k = 0; k < order_max; k++)
        total += count[k];
    int best_i = r.best_i, second_i = r.second_i;
    double best = r.best, second = r.second;
    if (best_i < 0 || total == 0)
        return;
    uint8_t group = m->langs[best_i].group;
    if (group && second_i >= 0 && m->langs[second_i].group == group && m->word_slots)
        regroup(m, group, delta, word_delta, count, order_max, words, &best_i, &second_i, &best,
                &second);
    memcpy(out->lang, m->langs[best_i].code, sizeof out->lang);
    double lenfac = 1.0 - exp(-(double)out->letters / 80.0);
    if (second_i < 0) {
        out->confidence = lenfac;
        return;
    }
    memcpy(out->runner_up, m->langs[second_i].code, sizeof out->runner_up);
    /* Margin in nats per n-gram: ~1 for unrelated languages, ~0.1 for close ones. */
    out->margin = best - second;
    double margin = (best - second) / total;
    out->runner_up_score = exp(-margin);
    /* Calibrated: the share of held-out samples (generator --dev-dir, 40-600 characters) with
     * this lead that were right, fitted as a logistic curve of log(1 + lead in nats). */
    out->confidence = 1.0 / (1.0 + exp(-(LD_CALIB_SLOPE * log1p(out->margin) + LD_CALIB_BIAS)));
}

/* The decision of ld_detect; also returns the weighted letters per script and their sum. */
static void detect_core(const ld_model *m, const char *const *texts, const size_t *lens, size_t n,
                        ld_result *out, uint32_t *per_script, uint32_t *letters_out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->lang, "und", 4);
    out->script = ld_scripts[LD_SCRIPT_NONE].name;

    size_t hint = 0;
    ld_cursor c;
    cursor_init(&c, texts, lens, n);
    for (int32_t cp; (cp = cursor_next(&c)) >= 0;) {
        uint8_t sc = script_of((uint32_t)cp, &hint);
        per_script[sc]++;
    }
    per_script[LD_SCRIPT_HANI] *= LD_CJK_WEIGHT;
    per_script[LD_SCRIPT_HIRA] *= LD_CJK_WEIGHT;
    per_script[LD_SCRIPT_HANG] *= LD_CJK_WEIGHT;

    /* Han and kana together are one group (Japanese mixes them). */
    uint32_t letters = 0, best = 0;
    uint8_t best_script = LD_SCRIPT_NONE;
    for (uint8_t s = LD_SCRIPT_LATN; s < LD_SCRIPT_COUNT; s++) {
        letters += per_script[s];
        uint32_t v = per_script[s];
        if (s == LD_SCRIPT_HANI || s == LD_SCRIPT_HIRA)
            v = per_script[LD_SCRIPT_HANI] + per_script[LD_SCRIPT_HIRA];
        if (v > best)
            best = v, best_script = s;
    }
    out->letters = best;
    *letters_out = letters;
    if (best_script == LD_SCRIPT_NONE)
        return;
    out->script = ld_scripts[best_script].name;
    if (best < LD_MIN_LETTERS || best < LD_MIN_SCRIPT_SHARE * letters)
        return;

    double share = (double)best / letters;
    double lenfac = 1.0 - exp(-(double)best / 80.0);
    if (best_script == LD_SCRIPT_HANI || best_script == LD_SCRIPT_HIRA) {
        uint32_t kana = per_script[LD_SCRIPT_HIRA];
        int is_ja = kana * 20 >= best; /* at least 5% kana */
        memcpy(out->lang, is_ja ? "ja" : "zh", 3);
        out->script = is_ja ? "Jpan" : ld_scripts[LD_SCRIPT_HANI].name;
        out->confidence = lenfac * share;
        return;
    }
    if (ld_scripts[best_script].unique_lang[0]) {
        memcpy(out->lang, ld_scripts[best_script].unique_lang, 3);
        out->confidence = lenfac * share;
        return;
    }
    score_ngrams(m, texts, lens, n, best_script, out);
    out->confidence *= share;
}

/* Language of the letters of script s alone (for the mixed-text shares). */
static void lang_of_script(const ld_model *m, const char *const *texts, const size_t *lens,
                           size_t n, uint8_t s, const uint32_t *per_script, char lang[4])
{
    if (s == LD_SCRIPT_HANI || s == LD_SCRIPT_HIRA) {
        uint32_t cjk = per_script[LD_SCRIPT_HANI] + per_script[LD_SCRIPT_HIRA];
        memcpy(lang, per_script[LD_SCRIPT_HIRA] * 20 >= cjk ? "ja" : "zh", 3);
        return;
    }
    if (ld_scripts[s].unique_lang[0]) {
        memcpy(lang, ld_scripts[s].unique_lang, 3);
        return;
    }
    ld_result tmp;
    memset(&tmp, 0, sizeof tmp);
    memcpy(tmp.lang, "und", 4);
    tmp.letters = per_script[s];
    score_ngrams(m, texts, lens, n, s, &tmp);
    memcpy(lang, tmp.lang, 4);
}

void ld_detect(const ld_model *m, const char *const *texts, const size_t *lens, size_t n,
               ld_result *out)
{
    uint32_t per_script[LD_SCRIPT_COUNT] = {0}, letters = 0;
    detect_core(m, texts, lens, n, out, per_script, &letters);
    if (letters < LD_MIN_LETTERS)
        return;
    /* Mixed text: every script group with at least LD_MIX_MIN_SHARE of the letters. */
    uint32_t cjk = per_script[LD_SCRIPT_HANI] + per_script[LD_SCRIPT_HIRA];
    uint8_t listed[LD_MIX_MAX];
    size_t k = 0;
    for (uint8_t s = LD_SCRIPT_LATN; s < LD_SCRIPT_COUNT && k < LD_MIX_MAX; s++) {
        if (s == LD_SCRIPT_HIRA)
            continue; /* counted with Han */
        uint32_t v = s == LD_SCRIPT_HANI ? cjk : per_script[s];
        if (v >= LD_MIX_MIN_SHARE * letters)
            listed[k++] = s;
    }
    if (k < 2)
        return; /* one script: the decision itself, no shares */
    for (size_t i = 0; i < k; i++) {
        uint8_t s = listed[i];
        out->mix[i].share = (double)(s == LD_SCRIPT_HANI ? cjk : per_script[s]) / letters;
        lang_of_script(m, texts, lens, n, s, per_script, out->mix[i].lang);
    }
    out->mix_count = k;
}
