/*
 * cleanup_test - unit tests of the cleanup plugin, run through the real cleanup.so and the
 * plugin ABI (tests/unit/plugin_harness). Fixtures are written inline, in several languages;
 * the shared seed articles are checked too when SOURCE_DIR/../shared/seeds exists.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include "plugin_harness.h"
#include "testlib.h"
#include "utf8.h"

static ph_plugin *plugin;

static ingestd_record *clean_with_title(const char *text, const char *title)
{
    ingestd_record *rec = ph_record(text);
    if (title)
        rec_set(rec, INGESTD_FIELD_TITLE, title, strlen(title));
    ingestd_verdict v = ph_process(plugin, rec);
    CHECK_INT(v, INGESTD_OK);
    return rec;
}

static ingestd_record *clean(const char *text)
{
    return clean_with_title(text, NULL);
}

static const char *body_of(const ingestd_record *rec)
{
    return ph_get(rec, INGESTD_FIELD_BODY);
}

static const char *title_of(const ingestd_record *rec)
{
    return ph_get(rec, INGESTD_FIELD_TITLE);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0, nl = strlen(needle);
    if (!hay || nl == 0)
        return 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += nl)
        n++;
    return n;
}

static json_t *cleanup_meta(ingestd_record *rec)
{
    return json_object_get(rec_meta(rec), "cleanup");
}

static const char *title_from(ingestd_record *rec)
{
    return json_string_value(json_object_get(cleanup_meta(rec), "title_from"));
}

/* Removals with this reason: all of them (meta "counts") when text is NULL, else the number of
 * listed entries (meta "removed", the first 3 [reason, text] pairs) with this text. */
static size_t removed_count(ingestd_record *rec, const char *reason, const char *text)
{
    if (!text)
        return (size_t)json_integer_value(
            json_object_get(json_object_get(cleanup_meta(rec), "counts"), reason));
    json_t *arr = json_object_get(cleanup_meta(rec), "removed");
    size_t i, n = 0;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *r = json_string_value(json_array_get(e, 0));
        const char *t = json_string_value(json_array_get(e, 1));
        if (!r || strcmp(r, reason) != 0 || !t)
            continue;
        /* Long texts are cut in meta, "…" marks the cut. */
        size_t tl = strlen(t);
        bool cut = tl >= 3 && strcmp(t + tl - 3, "\xE2\x80\xA6") == 0;
        if (strcmp(t, text) == 0 || (cut && strncmp(t, text, tl - 3) == 0))
            n++;
    }
    return n;
}

static bool valid_utf8(const char *s)
{
    return s && utf8_valid(s, strlen(s));
}

/* ---- timestamps ---- */

static void test_timestamp_lines(void)
{
    static const char *const stamps[] = {
        "05.09.2025",
        "2025-09-05T20:33+0300",
        "13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)",
        "27/10/2025 - 13:05",
        "Updated: 2025-10-27 13:08 UTC",
        "3 Eylül 2025, 14:05",
        "Обновлено: 27 октября 2025, 13:08",
        "Ενημερώθηκε: 3 Σεπτεμβρίου 2025, 14:05",
        "Aktualisiert am 27.10.2025 um 13:08 Uhr",
        "Mis à jour le 27 octobre 2025 à 13h08",
        "Posodobljeno: 27. 10. 2025 ob 13:08",
        "Actualizado: 27/10/2025 13:08 CET",
        "Published Monday, October 27, 2025 at 1:08 pm",
        "Objavljeno: 27. listopada 2025. u 13:08",
        "Opublikowano: 27 października 2025, 13:08",
    };
    char text[4096] = "Headline of the day\n\n";
    for (size_t i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
        strcat(text, stamps[i]);
        strcat(text, "\n");
    }
    strcat(text, "The meeting took place on 27.10.2025 in Moscow.\n"
                 "Saat 14:05'te başlayan toplantı iki saat sürdü.\n"
                 "Le 3 septembre 2025, les deux dirigeants se sont rencontrés.\n");
    ingestd_record *rec = clean(text);
    const char *body = body_of(rec);
    for (size_t i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
        CHECK_INT(count_of(body, stamps[i]), 0);
        if (i < 3) /* meta lists the first 3 removals */
            CHECK_INT(removed_count(rec, "timestamp", stamps[i]), 1);
    }
    CHECK_INT(removed_count(rec, "timestamp", NULL), sizeof stamps / sizeof stamps[0]);
    CHECK_STR(body, "The meeting took place on 27.10.2025 in Moscow.\n"
                    "Saat 14:05'te başlayan toplantı iki saat sürdü.\n"
                    "Le 3 septembre 2025, les deux dirigeants se sont rencontrés.");
    CHECK_STR(title_of(rec), "Headline of the day");
    rec_free(rec);
}

static void test_timestamp_not_content(void)
{
    /* Numbers that are not dates, and date-bearing sentences, stay. */
    const char *text = "Sonuç 2-1\n"
                       "Score: 3:1 after extra time in Madrid\n"
                       "2025 was a difficult year for the economy of the region.\n"
                       "On 5 May 2025 the parliament voted on the budget bill.\n";
    ingestd_record *rec = clean_with_title(text, "Sports");
    CHECK_STR(body_of(rec), "Sonuç 2-1\nScore: 3:1 after extra time in Madrid\n"
                            "2025 was a difficult year for the economy of the region.\n"
                            "On 5 May 2025 the parliament voted on the budget bill.");
    CHECK_INT(removed_count(rec, "timestamp", NULL), 0);
    rec_free(rec);
}

/* ---- titles ---- */

