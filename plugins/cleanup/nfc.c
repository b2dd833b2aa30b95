/*
 * nfc - canonical ordering and composition of combining sequences (see nfc.h), over the
 * generated tables in nfc_table.c. Part of the cleanup plugin.
 */
#include "nfc.h"

#include <stdbool.h>

unsigned nfc_ccc(unsigned cp)
{
    if (cp < 0x0300)
        return 0;
    size_t lo = 0, hi = nfc_n_marks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nfc_marks[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nfc_n_marks && nfc_marks[lo].cp == cp ? nfc_marks[lo].ccc : 0;
}

/* The composite of (first, mark), or 0 when the table has none. */
static unsigned compose_pair(unsigned first, unsigned mark)
{
    if (first > 0xFFFF || mark > 0xFFFF)
        return 0;
    uint32_t key = (uint32_t)first << 16 | mark;
    size_t lo = 0, hi = nfc_n_pairs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t k = (uint32_t)nfc_pairs[mid].first << 16 | nfc_pairs[mid].mark;
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < nfc_n_pairs && nfc_pairs[lo].first == first && nfc_pairs[lo].mark == mark)
        return nfc_pairs[lo].composite;
    return 0;
}

/* The pair a table composite decomposes into; false when cp is not one. */
static bool decompose_one(unsigned cp, unsigned *first, unsigned *mark)
{
    if (cp < 0xC0 || cp > 0xFFFF)
        return false;
    size_t lo = 0, hi = nfc_n_pairs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nfc_decomps[mid].composite < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == nfc_n_pairs || nfc_decomps[lo].composite != cp)
        return false;
    *first = nfc_decomps[lo].first;
    *mark = nfc_decomps[lo].mark;
    return true;
}

size_t nfc_compose_seq(unsigned *cps, size_t n)
{
    if (n < 2)
        return n;
    /* Decompose the starter fully: its marks go before the sequence's own marks. Table
     * composites nest at most three deep (e.g. U+1F85), which NFC_MAX_SEQ - 4 leaves room for. */
    unsigned dec[4];
    size_t nd = 0;
    unsigned base = cps[0], first, mark;
    while (nd < 4 && decompose_one(base, &first, &mark)) {
        dec[nd++] = mark;
        base = first;
    }
    if (nd) {
        for (size_t i = n; i-- > 1;)
            cps[i + nd] = cps[i];
        for (size_t i = 0; i < nd; i++)
            cps[1 + i] = dec[nd - 1 - i];
        cps[0] = base;
        n += nd;
    }
    /* Canonical order: a stable insertion sort of the marks by combining class. */
    for (size_t i = 2; i < n; i++) {
        unsigned m = cps[i], c = nfc_ccc(m);
        size_t j = i;
        while (j > 1 && nfc_ccc(cps[j - 1]) > c) {
            cps[j] = cps[j - 1];
            j--;
        }
        cps[j] = m;
    }
    /* Compose: a mark joins the starter unless a kept mark of equal or higher class sits
     * between them (it is "blocked"). */
    size_t out = 1;
    unsigned last_kept_ccc = 0;
    for (size_t i = 1; i < n; i++) {
        unsigned c = nfc_ccc(cps[i]);
        unsigned comp = (out == 1 || last_kept_ccc < c) ? compose_pair(cps[0], cps[i]) : 0;
        if (comp) {
            cps[0] = comp;
        } else {
            cps[out++] = cps[i];
            last_kept_ccc = c;
        }
    }
    return out;
}
