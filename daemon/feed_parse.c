/*
 * feed_parse - feed documents to entries (see feed_parse.h for the contract).
 *
 * XML goes through libxml2's xmlTextReader, one node at a time: the root element names the
 * format, an <item>/<entry> opens an entry, and each field element of an entry is read whole
 * (xmlTextReaderReadString, or the inner XML for Atom xhtml content) and then skipped. Options:
 * XML_PARSE_NONET (never fetch), no XML_PARSE_NOENT (entities are not substituted), no DTD
 * loading, XML_PARSE_RECOVER (go on after an undeclared &nbsp; and the like). A document that
 * declares entities is refused before the parser sees it. JSON Feed goes through jansson.
 */
#include "feed_parse.h"

#include <errno.h>
#include <jansson.h>
#include <libxml/xmlreader.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "utf8.h"
#include "xalloc.h"

/* ---- growable text ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_addc(sbuf *b, char c)
{
    sb_add(b, &c, 1);
}

static char *sb_take(sbuf *b)
{
    if (!b->p)
        return xstrdup("");
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

/* ---- HTML to text ---- */

static const char *const latin1_names[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",
    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn",
    "sup2",   "sup3",   "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",
    "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde",
    "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave",
    "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde",
    "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",   "eth",
    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml",
};

static const struct {
    const char *name;
    unsigned cp;
} other_entities[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
    {"apos", '\''},    {"hellip", 0x2026}, {"mdash", 0x2014},  {"ndash", 0x2013},
    {"lsquo", 0x2018}, {"rsquo", 0x2019},  {"sbquo", 0x201A},  {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"bdquo", 0x201E},  {"bull", 0x2022},   {"euro", 0x20AC},
    {"trade", 0x2122}, {"dagger", 0x2020}, {"prime", 0x2032},  {"thinsp", 0x2009},
    {"ensp", 0x2002},  {"emsp", 0x2003},   {"zwnj", 0x200C},   {"zwj", 0x200D},
    {"lrm", 0x200E},   {"rlm", 0x200F},    {"Scaron", 0x160},  {"scaron", 0x161},
    {"Zcaron", 0x17D}, {"zcaron", 0x17E},  {"OElig", 0x152},   {"oelig", 0x153},
    {"Yuml", 0x178},   {"circ", 0x2C6},    {"tilde", 0x2DC},   {"minus", 0x2212},
    {"larr", 0x2190},  {"rarr", 0x2192},   {"hearts", 0x2665}, {"numero", 0x2116},
};

/* Decode an entity starting at s[0] == '&'. Returns bytes consumed (0 if not an entity) and the
 * code point in *cp (0 for one that produces nothing, e.g. &shy;). */
static size_t decode_entity(const char *s, size_t len, unsigned *cp)
{
    size_t i = 1;
    if (i < len && s[i] == '#') {
        i++;
        unsigned long v = 0;
        bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
        if (hex)
            i++;
        size_t start = i;
        while (i < len && i - start < 8) {
            char c = s[i];
            int d = c >= '0' && c <= '9'          ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (d < 0)
                break;
            v = v * (hex ? 16 : 10) + (unsigned long)d;
            i++;
        }
        if (i == start || i >= len || s[i] != ';')
            return 0;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            v = 0xFFFD;
        if (v < 0x20 && v != '\t' && v != '\n')
            v = 0;
        if (v >= 0x80 && v < 0xA0) /* windows-1252 quirk: &#146; means a right quote */
            v = v == 0x91   ? 0x2018
                : v == 0x92 ? 0x2019
                : v == 0x93 ? 0x201C
                : v == 0x94 ? 0x201D
                : v == 0x96 ? 0x2013
                : v == 0x97 ? 0x2014
                : v == 0x85 ? 0x2026
                : v == 0x80 ? 0x20AC
                            : 0;
        *cp = (unsigned)v;
        return i + 1;
    }
    size_t start = i;
    while (i < len && i - start < 10 &&
           ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
            (s[i] >= '0' && s[i] <= '9')))
        i++;
    if (i == start || i >= len || s[i] != ';')
        return 0;
    size_t n = i - start;
    for (size_t k = 0; k < 96; k++) {
        if (strlen(latin1_names[k]) == n && memcmp(latin1_names[k], s + start, n) == 0) {
            *cp = k == 13 ? 0 : 0xA0 + (unsigned)k; /* &shy; vanishes */
            return i + 1;
        }
    }
    for (size_t k = 0; k < sizeof other_entities / sizeof other_entities[0]; k++) {
        if (strlen(other_entities[k].name) == n &&
            memcmp(other_entities[k].name, s + start, n) == 0) {
            *cp = other_entities[k].cp;
            return i + 1;
        }
    }
    return 0;
}

