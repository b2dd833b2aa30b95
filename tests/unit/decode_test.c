/*
 * decode_test - unit tests of the intake decoder: UTF-8 passthrough, BOMs, declared encodings,
 * binary refusal, line endings, and legacy-encoding detection on real sentences in Russian,
 * Ukrainian, Bulgarian, Greek, Turkish, Czech, Slovene, Polish, Hungarian, French, German and
 * Spanish, each encoded here with iconv into every legacy code page that can represent it.
 */
#include "decode.h"

#include "testlib.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* utf8 text encoded into `enc`; malloc'd, *n bytes; NULL when iconv cannot represent it. */
static char *encode(const char *utf8, const char *enc, size_t *n)
{
    iconv_t cd = iconv_open(enc, "UTF-8");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t inleft = strlen(utf8), cap = inleft * 4 + 16, room = cap;
    char *buf = malloc(cap), *dst = buf, *src = (char *)utf8;
    size_t r = iconv(cd, &src, &inleft, &dst, &room);
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(buf);
        return NULL;
    }
    *n = cap - room;
    return buf;
}

/* ---- the sentences and the encodings they are written in --------------------------------- */

enum family { WESTERN, CENTRAL, CYR1251, KOI8, GREEK, TURKISH };

static const char *const family_names[] = {"western (windows-1252/iso-8859-1/15)",
                                           "central european (windows-1250/iso-8859-2)",
                                           "windows-1251",
                                           "koi8-r/koi8-u",
                                           "greek (iso-8859-7/windows-1253)",
                                           "turkish (windows-1254/iso-8859-9)"};

static bool in_family(const char *enc, enum family f)
{
    static const char *const members[][3] = {
        [WESTERN] = {"windows-1252", "iso-8859-1", "iso-8859-15"},
        [CENTRAL] = {"windows-1250", "iso-8859-2", NULL},
        [CYR1251] = {"windows-1251", NULL, NULL},
        [KOI8] = {"koi8-r", "koi8-u", NULL},
        [GREEK] = {"iso-8859-7", "windows-1253", NULL},
        [TURKISH] = {"windows-1254", "iso-8859-9", NULL},
    };
    for (int i = 0; i < 3; i++)
        if (enc && members[f][i] && strcmp(enc, members[f][i]) == 0)
            return true;
    return false;
}

typedef struct sample {
    const char *lang;
    const char *text;
    struct {
        const char *iconv_name;
        enum family family;
    } encodings[3];
} sample;

#define RU_ENC                                                                                     \
    {                                                                                              \
        {"CP1251", CYR1251},                                                                       \
        {                                                                                          \
            "KOI8-R", KOI8                                                                         \
        }                                                                                          \
    }
#define UK_ENC                                                                                     \
    {                                                                                              \
        {"CP1251", CYR1251},                                                                       \
        {                                                                                          \
            "KOI8-U", KOI8                                                                         \
        }                                                                                          \
    }
#define EL_ENC                                                                                     \
    {                                                                                              \
        {"ISO-8859-7", GREEK},                                                                     \
        {                                                                                          \
            "CP1253", GREEK                                                                        \
        }                                                                                          \
    }
#define TR_ENC                                                                                     \
    {                                                                                              \
        {"CP1254", TURKISH},                                                                       \
        {                                                                                          \
            "ISO-8859-9", TURKISH                                                                  \
        }                                                                                          \
    }
#define CE_ENC                                                                                     \
    {                                                                                              \
        {"CP1250", CENTRAL},                                                                       \
        {                                                                                          \
            "ISO-8859-2", CENTRAL                                                                  \
        }                                                                                          \
    }
#define WE_ENC                                                                                     \
    {                                                                                              \
        {"CP1252", WESTERN}, {"ISO-8859-1", WESTERN},                                              \
        {                                                                                          \
            "ISO-8859-15", WESTERN                                                                 \
        }                                                                                          \
    }

