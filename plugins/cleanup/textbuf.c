/*
 * textbuf - growable byte buffer and abort-on-failure allocation for the cleanup plugin
 * (see textbuf.h).
 */
#include "textbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tb_die(void)
{
    fputs("cleanup plugin: out of memory\n", stderr);
    abort();
}

void *tb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        tb_die();
    return p;
}

void *tb_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        tb_die();
    return p;
}

void *tb_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        tb_die();
    return q;
}

void tb_init(tb_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void tb_free(tb_buf *b)
{
    free(b->data);
    tb_init(b);
}

void tb_reserve(tb_buf *b, size_t extra)
{
    if (extra > (size_t)-1 / 2 - b->len)
        tb_die();
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = tb_xrealloc(b->data, cap);
    b->cap = cap;
}

void tb_append(tb_buf *b, const char *s, size_t n)
{
    tb_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void tb_puts(tb_buf *b, const char *s)
{
    tb_append(b, s, strlen(s));
}

void tb_append_json_string(tb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    tb_reserve(b, n + 2);
    tb_append(b, "\"", 1);
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        tb_append(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        tb_append(b, esc, elen);
    }
    tb_append(b, s + run, n - run);
    tb_append(b, "\"", 1);
}

void tb_append_size(tb_buf *b, size_t v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    tb_append(b, tmp + n, sizeof tmp - n);
}
