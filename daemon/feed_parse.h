/*
 * feed_parse - turns a feed body into entries: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0 (libxml2's
 * streaming reader, network access and entity expansion off) and JSON Feed 1.x (jansson).
 *
 * Encoding: an XML declaration's encoding is honoured by libxml2; without one, the HTTP
 * charset (when given) is used, else UTF-8. JSON Feed is UTF-8. Descriptions carrying HTML
 * (escaped or CDATA) become clean text: tags stripped, entities decoded, paragraphs separated
 * by a blank line. content:encoded (and Atom content, JSON content_*) is preferred over the
 * description/summary. A document that declares XML entities is refused at once (a legitimate
 * feed never does; it is how entity-expansion bombs start). A malformed document is parsed as
 * far as it goes: the entries complete before the error are kept and the problem is recorded.
 *
 * Thread rules: feed_parse may run on any thread (libxml2 is initialized once, thread-safely);
 * the result belongs to the caller.
 */
#ifndef INGESTD_FEED_PARSE_H
#define INGESTD_FEED_PARSE_H

#include <stddef.h>

#include "feed_date.h"

#define FEED_PARSE_MAX_ENTRIES 5000 /* entries kept per document; the rest are counted only */

typedef struct feed_entry {
    char *title;  /* clean text, one line; NULL when absent */
    char *link;   /* the entry's page */
    char *guid;   /* guid / id / rdf:about */
    char *author; /* dc:creator, author, Atom author/name, JSON authors[0].name */
    char **categories;
    size_t n_categories;
    char *text;          /* clean text of the best content (content > description) */
    char *lang;          /* entry language (xml:lang, JSON language), else the feed's */
    char *published_raw; /* as found */
    char *updated_raw;
    feed_date published; /* parsed (published.ok false when absent or unreadable) */
    feed_date updated;
} feed_entry;

typedef struct feed_doc {
    const char *format; /* "rss", "rdf", "atom", "json" or "unknown" (static) */
    char *title;
    char *link;
    char *lang; /* language, dc:language, xml:lang or JSON language */
    feed_entry *entries;
    size_t n_entries;
    size_t n_skipped; /* entries past FEED_PARSE_MAX_ENTRIES */
    char *problem;    /* first problem found (malformed XML, refused entities...), or NULL */
} feed_doc;

/* Parse body[0..len). content_type is the HTTP Content-Type (may be NULL); its charset is used
 * when the document does not declare its encoding. Always fills *out (feed_doc_free it).
 * Returns 0 when the document was read as a feed (possibly with a recorded problem and some
 * entries), -EBADMSG when nothing usable was found (out->problem says why), -EPERM when the
 * document was refused (declared entities). Never crashes on any input. */
int feed_parse(const void *body, size_t len, const char *content_type, feed_doc *out);

void feed_doc_free(feed_doc *doc);

/* Convert HTML (or plain text) to clean text: tags removed (script/style content too), entities
 * decoded, block elements and blank lines become paragraph breaks ("\n\n"), other whitespace
 * collapsed to one space. Returns a new NUL-terminated string (caller frees). Any thread. */
char *feed_html_to_text(const char *html, size_t len);

#endif
