/*
 * dt_meta - builds the meta "datetime" JSON text (see dt_meta.h). The buffer is sized for the
 * worst case up front (every byte of every snippet escaped as \u00XX), so writing never checks.
 */
#include "dt_meta.h"

#include <stdlib.h>
#include <string.h>

static char *put_str(char *o, const char *s)
{
    size_t n = strlen(s);
    memcpy(o, s, n);
    return o + n;
}

/* s[0..len) as a JSON string literal, quotes included. */
static char *put_json_string(char *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    *o++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c == '\n') {
            o = put_str(o, "\\n");
        } else if (c == '\t') {
            o = put_str(o, "\\t");
        } else if (c < 0x20 || c == 0x7F) {
            o = put_str(o, "\\u00");
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    return o;
}

static char *put_uint(char *o, unsigned v)
{
    char digits[16];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *o++ = digits[--n];
    return o;
}

/* Length of the snippet at text[start..start+len), cut to DT_META_TEXT_MAX bytes without
 * splitting a UTF-8 sequence. */
static size_t snippet_len(const char *text, size_t text_len, size_t start, size_t len)
{
    if (start >= text_len)
        return 0;
    if (len > text_len - start)
        len = text_len - start;
    if (len <= DT_META_TEXT_MAX)
        return len;
    size_t n = DT_META_TEXT_MAX;
    while (n > 0 && ((unsigned char)text[start + n] & 0xC0) == 0x80)
        n--;
    return n;
}

char *dt_meta_json(const dt_result *res, const char *text, size_t text_len,
                   bool is_published_preset)
{
    /* per entry: escaped snippet + the fixed keys, an ISO value, a line number */
    size_t cap = 256 + res->n_found * (DT_META_TEXT_MAX * 6 + 160);
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    char *o = buf;
    char iso[DT_ISO_MAX];
    *o++ = '{';
    bool need_comma = false;
    if (res->has_published && dt_stamp_format_utc(&res->published, iso)) {
        o = put_str(o, "\"published_utc\":");
        o = put_json_string(o, iso, strlen(iso));
        need_comma = true;
    }
    if (res->has_updated && dt_stamp_format_utc(&res->updated, iso)) {
        o = put_str(o, need_comma ? ",\"updated_utc\":" : "\"updated_utc\":");
        o = put_json_string(o, iso, strlen(iso));
        need_comma = true;
    }
    o = put_str(o, need_comma ? ",\"found\":[" : "\"found\":[");
    for (size_t i = 0; i < res->n_found; i++) {
        const dt_stamp *st = &res->found[i];
        if (i)
            *o++ = ',';
        o = put_str(o, "{\"text\":");
        o = put_json_string(o, text + (st->start < text_len ? st->start : 0),
                            snippet_len(text, text_len, st->start, st->len));
        o = put_str(o, ",\"line\":");
        o = put_uint(o, st->line);
        o = put_str(o, ",\"value\":");
        size_t n = dt_stamp_format(st, iso);
        o = put_json_string(o, iso, n);
        if (st->role == DT_ROLE_PUBLISHED)
            o = put_str(o, ",\"role\":\"published\"");
        else if (st->role == DT_ROLE_UPDATED)
            o = put_str(o, ",\"role\":\"updated\"");
        if (st->is_ambiguous)
            o = put_str(o, ",\"ambiguous\":true");
        *o++ = '}';
    }
    *o++ = ']';
    if (res->unknown_zone[0]) {
        o = put_str(o, ",\"unknown_zone\":");
        o = put_json_string(o, res->unknown_zone, strlen(res->unknown_zone));
    }
    if (is_published_preset)
        o = put_str(o, ",\"published_preset\":true");
    *o++ = '}';
    *o = '\0';
    return buf;
}