static void test_title_date_prefix(void)
{
    ingestd_record *rec = clean(" date 2025-09-03 Rusya ve Çin yeni anlaşma imzaladı\n\n"
                                "İki ülke ticaret hacmini artırmayı hedefliyor. Anlaşma beş yıl "
                                "geçerli olacak.\n");
    CHECK_STR(title_of(rec), "Rusya ve Çin yeni anlaşma imzaladı");
    CHECK_STR(body_of(rec), "İki ülke ticaret hacmini artırmayı hedefliyor. Anlaşma beş yıl "
                            "geçerli olacak.");
    CHECK_STR(title_from(rec), "header_line");
    CHECK_INT(removed_count(rec, "timestamp", "date 2025-09-03"), 1);
    rec_free(rec);

    /* A dated headline may be long; without a label a long first line is a paragraph. */
    char text[2048] = " Datum: 27.10.2025 ";
    for (int i = 0; i < 20; i++)
        strcat(text, "Lange Überschrift ");
    strcat(text, "Ende\nDer Text beginnt hier.\n");
    rec = clean(text);
    CHECK(strncmp(title_of(rec), "Lange Überschrift", 18) == 0);
    CHECK_STR(body_of(rec), "Der Text beginnt hier.");
    rec_free(rec);
}

static void test_title_quotes(void)
{
    static const char *const inputs[][2] = {
        {"»Rusija in Severna Koreja skupaj«\n\nBesedilo članka je tukaj. Druga poved.",
         "Rusija in Severna Koreja skupaj"},
        {"«Η Ρωσία και η Κορέα»\n\nΤο κείμενο του άρθρου. Δεύτερη πρόταση.", "Η Ρωσία και η Κορέα"},
        {"\"Quoted headline here\"\nThe article text. Another sentence.", "Quoted headline here"},
        {"„Zitat als Überschrift“\nDer Artikeltext. Noch ein Satz.", "Zitat als Überschrift"},
        /* Quotes that do not wrap the whole line stay. */
        {"\"Yes\" and \"no\" said the minister\n\nText follows. More text.",
         "\"Yes\" and \"no\" said the minister"},
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        ingestd_record *rec = clean(inputs[i][0]);
        CHECK_STR(title_of(rec), inputs[i][1]);
        CHECK_INT(count_of(body_of(rec), inputs[i][1]), 0);
        rec_free(rec);
    }
}

static void test_title_first_sentence(void)
{
    /* One long paragraph: the title is its first sentence, the body stays whole. */
    char text[4096] = "Dr. Ana Novak je v Ljubljani predstavila 2. poročilo o stanju okolja, "
                      "ki ga je pripravila skupina strokovnjakov iz več držav. ";
    for (int i = 0; i < 6; i++)
        strcat(text, "Poročilo obravnava podnebne spremembe in njihove posledice za kmetijstvo. ");
    strcat(text, "\nDruga vrstica z dodatnim besedilom.");
    ingestd_record *rec = clean(text);
    CHECK_STR(title_of(rec), "Dr. Ana Novak je v Ljubljani predstavila 2. poročilo o stanju "
                             "okolja, ki ga je pripravila skupina strokovnjakov iz več držav.");
    CHECK_STR(title_from(rec), "first_sentence");
    CHECK(strncmp(body_of(rec), "Dr. Ana Novak", 13) == 0);
    CHECK_INT(count_of(body_of(rec), "Druga vrstica"), 1);
    rec_free(rec);

    /* Several sentences on a short first line: not a headline either. */
    rec = clean("Putin met Kim. They talked for hours.\n\nThe rest of the article.");
    CHECK_STR(title_of(rec), "Putin met Kim.");
    CHECK_STR(body_of(rec), "Putin met Kim. They talked for hours.\n\nThe rest of the article.");
    rec_free(rec);

    /* A single line, no headline: the title is the first sentence, the body keeps it. */
    rec = clean("Only one sentence here. And a second one.");
    CHECK_STR(title_of(rec), "Only one sentence here.");
    CHECK_STR(body_of(rec), "Only one sentence here. And a second one.");
    rec_free(rec);
}

static void test_title_cut_at_word(void)
{
    /* No sentence end in 250 characters: cut at a word boundary, "…" appended, UTF-8 kept. */
    char text[8192] = "";
    for (int i = 0; i < 60; i++)
        strcat(text, "çğüşöı ωραίο слово ");
    ingestd_record *rec = clean(text);
    const char *t = title_of(rec);
    CHECK(valid_utf8(t));
    size_t tl = strlen(t);
    CHECK(tl > 3 && strcmp(t + tl - 3, "…") == 0);
    CHECK(utf8_valid(t, tl) && tl - 3 <= 250 * 2);
    /* The cut text is a prefix of the body and ends where a word ends. */
    CHECK(strncmp(body_of(rec), t, tl - 3) == 0);
    CHECK(body_of(rec)[tl - 3] == ' ');
    rec_free(rec);
}

/* Text of n bytes made of 9-letter words ("abcdefgh " repeated), NUL-terminated. */
static char *words(size_t n)
{
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (i % 9 == 8) ? ' ' : (char)('a' + i % 9);
    s[n] = '\0';
    if (n && s[n - 1] == ' ')
        s[n - 1] = 'x';
    return s;
}

static void test_title_length_limits(void)
{
    char text[2048];
    /* 290 characters: still a headline line. */
    char *w = words(290);
    snprintf(text, sizeof text, "%s\n\nBody text here.", w);
    ingestd_record *rec = clean(text);
    CHECK_STR(title_of(rec), w);
    CHECK_STR(body_of(rec), "Body text here.");
    rec_free(rec);
    free(w);

    /* 310 characters and no date label: a paragraph; the title is cut from it. */
    w = words(310);
    snprintf(text, sizeof text, "%s\n\nBody text here.", w);
    rec = clean(text);
    CHECK_STR(title_from(rec), "first_sentence");
    CHECK(strlen(title_of(rec)) <= 250 + 3);
    CHECK(strcmp(title_of(rec) + strlen(title_of(rec)) - 3, "…") == 0);
    CHECK(strncmp(body_of(rec), w, 310) == 0);
    rec_free(rec);
    free(w);

    /* A first sentence over 250 characters is cut too, even though it ends later. */
    w = words(280);
    snprintf(text, sizeof text, "%s. Second sentence.\n", w);
    rec = clean(text);
    CHECK(strlen(title_of(rec)) <= 250 + 3);
    CHECK(strcmp(title_of(rec) + strlen(title_of(rec)) - 3, "…") == 0);
    rec_free(rec);
    free(w);
}