struct text_out {
    sbuf b;
    int pending_break; /* 0 none, 1 line, 2 paragraph */
    bool pending_space;
};

static void out_text(struct text_out *o, const char *s, size_t n)
{
    if (o->b.len > 0) {
        if (o->pending_break == 2)
            sb_add(&o->b, "\n\n", 2);
        else if (o->pending_break == 1)
            sb_addc(&o->b, '\n');
        else if (o->pending_space)
            sb_addc(&o->b, ' ');
    }
    o->pending_break = 0;
    o->pending_space = false;
    sb_add(&o->b, s, n);
}

static void out_cp(struct text_out *o, unsigned cp)
{
    if (cp == 0)
        return;
    if (cp == 0xA0 || cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x2002 || cp == 0x2003 ||
        cp == 0x2009) {
        o->pending_space = true;
        return;
    }
    char u[4];
    size_t n = utf8_encode(cp, u);
    out_text(o, u, n);
}

static bool is_block_tag(const char *name)
{
    static const char *const blocks[] = {
        "p",          "div", "h1",      "h2",      "h3",     "h4",     "h5",     "h6",
        "ul",         "ol",  "li",      "dl",      "dt",     "dd",     "table",  "tr",
        "blockquote", "pre", "section", "article", "header", "footer", "aside",  "figure",
        "figcaption", "hr",  "address", "main",    "nav",    "form",   "center", "tbody",
    };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcmp(name, blocks[i]) == 0)
            return true;
    return false;
}

static const char *find_ci(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

static bool looks_like_html(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '<')
            continue;
        char c = s[i + 1];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!')
            return true;
    }
    return false;
}

/* The converter behind feed_html_to_text; with plain, no tag or entity is interpreted. */
static char *to_text(const char *s, size_t len, bool plain)
{
    struct text_out o = {0};
    bool html = !plain && looks_like_html(s, len);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (html && c == '<') {
            if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
                const char *end = find_ci(s + i + 4, len - i - 4, "-->");
                i = end ? (size_t)(end - s) + 3 : len;
                continue;
            }
            if (len - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
                const char *end = find_ci(s + i + 9, len - i - 9, "]]>");
                size_t stop = end ? (size_t)(end - s) : len;
                char *inner = to_text(s + i + 9, stop - i - 9, true);
                if (*inner)
                    out_text(&o, inner, strlen(inner));
                free(inner);
                i = end ? stop + 3 : len;
                continue;
            }
            unsigned char n1 = i + 1 < len ? (unsigned char)s[i + 1] : 0;
            bool closing = n1 == '/';
            unsigned char first = closing && i + 2 < len ? (unsigned char)s[i + 2] : n1;
            bool tag = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                       n1 == '!' || n1 == '?';
            if (tag) {
                size_t k = i + 1 + (closing ? 1 : 0);
                char name[16];
                size_t nl = 0;
                while (k < len && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
                                   (s[k] >= '0' && s[k] <= '9'))) {
                    if (nl + 1 < sizeof name)
                        name[nl++] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
                    k++;
                }
                name[nl] = '\0';
                char quote = 0;
                while (k < len && (quote || s[k] != '>')) {
                    if (quote && s[k] == quote)
                        quote = 0;
                    else if (!quote && (s[k] == '"' || s[k] == '\''))
                        quote = s[k];
                    k++;
                }
                i = k < len ? k + 1 : len;
                if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
                    char endtag[24];
                    snprintf(endtag, sizeof endtag, "</%s", name);
                    const char *end = find_ci(s + i, len - i, endtag);
                    if (!end) {
                        i = len;
                    } else {
                        const char *gt = memchr(end, '>', (size_t)(s + len - end));
                        i = gt ? (size_t)(gt - s) + 1 : len;
                    }
                    continue;
                }
                if (strcmp(name, "br") == 0) {
                    if (o.pending_break < 1)
                        o.pending_break = 1;
                } else if (is_block_tag(name)) {
                    o.pending_break = 2;
                } else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0 ||
                           strcmp(name, "img") == 0) {
                    o.pending_space = true;
                }
                continue;
            }
        }
        if (c == '&' && !plain) {
            unsigned cp = 0;
            size_t used = decode_entity(s + i, len - i, &cp);
            if (used) {
                out_cp(&o, cp);
                i += used;
                continue;
            }
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            if (!html) {
                int newlines = 0;
                while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' ||
                                   s[i] == '\f' || s[i] == '\v')) {
                    newlines += s[i] == '\n';
                    i++;
                }
                if (newlines >= 2)
                    o.pending_break = 2;
                else if (newlines == 1 && o.pending_break < 1)
                    o.pending_break = 1;
                else
                    o.pending_space = true;
                continue;
            }
            o.pending_space = true;
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {
            i++;
            continue;
        }
        /* copy a run of ordinary bytes */
        size_t k = i + 1;
        while (k < len && s[k] != '<' && s[k] != '&' && (unsigned char)s[k] > 0x20 && s[k] != 0x7F)
            k++;
        out_text(&o, s + i, k - i);
        i = k;
    }
    return sb_take(&o.b);
}

