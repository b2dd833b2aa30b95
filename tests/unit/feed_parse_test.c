/* feed_parse_test - every feed format and declared encoding of the fixtures, HTML to text,
 * content:encoded over description, malformed and hostile documents. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed_parse.h"
#include "testlib.h"

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/feeds/%s", SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        *len = 0;
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int parse_fixture(const char *name, const char *ctype, feed_doc *doc)
{
    size_t len;
    char *body = slurp(name, &len);
    int rc = feed_parse(body, len, ctype, doc);
    free(body);
    return rc;
}

static void test_rss2_utf8(void)
{
    feed_doc d;
    CHECK_INT(parse_fixture("rss2_utf8.xml", "application/rss+xml", &d), 0);
    CHECK_STR(d.format, "rss");
    CHECK_STR(d.title, "Kıyı Haberleri");
    CHECK_STR(d.lang, "tr");
    CHECK_STR(d.link, "http://127.0.0.1/tr");
    CHECK_INT(d.n_entries, 2);
    CHECK(d.problem == NULL);
    if (d.n_entries == 2) {
        feed_entry *e = &d.entries[0];
        CHECK_STR(e->title, "Liman'da yeni dönem & düzenleme");
        CHECK_STR(e->link, "http://127.0.0.1/tr/liman-yeni-donem");
        CHECK_STR(e->guid, "tr-liman-0001");
        CHECK_STR(e->author, "Ayşe Yılmaz");
        CHECK_INT(e->n_categories, 2);
        if (e->n_categories == 2)
            CHECK_STR(e->categories[1], "Denizcilik");
        /* content:encoded wins; tags gone, script dropped, paragraphs kept, nbsp a space */
        CHECK_STR(e->text, "Belediye, limandaki yeni düzenlemeyi dün açıkladı.\n\nBalıkçılar ise "
                           "kararın sezon öncesi geldiğini söyledi.\nToplantı cuma günü "
                           "yapılacak.");
        CHECK_STR(e->published_raw, "Pzt, 27 Eki 2025 13:05:00 +0300");
        CHECK(e->published.ok);
        CHECK_STR(e->published.iso, "2025-10-27T13:05:00+03:00");
        CHECK_STR(e->lang, "tr");
        e = &d.entries[1];
        CHECK(e->guid == NULL);
        CHECK_STR(e->text, "Sahil yolu iki gün trafiğe kapalı olacak.\n\nAlternatif güzergah "
                           "belirlendi.");
        CHECK_STR(e->published.iso, "2025-10-28T09:30:00+03:00");
    }
    feed_doc_free(&d);
}

static void test_legacy_encodings(void)
{
    feed_doc d;
    CHECK_INT(parse_fixture("rss2_cp1251.xml", NULL, &d), 0);
    CHECK_INT(d.n_entries, 1);
    if (d.n_entries == 1) {
        CHECK_STR(d.entries[0].title, "В Казани открыли новый мост");
        CHECK_STR(d.entries[0].published.iso, "2025-10-27T13:05:00+03:00");
    }
    feed_doc_free(&d);
    /* the XML declaration wins over a wrong HTTP charset */
    CHECK_INT(parse_fixture("rss2_iso8859_7.xml", "text/xml; charset=utf-8", &d), 0);
    CHECK_INT(d.n_entries, 1);
    if (d.n_entries == 1) {
        CHECK_STR(d.entries[0].title, "Νέο λιμάνι στην Ηγουμενίτσα");
        CHECK_STR(d.entries[0].published.iso, "2025-10-27T13:05:00+02:00");
    }
    feed_doc_free(&d);
    CHECK_INT(parse_fixture("rss2_cp1254.xml", NULL, &d), 0);
    CHECK_INT(d.n_entries, 1);
    if (d.n_entries == 1)
        CHECK_STR(d.entries[0].title, "İzmir'de şiddetli yağış uyarısı");
    feed_doc_free(&d);
    CHECK_INT(parse_fixture("rss_koi8r.xml", NULL, &d), 0);
    CHECK_INT(d.n_entries, 1);
    if (d.n_entries == 1)
        CHECK_STR(d.entries[0].title, "Зимний сезон начался");
    feed_doc_free(&d);
    CHECK_INT(parse_fixture("rss091.xml", NULL, &d), 0);
    CHECK_INT(d.n_entries, 1);
    if (d.n_entries == 1)
        CHECK_STR(d.entries[0].title, "Café reopens after floods");
    feed_doc_free(&d);
}

