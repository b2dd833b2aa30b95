/*
 * ld_detect.h - language identification of a text: Unicode script first, then a character
 * n-gram Naive Bayes model among the languages that share the dominant script.
 */
#ifndef LD_DETECT_H
#define LD_DETECT_H

#include <stddef.h>

#include "ld_model.h"

/* Bytes of each text that are analysed; the rest is ignored (speed bound on huge inputs). */
#define LD_ANALYSIS_CAP 8192
/* Most languages listed for a mixed text. */
#define LD_MIX_MAX 4
/* Fewer (weighted) letters than this give "und". */
#define LD_MIN_LETTERS 20
/* A dominant script with a smaller share of the letters than this gives "und" (too mixed). */
#define LD_MIN_SCRIPT_SHARE 0.6

typedef struct ld_result {
    char lang[4];           /* ISO 639-1 code, or "und" */
    double confidence;      /* 0..1, calibrated (share right at this lead); 0 for "und" */
    char runner_up[4];      /* second best language of the same script, "" when none */
    double runner_up_score; /* runner-up's per-n-gram likelihood relative to the winner, 0..1 */
    const char *script;     /* ISO 15924 code of the dominant script ("Zyyy" when none) */
    size_t letters;         /* weighted letter count analysed */
    double margin;          /* n-gram (+ word) log-likelihood lead over the runner-up, nats */
    struct {
        char lang[4];  /* language of one script's letters ("und" when too few) */
        double share;  /* that script's share of the letters */
    } mix[LD_MIX_MAX]; /* mixed text only: one entry per script with >= 10% of letters */
    size_t mix_count;  /* 0 unless at least two scripts have >= 10% */
} ld_result;

/*
 * Decides the language of the texts texts[0..n) (UTF-8, lengths lens[]; NULL entries are
 * skipped; e.g. title and body) and fills *out. Invalid UTF-8 bytes are treated as word
 * boundaries, so any byte string is safe. Uses only the stack (no allocation) and reads only
 * the constant model: thread-safe, any thread. Cannot fail.
 */
void ld_detect(const ld_model *model, const char *const *texts, const size_t *lens, size_t n,
               ld_result *out);

#endif