char *feed_html_to_text(const char *html, size_t len)
{
    return to_text(html, len, false);
}

/* One line of clean text (titles, authors, categories); NULL for empty. */
static char *clean_line(const char *s, size_t len)
{
    char *t = feed_html_to_text(s, len);
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; t[i]; i++) {
        if (t[i] == '\n') {
            space = true;
            continue;
        }
        if (space && o > 0)
            t[o++] = ' ';
        space = false;
        t[o++] = t[i];
    }
    t[o] = '\0';
    if (o == 0) {
        free(t);
        return NULL;
    }
    return t;
}

/* Plain text trimmed of surrounding whitespace (links, ids, dates); NULL for empty. */
static char *trimmed(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return n ? xstrndup(s, n) : NULL;
}

static char *trimmed_take(char *s)
{
    char *t = trimmed(s);
    free(s);
    return t;
}

/* ---- entries ---- */

struct entry_build {
    feed_entry e;
    char *best; /* raw content candidate */
    int best_rank;
    bool best_is_plain; /* Atom type="text" or JSON content_text: no HTML */
};

static void entry_clear(feed_entry *e)
{
    free(e->title);
    free(e->link);
    free(e->guid);
    free(e->author);
    for (size_t i = 0; i < e->n_categories; i++)
        free(e->categories[i]);
    free(e->categories);
    free(e->text);
    free(e->lang);
    free(e->published_raw);
    free(e->updated_raw);
    memset(e, 0, sizeof *e);
}

static void set_once(char **slot, char *value)
{
    if (!value)
        return;
    if (*slot) {
        free(value);
        return;
    }
    *slot = value;
}

static void offer_content(struct entry_build *b, char *raw, int rank, bool plain)
{
    if (!raw)
        return;
    if (rank <= b->best_rank || !*raw) {
        free(raw);
        return;
    }
    free(b->best);
    b->best = raw;
    b->best_rank = rank;
    b->best_is_plain = plain;
}

static void add_category(feed_entry *e, char *cat)
{
    if (!cat)
        return;
    if (e->n_categories >= 64) {
        free(cat);
        return;
    }
    e->categories = xrealloc(e->categories, (e->n_categories + 1) * sizeof *e->categories);
    e->categories[e->n_categories++] = cat;
}