static void test_existing_title(void)
{
    ingestd_record *rec = clean_with_title("Breaking: storm hits the coast\n\nWinds reached "
                                           "150 km/h. Thousands lost power.",
                                           "Breaking: storm hits the coast");
    CHECK_STR(title_of(rec), "Breaking: storm hits the coast");
    CHECK_STR(body_of(rec), "Winds reached 150 km/h. Thousands lost power.");
    CHECK_STR(title_from(rec), "existing");
    CHECK_INT(removed_count(rec, "title", NULL), 1);
    rec_free(rec);

    /* A different first line stays. */
    rec = clean_with_title("A short lead line\n\nBody text.", "Feed title");
    CHECK_STR(title_of(rec), "Feed title");
    CHECK_STR(body_of(rec), "A short lead line\n\nBody text.");
    rec_free(rec);
}

/* ---- repeated material ---- */

static void test_duplicate_lines_and_blocks(void)
{
    const char *text = "Заголовок статьи\n"
                       "Первый абзац текста о встрече министров.\n"
                       "📍Главные заявления:\n"
                       "🔴Отношения развиваются быстро\n"
                       "🔴Комиссия важна для обеих стран\n"
                       "Второй абзац с новыми фактами о переговорах.\n"
                       "📍Главные  заявления:  \n"
                       "🔴Отношения развиваются быстро\n"
                       "🔴Комиссия важна для обеих стран\n"
                       "Третий абзац завершает статью.\n"
                       "Второй абзац с новыми фактами о переговорах.\n";
    ingestd_record *rec = clean(text);
    CHECK_STR(title_of(rec), "Заголовок статьи");
    CHECK_STR(body_of(rec), "Первый абзац текста о встрече министров.\n"
                            "📍Главные заявления:\n"
                            "🔴Отношения развиваются быстро\n"
                            "🔴Комиссия важна для обеих стран\n"
                            "Второй абзац с новыми фактами о переговорах.\n"
                            "Третий абзац завершает статью.");
    CHECK_INT(removed_count(rec, "duplicate", NULL), 4);
    rec_free(rec);

    /* Paragraphs separated by blank lines, repeated; a repeat of the headline goes too. */
    rec = clean("Headline text\n\nParagraph one is here.\n\nParagraph two is here.\n\n"
                "Headline text\n\nParagraph one is here.\n\nParagraph three.\n");
    CHECK_STR(body_of(rec), "Paragraph one is here.\n\nParagraph two is here.\n\nParagraph three.");
    rec_free(rec);
}

static void test_glued_paragraphs(void)
{
    const char *a = "Bakan Yardımcısı açıklamayı bugün Moskova'da yaptı.";
    const char *b = "Galuzin, ilişkilerin güvenle karakterize edildiğini belirtti.";
    const char *c = "Büyükelçi ise bunun önemli bir adım olduğunu söyledi.";
    char text[2048];
    /* Glued copy first (one join without space, one with), separate copies after. */
    snprintf(text, sizeof text, "Haber başlığı burada\n\n%s%s %s\n%s\n%s\n%s\n", a, b, c, a, b, c);
    ingestd_record *rec = clean(text);
    char expect[2048];
    snprintf(expect, sizeof expect, "%s\n%s\n%s", a, b, c);
    CHECK_STR(body_of(rec), expect);
    CHECK_INT(removed_count(rec, "glued", NULL), 1);
    rec_free(rec);

    /* Glued copy last. */
    snprintf(text, sizeof text, "Haber başlığı burada\n\n%s\n\n%s\n\n%s\n\n%s%s%s\n", a, b, c, a, b,
             c);
    rec = clean(text);
    snprintf(expect, sizeof expect, "%s\n\n%s\n\n%s", a, b, c);
    CHECK_STR(body_of(rec), expect);
    rec_free(rec);

    /* Partial overlap: the long line holds a new sentence, so everything stays. */
    snprintf(text, sizeof text,
             "Haber başlığı burada\n\n%s %s Bu cümle başka hiçbir yerde geçmiyor.\n%s\n%s\n", a, b,
             a, b);
    rec = clean(text);
    CHECK_INT(count_of(body_of(rec), "Bu cümle başka hiçbir yerde geçmiyor."), 1);
    CHECK_INT(count_of(body_of(rec), a), 2);
    CHECK_INT(removed_count(rec, "glued", NULL), 0);
    rec_free(rec);
}

static void test_inline_double(void)
{
    const char *cap = "Kitajska, Beijing. Vojaška parada ob obletnici. Foto: Xinhua/STA";
    char text[1024];
    snprintf(text, sizeof text, "Naslov članka\n\n%s %s\n\nBesedilo članka.\n", cap, cap);
    ingestd_record *rec = clean(text);
    CHECK_INT(count_of(body_of(rec), cap), 1);
    CHECK_INT(count_of(body_of(rec), "Foto: Xinhua/STA"), 1);
    CHECK_INT(removed_count(rec, "inline_double", cap), 1);
    rec_free(rec);

    /* Short repeats ("ha ha") are words, not doubles. */
    rec = clean_with_title("Yes yes\nNo no no no\n", "T");
    CHECK_STR(body_of(rec), "Yes yes\nNo no no no");
    rec_free(rec);
}

/* ---- boilerplate and credits ---- */