static const sample samples[] = {
    {"ru",
     "Правительство объявило о новых мерах поддержки малого бизнеса. Эксперты считают, что это "
     "поможет сохранить рабочие места в регионах.",
     RU_ENC},
    {"ru",
     "Вчера вечером в центре Москвы прошёл концерт под открытым небом, на который пришли тысячи "
     "зрителей.",
     RU_ENC},
    {"ru", "Цены на хлеб выросли.", RU_ENC},
    {"uk",
     "Український уряд ухвалив нову програму відновлення енергетичної інфраструктури. Її "
     "фінансуватимуть європейські партнери.",
     UK_ENC},
    {"uk", "Вчора на ґанку старої хати ми пили чай і говорили про майбутнє.", UK_ENC},
    {"bg",
     "Министерският съвет одобри бюджета за следващата година. Според финансовия министър "
     "дефицитът ще остане под три процента.",
     RU_ENC},
    {"bg",
     "В събота в София се проведе голям фестивал на храната и виното, който привлече хиляди "
     "посетители.",
     RU_ENC},
    {"el",
     "Η κυβέρνηση ανακοίνωσε νέα μέτρα για τη στήριξη των μικρών επιχειρήσεων. Οι αναλυτές "
     "εκτιμούν ότι θα βοηθήσουν την οικονομία.",
     EL_ENC},
    {"el", "Χθες το βράδυ χιλιάδες άνθρωποι συγκεντρώθηκαν στην πλατεία Συντάγματος στην Αθήνα.",
     EL_ENC},
    {"el", "Ο καιρός σήμερα είναι ζεστός.", EL_ENC},
    {"tr",
     "Hükümet, küçük işletmelere destek için yeni önlemler açıkladı. Ekonomistler bu adımın "
     "istihdamı koruyacağını düşünüyor.",
     TR_ENC},
    {"tr",
     "Dün akşam İstanbul'da düzenlenen konsere binlerce kişi katıldı ve sabaha kadar şarkı "
     "söyledi.",
     TR_ENC},
    {"cs",
     "Vláda schválila nový zákon o podpoře malých podniků. Podle ekonomů to pomůže udržet "
     "pracovní místa v regionech.",
     CE_ENC},
    {"cs",
     "Včera večer se na Staroměstském náměstí sešly tisíce lidí, kteří si užívali koncert pod "
     "širým nebem.",
     CE_ENC},
    {"cs", "Příliš žluťoučký kůň úpěl ďábelské ódy.", CE_ENC},
    {"sl",
     "Vlada je včeraj sprejela nov zakon o podpori malim podjetjem, ki naj bi ohranil čim več "
     "delovnih mest v manjših krajih.",
     CE_ENC},
    {"sl",
     "Na Prešernovem trgu v Ljubljani se je zbralo več tisoč ljudi, ki so uživali ob glasbi in "
     "žarkih poletnega sonca.",
     CE_ENC},
    {"pl",
     "Rząd przyjął nową ustawę o wsparciu małych przedsiębiorstw. Według ekonomistów pomoże to "
     "zachować miejsca pracy w regionach.",
     CE_ENC},
    {"pl",
     "Wczoraj wieczorem na rynku w Krakowie zebrały się tysiące ludzi, żeby posłuchać koncertu "
     "pod gołym niebem.",
     CE_ENC},
    {"hu",
     "A kormány új törvényt fogadott el a kisvállalkozások támogatásáról. A közgazdászok "
     "szerint ez segít megőrizni a munkahelyeket.",
     CE_ENC},
    {"hu",
     "Tegnap este több ezer ember gyűlt össze a budapesti Hősök terén, hogy meghallgassa a "
     "szabadtéri koncertet.",
     CE_ENC},
    {"fr",
     "Le gouvernement a annoncé de nouvelles mesures pour soutenir les petites entreprises. "
     "Selon les économistes, elles préserveront l'emploi dans les régions.",
     WE_ENC},
    {"fr",
     "Hier soir, des milliers de personnes se sont réunies sur la place de la République pour "
     "célébrer la fête de la musique à Paris.",
     WE_ENC},
    {"de",
     "Die Regierung hat neue Maßnahmen zur Unterstützung kleiner Unternehmen angekündigt. Nach "
     "Ansicht von Ökonomen sichern sie Arbeitsplätze in den Regionen.",
     WE_ENC},
    {"de", "Gestern Abend versammelten sich tausende Menschen, um für den Frieden zu singen.",
     WE_ENC},
    {"es",
     "El gobierno anunció nuevas medidas para apoyar a las pequeñas empresas. Según los "
     "economistas, ayudarán a mantener el empleo en las regiones.",
     WE_ENC},
    {"es",
     "¿Quién ganó anoche el partido? Miles de aficionados celebraron en la plaza mayor hasta la "
     "madrugada.",
     WE_ENC},
    /* Shorter and harder ones: Serbian and Macedonian letters, Latin brand names inside
     * Cyrillic, Romanian against Portuguese, the euro sign of iso-8859-15, two-word texts. */
    {"sr", "Влада Србије је данас усвојила нови закон о образовању.", {{"CP1251", CYR1251}}},
    {"mk", "Владата на Македонија ќе ги зголеми платите во јавниот сектор.", {{"CP1251", CYR1251}}},
    {"ru", "Компания Apple представила новый iPhone 17 на презентации в Купертино.", RU_ENC},
    {"el", "Η ΑΕΚ κέρδισε τον Ολυμπιακό με 2-1 στο ΟΑΚΑ.", EL_ENC},
    {"hr", "Zagreb je glavni grad Hrvatske, a Đakovo i Čakovec su manji gradovi.", CE_ENC},
    {"sk", "Slovenská vláda schválila rozpočet na budúci rok.", CE_ENC},
    {"ro", "Guvernul României a aprobat o nouă lege privind pensiile.", CE_ENC},
    {"pl", "Śląsk i Łódź", CE_ENC},
    {"tr", "Işık", TR_ENC},
    {"pt", "O governo português aprovou um novo orçamento para a saúde pública.", WE_ENC},
    {"it", "Il governo italiano ha approvato la riforma delle pensioni già discussa in estate.",
     WE_ENC},
    {"sv", "Regeringen har beslutat att höja pensionerna från och med nästa år.", WE_ENC},
    {"fr",
     "Les prix de l'énergie ont augmenté de 12 € par mégawattheure.",
     {{"ISO-8859-15", WESTERN}, {"CP1252", WESTERN}}},
};

