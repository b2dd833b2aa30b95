/*
 * fts - full-text search support for the store: the "ingestd" FTS5 tokenizer and the safe
 * translation of a user's search words into an FTS5 query.
 *
 * The tokenizer wraps FTS5's built-in unicode61 (remove_diacritics 2: case folding for Latin,
 * Greek and Cyrillic, Latin diacritics removed; punctuation such as the apostrophe of
 * "Kore'nin" separates tokens) and folds further what unicode61 keeps apart: Turkish dotless
 * and dotted i (ı, İ) to i, Greek tonos and dialytika (ά -> α, ΐ -> ι) and final sigma to σ,
 * Cyrillic ё to е, ß to ss, and any combining mark left. The same tokenizer runs over the
 * indexed text and over the query, so both sides meet in the same folded form.
 *
 * Thread rule: fts_register binds to one connection (use it on that connection's thread); the
 * other functions are pure and safe from any thread.
 */
#ifndef INGESTD_FTS_H
#define INGESTD_FTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* The tokenizer's name, as used in CREATE VIRTUAL TABLE ... tokenize='ingestd'. */
#define FTS_TOKENIZER_NAME "ingestd"

/* Register the "ingestd" tokenizer on db (needed before the FTS table is created or used, on
 * every connection). Returns 0, or -ENOSYS when SQLite lacks FTS5 / unicode61, -EIO otherwise. */
int fts_register(sqlite3 *db);

/* Fold one token as the tokenizer does (after unicode61): writes at most len bytes to out (the
 * folded form is never longer) and returns the new length. Invalid UTF-8 is copied unchanged.
 * Exposed for tests. */
size_t fts_fold_token(const char *tok, size_t len, char *out);

/* Turn a user's search text into an FTS5 query that cannot inject FTS syntax: each
 * whitespace-separated word becomes a quoted string (embedded quotes doubled), so operators
 * (AND, OR, NOT, NEAR, column filters, parentheses) are plain words; a word ending in '*'
 * becomes a prefix search. Words are ANDed. Returns a new string (caller frees), or NULL when
 * the text holds no word. */
char *fts_user_query(const char *text);

#endif