static void test_http_charset_without_declaration(void)
{
    /* "Привет" in windows-1251, no XML declaration: the HTTP charset decides */
    const char body[] = "<rss><channel><item><title>\xcf\xf0\xe8\xe2\xe5\xf2</title>"
                        "<link>http://127.0.0.1/x</link></item></channel></rss>";
    feed_doc d;
    CHECK_INT(feed_parse(body, sizeof body - 1, "application/xml; charset=windows-1251", &d), 0);
    CHECK_INT(d.n_entries, 1);
    if (d.n_entries == 1)
        CHECK_STR(d.entries[0].title, "Привет");
    feed_doc_free(&d);
}

static void test_rdf(void)
{
    feed_doc d;
    CHECK_INT(parse_fixture("rdf.xml", NULL, &d), 0);
    CHECK_STR(d.format, "rdf");
    CHECK_STR(d.lang, "sl");
    CHECK_INT(d.n_entries, 1);
    if (d.n_entries == 1) {
        feed_entry *e = &d.entries[0];
        CHECK_STR(e->guid, "http://127.0.0.1/sl/kolesarji-1");
        CHECK_STR(e->title, "Kolesarji na novi progi");
        CHECK_STR(e->author, "Janez Novak");
        CHECK_STR(e->published.iso, "2025-10-27T13:05:00+01:00");
        CHECK_INT(e->n_categories, 1);
        CHECK_STR(e->lang, "sl");
    }
    feed_doc_free(&d);
}

static void test_atom(void)
{
    feed_doc d;
    CHECK_INT(parse_fixture("atom.xml", NULL, &d), 0);
    CHECK_STR(d.format, "atom");
    CHECK_STR(d.title, "Harbour Council");
    CHECK_STR(d.link, "http://127.0.0.1/en");
    CHECK_STR(d.lang, "en");
    CHECK_INT(d.n_entries, 2);
    if (d.n_entries == 2) {
        feed_entry *e = &d.entries[0];
        CHECK_STR(e->title, "Council approves harbour plan");
        CHECK_STR(e->link, "http://127.0.0.1/en/harbour-plan");
        CHECK_STR(e->guid, "tag:127.0.0.1,2025:harbour-plan");
        CHECK_STR(e->author, "Jane Smith");
        CHECK_INT(e->n_categories, 1);
        if (e->n_categories)
            CHECK_STR(e->categories[0], "Politics");
        CHECK_STR(e->text, "The council approved the harbour plan on Monday.\n\nWork starts in "
                           "spring & ends in 2027.");
        CHECK_STR(e->published.iso, "2025-10-27T13:05:00+00:00");
        CHECK_STR(e->updated.iso, "2025-10-27T15:00:00+00:00");
        CHECK_STR(e->lang, "en");
        e = &d.entries[1];
        CHECK_STR(e->lang, "de");
        CHECK_STR(e->link, "http://127.0.0.1/de/bahn");
        /* type="text": a '<' is text, not a tag */
        CHECK_STR(e->text, "Die Strecke ist bis Freitag gesperrt. Ersatzbusse fahren <stündlich>.");
        CHECK(!e->published.ok);
        CHECK_STR(e->updated.iso, "2025-10-28T08:00:00+01:00");
    }
    feed_doc_free(&d);
}