/* Every sample in every encoding: detected family and exact text. Prints the accuracy. */
static void test_legacy_detection(void)
{
    int total = 0, right = 0;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const sample *sm = &samples[i];
        for (int e = 0; e < 3 && sm->encodings[e].iconv_name; e++) {
            size_t n;
            char *raw = encode(sm->text, sm->encodings[e].iconv_name, &n);
            CHECK(raw != NULL);
            if (!raw)
                continue;
            decode_result r;
            char err[128];
            int rc = decode_to_utf8(raw, n, NULL, &r, err, sizeof err);
            bool ok = rc == 0 && in_family(r.encoding, sm->encodings[e].family) &&
                      strcmp(r.text, sm->text) == 0 && r.len == strlen(sm->text) && !r.had_bom;
            total++;
            right += ok;
            if (!ok)
                fprintf(stderr, "  miss: %s sample %zu in %s -> rc %d, %s (want %s): %s\n",
                        sm->lang, i, sm->encodings[e].iconv_name, rc, rc == 0 ? r.encoding : err,
                        family_names[sm->encodings[e].family], rc == 0 ? r.text : "");
            CHECK(ok);
            decode_result_free(&r);
            free(raw);
        }
    }
    printf("legacy detection: %d/%d samples decoded exactly in the right family\n", right, total);
    CHECK(total == 87); /* every sample was encodable: none skipped */
}

/* The same texts pass through untouched as UTF-8. */
static void test_utf8_passthrough(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        decode_result r;
        CHECK_INT(decode_to_utf8(samples[i].text, strlen(samples[i].text), NULL, &r, NULL, 0), 0);
        CHECK_STR(r.text, samples[i].text);
        CHECK_STR(r.encoding, "utf-8");
        CHECK(!r.had_bom);
        decode_result_free(&r);
    }
}