static void test_boilerplate(void)
{
    static const char *const junk[] = {
        "Abone ol",
        "SUBSCRIBE",
        "Share",
        "Read more »",
        "Paylaş",
        "Abonnieren",
        "Teilen",
        "Подписаться",
        "Поделиться",
        "Εγγραφείτε",
        "Naroči se",
        "Deli",
        "Udostępnij",
        "Lees meer",
        "Leia mais",
        "Condividi",
        "Compartir",
        "Partager",
        "Pretplatite se",
        "Share | Tweet | Email",
        "Facebook Twitter WhatsApp",
        "We use cookies to improve your experience on our site.",
        "Підписатися",
        "Sdílet",
        "Megosztás",
        "Läs mer",
        "Lue lisää",
        "Abonează-te",
        "Baca juga",
        "Chia sẻ",
        "اقرأ المزيد",
        "関連記事",
        "관련 기사",
        "阅读更多",
        "Sign up for our newsletter",
        "Follow us on Facebook:",
        "Свързани новини",
        "Sekite mus",
    };
    char text[8192] = "Market report\n\n";
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        strcat(text, junk[i]);
        strcat(text, "\n");
    }
    strcat(text, "Shareholders will vote on the plan next week.\n"
                 "Deli counter prices rose sharply this year.\n"
                 "Read more books, the minister told pupils.\n");
    ingestd_record *rec = clean(text);
    CHECK_STR(body_of(rec), "Shareholders will vote on the plan next week.\n"
                            "Deli counter prices rose sharply this year.\n"
                            "Read more books, the minister told pupils.");
    CHECK_INT(removed_count(rec, "boilerplate", NULL), sizeof junk / sizeof junk[0]);
    CHECK_INT(removed_count(rec, "boilerplate", "Abone ol"), 1);
    rec_free(rec);
}

static void test_credits(void)
{
    const char *text = "Naslov\n\n"
                       "© Sputnik / Vladimir Astapkovich/\n"
                       "© www.kremlin.ru\n"
                       "© Sputnik / Vladimir Astapkovich / Multimedya arşivine gidinПереговоры "
                       "глав МИД\n"
                       "Foto: Xinhua/STA\n"
                       "Photo: Getty Images\n"
                       "Fotoğraf: AA\n"
                       "The photo of the summit was taken by a local reporter.\n"
                       "Fotograf Ahmet Yılmaz ödülü aldı.\n";
    ingestd_record *rec = clean(text);
    CHECK_STR(body_of(rec), "The photo of the summit was taken by a local reporter.\n"
                            "Fotograf Ahmet Yılmaz ödülü aldı.");
    CHECK_INT(removed_count(rec, "credit", NULL), 6);
    CHECK_INT(removed_count(rec, "credit", "© www.kremlin.ru"), 1);
    rec_free(rec);
}

/* ---- normalization ---- */

static void test_normalization(void)
{
    const char *text = "\xEF\xBB\xBFTitle\xE2\x80\x8B line\r\n\r\n\r\n"
                       "First\x01 para\xE2\x80\x8Cgraph.   \t\r\n"
                       "Second line of it.\xC2\xAD\n\n\n\n\n"
                       "\xF0\x9F\x94\xB4 Emoji bullet stays\n"
                       "\t\n   \n"
                       "Last\xE2\x81\xA0 paragraph.\n"
                       "Tabs\tand  double   spaces,\xC2\xA0NBSP\xE2\x80\x83"
                       "and\xE3\x80\x80"
                       "wide ones.\n\n\n";
    ingestd_record *rec = clean(text);
    CHECK_STR(title_of(rec), "Title line");
    CHECK_STR(body_of(rec), "First paragraph.\nSecond line of it.\n\n"
                            "\xF0\x9F\x94\xB4 Emoji bullet stays\n\nLast paragraph.\n"
                            "Tabs and double spaces, NBSP and wide ones.");
    rec_free(rec);
}

static void test_nfc(void)
{
    /* Decomposed letters are composed (NFC): Latin, Vietnamese stacked marks, polytonic
     * Greek, Cyrillic; a precomposed letter followed by a lower mark is reordered; a letter
     * without a composite keeps its mark; an invisible character between marks is dropped
     * first. */
    const char *text = "Cafe\xCC\x81 in Pra\xCC\x8Ague\n\n"
                       "Ca\xCC\x81"
                       "c vi\xCC\xA3\xCC\x82 tri\xCC\x81 o\xCC\x9B\xCC\x81.\n"
                       "\xCE\xB1\xCC\x93\xCC\x81\xCE\xBB\xCF\x89\xCD\x85\xCC\x93 "
                       "\xD0\xB8\xCC\x86 \xD0\x95\xCC\x88.\n"
                       "\xC3\xA9\xCC\xA3 x\xCC\x81 e\xCC\x81\xE2\x80\x8B\xCC\xA3 end.\n";
    ingestd_record *rec = clean(text);
    CHECK_STR(title_of(rec), "Caf\xC3\xA9 in Pr\xC3\xA5gue");
    CHECK_STR(body_of(rec), "C\xC3\xA1"
                            "c v\xE1\xBB\x8B\xCC\x82 tr\xC3\xAD \xE1\xBB\x9B.\n"
                            "\xE1\xBC\x84\xCE\xBB\xE1\xBE\xA0 \xD0\xB9 \xD0\x81.\n"
                            "\xE1\xBA\xB9\xCC\x81 x\xCC\x81 \xE1\xBA\xB9\xCC\x81 end.");
    rec_free(rec);
    /* A mark with no letter before it stays, and text is never lost. */
    rec = clean("Title\n\n\xCC\x81 starts with a mark\n");
    CHECK_STR(body_of(rec), "\xCC\x81 starts with a mark");
    rec_free(rec);
}

/* ---- meta ---- */