static void test_json_feed(void)
{
    feed_doc d;
    CHECK_INT(parse_fixture("feed.json", "application/feed+json", &d), 0);
    CHECK_STR(d.format, "json");
    CHECK_STR(d.title, "Vendimia JSON");
    CHECK_INT(d.n_entries, 2);
    CHECK(d.problem == NULL);
    if (d.n_entries == 2) {
        feed_entry *e = &d.entries[0];
        CHECK_STR(e->guid, "es-vendimia-1");
        CHECK_STR(e->author, "María López");
        CHECK_STR(e->text, "Los viticultores empezaron la vendimia el lunes.\n\nSe espera una "
                           "cosecha excelente.");
        CHECK_STR(e->published.iso, "2025-10-27T13:05:00+02:00");
        CHECK_STR(e->updated.iso, "2025-10-27T14:00:00+02:00");
        CHECK_INT(e->n_categories, 2);
        CHECK_STR(e->lang, "es");
        e = &d.entries[1];
        CHECK_STR(e->guid, "42");
        CHECK_STR(e->lang, "ca");
        CHECK_STR(e->text,
                  "Las lluvias continuarán.\n\nSe recomienda precaución en las carreteras.");
    }
    feed_doc_free(&d);
    const char bad[] = "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [";
    CHECK_INT(feed_parse(bad, sizeof bad - 1, NULL, &d), -EBADMSG);
    CHECK(d.problem != NULL);
    feed_doc_free(&d);
}

static void test_malformed_kept_as_far_as_possible(void)
{
    feed_doc d;
    CHECK_INT(parse_fixture("malformed.xml", NULL, &d), 0);
    CHECK(d.problem != NULL);
    CHECK(d.n_entries >= 2);
    if (d.n_entries >= 2) {
        CHECK_STR(d.entries[0].title, "First complete entry");
        CHECK_STR(d.entries[1].title, "Second complete entry");
    }
    feed_doc_free(&d);
    CHECK_INT(parse_fixture("not_a_feed.html", "text/html", &d), -EBADMSG);
    CHECK(d.problem != NULL);
    feed_doc_free(&d);
    CHECK_INT(feed_parse("", 0, NULL, &d), -EBADMSG);
    feed_doc_free(&d);
    CHECK_INT(feed_parse("\x00\xff\xfe garbage", 11, NULL, &d), -EBADMSG);
    feed_doc_free(&d);
}

static void test_entity_bomb_refused_quickly(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    feed_doc d;
    CHECK_INT(parse_fixture("bomb.xml", NULL, &d), -EPERM);
    clock_gettime(CLOCK_MONOTONIC, &b);
    CHECK(d.problem && strstr(d.problem, "entities"));
    CHECK_INT(d.n_entries, 0);
    feed_doc_free(&d);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    CHECK(ms < 100);
    /* an undeclared entity reference is not expanded and does not stop the parse */
    const char und[] = "<rss><channel><item><title>a &unknown; b</title></item></channel></rss>";
    CHECK_INT(feed_parse(und, sizeof und - 1, NULL, &d), 0);
    CHECK_INT(d.n_entries, 1);
    feed_doc_free(&d);
}

static void test_html_to_text(void)
{
    const char *html = "<div><h1>Head</h1>text &amp; more&#8230; &#x41;&eacute;</div>"
                       "<ul><li>one</li><li>two</li></ul><!-- c --><style>x{}</style>end";
    char *t = feed_html_to_text(html, strlen(html));
    CHECK_STR(t, "Head\n\ntext & more… Aé\n\none\n\ntwo\n\nend");
    free(t);
    const char *plain = "First paragraph\nstill first.\n\n\nSecond   paragraph.";
    t = feed_html_to_text(plain, strlen(plain));
    CHECK_STR(t, "First paragraph\nstill first.\n\nSecond paragraph.");
    free(t);
    t = feed_html_to_text("a < b && c &bogus; <", 20);
    CHECK_STR(t, "a < b && c &bogus; <");
    free(t);
    t = feed_html_to_text("<p>unterminated <a href=\"x>y", 28);
    CHECK_STR(t, "unterminated");
    free(t);
}

int main(void)
{
    RUN(test_rss2_utf8);
    RUN(test_legacy_encodings);
    RUN(test_http_charset_without_declaration);
    RUN(test_rdf);
    RUN(test_atom);
    RUN(test_json_feed);
    RUN(test_malformed_kept_as_far_as_possible);
    RUN(test_entity_bomb_refused_quickly);
    RUN(test_html_to_text);
    return TEST_SUMMARY();
}