static void set_problem(feed_doc *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_problem(feed_doc *doc, const char *fmt, ...)
{
    if (doc->problem)
        return;
    char buf[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    doc->problem = utf8_lossy(buf, n);
}

static void finish_entry(feed_doc *doc, struct entry_build *b)
{
    feed_entry *e = &b->e;
    if (b->best) {
        /* plain text (Atom type="text", JSON content_text): only whitespace is normalized */
        e->text = to_text(b->best, strlen(b->best), b->best_is_plain);
        free(b->best);
        b->best = NULL;
    }
    if (e->text && !*e->text) {
        free(e->text);
        e->text = NULL;
    }
    if (e->published_raw)
        feed_date_parse(e->published_raw, &e->published);
    if (e->updated_raw)
        feed_date_parse(e->updated_raw, &e->updated);
    if (!e->title && !e->link && !e->guid && !e->text) {
        entry_clear(e);
        b->best_rank = 0;
        return;
    }
    if (doc->n_entries >= FEED_PARSE_MAX_ENTRIES) {
        doc->n_skipped++;
        entry_clear(e);
        b->best_rank = 0;
        return;
    }
    doc->entries = xrealloc(doc->entries, (doc->n_entries + 1) * sizeof *doc->entries);
    doc->entries[doc->n_entries++] = *e;
    memset(e, 0, sizeof *e);
    b->best_rank = 0;
}

static void discard_entry(struct entry_build *b)
{
    free(b->best);
    b->best = NULL;
    b->best_rank = 0;
    entry_clear(&b->e);
}

/* ---- XML ---- */

#define NS_ATOM    "http://www.w3.org/2005/Atom"
#define NS_DC      "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static void xml_error(void *arg, xmlErrorPtr err)
{
    feed_doc *doc = arg;
    if (!err || doc->problem)
        return;
    set_problem(doc, "malformed XML at line %d: %s", err->line,
                err->message ? err->message : "error");
}

/* The current element with its whole subtree built: the streaming reader expands it; a walker
 * over a recovered tree has it already. */
static xmlNodePtr subtree(xmlTextReaderPtr r)
{
    xmlNodePtr n = xmlTextReaderExpand(r);
    return n ? n : xmlTextReaderCurrentNode(r);
}

static void collect_text(xmlNodePtr n, sbuf *b, int depth)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            sb_add(b, (const char *)c->content, strlen((const char *)c->content));
        else if (c->type == XML_ELEMENT_NODE && depth < 64)
            collect_text(c, b, depth + 1);
    }
}

/* The text content of the current element (text and CDATA of the subtree), or NULL. */
static char *read_string(xmlTextReaderPtr r)
{
    xmlNodePtr n = subtree(r);
    if (!n)
        return NULL;
    sbuf b = {0};
    collect_text(n, &b, 0);
    return sb_take(&b);
}

/* The markup inside the current element (Atom type="xhtml" content), or NULL. */
static char *read_inner_xml(xmlTextReaderPtr r)
{
    xmlNodePtr n = subtree(r);
    if (!n)
        return NULL;
    xmlBufferPtr buf = xmlBufferCreate();
    if (!buf)
        return NULL;
    for (xmlNodePtr c = n->children; c; c = c->next)
        xmlNodeDump(buf, n->doc, c, 0, 0);
    char *out = xstrdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return out;
}

static char *attr(xmlTextReaderPtr r, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *out = trimmed((const char *)v);
    xmlFree(v);
    return out;
}

static bool name_is(const char *local, const char *ns, const char *want_local, const char *want_ns)
{
    if (strcmp(local, want_local) != 0)
        return false;
    if (!want_ns)
        return !ns || !*ns || (strcmp(ns, NS_DC) != 0 && strcmp(ns, NS_CONTENT) != 0);
    return ns && strcmp(ns, want_ns) == 0;
}

static bool attr_src_present(xmlTextReaderPtr r)
{
    xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)"src");
    bool has = v != NULL;
    xmlFree(v);
    return has;
}

struct xml_state {
    xmlTextReaderPtr r;
    feed_doc *doc;
    bool in_entry;
    int entry_depth;
    bool atom;
    struct entry_build b;
};

/* Handle one field element inside an entry. Returns true when the subtree was consumed (the
 * caller moves to the next sibling). */
