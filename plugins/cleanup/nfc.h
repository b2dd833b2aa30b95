/*
 * nfc - Unicode canonical composition (NFC) for the Latin, Greek and Cyrillic letters, the
 * cleanup plugin's Unicode normalization step: "e" + U+0301 becomes "é", "α" + U+0313 + U+0301
 * becomes "ἄ", "и" + U+0306 becomes "й". Combining marks after a starter are put in canonical
 * order and composed with the generated pair table (nfc_table.c, from Debian's unicode-data,
 * see tools/gen_nfc.py); a precomposed starter followed by marks is decomposed first, so
 * "é" + U+0323 becomes "ẹ" + U+0301 as NFC requires. Hangul and composites outside these
 * blocks are left as they are.
 *
 * Pure functions on caller-owned memory over read-only tables: safe from any thread.
 */
#ifndef CLEANUP_NFC_H
#define CLEANUP_NFC_H

#include <stddef.h>
#include <stdint.h>

typedef struct nfc_pair {
    uint16_t first, mark, composite;
} nfc_pair;

typedef struct nfc_mark {
    uint16_t cp;
    uint8_t ccc;
} nfc_mark;

/* The generated tables: pairs sorted by (first, mark), the same pairs sorted by composite,
 * marks sorted by cp. */
extern const nfc_pair nfc_pairs[];
extern const size_t nfc_n_pairs;
extern const nfc_pair nfc_decomps[]; /* nfc_n_pairs entries */
extern const nfc_mark nfc_marks[];
extern const size_t nfc_n_marks;

/* Canonical combining class of cp: 0 for starters and for code points not in the table. */
unsigned nfc_ccc(unsigned cp);

/* Longest run of combining marks handled in one sequence; longer runs are left unchanged. */
#define NFC_MAX_SEQ 32

/* Normalize one sequence in place: cps[0] is a starter (ccc 0), cps[1..n) are combining marks
 * (ccc > 0). Decomposes the starter when it is a table composite, sorts the marks by combining
 * class (stably) and composes what the table allows. Returns the new length (<= NFC_MAX_SEQ);
 * n must be <= NFC_MAX_SEQ - 4. */
size_t nfc_compose_seq(unsigned *cps, size_t n);

#endif
