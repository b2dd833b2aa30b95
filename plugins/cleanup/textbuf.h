/*
 * textbuf - a growable byte buffer for building the cleaned body, the title and the meta JSON,
 * plus the plugin's allocation wrappers.
 *
 * A buffer is owned by its caller and used by one thread at a time. Allocation failure aborts
 * the process with a message (the daemon's rule for out-of-memory), so no function here fails.
 */
#ifndef CLEANUP_TEXTBUF_H
#define CLEANUP_TEXTBUF_H

#include <stddef.h>

typedef struct tb_buf {
    char *data; /* NUL-terminated after any append; NULL until the first append */
    size_t len;
    size_t cap;
} tb_buf;

/* malloc/calloc/realloc that abort on failure (never return NULL). */
void *tb_xmalloc(size_t n);
void *tb_xcalloc(size_t count, size_t size);
void *tb_xrealloc(void *p, size_t n);

/* An empty buffer (no allocation yet). */
void tb_init(tb_buf *b);
/* Free the buffer's memory and make it empty again. */
void tb_free(tb_buf *b);
/* Make room for `extra` more bytes plus the terminating NUL. */
void tb_reserve(tb_buf *b, size_t extra);
/* Append s[0..n). */
void tb_append(tb_buf *b, const char *s, size_t n);
/* Append a NUL-terminated string. */
void tb_puts(tb_buf *b, const char *s);
/* Append s[0..n) as a quoted JSON string (", \ and control characters escaped). s must be valid
 * UTF-8; it is copied through unchanged otherwise. */
void tb_append_json_string(tb_buf *b, const char *s, size_t n);
/* Append the decimal form of v. */
void tb_append_size(tb_buf *b, size_t v);

#endif