static bool entry_field(struct xml_state *x, const char *local, const char *ns, int depth)
{
    xmlTextReaderPtr r = x->r;
    feed_entry *e = &x->b.e;
    bool empty = xmlTextReaderIsEmptyElement(r) == 1;
    if (depth == x->entry_depth + 2 && strcmp(local, "name") == 0) {
        char *s = read_string(r);
        set_once(&e->author, s ? clean_line(s, strlen(s)) : NULL);
        free(s);
        return true;
    }
    if (depth != x->entry_depth + 1)
        return false;
    bool atom_ns = ns && strcmp(ns, NS_ATOM) == 0;
    if (strcmp(local, "link") == 0 && (x->atom || atom_ns)) {
        char *rel = attr(r, "rel");
        char *href = attr(r, "href");
        if (href && (!rel || strcmp(rel, "alternate") == 0))
            set_once(&e->link, href);
        else
            free(href);
        free(rel);
        return !empty;
    }
    if (strcmp(local, "category") == 0 && (x->atom || atom_ns)) {
        char *term = attr(r, "label");
        if (!term)
            term = attr(r, "term");
        add_category(e, term ? clean_line(term, strlen(term)) : NULL);
        free(term);
        return !empty;
    }
    if (strcmp(local, "author") == 0 && x->atom)
        return false; /* its <name> child is read at depth + 2 */
    if (empty)
        return false;
    if (strcmp(local, "content") == 0 && x->atom) {
        char *type = attr(r, "type");
        if (type && strcmp(type, "xhtml") == 0) {
            offer_content(&x->b, read_inner_xml(r), 3, false);
        } else if (!attr_src_present(r)) {
            offer_content(&x->b, read_string(r), 3, type && strcmp(type, "text") == 0);
        }
        free(type);
        return true;
    }
    char *s = NULL;
    if (name_is(local, ns, "encoded", NS_CONTENT)) {
        offer_content(&x->b, read_string(r), 3, false);
    } else if (name_is(local, ns, "description", NULL) || (x->atom && !strcmp(local, "summary"))) {
        offer_content(&x->b, read_string(r), 2, false);
    } else if (name_is(local, ns, "title", NULL) || (atom_ns && !strcmp(local, "title"))) {
        s = read_string(r);
        set_once(&e->title, s ? clean_line(s, strlen(s)) : NULL);
    } else if (name_is(local, ns, "link", NULL)) {
        s = read_string(r);
        set_once(&e->link, trimmed(s));
    } else if (name_is(local, ns, "guid", NULL) || (x->atom && !strcmp(local, "id"))) {
        s = read_string(r);
        set_once(&e->guid, trimmed(s));
    } else if (name_is(local, ns, "author", NULL) || name_is(local, ns, "creator", NS_DC)) {
        s = read_string(r);
        set_once(&e->author, s ? clean_line(s, strlen(s)) : NULL);
    } else if (name_is(local, ns, "category", NULL) || name_is(local, ns, "subject", NS_DC)) {
        s = read_string(r);
        add_category(e, s ? clean_line(s, strlen(s)) : NULL);
    } else if (name_is(local, ns, "pubDate", NULL) || name_is(local, ns, "date", NS_DC) ||
               (x->atom && (!strcmp(local, "published") || !strcmp(local, "issued")))) {
        s = read_string(r);
        set_once(&e->published_raw, trimmed(s));
    } else if ((x->atom || atom_ns) && !strcmp(local, "updated")) {
        s = read_string(r);
        set_once(&e->updated_raw, trimmed(s));
    } else if (name_is(local, ns, "modified", NS_DC) || (x->atom && !strcmp(local, "modified"))) {
        s = read_string(r);
        set_once(&e->updated_raw, trimmed(s));
    } else if (name_is(local, ns, "language", NS_DC)) {
        s = read_string(r);
        set_once(&e->lang, trimmed(s));
    } else {
        return false;
    }
    free(s);
    return true;
}

