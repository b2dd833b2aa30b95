/*
 * cleanup_text - the text algorithm of the cleanup plugin: character normalization, removal of
 * timestamp-only, boilerplate and credit lines, of repeated lines and of lines glued together
 * from other lines, headline extraction, and blank-line normalization.
 *
 * Works on caller-provided text only (no record, no host), allocates its result, keeps no
 * global state: any number of threads may run it at once with the same (read-only) tables and
 * the same (self-locking) learner.
 */
#ifndef CLEANUP_TEXT_H
#define CLEANUP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "learn.h"
#include "linekind.h"

/* At most this many removed lines are listed in a result (removed_total counts them all). */
#define CT_MAX_REPORTED 16

typedef enum ct_reason {
    CT_REASON_TIMESTAMP,
    CT_REASON_DUPLICATE,
    CT_REASON_GLUED,
    CT_REASON_BOILERPLATE,
    CT_REASON_CREDIT,
    CT_REASON_INLINE_DOUBLE,
    CT_REASON_TITLE,
    CT_REASON_LEARNED, /* a line this source repeats in most of its articles */
    CT_REASON_COUNT
} ct_reason;

typedef enum ct_title_from {
    CT_TITLE_NONE,           /* no title: the cleaned body is empty */
    CT_TITLE_EXISTING,       /* the record already had a title; it is left alone */
    CT_TITLE_HEADER_LINE,    /* a separate headline line, removed from the body */
    CT_TITLE_FIRST_SENTENCE, /* the body's first sentence; the body keeps it */
} ct_title_from;

typedef struct ct_removed {
    ct_reason reason;
    const char *text; /* points into the result's storage */
    size_t len;
} ct_removed;

typedef struct ct_result {
    char *body; /* cleaned body, NUL-terminated, valid UTF-8 (may be empty) */
    size_t body_len;
    char *title; /* new title, NUL-terminated; NULL unless title_from is HEADER/FIRST_SENTENCE */
    size_t title_len;
    ct_title_from title_from;
    ct_removed removed[CT_MAX_REPORTED]; /* first removals, in text order */
    size_t n_removed;
    size_t removed_total;
    size_t reason_counts[CT_REASON_COUNT]; /* removals by reason (all of them) */
    char *storage_text;                    /* internal: what removed[].text points into */
} ct_result;

/* Clean text[0..len) (valid UTF-8). existing_title (may be NULL) is the record's current title:
 * when it has visible text no new title is extracted. learner (may be NULL) learns and drops
 * the boilerplate of `source` (a bl_source_key). Fills *out, which the caller releases with
 * ct_result_free. Aborts on allocation failure; never fails otherwise. Thread-safe: tables
 * are read-only and the learner locks itself. */
void ct_clean(const lk_tables *tables, bl_learner *learner, uint64_t source, const char *text,
              size_t len, const char *existing_title, size_t existing_len, ct_result *out);

/* Free what ct_clean allocated in r (r itself is the caller's). */
void ct_result_free(ct_result *r);

/* Stable lower-case name of a reason, for the meta JSON ("timestamp", "duplicate", ...). */
const char *ct_reason_name(ct_reason reason);

/* Name of a title source ("none", "existing", "header_line", "first_sentence"). */
const char *ct_title_from_name(ct_title_from from);

#endif
