/*
 * linekind - recognizes whole lines that are not article content: timestamp-only lines,
 * boilerplate (subscribe/share/read-more/cookie lines in many languages), photo credits, and a
 * leading date label on a headline (" date 2025-09-03 Headline").
 *
 * The word tables are folded and sorted once by lk_tables_new (plugin init, loop thread); the
 * classifiers only read them, so any number of workers may call them concurrently.
 */
#ifndef CLEANUP_LINEKIND_H
#define CLEANUP_LINEKIND_H

#include <stdbool.h>
#include <stddef.h>

typedef struct lk_tables lk_tables;

/* Build the lookup tables. Owned by the caller, freed with lk_tables_free. Aborts on
 * allocation failure, never returns NULL. */
lk_tables *lk_tables_new(void);
void lk_tables_free(lk_tables *t);

typedef enum lk_kind {
    LK_CONTENT,     /* article text */
    LK_TIMESTAMP,   /* only dates, times, zones, update/publication markers and light
                     * punctuation: "05.09.2025", "Updated: 2025-10-27 13:08 UTC",
                     * "13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)" */
    LK_BOILERPLATE, /* essentially one known phrase ("Abone ol", "Share", "Read more",
                     * "Поделиться", ...), a short list of them ("Share | Tweet"), or the start
                     * of a cookie notice; case-insensitive */
    LK_CREDIT,      /* a photo credit: starts with "©" (short, even with a caption glued on)
                     * or with a "Foto:"/"Photo:"/"Fotoğraf:"-style label and is short */
} lk_kind;

/* What the trimmed line s[0..len) (valid UTF-8) is. Lines over 400 bytes are content. */
lk_kind lk_classify(const lk_tables *t, const char *s, size_t len);

/* Length of a leading date label such as " date 2025-09-03 " or "2025-09-03 14:05 | " that is
 * followed by text with letters; 0 when the line does not start with one. */
size_t lk_date_prefix_len(const lk_tables *t, const char *s, size_t len);

#endif