/* Channel-level fields (outside entries). Returns true when the subtree was consumed. */
static bool channel_field(struct xml_state *x, const char *local, const char *ns, int depth)
{
    xmlTextReaderPtr r = x->r;
    feed_doc *doc = x->doc;
    bool top = x->atom ? depth == 1 : depth == 2;
    if (!top)
        return false;
    if (xmlTextReaderIsEmptyElement(r) == 1) {
        if (x->atom && strcmp(local, "link") == 0) {
            char *rel = attr(r, "rel");
            char *href = attr(r, "href");
            if (href && (!rel || strcmp(rel, "alternate") == 0))
                set_once(&doc->link, href);
            else
                free(href);
            free(rel);
        }
        return false;
    }
    char *s = NULL;
    if (name_is(local, ns, "title", NULL) || (x->atom && !strcmp(local, "title"))) {
        s = read_string(r);
        set_once(&doc->title, s ? clean_line(s, strlen(s)) : NULL);
    } else if (!x->atom && name_is(local, ns, "link", NULL)) {
        s = read_string(r);
        set_once(&doc->link, trimmed(s));
    } else if (name_is(local, ns, "language", NULL) || name_is(local, ns, "language", NS_DC)) {
        s = read_string(r);
        set_once(&doc->lang, trimmed(s));
    } else {
        return false;
    }
    free(s);
    return true;
}

static void xml_lang(xmlTextReaderPtr r, char **slot)
{
    const xmlChar *l = xmlTextReaderConstXmlLang(r);
    if (l && *l && !*slot)
        *slot = xstrdup((const char *)l);
}

/* Whether the document carries an XML declaration naming its encoding. */
static bool declares_encoding(const char *p, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (len - i < 5 || memcmp(p + i, "<?xml", 5) != 0)
        return false;
    size_t end = i;
    while (end + 1 < len && end < 512 && !(p[end] == '?' && p[end + 1] == '>'))
        end++;
    return find_ci(p + i, end - i, "encoding") != NULL;
}

/* The charset parameter of a Content-Type, canonicalized for decode.c, or NULL. */
static const char *content_type_charset(const char *ct, char *buf, size_t buflen)
{
    if (!ct)
        return NULL;
    const char *c = find_ci(ct, strlen(ct), "charset=");
    if (!c)
        return NULL;
    c += 8;
    if (*c == '"')
        c++;
    size_t n = 0;
    while (c[n] && c[n] != ';' && c[n] != '"' && c[n] != ' ' && n + 1 < buflen)
        n++;
    memcpy(buf, c, n);
    buf[n] = '\0';
    return n ? buf : NULL;
}

/* Move past the current element and its subtree (xmlTextReaderNext skips the parent's end
 * tag on a walker, so the end tag is looked for here). */
static int skip_subtree(xmlTextReaderPtr r)
{
    if (xmlTextReaderIsEmptyElement(r) == 1)
        return xmlTextReaderRead(r);
    int depth = xmlTextReaderDepth(r);
    int rc;
    while ((rc = xmlTextReaderRead(r)) == 1) {
        int d = xmlTextReaderDepth(r);
        if (d == depth && xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT)
            return xmlTextReaderRead(r);
        if (d <= depth)
            return 1;
    }
    return rc;
}

/* Read every node of r into doc. Returns the last xmlTextReaderRead result (0 at the end, -1
 * after an error). doc->format is set when the root element names a feed format. */