static void test_pure_ascii(void)
{
    decode_result r;
    CHECK_INT(decode_to_utf8("plain", 5, "windows-1251", &r, NULL, 0), 0);
    CHECK_STR(r.text, "plain");
    CHECK_INT(r.len, 5);
    CHECK_STR(r.encoding, "utf-8");
    decode_result_free(&r);
}

static void test_utf8_bom_stripped(void)
{
    const char in[] = "\xEF\xBB\xBFZdravo, svet! Čas je.";
    decode_result r;
    CHECK_INT(decode_to_utf8(in, sizeof in - 1, NULL, &r, NULL, 0), 0);
    CHECK_STR(r.text, "Zdravo, svet! Čas je.");
    CHECK_STR(r.encoding, "utf-8");
    CHECK(r.had_bom);
    decode_result_free(&r);

    /* A UTF-8 BOM promises UTF-8: a broken sequence after it is an error, not a guess. */
    const char bad[] = "\xEF\xBB\xBF"
                       "abc\xE9z";
    char err[128];
    CHECK_INT(decode_to_utf8(bad, sizeof bad - 1, NULL, &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "not valid utf-8 at byte 6");
    CHECK(r.text == NULL);
}

static void check_wide(const char *iconv_name, const char *bom, size_t bomlen, const char *want)
{
    const char *text = "Καλημέρα, мир!\r\nЗдравей\rсвят";
    size_t n;
    char *body = encode(text, iconv_name, &n);
    CHECK(body != NULL);
    if (!body)
        return;
    char *raw = malloc(n + bomlen);
    memcpy(raw, bom, bomlen);
    memcpy(raw + bomlen, body, n);
    decode_result r;
    CHECK_INT(decode_to_utf8(raw, n + bomlen, NULL, &r, NULL, 0), 0);
    CHECK_STR(r.text, "Καλημέρα, мир!\nЗдравей\nсвят");
    CHECK_STR(r.encoding, want);
    CHECK(r.had_bom);
    decode_result_free(&r);
    free(raw);
    free(body);
}

static void test_wide_boms(void)
{
    check_wide("UTF-16LE", "\xFF\xFE", 2, "utf-16le");
    check_wide("UTF-16BE", "\xFE\xFF", 2, "utf-16be");
    check_wide("UTF-32LE", "\xFF\xFE\0\0", 4, "utf-32le");
    check_wide("UTF-32BE", "\0\0\xFE\xFF", 4, "utf-32be");
}

static void test_utf16_errors(void)
{
    decode_result r;
    char err[128];
    /* BOM, "a", then an unpaired high surrogate followed by "b". */
    const char lone[] = "\xFF\xFE"
                        "a\0"
                        "\x00\xD8"
                        "b\0";
    CHECK_INT(decode_to_utf8(lone, sizeof lone - 1, NULL, &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "not valid utf-16le at byte 4");
    CHECK(r.text == NULL);
    /* An odd trailing byte. */
    const char odd[] = "\xFF\xFE"
                       "a\0b";
    CHECK_INT(decode_to_utf8(odd, sizeof odd - 1, NULL, &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "not valid utf-16le at byte 4");
    /* U+0000 inside UTF-16 text is binary too. */
    const char nul[] = "\xFF\xFE"
                       "a\0\0\0b\0";
    CHECK_INT(decode_to_utf8(nul, sizeof nul - 1, NULL, &r, err, sizeof err), -EILSEQ);
    CHECK(strstr(err, "binary data") != NULL);
}

static void test_utf16_without_bom(void)
{
    const char *text = "Plain English text saved as UTF-16 without a byte order mark.\r\n";
    size_t n;
    char *raw = encode(text, "UTF-16LE", &n);
    decode_result r;
    CHECK_INT(decode_to_utf8(raw, n, NULL, &r, NULL, 0), 0);
    CHECK_STR(r.text, "Plain English text saved as UTF-16 without a byte order mark.\n");
    CHECK_STR(r.encoding, "utf-16le");
    CHECK(!r.had_bom);
    decode_result_free(&r);
    free(raw);

    raw = encode(text, "UTF-16BE", &n);
    CHECK_INT(decode_to_utf8(raw, n, NULL, &r, NULL, 0), 0);
    CHECK_STR(r.encoding, "utf-16be");
    decode_result_free(&r);
    /* Declared wide encodings are honoured even without a BOM. */
    CHECK_INT(decode_to_utf8(raw, n, "UTF-16BE", &r, NULL, 0), 0);
    CHECK_STR(r.text, "Plain English text saved as UTF-16 without a byte order mark.\n");
    decode_result_free(&r);
    free(raw);
}

static void test_line_endings(void)
{
    decode_result r;
    const char in[] = "one\r\ntwo\rthree\n\r\rfour\r";
    CHECK_INT(decode_to_utf8(in, sizeof in - 1, NULL, &r, NULL, 0), 0);
    CHECK_STR(r.text, "one\ntwo\nthree\n\n\nfour\n");
    CHECK_INT(r.len, strlen("one\ntwo\nthree\n\n\nfour\n"));
    decode_result_free(&r);

    /* Long ASCII runs take the word-at-a-time path; a CR deep inside one must still be seen. */
    char big[300];
    memset(big, 'x', sizeof big);
    big[201] = '\r';
    CHECK_INT(decode_to_utf8(big, sizeof big, NULL, &r, NULL, 0), 0);
    CHECK_INT(r.len, sizeof big);
    CHECK(r.text[201] == '\n');
    CHECK(strchr(r.text, '\r') == NULL);
    decode_result_free(&r);

    /* Legacy path: windows-1251 with CRLF. */
    size_t n;
    char *raw = encode("Первая строка текста.\r\nВторая строка текста.\r\n", "CP1251", &n);
    CHECK_INT(decode_to_utf8(raw, n, NULL, &r, NULL, 0), 0);
    CHECK_STR(r.text, "Первая строка текста.\nВторая строка текста.\n");
    CHECK_STR(r.encoding, "windows-1251");
    decode_result_free(&r);
    free(raw);
}

static void test_declared(void)
{
    decode_result r;
    char err[128];
    size_t n;
    /* KOI8-R bytes read as declared: no detection involved. */
    char *raw = encode("Съешь же ещё этих мягких французских булок, да выпей чаю.", "KOI8-R", &n);
    CHECK_INT(decode_to_utf8(raw, n, "KOI8R", &r, err, sizeof err), 0);
    CHECK_STR(r.text, "Съешь же ещё этих мягких французских булок, да выпей чаю.");
    CHECK_STR(r.encoding, "koi8-r");
    decode_result_free(&r);
    /* The same bytes declared as windows-1251 decode as windows-1251 would (the user said so). */
    CHECK_INT(decode_to_utf8(raw, n, "cp1251", &r, err, sizeof err), 0);
    CHECK_STR(r.encoding, "windows-1251");
    CHECK(strcmp(r.text, "Съешь же ещё этих мягких французских булок, да выпей чаю.") != 0);
    decode_result_free(&r);
    free(raw);

    /* Bytes the declared encoding does not have: 0x81 is unassigned in windows-1252. */
    const char bad[] = "caf\xE9 \x81!";
    CHECK_INT(decode_to_utf8(bad, sizeof bad - 1, "windows-1252", &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "not valid windows-1252 at byte 5");
    CHECK(r.text == NULL);
    CHECK_INT(decode_to_utf8(bad, sizeof bad - 1, "us-ascii", &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "not valid us-ascii at byte 3");
    CHECK_INT(decode_to_utf8(bad, sizeof bad - 1, "utf-8", &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "not valid utf-8 at byte 3");

    /* Unknown names are refused before anything else. */
    CHECK_INT(decode_to_utf8("x", 1, "klingon-8", &r, err, sizeof err), -EINVAL);
    CHECK_STR(err, "unsupported encoding 'klingon-8'");

    /* "auto" is detection. */
    raw = encode("Český překlad", "CP1250", &n);
    CHECK_INT(decode_to_utf8(raw, n, "auto", &r, err, sizeof err), 0);
    CHECK_STR(r.text, "Český překlad");
    decode_result_free(&r);
    free(raw);

    /* Valid UTF-8 wins over a declared 8-bit encoding. */
    CHECK_INT(decode_to_utf8("Grüße", strlen("Grüße"), "iso-8859-1", &r, err, sizeof err), 0);
    CHECK_STR(r.text, "Grüße");
    CHECK_STR(r.encoding, "utf-8");
    decode_result_free(&r);
}

static void test_empty(void)
{
    decode_result r;
    char err[64];
    CHECK_INT(decode_to_utf8("", 0, NULL, &r, err, sizeof err), -ENODATA);
    CHECK_STR(err, "empty file");
    CHECK(r.text == NULL);
    CHECK_INT(decode_to_utf8(NULL, 0, "auto", &r, NULL, 0), -ENODATA);
}

static void test_binary(void)
{
    decode_result r;
    char err[128];
    const char nul_utf8[] = "This looks like t\0ext";
    CHECK_INT(decode_to_utf8(nul_utf8, sizeof nul_utf8 - 1, NULL, &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "binary data (NUL byte at offset 17)");
    CHECK(r.text == NULL);

    /* A PNG header: invalid UTF-8 and a NUL. */
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A,
                                 '\n', 0,   0,   0,   13,   'I',  'H'};
    CHECK_INT(decode_to_utf8(png, sizeof png, NULL, &r, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "binary data (NUL byte at offset 8)");

    /* A declared encoding does not make NUL bytes text. */
    CHECK_INT(decode_to_utf8(png, sizeof png, "windows-1252", &r, err, sizeof err), -EILSEQ);
    CHECK(strstr(err, "binary data") != NULL);

    /* No NUL, but full of control bytes. */
    unsigned char ctl[200];
    for (size_t i = 0; i < sizeof ctl; i++)
        ctl[i] = (unsigned char)(i % 3 == 0 ? 0x01 + i % 7 : 0xC0 + i % 50);
    CHECK_INT(decode_to_utf8(ctl, sizeof ctl, NULL, &r, err, sizeof err), -EILSEQ);
    CHECK(strncmp(err, "binary data (", 13) == 0);
}

/* Random high bytes (compressed or encrypted data without NULs) fit no legacy text. */
static void test_undecodable(void)
{
    uint32_t x = 12345;
    int refused = 0;
    for (int round = 0; round < 20; round++) {
        unsigned char buf[512];
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            unsigned b = (x >> 16) & 0xFF;
            buf[i] = (unsigned char)(b < 0x20 ? b + 0x20 : b);
        }
        decode_result r;
        char err[128];
        int rc = decode_to_utf8(buf, sizeof buf, NULL, &r, err, sizeof err);
        if (rc == -EILSEQ && strcmp(err, "undecodable: not UTF-8 and no legacy encoding fits") == 0)
            refused++;
        decode_result_free(&r);
    }
    CHECK_INT(refused, 20);
}

/* Windows punctuation in English text: curly quotes, dashes, euro sign, ellipsis. */
static void test_windows_punctuation(void)
{
    const char *text = "\u201cIt\u2019s a deal,\u201d she said \u2013 the price was "
                       "\u20ac20\u2026 and that\u2019s final.";
    size_t n;
    char *raw = encode(text, "CP1252", &n);
    decode_result r;
    CHECK_INT(decode_to_utf8(raw, n, NULL, &r, NULL, 0), 0);
    CHECK_STR(r.text, text);
    CHECK_STR(r.encoding, "windows-1252");
    decode_result_free(&r);
    free(raw);
}

static void test_canonical_name(void)
{
    CHECK_STR(decode_canonical_name("cp1251"), "windows-1251");
    CHECK_STR(decode_canonical_name("windows-1251"), "windows-1251");
    CHECK_STR(decode_canonical_name("WINDOWS-1251"), "windows-1251");
    CHECK_STR(decode_canonical_name("Windows_1251"), "windows-1251");
    CHECK_STR(decode_canonical_name("UTF8"), "utf-8");
    CHECK_STR(decode_canonical_name("latin1"), "iso-8859-1");
    CHECK_STR(decode_canonical_name("ISO_8859-2"), "iso-8859-2");
    CHECK_STR(decode_canonical_name("koi8r"), "koi8-r");
    CHECK_STR(decode_canonical_name("AUTO"), "auto");
    CHECK_STR(decode_canonical_name("utf-16"), "utf-16");
    CHECK(decode_canonical_name("cp12510") == NULL);
    CHECK(decode_canonical_name("klingon") == NULL);
    CHECK(decode_canonical_name("") == NULL);
    CHECK(decode_canonical_name("---") == NULL);
    CHECK(decode_canonical_name(NULL) == NULL);
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK(decode_canonical_name(longname) == NULL);

    /* Every name we accept must work as a declared encoding on this system. */
    static const char *const all[] = {
        "utf-8",        "utf-16",       "utf-16le",     "utf-16be",     "utf-32",
        "utf-32le",     "utf-32be",     "us-ascii",     "iso-8859-1",   "iso-8859-2",
        "iso-8859-5",   "iso-8859-7",   "iso-8859-9",   "iso-8859-15",  "windows-1250",
        "windows-1251", "windows-1252", "windows-1253", "windows-1254", "windows-1257",
        "koi8-r",       "koi8-u",       "ibm866",       "macintosh",    "gb18030",
        "big5",         "shift_jis",    "euc-jp",       "euc-kr",
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK_STR(decode_canonical_name(all[i]), all[i]);
        decode_result r;
        char err[128] = "";
        int rc = decode_to_utf8("ok\xA0", 3, all[i], &r, err, sizeof err);
        if (rc == -EINVAL)
            fprintf(stderr, "  %s: %s\n", all[i], err);
        CHECK(rc != -EINVAL);
        decode_result_free(&r);
    }
}

/* Worker threads decode concurrently, the first calls racing to build the detection tables. */
static void *thread_body(void *arg)
{
    const char *const *texts = arg;
    long good = 0;
    for (int round = 0; round < 50; round++) {
        for (int k = 0; k < 2; k++) {
            size_t n;
            char *raw = encode(texts[k], k ? "KOI8-U" : "CP1253", &n);
            decode_result r;
            if (raw && decode_to_utf8(raw, n, NULL, &r, NULL, 0) == 0) {
                good += strcmp(r.text, texts[k]) == 0;
                decode_result_free(&r);
            }
            free(raw);
        }
    }
    return (void *)good;
}

static void test_threads(void)
{
    static const char *const texts[] = {
        "Η κυβέρνηση ανακοίνωσε νέα μέτρα για τη στήριξη των επιχειρήσεων.",
        "Вчора на ґанку старої хати ми пили чай і говорили про майбутнє.",
    };
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        CHECK_INT(pthread_create(&t[i], NULL, thread_body, (void *)texts), 0);
    for (int i = 0; i < 4; i++) {
        void *good;
        pthread_join(t[i], &good);
        CHECK_INT((long)good, 100);
    }
}

static void test_result_free(void)
{
    decode_result r;
    CHECK_INT(decode_to_utf8("abc", 3, NULL, &r, NULL, 0), 0);
    decode_result_free(&r);
    CHECK(r.text == NULL && r.len == 0 && r.encoding == NULL);
    decode_result_free(&r);
    decode_result_free(NULL);
}

int main(void)
{
    RUN(test_threads); /* first: nothing may have built the tables yet */
    RUN(test_legacy_detection);
    RUN(test_utf8_passthrough);
    RUN(test_pure_ascii);
    RUN(test_utf8_bom_stripped);
    RUN(test_wide_boms);
    RUN(test_utf16_errors);
    RUN(test_utf16_without_bom);
    RUN(test_line_endings);
    RUN(test_declared);
    RUN(test_empty);
    RUN(test_binary);
    RUN(test_undecodable);
    RUN(test_windows_punctuation);
    RUN(test_canonical_name);
    RUN(test_result_free);
    return TEST_SUMMARY();
}