static void test_meta_json(void)
{
    /* A long removed line is cut at <= 24 bytes on a character boundary. */
    char text[8192] = "Başlık\n\nGövde metni burada.\n";
    char longline[1024] = "";
    for (int i = 0; i < 140; i++) /* "© " + 280 bytes: a credit, cut in meta */
        strcat(longline, "ş");
    strcat(text, "© ");
    strcat(text, longline);
    strcat(text, "\n");
    ingestd_record *rec = clean(text);
    json_t *m = cleanup_meta(rec);
    CHECK(json_is_object(m));
    json_t *first = json_array_get(json_object_get(m, "removed"), 0);
    const char *t = json_string_value(json_array_get(first, 1));
    CHECK(t && strlen(t) <= 24 + 3 && strlen(t) >= 22 && valid_utf8(t));
    CHECK_INT(removed_count(rec, "credit", NULL), 1);
    CHECK_STR(title_from(rec), "header_line");
    rec_free(rec);

    /* More than 3 removals: the list is capped, the counts are complete. Quotes and
     * backslashes in removed text survive the JSON round trip. */
    char *big = malloc(200000);
    strcpy(big, "Title\n\nBody \"quoted\" text.\n");
    for (int i = 0; i < 150; i++) {
        char line[64];
        snprintf(line, sizeof line, "%02d.%02d.20%02d\n", 1 + i % 28, 1 + i % 12, i % 100);
        strcat(big, line);
    }
    strcat(big, "© \"Agency\" \\ photo\n");
    rec = clean(big);
    m = cleanup_meta(rec);
    CHECK_INT(json_array_size(json_object_get(m, "removed")), 3);
    json_t *counts = json_object_get(m, "counts");
    CHECK_INT(json_integer_value(json_object_get(counts, "timestamp")), 150);
    CHECK_INT(json_integer_value(json_object_get(counts, "credit")), 1);
    CHECK_INT(json_object_size(counts), 2);
    CHECK_STR(body_of(rec), "Body \"quoted\" text.");
    rec_free(rec);
    free(big);

    rec = clean("Title\n\nBody\n© \"Agency\" \\ photo\n");
    CHECK_INT(removed_count(rec, "credit", "© \"Agency\" \\ photo"), 1);
    rec_free(rec);
}

/* ---- robustness ---- */

static void test_edge_inputs(void)
{
    ingestd_record *rec = clean("");
    CHECK_STR(body_of(rec), "");
    CHECK(title_of(rec) == NULL);
    CHECK_STR(title_from(rec), "none");
    rec_free(rec);

    rec = clean("  \n\t\n \xE2\x80\x8B \n");
    CHECK_STR(body_of(rec), "");
    rec_free(rec);

    /* Only noise: nothing is thrown away, the text comes back normalized. */
    rec = clean("05.09.2025\nShare\n\n\n13:05\n");
    CHECK_STR(body_of(rec), "05.09.2025\nShare\n\n13:05");
    CHECK(title_of(rec) != NULL);
    rec_free(rec);

    /* Headline and body equal: the title keeps the text. */
    rec = clean(" date 2025-01-01 Same line\nSame line\n");
    CHECK_STR(title_of(rec), "Same line");
    rec_free(rec);

    /* One huge line with multibyte characters (no crash, valid output, title cut). */
    size_t n = 3u << 20;
    char *huge = malloc(n + 1);
    for (size_t i = 0; i + 2 <= n; i += 2)
        memcpy(huge + i, "ж", 2);
    huge[n] = '\0';
    rec = clean(huge);
    CHECK(strlen(body_of(rec)) == n);
    CHECK(valid_utf8(title_of(rec)));
    rec_free(rec);

    /* 100k short lines, many repeated. */
    char *many = malloc(100000 * 16 + 1);
    size_t o = 0;
    for (int i = 0; i < 100000; i++)
        o += (size_t)sprintf(many + o, "line %d\n", i % 5000);
    rec = clean(many);
    CHECK_STR(title_of(rec), "line 0"); /* the first short line is taken as the headline */
    CHECK_INT(count_of(body_of(rec), "\nline 4999"), 1);
    CHECK_INT(count_of(body_of(rec), "\n"), 4998);
    CHECK(valid_utf8(body_of(rec)));
    rec_free(rec);
    free(many);

    /* Half a megabyte of one repeated paragraph glued into one line, plus the paragraph. */
    const char *para = "Ovo je jedna rečenica koja se ponavlja. ";
    size_t pl = strlen(para);
    char *glue = malloc(600000);
    strcpy(glue, "Naslov\n\nOvo je jedna rečenica koja se ponavlja.\n");
    o = strlen(glue);
    while (o + pl < 560000) {
        memcpy(glue + o, para, pl);
        o += pl;
    }
    glue[o] = '\0';
    rec = clean(glue);
    CHECK_STR(body_of(rec), "Ovo je jedna rečenica koja se ponavlja.");
    rec_free(rec);
    free(glue);
    free(huge);
}

static void test_separator_lines_repeat(void)
{
    /* Lines without letters or digits may repeat (section separators). */
    ingestd_record *rec = clean_with_title("Part one text.\n* * *\nPart two text.\n* * *\n"
                                           "\xE2\x80\x94\nPart three.\n\xE2\x80\x94\n",
                                           "T");
    CHECK_STR(body_of(rec), "Part one text.\n* * *\nPart two text.\n* * *\n\xE2\x80\x94\n"
                            "Part three.\n\xE2\x80\x94");
    rec_free(rec);
}

/* process() is declared thread-safe: several threads share the plugin state. */
typedef struct thread_job {
    const char *text;
    char *body;  /* result of the last run */
    bool stable; /* every run gave the same body */
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *job = arg;
    job->stable = true;
    for (int i = 0; i < 200; i++) {
        ingestd_record *rec = ph_record(job->text);
        ph_process(plugin, rec);
        const char *b = ph_get(rec, INGESTD_FIELD_BODY);
        if (job->body && strcmp(job->body, b) != 0)
            job->stable = false;
        free(job->body);
        job->body = strdup(b);
        rec_free(rec);
    }
    return NULL;
}