static int walk(xmlTextReaderPtr r, feed_doc *doc)
{
    struct xml_state x = {.r = r, .doc = doc};
    bool root_seen = false;
    int rc = xmlTextReaderRead(r);
    while (rc == 1) {
        bool consumed = false;
        int type = xmlTextReaderNodeType(r);
        int depth = xmlTextReaderDepth(r);
        const char *local = (const char *)xmlTextReaderConstLocalName(r);
        const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
        if (!local)
            local = "";
        if (type == XML_READER_TYPE_ELEMENT) {
            if (!root_seen) {
                root_seen = true;
                if (strcmp(local, "rss") == 0) {
                    doc->format = "rss";
                } else if (strcmp(local, "RDF") == 0) {
                    doc->format = "rdf";
                } else if (strcmp(local, "feed") == 0) {
                    doc->format = "atom";
                    x.atom = true;
                } else {
                    set_problem(doc, "not a feed: the root element is <%.40s>", local);
                    break;
                }
                xml_lang(r, &doc->lang);
            } else if (!x.in_entry) {
                bool is_entry = x.atom ? strcmp(local, "entry") == 0 : strcmp(local, "item") == 0;
                if (is_entry) {
                    x.in_entry = true;
                    x.entry_depth = depth;
                    xml_lang(r, &x.b.e.lang);
                    if (!x.atom)
                        x.b.e.guid = attr(r, "rdf:about");
                    if (xmlTextReaderIsEmptyElement(r) == 1) {
                        x.in_entry = false;
                        finish_entry(doc, &x.b);
                    }
                } else {
                    consumed = channel_field(&x, local, ns, depth);
                }
            } else {
                consumed = entry_field(&x, local, ns, depth);
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT && x.in_entry && depth == x.entry_depth) {
            x.in_entry = false;
            finish_entry(doc, &x.b);
        }
        rc = consumed ? skip_subtree(r) : xmlTextReaderRead(r);
    }
    if (rc < 0 && !doc->problem)
        set_problem(doc, "malformed XML");
    if (x.in_entry)
        discard_entry(&x.b); /* cut off by an error: its fields may be partial */
    return rc;
}

static int parse_xml(const char *body, size_t len, const char *content_type, feed_doc *doc)
{
    pthread_once(&xml_once, xml_init);
    /* Entity declarations: refuse before parsing (no feed needs them; bombs do). */
    if (memmem(body, len, "<!ENTITY", 8)) {
        set_problem(doc, "refused: the document declares XML entities (entity expansion is not "
                         "allowed)");
        return -EPERM;
    }
    char *converted = NULL;
    const char *xml = body;
    size_t xml_len = len;
    bool utf16 = len >= 2 && ((unsigned char)body[0] == 0xFE || (unsigned char)body[0] == 0xFF);
    if (!declares_encoding(body, len) && !utf16) {
        char cs[48];
        const char *charset = content_type_charset(content_type, cs, sizeof cs);
        const char *canon = charset ? decode_canonical_name(charset) : NULL;
        if ((canon && strcmp(canon, "utf-8") != 0) || !utf8_valid(body, len)) {
            decode_result dec;
            if (decode_to_utf8(body, len, canon ? canon : "auto", &dec, NULL, 0) == 0) {
                converted = dec.text;
                xml = converted;
                xml_len = dec.len;
            }
        }
    }
    if (xml_len > INT32_MAX) {
        free(converted);
        set_problem(doc, "document too large");
        return -EBADMSG;
    }
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
               XML_PARSE_COMPACT;
    const char *enc = converted ? "UTF-8" : NULL;
    int rc;
    xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)xml_len, NULL, enc, opts);
    if (!r) {
        set_problem(doc, "cannot create an XML reader");
        rc = -1;
    } else {
        xmlTextReaderSetStructuredErrorHandler(r, xml_error, doc);
        rc = walk(r, doc);
        xmlFreeTextReader(r);
    }
    if (rc < 0 && doc->format) {
        /* The streaming parse stopped at an error. Parse again in recovery mode (a tree, bounded
         * by the body size; entities were refused above) and take what it can make of it. */
        xmlDocPtr tree = xmlReadMemory(xml, (int)xml_len, NULL, enc, opts | XML_PARSE_RECOVER);
        if (tree) {
            for (size_t k = 0; k < doc->n_entries; k++)
                entry_clear(&doc->entries[k]);
            doc->n_entries = 0;
            doc->n_skipped = 0;
            doc->format = NULL;
            xmlTextReaderPtr w = xmlReaderWalker(tree);
            if (w) {
                walk(w, doc);
                xmlFreeTextReader(w);
            }
            xmlFreeDoc(tree);
        }
    }
    free(converted);
    if (!doc->format || strcmp(doc->format, "unknown") == 0) {
        doc->format = "unknown";
        if (!doc->problem)
            set_problem(doc, "not a feed: no root element");
        return -EBADMSG;
    }
    return 0;
}

/* ---- JSON Feed ---- */

static char *json_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return xstrndup(json_string_value(v), json_string_length(v));
    if (json_is_integer(v)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return xstrdup(buf);
    }
    return NULL;
}

static char *json_author(json_t *o)
{
    json_t *authors = json_object_get(o, "authors");
    json_t *a = json_is_array(authors) ? json_array_get(authors, 0) : json_object_get(o, "author");
    if (!json_is_object(a))
        return NULL;
    char *name = json_str(a, "name");
    char *clean = name ? clean_line(name, strlen(name)) : NULL;
    free(name);
    return clean;
}

