/*
 * feed_parse_fuzz - libFuzzer target of the feed parser and the feed date parser. The first
 * input byte picks the HTTP Content-Type handed along (none, XML with a charset, JSON...), the
 * rest is the body. Whatever the bytes, the parser must return a known code, and every entry it
 * gives must hold valid UTF-8 strings; each date found must be re-parsed to the same ISO text.
 */
#include "feed_date.h"
#include "feed_parse.h"
#include "utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
    NULL,
    "application/rss+xml",
    "text/xml; charset=windows-1251",
    "application/xml; charset=\"iso-8859-7\"",
    "application/feed+json",
    "text/html; charset=no-such-charset",
};

static void check_text(const char *s)
{
    if (s && !utf8_valid(s, strlen(s)))
        abort();
}

static void check_date(const feed_date *d)
{
    if (!d->ok)
        return;
    feed_date again;
    if (feed_date_parse(d->iso, &again) != 0 || strcmp(again.iso, d->iso) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *ctype = NULL;
    if (size > 0) {
        ctype = content_types[data[0] % (sizeof content_types / sizeof content_types[0])];
        data++;
        size--;
    }
    feed_doc doc;
    int rc = feed_parse(data, size, ctype, &doc);
    if (rc != 0 && rc != -EBADMSG && rc != -EPERM)
        abort();
    check_text(doc.title);
    check_text(doc.problem);
    for (size_t i = 0; i < doc.n_entries; i++) {
        const feed_entry *e = &doc.entries[i];
        check_text(e->title);
        check_text(e->text);
        check_text(e->link);
        check_text(e->guid);
        check_text(e->author);
        for (size_t k = 0; k < e->n_categories; k++)
            check_text(e->categories[k]);
        check_date(&e->published);
        check_date(&e->updated);
    }
    feed_doc_free(&doc);

    /* the date parser alone, on the body as text */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    feed_date d;
    feed_date_parse(text, &d);
    check_date(&d);
    free(text);
    return 0;
}