static void test_threads(void)
{
    static const char *const texts[] = {
        " date 2025-09-03 Naslov\n05.09.2025\nPrvi odstavek. Drugi stavek.\nPrvi odstavek. "
        "Drugi stavek.\n",
        "Başlık\n\nAbone ol\nBirinci paragraf burada.İkinci paragraf burada.\n"
        "Birinci paragraf burada.\nİkinci paragraf burada.\n",
        "Τίτλος\n\n© Πηγή\nΚείμενο άρθρου εδώ. Και άλλη πρόταση εδώ.\n",
        "Title\nUpdated: 2025-10-27 13:08 UTC\nShare\nBody line one.\nBody line one.\n",
    };
    enum { N = sizeof texts / sizeof texts[0] };
    pthread_t th[N];
    thread_job jobs[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (thread_job){.text = texts[i]};
        CHECK_INT(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        CHECK(jobs[i].stable);
        ingestd_record *rec = clean(texts[i]);
        CHECK_STR(jobs[i].body, body_of(rec));
        rec_free(rec);
        free(jobs[i].body);
    }
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_speed(void)
{
    /* A ~4 KB article with the usual noise. */
    char text[8192] = " date 2025-10-27 Lavrov: Kuzey Koreli askerlerin kahramanlığını asla "
                      "unutmayacağız\n13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)\n"
                      "© Sputnik / Vladimir Astapkovich/\nAbone ol\n";
    for (int i = 0; strlen(text) < 3800; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "Paragraf %d: Rusya ve Kuzey Kore arasındaki ilişkiler son aylarda hızla "
                 "gelişti, bakan açıklamasında bunu vurguladı.\n",
                 i % 12);
        strcat(text, line);
    }
    ingestd_record *rec = ph_record(text);
    int iters = 2000;
    double t0 = now_sec();
    for (int i = 0; i < iters; i++) {
        rec_set(rec, INGESTD_FIELD_BODY, text, strlen(text));
        rec_set(rec, INGESTD_FIELD_TITLE, NULL, 0);
        ph_process(plugin, rec);
    }
    double per = (now_sec() - t0) / iters * 1e6;
    printf("cleanup: %.1f us per 4 KB article (incl. host get/set)\n", per);
    /* printed only: speed targets live in bench/ (BENCHMARKS.md), never in unit tests */
    rec_free(rec);

    /* 10 MB of mixed lines finishes quickly. */
    size_t n = 10u << 20;
    char *big = malloc(n + 64);
    size_t o = 0;
    for (unsigned i = 0; o < n; i++)
        o += (size_t)sprintf(big + o, "Satır %u burada yazıyor ve biraz uzun. %s\n", i % 70000,
                             (i % 3) ? "" : "Ek cümle.");
    t0 = now_sec();
    rec = clean(big);
    double secs = now_sec() - t0;
    printf("cleanup: %.2f s for a 10 MB body\n", secs);
    CHECK(secs < 20);
    CHECK(valid_utf8(body_of(rec)));
    rec_free(rec);
    free(big);
}

/* ---- per-source learned boilerplate ---- */

/* Article i of a source: a headline, three distinct sentences and, when footer != NULL, the
 * site's footer line (a line no table knows). */
static char *learn_article(const char *site, int i, const char *footer)
{
    char *buf = malloc(1024);
    snprintf(buf, 1024,
             "%s headline number %d about the harbour\n\n"
             "The council of %s met on day %d to discuss the quay.\n"
             "Residents number %d asked for a new sea wall near the port.\n"
             "Engineers estimated the cost at %d thousand euros.\n%s\n",
             site, i, site, i, i * 7, i * 13 + 5, footer ? footer : "");
    return buf;
}

static ingestd_record *clean_from(ph_plugin *p, const char *source, const char *text)
{
    ingestd_record *rec = rec_new("file", source, 0, text, strlen(text));
    CHECK_INT(ph_process(p, rec), INGESTD_OK);
    return rec;
}

static void test_learned_boilerplate(void)
{
    ph_plugin *p = ph_load("cleanup", "{\"learn_min_articles\": 5, \"learn_share\": 0.6}");
    const char *footer = "Haber Merkezi - Kuzey Ege Postası, tüm hakları saklıdır.";
    /* Site A: the footer is kept for the first 5 articles, learned from the 6th on; every
     * distinct sentence survives. */
    for (int i = 0; i < 12; i++) {
        char *text = learn_article("Izmir", i, footer);
        ingestd_record *rec = clean_from(p, "/news/site-a/article.txt", text);
        const char *body = body_of(rec);
        CHECK_INT(count_of(body, footer), i < 5 ? 1 : 0);
        CHECK_INT(removed_count(rec, "learned", NULL), i < 5 ? 0 : 1);
        CHECK_INT(count_of(body, "to discuss the quay."), 1);
        CHECK_INT(count_of(body, "asked for a new sea wall"), 1);
        CHECK_INT(count_of(body, "thousand euros."), 1);
        rec_free(rec);
        free(text);
    }
    /* Site B (another folder) shows the same footer once: it is not boilerplate there. */
    char *text = learn_article("Bodrum", 1, footer);
    ingestd_record *rec = clean_from(p, "/news/site-b/article.txt", text);
    CHECK_INT(count_of(body_of(rec), footer), 1);
    rec_free(rec);
    free(text);
    /* A footer on fewer than 60% of a source's articles is never learned. */
    for (int i = 0; i < 20; i++) {
        text = learn_article("Datca", i, i % 2 ? footer : NULL);
        rec = clean_from(p, "/news/site-c/a.txt", text);
        CHECK_INT(count_of(body_of(rec), footer), i % 2 ? 1 : 0);
        rec_free(rec);
        free(text);
    }
    /* The same article sent again and again keeps all its lines (a re-send, not a site). */
    text = learn_article("Foca", 3, footer);
    for (int i = 0; i < 12; i++) {
        rec = clean_from(p, "/news/site-d/a.txt", text);
        CHECK_INT(count_of(body_of(rec), footer), 1);
        CHECK_INT(count_of(body_of(rec), "to discuss the quay."), 1);
        rec_free(rec);
    }
    free(text);
    ph_unload(p);

    /* Disabled: nothing is learned. */
    p = ph_load("cleanup", "{\"learn_boilerplate\": false, \"learn_min_articles\": 2}");
    for (int i = 0; i < 8; i++) {
        text = learn_article("Izmir", i, footer);
        rec = clean_from(p, "/news/site-a/article.txt", text);
        CHECK_INT(count_of(body_of(rec), footer), 1);
        rec_free(rec);
        free(text);
    }
    ph_unload(p);
}

static void test_config(void)
{
    /* Bad values are refused at init with a one-line reason; unknown keys are ignored. */
    void *so = dlopen(PLUGIN_BUILD_DIR "/cleanup.so", RTLD_NOW | RTLD_LOCAL);
    CHECK(so != NULL);
    if (!so)
        return;
    const ingestd_plugin *(*entry)(void) =
        (const ingestd_plugin *(*)(void))dlsym(so, INGESTD_PLUGIN_ENTRY_SYMBOL);
    CHECK(entry != NULL);
    const ingestd_plugin *d = entry();
    static const char *const bad[] = {
        "{\"learn_boilerplate\": 1}", "{\"learn_min_articles\": 1}", "{\"learn_share\": 1.5}",
        "{\"learn_share\": \"x\"}",   "{\"learn_max_sources\": 0}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *state = NULL;
        char err[256] = "";
        CHECK(d->init(bad[i], NULL, &state, err, sizeof err) != 0);
        CHECK(strncmp(err, "cleanup: learn_", 15) == 0);
    }
    static const char *const good[] = {"{}", "{\"learn_boilerplate\": false}",
                                       "{\"other\": 3, \"learn_share\": 0.9}",
                                       "{\"learn_min_articles\": 50, \"learn_max_sources\": 1024}"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        void *state = NULL;
        char err[256] = "";
        CHECK_INT(d->init(good[i], NULL, &state, err, sizeof err), 0);
        d->destroy(state);
    }
    dlclose(so);
}

typedef struct learn_job {
    ph_plugin *p;
    int thread;
    int lost; /* distinct sentences missing from an output */
} learn_job;

static void *learn_thread(void *arg)
{
    learn_job *job = arg;
    for (int i = 0; i < 200; i++) {
        char site[32], source[64];
        snprintf(site, sizeof site, "Site%d", (job->thread + i) % 5);
        snprintf(source, sizeof source, "/news/%s/a.txt", site);
        char *text = learn_article(site, i + 1000 * job->thread, "Follow Site news on Mastodon");
        ingestd_record *rec = rec_new("file", source, 0, text, strlen(text));
        ph_process(job->p, rec);
        const char *body = ph_get(rec, INGESTD_FIELD_BODY);
        job->lost += count_of(body, "to discuss the quay.") != 1;
        job->lost += count_of(body, "thousand euros.") != 1;
        rec_free(rec);
        free(text);
    }
    return NULL;
}

static void test_learned_threads(void)
{
    /* Four workers on five sources through one learner: no lost content, no crash (run under
     * the sanitizers too); the footer gets learned for every source. */
    ph_plugin *p = ph_load("cleanup", "{\"learn_min_articles\": 10, \"learn_max_sources\": 8}");
    pthread_t th[4];
    learn_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (learn_job){.p = p, .thread = i};
        CHECK_INT(pthread_create(&th[i], NULL, learn_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(jobs[i].lost, 0);
    }
    for (int s = 0; s < 5; s++) {
        char site[32], source[64];
        snprintf(site, sizeof site, "Site%d", s);
        snprintf(source, sizeof source, "/news/%s/b.txt", site);
        char *text = learn_article(site, 99999, "Follow Site news on Mastodon");
        ingestd_record *rec = clean_from(p, source, text);
        CHECK_INT(count_of(body_of(rec), "Mastodon"), 0);
        rec_free(rec);
        free(text);
    }
    ph_unload(p);
}

/* ---- the shared seed articles ---- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Every sentence (pieces of >= 30 bytes between ". ") of every content line of the original
 * occurs exactly once in `out`. Noise lines are recognized by the caller's predicate. */
static void check_sentences_once(const char *orig, const char *out, int seed)
{
    char *copy = strdup(orig);
    int line_no = 0;
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), line_no++) {
        while (*line == ' ')
            line++;
        if (line_no == 0 && starts_with(line, "date "))
            line += strlen("date 2025-09-03 ");
        if (!*line || starts_with(line, "\xC2\xA9") || strcmp(line, "Abone ol") == 0 ||
            (*line >= '0' && *line <= '9') || strstr(line, "duyurdu.Galuzin") ||
            count_of(line, "Foto: Xinhua/STA") == 2)
            continue;
        if (starts_with(line, "\xC2\xBB")) { /* »headline« */
            line += 2;
            char *end = strstr(line, "\xC2\xAB");
            if (end)
                *end = '\0';
        }
        char *piece = line;
        for (;;) {
            /* A sentence ends at ". " after a non-digit ("2. Dünya" is an ordinal). */
            char *dot = piece;
            while ((dot = strstr(dot, ". ")) != NULL && dot > piece && dot[-1] >= '0' &&
                   dot[-1] <= '9')
                dot += 2;
            size_t len = dot ? (size_t)(dot - piece) + 1 : strlen(piece);
            if (len >= 30) {
                char *s = strndup(piece, len);
                size_t c = count_of(out, s);
                if (c != 1)
                    fprintf(stderr, "seed %03d: %zu copies of: %s\n", seed, c, s);
                CHECK_INT(c, 1);
                free(s);
            }
            if (!dot)
                break;
            piece = dot + 2;
        }
    }
    free(copy);
}