static int parse_json(const char *body, size_t len, feed_doc *doc)
{
    doc->format = "json";
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!root) {
        set_problem(doc, "malformed JSON at line %d: %s", jerr.line, jerr.text);
        return -EBADMSG;
    }
    int ret = 0;
    const char *version = json_string_value(json_object_get(root, "version"));
    json_t *items = json_object_get(root, "items");
    if (!json_is_object(root) || !json_is_array(items)) {
        set_problem(doc, "not a JSON Feed: no \"items\" array");
        ret = -EBADMSG;
        goto out;
    }
    if (!version || strncmp(version, "https://jsonfeed.org/version/", 29) != 0)
        set_problem(doc, "JSON Feed without a jsonfeed.org version");
    char *t = json_str(root, "title");
    doc->title = t ? clean_line(t, strlen(t)) : NULL;
    free(t);
    doc->link = json_str(root, "home_page_url");
    doc->lang = json_str(root, "language");
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (!json_is_object(it))
            continue;
        struct entry_build b = {0};
        feed_entry *e = &b.e;
        e->guid = trimmed_take(json_str(it, "id"));
        e->link = trimmed_take(json_str(it, "url"));
        if (!e->link)
            e->link = trimmed_take(json_str(it, "external_url"));
        char *title = json_str(it, "title");
        e->title = title ? clean_line(title, strlen(title)) : NULL;
        free(title);
        e->author = json_author(it);
        if (!e->author)
            e->author = json_author(root);
        offer_content(&b, json_str(it, "content_html"), 3, false);
        offer_content(&b, json_str(it, "content_text"), 3, true);
        offer_content(&b, json_str(it, "summary"), 2, true);
        e->published_raw = json_str(it, "date_published");
        e->updated_raw = json_str(it, "date_modified");
        e->lang = json_str(it, "language");
        json_t *tags = json_object_get(it, "tags");
        size_t k;
        json_t *tag;
        json_array_foreach(tags, k, tag)
        {
            if (json_is_string(tag))
                add_category(e, clean_line(json_string_value(tag), json_string_length(tag)));
        }
        finish_entry(doc, &b);
    }
out:
    json_decref(root);
    return ret;
}

/* ---- entry point ---- */

/* Recovery mode may let bytes through that are not UTF-8: make every string valid. */
static void fix_utf8(char **s)
{
    if (*s && !utf8_valid(*s, strlen(*s))) {
        char *fixed = utf8_lossy(*s, strlen(*s));
        free(*s);
        *s = fixed;
    }
}

static void fix_doc(feed_doc *doc)
{
    fix_utf8(&doc->title);
    fix_utf8(&doc->link);
    fix_utf8(&doc->lang);
    for (size_t i = 0; i < doc->n_entries; i++) {
        feed_entry *e = &doc->entries[i];
        char **fields[] = {&e->title, &e->link,          &e->guid,        &e->author,
                           &e->text,  &e->published_raw, &e->updated_raw, &e->lang};
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            fix_utf8(fields[k]);
        for (size_t k = 0; k < e->n_categories; k++)
            fix_utf8(&e->categories[k]);
    }
}

int feed_parse(const void *body, size_t len, const char *content_type, feed_doc *out)
{
    memset(out, 0, sizeof *out);
    out->format = "unknown";
    const char *p = body;
    if (!p || len == 0) {
        set_problem(out, "empty document");
        return -EBADMSG;
    }
    size_t i = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    int rc;
    if (i < len && (p[i] == '{' || p[i] == '['))
        rc = parse_json(p + i, len - i, out);
    else
        rc = parse_xml(p, len, content_type, out);
    fix_doc(out);
    for (size_t k = 0; k < out->n_entries; k++)
        if (!out->entries[k].lang && out->lang)
            out->entries[k].lang = xstrdup(out->lang);
    if (rc == 0 && out->n_entries == 0 && out->problem && strncmp(out->problem, "JSON", 4) != 0)
        rc = 0; /* a feed with a problem and no entries is still a feed */
    return rc;
}

void feed_doc_free(feed_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_entries; i++)
        entry_clear(&doc->entries[i]);
    free(doc->entries);
    free(doc->title);
    free(doc->link);
    free(doc->lang);
    free(doc->problem);
    memset(doc, 0, sizeof *doc);
}