static void test_seeds(void)
{
    const char *dir = SOURCE_DIR "/../shared/seeds";
    DIR *d = opendir(dir);
    if (!d)
        return; /* the seeds are optional */
    static const char *const expect_title[] = {
        "Rusya Devlet Başkanı Vladimir Putin, Kuzey Kore lideri Kim Jong-un ile Çin'de bir "
        "araya geldi.",
        NULL, /* 001: first sentence, checked by prefix below */
        NULL, /* 002: the Greek first line, read from the file */
        "Rusija in Severna Koreja skupaj v boju proti sodobnemu neonacizmu",
        "Lavrov: Kuzey Koreli askerlerin kahramanlığını asla unutmayacağız",
    };
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(d)) != NULL) {
        int seed;
        if (sscanf(e->d_name, "%3d_", &seed) != 1 || seed < 0 || seed > 4)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *orig = read_file(path);
        if (!orig)
            continue;
        seen++;
        ingestd_record *rec = clean(orig);
        const char *title = title_of(rec), *body = body_of(rec);
        CHECK(title && *title);
        if (expect_title[seed])
            CHECK_STR(title, expect_title[seed]);
        if (seed == 1) {
            CHECK(starts_with(title, "Rusya Devlet Başkanı Vladimir Putin ve Kuzey Kore"));
            CHECK_STR(title_from(rec), "first_sentence");
        }
        if (seed == 2) {
            char *nl = strchr(orig, '\n');
            char *first = strndup(orig + strlen(" date 2025-09-03 "),
                                  (size_t)(nl - orig) - strlen(" date 2025-09-03 "));
            CHECK_STR(title, first);
            free(first);
        }
        /* Noise is gone. */
        CHECK_INT(count_of(body, "Abone ol"), 0);
        CHECK_INT(count_of(body, "\xC2\xA9"), 0);
        CHECK_INT(count_of(body, "2025-09-05T20:33"), 0);
        CHECK_INT(count_of(body, "05.09.2025"), 0);
        CHECK_INT(count_of(body, "güncellendi"), 0);
        CHECK_INT(count_of(body, "date 2025"), 0);
        CHECK_INT(count_of(body, "duyurdu.Galuzin"), 0);
        CHECK(count_of(body, "Foto: Xinhua/STA") <= 1);
        CHECK(!strstr(body, "\n\n\n") && body[0] != '\n');
        /* Every content sentence survives exactly once (the body keeps the first sentence
         * when the title was taken from it). */
        size_t tl = strlen(title), bl = strlen(body);
        char *all = malloc(tl + bl + 2);
        bool sentence_title = strcmp(title_from(rec), "first_sentence") == 0;
        snprintf(all, tl + bl + 2, "%s\n%s", sentence_title ? "" : title, body);
        check_sentences_once(orig, all, seed);
        free(all);
        /* Cleaning the cleaned text again (title set) changes nothing. Not for a title taken
         * from the first sentence: that line now equals the title and is dropped as one. */
        if (!sentence_title) {
            char *t2 = strdup(title), *b2 = strdup(body);
            ingestd_record *again = clean_with_title(b2, t2);
            CHECK_STR(body_of(again), b2);
            CHECK_STR(title_of(again), t2);
            rec_free(again);
            free(t2);
            free(b2);
        }
        rec_free(rec);
        free(orig);
    }
    closedir(d);
    CHECK_INT(seen, 5);
}

static void test_seed_specifics(void)
{
    /* Shapes of seed 001 and 004 rebuilt inline, so they are tested without the seed files. */
    const char *text = "05.09.2025\n2025-09-05T20:33+0300\n2025-09-05T20:33+0300\n"
                       "Mikhail Galuzin teyit ettiğini duyurdu.Galuzin, güvenle karakterize "
                       "edildiğini belirtti. Büyükelçi önemli bir adım olduğunu ifade etti.\n"
                       "Putin ve Kim, Pekin’de görüşmede kararlılığını teyit etti.\n"
                       "Mikhail Galuzin teyit ettiğini duyurdu.\n"
                       "Galuzin, güvenle karakterize edildiğini belirtti.\n"
                       "Büyükelçi önemli bir adım olduğunu ifade etti.\n";
    ingestd_record *rec = clean(text);
    CHECK_STR(title_of(rec), "Putin ve Kim, Pekin’de görüşmede kararlılığını teyit etti.");
    CHECK_STR(body_of(rec), "Putin ve Kim, Pekin’de görüşmede kararlılığını teyit etti.\n"
                            "Mikhail Galuzin teyit ettiğini duyurdu.\n"
                            "Galuzin, güvenle karakterize edildiğini belirtti.\n"
                            "Büyükelçi önemli bir adım olduğunu ifade etti.");
    CHECK_INT(removed_count(rec, "timestamp", NULL), 3);
    CHECK_INT(removed_count(rec, "glued", NULL), 1);
    rec_free(rec);
}

int main(void)
{
    /* Learning is tested on its own instances; the shared one does not learn, so the tests do
     * not depend on their order. */
    plugin = ph_load("cleanup", "{\"learn_boilerplate\": false}");
    RUN(test_timestamp_lines);
    RUN(test_timestamp_not_content);
    RUN(test_title_date_prefix);
    RUN(test_title_quotes);
    RUN(test_title_first_sentence);
    RUN(test_title_cut_at_word);
    RUN(test_title_length_limits);
    RUN(test_existing_title);
    RUN(test_duplicate_lines_and_blocks);
    RUN(test_glued_paragraphs);
    RUN(test_inline_double);
    RUN(test_boilerplate);
    RUN(test_credits);
    RUN(test_normalization);
    RUN(test_nfc);
    RUN(test_learned_boilerplate);
    RUN(test_learned_threads);
    RUN(test_config);
    RUN(test_meta_json);
    RUN(test_edge_inputs);
    RUN(test_separator_lines_repeat);
    RUN(test_threads);
    RUN(test_seed_specifics);
    RUN(test_seeds);
    RUN(test_speed);
    ph_unload(plugin);
    return TEST_SUMMARY();
}
