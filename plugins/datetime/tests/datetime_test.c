/*
 * datetime_test - runs the built datetime.so through the real plugin ABI (plugin_harness) on
 * header lines in several languages and formats, range checks, the "dates in story sentences
 * are ignored" rule, preset fields, the meta object, big inputs, and the shared seed articles
 * when they are present (SOURCE_DIR/../shared/seeds; skipped quietly when absent).
 */
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin_harness.h"
#include "record.h"
#include "testlib.h"

static ph_plugin *plugin;

/* Run the plugin on text and compare both fields; on a mismatch print the text and the caller's
 * line. NULL expected = the field must stay unset. */
static void expect_at(int line, const char *text, const char *published, const char *updated)
{
    ingestd_record *rec = ph_record(text);
    CHECK_INT(ph_process(plugin, rec), INGESTD_OK);
    const char *got_pub = ph_get(rec, INGESTD_FIELD_PUBLISHED_AT);
    const char *got_upd = ph_get(rec, INGESTD_FIELD_UPDATED_AT);
    bool pub_ok = (!got_pub && !published) || (got_pub && published && !strcmp(got_pub, published));
    bool upd_ok = (!got_upd && !updated) || (got_upd && updated && !strcmp(got_upd, updated));
    if (!pub_ok || !upd_ok) {
        fprintf(stderr,
                "%s:%d: text <<%s>>\n  published: got %s expected %s\n  updated:   got %s "
                "expected %s\n",
                __FILE__, line, text, got_pub ? got_pub : "NULL", published ? published : "NULL",
                got_upd ? got_upd : "NULL", updated ? updated : "NULL");
        testlib_failed_checks++;
    }
    rec_free(rec);
}
#define EXPECT(text, pub, upd) expect_at(__LINE__, text, pub, upd)

/* Process text and return a copy of meta "datetime" (NULL when absent). Caller decrefs. */
static json_t *meta_of(const char *text)
{
    ingestd_record *rec = ph_record(text);
    ph_process(plugin, rec);
    json_t *m = json_object_get(rec_meta(rec), "datetime");
    json_t *copy = m ? json_deep_copy(m) : NULL;
    rec_free(rec);
    return copy;
}

static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static json_t *found_at(json_t *meta, size_t i)
{
    return json_array_get(json_object_get(meta, "found"), i);
}

/* ---- formats ---- */

static void test_date_keyword_prefix(void)
{
    EXPECT(" date 2025-09-03 Rusya Devlet Başkanı Putin, Kim ile görüştü.\n\nMetin.", "2025-09-03",
           NULL);
    EXPECT("date 2024-02-29 Leap day story\nBody", "2024-02-29", NULL);
    EXPECT("Date: 2025-09-03\nTitle", "2025-09-03", NULL);
    EXPECT("Tarih: 03.09.2025 14:05\nBaşlık", "2025-09-03T14:05:00", NULL);
}

static void test_numeric_dates(void)
{
    EXPECT("05.09.2025\nTitle", "2025-09-05", NULL);
    EXPECT("5.9.2025\nTitle", "2025-09-05", NULL);
    EXPECT("3. 9. 2025\nNaslov", "2025-09-03", NULL);
    EXPECT("03.09.2025.\nNaslov", "2025-09-03", NULL);
    EXPECT("2025-09-03\nTitle", "2025-09-03", NULL);
    EXPECT("2025/09/03\nTitle", "2025-09-03", NULL);
    EXPECT("2025.09.03\nTitle", "2025-09-03", NULL);
    EXPECT("25/12/2025\nTitle", "2025-12-25", NULL);
    EXPECT("12/25/2025\nTitle", "2025-12-25", NULL); /* day > 12 forces M/D */
    EXPECT("05/09/2025\nTitle", "2025-09-05", NULL); /* ambiguous: D/M preferred */
    EXPECT("05-09-2025\nTitle", "2025-09-05", NULL);
    EXPECT("2025-09-03 Putin meets Kim in Beijing\nBody", "2025-09-03", NULL);
    EXPECT("05.09.2025 Moskova'da görüşme\nBody", "2025-09-05", NULL);
}

static void test_iso_rfc3339(void)
{
    EXPECT("2025-09-05T20:33+0300\nT", "2025-09-05T20:33:00+03:00", NULL);
    EXPECT("2025-09-05T20:33+03:00\nT", "2025-09-05T20:33:00+03:00", NULL);
    EXPECT("2025-09-05T20:33+03\nT", "2025-09-05T20:33:00+03:00", NULL);
    EXPECT("2025-09-05T20:33:15Z\nT", "2025-09-05T20:33:15+00:00", NULL);
    EXPECT("2025-09-05T20:33:15.123456+05:30\nT", "2025-09-05T20:33:15+05:30", NULL);
    EXPECT("2025-09-05 20:33:00-04:00\nT", "2025-09-05T20:33:00-04:00", NULL);
    EXPECT("2025-09-05T20:33\nT", "2025-09-05T20:33:00", NULL);
    EXPECT("2025-09-05t08:01:02z\nT", "2025-09-05T08:01:02+00:00", NULL);
    EXPECT("2025-09-05T20:33:00 −03:00\nT", "2025-09-05T20:33:00-03:00", NULL); /* U+2212 */
}

static void test_time_and_date(void)
{
    EXPECT("13:05 27.10.2025\nT", "2025-10-27T13:05:00", NULL);
    EXPECT("27.10.2025 13:05\nT", "2025-10-27T13:05:00", NULL);
    EXPECT("27.10.2025, 13:05\nT", "2025-10-27T13:05:00", NULL);
    EXPECT("27.10.2025 - 13:05\nT", "2025-10-27T13:05:00", NULL);
    EXPECT("13:05 - 27.10.2025\nT", "2025-10-27T13:05:00", NULL);
    EXPECT("13:05, 27.10.2025\nT", "2025-10-27T13:05:00", NULL);
    EXPECT("27.10.2025 | 13:05:59\nT", "2025-10-27T13:05:59", NULL);
    EXPECT("03.09.2025\n14:05\nTitle", "2025-09-03T14:05:00", NULL); /* time on its own line */
}

static void test_update_markers(void)
{
    EXPECT("13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)\nT", "2025-10-27T13:05:00",
           "2025-10-27T13:08:00");
    EXPECT("13:05 27.10.2025 (güncellendi: 13:08)\nT", "2025-10-27T13:05:00",
           "2025-10-27T13:08:00");
    EXPECT("Published: 3 September 2025 10:00 | Updated: 4 September 2025 08:15\nT",
           "2025-09-03T10:00:00", "2025-09-04T08:15:00");
    EXPECT("September 3, 2025 2:05 PM\nUpdated 4:40 PM\nTitle", "2025-09-03T14:05:00",
           "2025-09-03T16:40:00");
    EXPECT("Опубликовано: 3 сентября 2025 г., 14:05\nОбновлено: 3 сентября 2025 г., 16:20\nТ",
           "2025-09-03T14:05:00", "2025-09-03T16:20:00");
    EXPECT("Δημοσίευση: 03.09.2025 14:05 | Ενημερώθηκε: 03.09.2025 15:00\nΤ", "2025-09-03T14:05:00",
           "2025-09-03T15:00:00");
    EXPECT("Objavljeno: 3. septembra 2025 ob 14.05\nPosodobljeno: 3. septembra 2025 ob 15.30\nN",
           "2025-09-03T14:05:00", "2025-09-03T15:30:00");
    EXPECT("Objavljeno: 03.09.2025. u 14:05 (Ažurirano: 03.09.2025. u 15:00)\nN",
           "2025-09-03T14:05:00", "2025-09-03T15:00:00");
    EXPECT("Veröffentlicht am 3. September 2025, 14:05 Uhr | Aktualisiert am 3. September 2025, "
           "16:45 Uhr\nT",
           "2025-09-03T14:05:00", "2025-09-03T16:45:00");
    EXPECT("Publié le 3 septembre 2025 à 14h05, mis à jour le 3 septembre 2025 à 16h20\nT",
           "2025-09-03T14:05:00", "2025-09-03T16:20:00");
    EXPECT("Publicado el 3 de septiembre de 2025 a las 14:05 | Actualizado el 3 de septiembre de "
           "2025 a las 18:30\nT",
           "2025-09-03T14:05:00", "2025-09-03T18:30:00");
    EXPECT("Pubblicato il 3 settembre 2025 alle 14:05 - Aggiornato il 3 settembre 2025 alle "
           "15:00\nT",
           "2025-09-03T14:05:00", "2025-09-03T15:00:00");
    EXPECT("Opublikowano: 03.09.2025, 14:05 Zaktualizowano: 03.09.2025, 15:10\nT",
           "2025-09-03T14:05:00", "2025-09-03T15:10:00");
    EXPECT("Yayınlanma: 03.09.2025 14:05\nSon güncelleme: 03.09.2025 18:00\nBaşlık",
           "2025-09-03T14:05:00", "2025-09-03T18:00:00");
    /* an update marked earlier than publication is a contradiction: dropped */
    EXPECT("Published: 03.09.2025 14:00\nUpdated: 02.09.2025 10:00\nT", "2025-09-03T14:00:00",
           NULL);
    /* the update keeps the offset of the publication line when it states none */
    EXPECT("2025-09-03T13:05+03:00 (updated 13:45)\nT", "2025-09-03T13:05:00+03:00",
           "2025-09-03T13:45:00+03:00");
}

static void test_month_names(void)
{
    EXPECT("3 Eylül 2025\nBaşlık", "2025-09-03", NULL);
    EXPECT("03 EYLÜL 2025 ÇARŞAMBA\nBaşlık", "2025-09-03", NULL);
    EXPECT("3 Eylül 2025 Çarşamba 14:05\nBaşlık", "2025-09-03T14:05:00", NULL);
    EXPECT("12 Kasım 2024, 09:30\nBaşlık", "2024-11-12T09:30:00", NULL);
    EXPECT("September 3, 2025\nTitle", "2025-09-03", NULL);
    EXPECT("Sept. 3rd, 2025 at 2:05 p.m. EDT\nTitle", "2025-09-03T14:05:00-04:00", NULL);
    EXPECT("3 September 2025\nTitle", "2025-09-03", NULL);
    EXPECT("Wednesday, 3 September 2025\nTitle", "2025-09-03", NULL);
    EXPECT("3 Σεπτεμβρίου 2025\nΤίτλος", "2025-09-03", NULL);
    EXPECT("Τετάρτη, 3 ΣΕΠΤΕΜΒΡΙΟΥ 2025\nΤίτλος", "2025-09-03", NULL);
    EXPECT("15 Αυγούστου 2025, 10:15\nΤίτλος", "2025-08-15T10:15:00", NULL);
    EXPECT("3. septembra 2025\nNaslov", "2025-09-03", NULL);
    EXPECT("sreda, 3. september 2025\nNaslov", "2025-09-03", NULL);
    EXPECT("3 сентября 2025 г.\nЗаголовок", "2025-09-03", NULL);
    EXPECT("3 сентября 2025 года, 14:05\nЗаголовок", "2025-09-03T14:05:00", NULL);
    EXPECT("3 СЕНТЯБРЯ 2025\nЗаголовок", "2025-09-03", NULL);
    EXPECT("3. September 2025\nTitel", "2025-09-03", NULL);
    EXPECT("Montag, 3. März 2025\nTitel", "2025-03-03", NULL);
    EXPECT("3 septembre 2025\nTitre", "2025-09-03", NULL);
    EXPECT("1er août 2025\nTitre", "2025-08-01", NULL);
    EXPECT("3 de septiembre de 2025\nTítulo", "2025-09-03", NULL);
    EXPECT("3 settembre 2025\nTitolo", "2025-09-03", NULL);
    EXPECT("3 września 2025 r.\nTytuł", "2025-09-03", NULL);
    EXPECT("3 Eylül 2025 | Dünya\nBaşlık", "2025-09-03", NULL); /* hard separator prefix */
}

static void test_rfc822_and_zones(void)
{
    EXPECT("Wed, 03 Sep 2025 14:05:00 +0300\nT", "2025-09-03T14:05:00+03:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 GMT\nT", "2025-09-03T14:05:00+00:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 UTC\nT", "2025-09-03T14:05:00+00:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 EET\nT", "2025-09-03T14:05:00+02:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 EEST\nT", "2025-09-03T14:05:00+03:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 CET\nT", "2025-09-03T14:05:00+01:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 CEST\nT", "2025-09-03T14:05:00+02:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 MSK\nT", "2025-09-03T14:05:00+03:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 TRT\nT", "2025-09-03T14:05:00+03:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 EST\nT", "2025-09-03T14:05:00-05:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 EDT\nT", "2025-09-03T14:05:00-04:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 PST\nT", "2025-09-03T14:05:00-08:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 PDT\nT", "2025-09-03T14:05:00-07:00", NULL);
    EXPECT("Wed, 03 Sep 2025 14:05:00 BST\nT", "2025-09-03T14:05:00+01:00", NULL);
    EXPECT("03.09.2025 14:05 (MSK)\nT", "2025-09-03T14:05:00+03:00", NULL);
    EXPECT("03.09.2025 14:05 GMT+3\nT", "2025-09-03T14:05:00+03:00", NULL);
    EXPECT("03.09.2025 14:05 UTC-03:30\nT", "2025-09-03T14:05:00-03:30", NULL);

    /* unknown zone: local time kept without an offset, noted in meta */
    const char *text = "Wed, 03 Sep 2025 14:05:00 XYZ\nT";
    EXPECT(text, "2025-09-03T14:05:00", NULL);
    json_t *m = meta_of(text);
    CHECK(m != NULL);
    CHECK_STR(jstr(m, "unknown_zone"), "XYZ");
    CHECK(json_object_get(m, "published_utc") == NULL);
    json_decref(m);
    /* CST names several zones: unknown, not guessed */
    m = meta_of("03.09.2025 14:05 CST\nT");
    CHECK_STR(jstr(m, "unknown_zone"), "CST");
    json_decref(m);
}

/* ---- ranges ---- */

static void test_ranges_rejected(void)
{
    EXPECT("31.02.2025\nT", NULL, NULL);
    EXPECT("29.02.2025\nT", NULL, NULL);
    EXPECT("29.02.2024\nT", "2024-02-29", NULL);
    EXPECT("29.02.1900\nT", NULL, NULL); /* 1900 is not a leap year */
    EXPECT("29.02.2000\nT", "2000-02-29", NULL);
    EXPECT("31.04.2025\nT", NULL, NULL);
    EXPECT("00.09.2025\nT", NULL, NULL);
    EXPECT("15.13.2025\nT", NULL, NULL);
    EXPECT("13/13/2025\nT", NULL, NULL);
    EXPECT("1899-12-31\nT", NULL, NULL);
    EXPECT("2101-01-01\nT", NULL, NULL);
    EXPECT("1900-01-01\nT", "1900-01-01", NULL);
    EXPECT("2100-12-31\nT", "2100-12-31", NULL);
    EXPECT("25:00 03.09.2025\nT", NULL, NULL);
    EXPECT("13:60 03.09.2025\nT", NULL, NULL);
    EXPECT("03.09.2025 25:00\nT", "2025-09-03", NULL); /* the impossible time is not taken */
    EXPECT("2025-09-05T24:00Z\nT", NULL, NULL);
    EXPECT("2025-09-05T20:33+1500\nT", NULL, NULL); /* offset out of range */
    EXPECT("32 Eylül 2025\nT", NULL, NULL);
    EXPECT("31 June 2025\nT", NULL, NULL);
    EXPECT("13:05 PM 03.09.2025\nT", NULL, NULL);
}

/* ---- where dates are taken from ---- */

static void test_story_dates_ignored(void)
{
    EXPECT("»Rusija in Severna Koreja skupaj v boju proti sodobnemu neonacizmu«\n\n"
           "Ruski predsednik Putin se je Kimu zahvalil.\n\n"
           "Vojaška parada ob 80. obletnici zmage v drugi svetovni vojni. Foto: Xinhua/STA\n\n"
           "Sporazum so podpisali 19. junija 2024, vojaki pa so prišli septembra 2023.\n",
           NULL, NULL);
    EXPECT("Bakan Yardımcısı, 3 Eylül’de Pekin'de düzenlenen etkinliklerden söz etti.\nMetin", NULL,
           NULL);
    EXPECT("3 Eylül’de Pekin'de düzenlenen etkinlikler\nMetin", NULL, NULL);
    EXPECT("3 Eylül 2025 tarihinde Pekin'de bir araya geldiler.\nMetin", NULL, NULL);
    EXPECT("Putin met Kim on September 3, 2025 in Beijing.\nMore text", NULL, NULL);
    EXPECT("September 3, 2025 was the day Putin met Kim.\nMore text", NULL, NULL);
    EXPECT("Title\nThe talks of 05.09.2025 were long.\n", NULL, NULL);
    EXPECT("Score 2-1 in the 80. minute\n1/2 of the votes\n", NULL, NULL);
    /* a date line after the header zone (9th non-empty line) is not a header date */
    EXPECT("a\nb\nc\nd\ne\nf\ng\nh\n05.09.2025\n", NULL, NULL);
    EXPECT("a\nb\nc\nd\ne\nf\ng\n05.09.2025\n", "2025-09-05", NULL);
    /* nor a date line starting after the first 1.5 KB */
    char big[2200];
    memset(big, 'x', 1600);
    strcpy(big + 1600, "\n05.09.2025\n");
    EXPECT(big, NULL, NULL);
}

static void test_merge_and_choose(void)
{
    EXPECT("05.09.2025\n2025-09-05T20:33+0300\n2025-09-05T20:33+0300\n2025-09-05T20:33+0300\nT",
           "2025-09-05T20:33:00+03:00", NULL);
    EXPECT("2025-09-05T17:33:00Z\n2025-09-05T20:33+03:00\nT", "2025-09-05T17:33:00+00:00", NULL);
    EXPECT("2025-09-05T20:33+03:00\n2025-09-05T20:33:41\nT", "2025-09-05T20:33:41+03:00", NULL);
    /* a second distinct later stamp is the update */
    EXPECT("03.09.2025 10:00\n03.09.2025 14:30\nBody", "2025-09-03T10:00:00",
           "2025-09-03T14:30:00");
    EXPECT("03.09.2025\n04.09.2025\nBody", "2025-09-03", "2025-09-04");
    /* an earlier one is not */
    EXPECT("03.09.2025 14:30\n02.09.2025 10:00\nBody", "2025-09-03T14:30:00", NULL);
    /* a publication label wins over a plain date above it */
    EXPECT("05.09.2025\nPublished: 03.09.2025\nT", "2025-09-03", "2025-09-05");
}

static void test_preset_kept(void)
{
    ingestd_record *rec = ph_record("13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)\nT");
    CHECK_INT(rec_set(rec, INGESTD_FIELD_PUBLISHED_AT, "2025-10-27T10:00:00Z", 20), 0);
    ph_process(plugin, rec);
    CHECK_STR(ph_get(rec, INGESTD_FIELD_PUBLISHED_AT), "2025-10-27T10:00:00Z");
    CHECK_STR(ph_get(rec, INGESTD_FIELD_UPDATED_AT), "2025-10-27T13:08:00");
    CHECK(json_is_true(
        json_object_get(json_object_get(rec_meta(rec), "datetime"), "published_preset")));
    rec_free(rec);

    rec = ph_record("13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)\nT");
    CHECK_INT(rec_set(rec, INGESTD_FIELD_UPDATED_AT, "2025-10-28", 10), 0);
    ph_process(plugin, rec);
    CHECK_STR(ph_get(rec, INGESTD_FIELD_PUBLISHED_AT), "2025-10-27T13:05:00");
    CHECK_STR(ph_get(rec, INGESTD_FIELD_UPDATED_AT), "2025-10-28");
    rec_free(rec);
}

static void test_reads_original_not_body(void)
{
    ingestd_record *rec = ph_record("05.09.2025 14:05\nTitle\nBody");
    CHECK_INT(rec_set(rec, INGESTD_FIELD_BODY, "Title\nBody 01.01.2020", 21), 0);
    ph_process(plugin, rec);
    CHECK_STR(ph_get(rec, INGESTD_FIELD_PUBLISHED_AT), "2025-09-05T14:05:00");
    rec_free(rec);
}

static void test_meta(void)
{
    json_t *m = meta_of("05.09.2025\n2025-09-05T20:33+0300\n\n2025-09-05T20:33+0300\nT");
    CHECK(m != NULL);
    CHECK_STR(jstr(m, "published_utc"), "2025-09-05T17:33:00Z");
    CHECK_INT(json_array_size(json_object_get(m, "found")), 3);
    CHECK_STR(jstr(found_at(m, 0), "text"), "05.09.2025");
    CHECK_STR(jstr(found_at(m, 0), "value"), "2025-09-05");
    CHECK_INT(json_integer_value(json_object_get(found_at(m, 0), "line")), 1);
    CHECK_STR(jstr(found_at(m, 1), "text"), "2025-09-05T20:33+0300");
    CHECK_STR(jstr(found_at(m, 1), "value"), "2025-09-05T20:33:00+03:00");
    CHECK_INT(json_integer_value(json_object_get(found_at(m, 2), "line")), 4);
    json_decref(m);

    m = meta_of("13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)\nT");
    CHECK_STR(jstr(found_at(m, 1), "role"), "updated");
    CHECK_STR(jstr(found_at(m, 1), "text"), "13:08 27.10.2025");
    CHECK(json_object_get(m, "published_utc") == NULL);
    json_decref(m);

    m = meta_of("05/09/2025\nT");
    CHECK(json_is_true(json_object_get(found_at(m, 0), "ambiguous")));
    json_decref(m);
    m = meta_of("25/09/2025\nT");
    CHECK(json_object_get(found_at(m, 0), "ambiguous") == NULL);
    json_decref(m);

    /* a tab inside the matched text must be escaped for the JSON to be accepted */
    m = meta_of("03.09.2025\t14:05\nT");
    CHECK(m != NULL);
    CHECK_STR(jstr(found_at(m, 0), "text"), "03.09.2025\t14:05");
    json_decref(m);

    /* nothing found: no meta */
    CHECK(meta_of("Just a title\nAnd a body.") == NULL);
}

static void test_meta_limits(void)
{
    /* 25 dates on one line (under the 256 bytes read per line): 20 entries kept */
    char line[512] = "";
    for (int i = 0; i < 25; i++)
        strcat(line, i ? ", 3.9.2025" : "3.9.2025");
    strcat(line, "\nT");
    json_t *m = meta_of(line);
    CHECK_INT(json_array_size(json_object_get(m, "found")), 20);
    json_decref(m);

    /* a 200-byte matched text (NBSP runs are spaces) is cut to <= 120 bytes on a UTF-8
     * boundary; meta_set would refuse invalid UTF-8, so its presence proves the cut */
    char text[512] = "3";
    for (int i = 0; i < 99; i++)
        strcat(text, "\xC2\xA0");
    strcat(text, "September 2025\nT");
    m = meta_of(text);
    CHECK(m != NULL);
    const char *snip = jstr(found_at(m, 0), "text");
    CHECK(snip && strlen(snip) <= 120 && strlen(snip) >= 118);
    CHECK_STR(jstr(found_at(m, 0), "value"), "2025-09-03");
    json_decref(m);
}

static void test_odd_inputs(void)
{
    EXPECT("", NULL, NULL);
    EXPECT("\n\n\n", NULL, NULL);
    EXPECT("\xEF\xBB\xBF"
           "05.09.2025\r\nTitle\r\n",
           "2025-09-05", NULL);
    EXPECT("📅 05.09.2025 • 14:05\nTitle", "2025-09-05T14:05:00", NULL);
    EXPECT("05.09.2025", "2025-09-05", NULL); /* no newline at all */
    EXPECT("2025-09-05T", NULL, NULL);        /* a dangling 'T' is not a date line */
    EXPECT("12:30", NULL, NULL);              /* a time with no date anywhere */

    /* 10 MB without a newline, with and without a leading date */
    size_t big = 10u << 20;
    char *text = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        text[i] = "abc 9."[i % 6];
    text[big] = '\0';
    clock_t t0 = clock();
    EXPECT(text, NULL, NULL);
    memcpy(text, "05.09.2025 ", 11);
    EXPECT(text, "2025-09-05", NULL);
    memset(text, '7', big); /* one huge number */
    EXPECT(text, NULL, NULL);
    memset(text, '\n', big); /* only newlines */
    EXPECT(text, NULL, NULL);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* record creation copies and validates 10 MB four times; the plugin itself adds little */
    CHECK(secs < 5.0);
    free(text);
}

/* ---- the shared seeds ---- */

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

static void test_seeds(void)
{
    static const struct {
        const char *prefix, *published, *updated;
    } want[] = {
        {"000_", "2025-09-03", NULL},
        {"001_", "2025-09-05T20:33:00+03:00", NULL},
        {"002_", "2025-09-03", NULL},
        {"003_", NULL, NULL},
        {"004_", "2025-10-27T13:05:00", "2025-10-27T13:08:00"},
    };
    const char *dir_path = SOURCE_DIR "/../shared/seeds";
    DIR *dir = opendir(dir_path);
    if (!dir)
        return; /* seeds are not part of the source tree: skip quietly */
    int seen = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            if (strncmp(de->d_name, want[i].prefix, 4) != 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir_path, de->d_name);
            char *text = read_file(path);
            if (!text)
                continue;
            expect_at(__LINE__, text, want[i].published, want[i].updated);
            free(text);
            seen++;
        }
    }
    closedir(dir);
    printf("seeds checked: %d\n", seen);
}

/* ---- more languages and formats (CLDR tables, relative dates, language hint) ---- */

/* Like EXPECT, with the record's arrival time and LANG (NULL: unset) given. */
static void expect_ctx_at(int line, const char *text, int64_t arrival_ms, const char *lang,
                          const char *published, const char *updated)
{
    ingestd_record *rec = rec_new("file", "/test/article.txt", arrival_ms, text, strlen(text));
    if (lang)
        rec_set(rec, INGESTD_FIELD_LANG, lang, strlen(lang));
    CHECK_INT(ph_process(plugin, rec), INGESTD_OK);
    const char *got_pub = ph_get(rec, INGESTD_FIELD_PUBLISHED_AT);
    const char *got_upd = ph_get(rec, INGESTD_FIELD_UPDATED_AT);
    bool pub_ok = (!got_pub && !published) || (got_pub && published && !strcmp(got_pub, published));
    bool upd_ok = (!got_upd && !updated) || (got_upd && updated && !strcmp(got_upd, updated));
    if (!pub_ok || !upd_ok) {
        fprintf(stderr,
                "%s:%d: text <<%s>> lang %s\n  published: got %s expected %s\n"
                "  updated:   got %s expected %s\n",
                __FILE__, line, text, lang ? lang : "-", got_pub ? got_pub : "NULL",
                published ? published : "NULL", got_upd ? got_upd : "NULL",
                updated ? updated : "NULL");
        testlib_failed_checks++;
    }
    rec_free(rec);
}
#define ARRIVAL                          1757095200000LL /* 2025-09-05T18:00:00Z */
#define EXPECT_CTX(text, lang, pub, upd) expect_ctx_at(__LINE__, text, ARRIVAL, lang, pub, upd)

static void test_cldr_languages(void)
{
    /* one date line per language family, names from the generated CLDR tables */
    EXPECT("3. září 2025\nTitulek", "2025-09-03", NULL);                     /* cs genitive */
    EXPECT("2. septembra 2025\nTitulok", "2025-09-02", NULL);                /* sk */
    EXPECT("2 września 2025\nTytuł", "2025-09-02", NULL);                    /* pl */
    EXPECT("3 вересня 2025, 14:05\nЗаголовок", "2025-09-03T14:05:00", NULL); /* uk */
    EXPECT("3 верасня 2025\nЗагаловак", "2025-09-03", NULL);                 /* be */
    EXPECT("2 септември 2025\nЗаглавие", "2025-09-02", NULL);                /* bg */
    EXPECT("2. syyskuuta 2025\nOtsikko", "2025-09-02", NULL);                /* fi partitive */
    EXPECT("dinsdag 2 september 2025\nKop", "2025-09-02", NULL);             /* nl */
    EXPECT("2 de setembro de 2025\nTítulo", "2025-09-02", NULL);             /* pt */
    EXPECT("Vineri, 05 Septembrie 2025, 10:15\nTitlu", "2025-09-05T10:15:00", NULL); /* ro */
    EXPECT("E Premte, 5 Shtator 2025, 10:15\nTitulli", "2025-09-05T10:15:00", NULL); /* sq */
    EXPECT("3 Meán Fómhair 2025\nTeideal", "2025-09-03", NULL);                /* ga, two words */
    EXPECT("3 ta' Settembru 2025\nTitlu", "2025-09-03", NULL);                 /* mt particle */
    EXPECT("2 sentyabr 2025\nBaşlıq", "2025-09-02", NULL);                     /* az */
    EXPECT("2 қыркүйек 2025\nТақырып", "2025-09-02", NULL);                    /* kk */
    EXPECT("2 სექტემბერი 2025\nსათაური", "2025-09-02", NULL);                  /* ka */
    EXPECT("Սեպտեմբերի 4, 2025 11:00\nՎերնագիր", "2025-09-04T11:00:00", NULL); /* hy, capital */
    EXPECT("2 בספטמבר 2025\nכותרת", "2025-09-02", NULL);                       /* he prefixed */
    EXPECT("الثلاثاء 2 سبتمبر 2025\nعنوان", "2025-09-02", NULL);               /* ar */
    EXPECT("الأربعاء، 3 سبتمبر 2025 08:00 م\nعنوان", "2025-09-03T20:00:00", NULL); /* ar comma */
    EXPECT("4 أيلول 2025\nعنوان", "2025-09-04", NULL);                  /* ar Levantine */
    EXPECT("2 سپتامبر 2025\nعنوان", "2025-09-02", NULL);                /* fa */
    EXPECT("03 सितंबर 2025, 14:05\nशीर्षक", "2025-09-03T14:05:00", NULL); /* hi */
    EXPECT("2 सितम्बर 2025\nशीर्षक", "2025-09-02", NULL);                 /* hi variant */
    EXPECT("2 September 2025\nJudul", "2025-09-02", NULL);              /* id */
    EXPECT("2 Septemba 2025\nKichwa", "2025-09-02", NULL);              /* sw */
    EXPECT("Thứ Ba, 02/09/2025, 09:30 (GMT+7)\nTiêu đề", "2025-09-02T09:30:00+07:00", NULL);
    EXPECT("3. september 2025 kl. 14:05\nFyrirsögn", "2025-09-03T14:05:00", NULL); /* is */
    EXPECT("5 ก.ย. 2568 10:15 น.\nหัวข้อ", "2025-09-05T10:15:00", NULL); /* th, Buddhist year */
}

static void test_numeric_orders(void)
{
    EXPECT("2025年9月3日 14時05分\n見出し", "2025-09-03T14:05:00", NULL);   /* ja */
    EXPECT("２０２５年９月５日\n見出し", "2025-09-05", NULL);               /* full-width */
    EXPECT("2025年09月03日 14:05\n标题", "2025-09-03T14:05:00", NULL);      /* zh */
    EXPECT("2025년 9월 4일\n제목", "2025-09-04", NULL);                     /* ko */
    EXPECT("입력 2025.09.02 오후 2:14\n제목", "2025-09-02T14:14:00", NULL); /* ko meridiem */
    EXPECT("2025. szeptember 3. 14:05\nCím", "2025-09-03T14:05:00", NULL);  /* hu year first */
    EXPECT("2025.09.02.\nCím", "2025-09-02", NULL);
    EXPECT("2025 m. rugsėjo 2 d.\nAntraštė", "2025-09-02", NULL);                      /* lt */
    EXPECT("2025. gada 3. septembris 14:05\nVirsraksts", "2025-09-03T14:05:00", NULL); /* lv */
    EXPECT("05.09.25, 10:15\nTitel", "2025-09-05T10:15:00", NULL); /* two-digit year */
    EXPECT("05-09-25, 10:15\nKop", "2025-09-05T10:15:00", NULL);
    EXPECT("1.2.25.4 release notes\nT", NULL, NULL);        /* a version number is not a date */
    EXPECT("٥ سبتمبر ٢٠٢٥\nعنوان", "2025-09-05", NULL);     /* Arabic digits */
    EXPECT("২ সেপ্টেম্বর ২০২৫\nশিরোনাম", "2025-09-02", NULL); /* Bengali digits */
    EXPECT("۲۰۲۵/۰۹/۰۵ - ۱۰:۱۵\nعنوان", "2025-09-05T10:15:00", NULL); /* Persian digits */
    /* slash dates: D/M by default, M/D when the article is English */
    EXPECT_CTX("09/05/2025 04:15 PM\nTitle", NULL, "2025-05-09T16:15:00", NULL);
    EXPECT_CTX("09/05/2025 04:15 PM\nTitle", "en", "2025-09-05T16:15:00", NULL);
    EXPECT_CTX("25/08/2025\nTitle", "en", "2025-08-25", NULL); /* the numbers force D/M */
}

static void test_clocks_and_zones(void)
{
    EXPECT("Publié le 03/09/2025 à 14h05\nTitre", "2025-09-03T14:05:00", NULL);
    EXPECT("Publié le 4 septembre 2025 à 7 h 30\nTitre", "2025-09-04T07:30:00", NULL);
    EXPECT("3. septembra 2025 ob 14.30\nNaslov", "2025-09-03T14:30:00", NULL);
    EXPECT("Sep 05, 2025 10:15 AM\nTitle", "2025-09-05T10:15:00", NULL);
    EXPECT("Sept. 5, 2025 2 p.m.\nTitle", "2025-09-05T14:00:00", NULL);
    EXPECT("Fri 5 Sep 2025 09.12 BST\nTitle", "2025-09-05T09:12:00+01:00", NULL);
    EXPECT("pe 5.9.2025 klo 10.15\nOtsikko", "2025-09-05T10:15:00", NULL);
    EXPECT("fredag den 5. september 2025 kl. 10.15\nOverskrift", "2025-09-05T10:15:00", NULL);
    EXPECT("14:05 03.09.2025 (МСК)\nЗаголовок", "2025-09-03T14:05:00+03:00", NULL);
    EXPECT("Rabu, 03 Sep 2025 14:05 WIB\nJudul", "2025-09-03T14:05:00+07:00", NULL);
    EXPECT("2025/09/02 09:30 JST\n見出し", "2025-09-02T09:30:00+09:00", NULL);
    EXPECT("Le 01/09/2025 à 09:00 (UTC+2)\nTitre", "2025-09-01T09:00:00+02:00", NULL);
    /* one zone written once for the line */
    EXPECT("Yayınlanma: 04.09.2025 10:30 | Son Güncelleme: 04.09.2025 12:05 (TRT)\nBaşlık",
           "2025-09-04T10:30:00+03:00", "2025-09-04T12:05:00+03:00");
    /* IST is India's in a Hindi article, unknown otherwise */
    EXPECT_CTX("Sep 05, 2025 10:15 AM IST\nशीर्षक", "hi", "2025-09-05T10:15:00+05:30", NULL);
    EXPECT_CTX("Sep 05, 2025 10:15 AM IST\nTitle", NULL, "2025-09-05T10:15:00", NULL);
    json_t *m = meta_of("Sept. 5, 2025 2:14 p.m. ET\nTitle");
    CHECK_STR(jstr(m, "unknown_zone"), "ET");
    json_decref(m);
}

static void test_relative_dates(void)
{
    EXPECT_CTX("Başlık\n2 saat önce\nMetin", "tr", "2025-09-05T16:00:00+00:00", NULL);
    EXPECT_CTX("Title\n3 hours ago\nText", "en", "2025-09-05T15:00:00+00:00", NULL);
    EXPECT_CTX("Titel\nvor 2 Stunden\nText", "de", "2025-09-05T16:00:00+00:00", NULL);
    EXPECT_CTX("Titre\nIl y a 1 heure\nTexte", "fr", "2025-09-05T17:00:00+00:00", NULL);
    EXPECT_CTX("Título\nHace 5 horas\nTexto", "es", "2025-09-05T13:00:00+00:00", NULL);
    EXPECT_CTX("Заголовок\n3 часа назад\nТекст", "ru", "2025-09-05T15:00:00+00:00", NULL);
    EXPECT_CTX("Tytuł\n2 godziny temu\nTekst", "pl", "2025-09-05T16:00:00+00:00", NULL);
    EXPECT_CTX("Τίτλος\nπριν από 2 ώρες\nΚείμενο", "el", "2025-09-05T16:00:00+00:00", NULL);
    EXPECT_CTX("Cím\n2 órája\nSzöveg", "hu", "2025-09-05T16:00:00+00:00", NULL);
    EXPECT_CTX("标题\n2小时前\n正文", "zh", "2025-09-05T16:00:00+00:00", NULL);
    EXPECT_CTX("제목\n30분 전\n본문", "ko", "2025-09-05T17:30:00+00:00", NULL);
    EXPECT_CTX("Overskrift\nfor 2 timer siden\nTekst", "nb", "2025-09-05T16:00:00+00:00", NULL);
    EXPECT_CTX("Title\nPublished 42 minutes ago\nText", "en", "2025-09-05T17:18:00+00:00", NULL);
    EXPECT_CTX("Title\n2 days ago\nText", "en", "2025-09-03", NULL);
    EXPECT_CTX("Title\nYesterday\nText", "en", "2025-09-04", NULL);
    EXPECT_CTX("Заголовок\nвчера, 19:40\nТекст", "ru", "2025-09-04T19:40:00", NULL);
    EXPECT_CTX("Başlık\nDün\nMetin", "tr", "2025-09-04", NULL);
    EXPECT_CTX("Заголовок\nСегодня, 10:30\nТекст", "ru", "2025-09-05T10:30:00", NULL);
    /* a written date wins over a relative one on the same line, and the relative one is not
     * taken as an update */
    EXPECT_CTX("Publié aujourd'hui à 06h00 | 03/09/2025\nTitre", "fr", "2025-09-03", NULL);
    /* no arrival time: nothing is invented */
    expect_ctx_at(__LINE__, "Title\n3 hours ago\nText", 0, "en", NULL, NULL);
    /* durations and story sentences are not relative dates */
    EXPECT_CTX("Title\nThe meeting lasted 3 hours\nText", "en", NULL, NULL);
    EXPECT_CTX("Title\nfor 2 hours\nText", "en", NULL, NULL);
    EXPECT_CTX("Başlık\n80. yıl dönümü için 2 saat konuştu.\nMetin", "tr", NULL, NULL);
}

static void test_language_hint(void)
{
    /* "listopad" is November in Polish and Czech, October in Croatian */
    EXPECT_CTX("3 listopada 2025\nTytuł", "pl", "2025-11-03", NULL);
    EXPECT_CTX("3. listopada 2025.\nNaslov", "hr", "2025-10-03", NULL);
    EXPECT_CTX("3 listopada 2025\nTitle", NULL, "2025-11-03", NULL); /* default: pl */
    EXPECT_CTX("3. listopadu 2025\nTitulek", "cs", "2025-11-03", NULL);
}

static void test_labels_in_line(void)
{
    EXPECT("By Maria Lopez | Updated 4:40 PM EDT, September 3, 2025\nTitle", NULL,
           "2025-09-03T16:40:00-04:00");
    EXPECT("Par Jean Dupont | Le 05/09/2025 à 10h15\nTitre", "2025-09-05T10:15:00", NULL);
    EXPECT("Madrid - 03 sep 2025 - 14:05 CEST\nTítulo", "2025-09-03T14:05:00+02:00", NULL);
    EXPECT("Por Redação, 05/09/2025 às 10h15\nTítulo", "2025-09-05T10:15:00", NULL);
    EXPECT("Updated 11:32 AM EDT, Fri September 5, 2025\nTitle", NULL, "2025-09-05T11:32:00-04:00");
    EXPECT("发布时间：2025-09-02 09:30\n标题", "2025-09-02T09:30:00", NULL);
    EXPECT("公開日：2025年9月4日　更新日：2025年9月4日 12:00\n見出し", "2025-09-04",
           "2025-09-04T12:00:00");
    EXPECT("Publié le 5 sept. 2025 à 08h00 (heure de Paris), modifié le 5 sept. 2025 à 10h30 "
           "CEST\nTitre",
           "2025-09-05T08:00:00+02:00", "2025-09-05T10:30:00+02:00");
    /* a comma prefix only when dates fill the rest of the line */
    EXPECT("Moscow, 5 Sep 2025\nTitle", "2025-09-05", NULL);
    EXPECT("In Moscow, 5 Sep 2025 was a hot day.\nTitle", NULL, NULL);
    /* a neutral word inside a sentence is not a label */
    EXPECT("The data from 5 Sep 2025 show a rise.\nTitle", NULL, NULL);
}

/* ---- speed ---- */

static void test_speed(void)
{
    const char *texts[] = {
        " date 2025-10-27 Lavrov: Kuzey Koreli askerlerin kahramanlığını asla unutmayacağız\n"
        "13:05 27.10.2025 (güncellendi: 13:08 27.10.2025)\n© Sputnik / Vladimir Astapkovich\n"
        "Abone ol\nMoskova'da Kuzey Koreli mevkidaşıyla buluşan Lavrov, 3 Eylül'de açıklama "
        "yaptı ve 80. yıl dönümü için 2 saat konuştu.\n",
        "»Rusija in Severna Koreja skupaj v boju proti sodobnemu neonacizmu«\n\nRuski "
        "predsednik Putin se je severnokorejskemu voditelju Kimu zahvalil za napotitev vojakov "
        "v Rusijo\n\n© www.kremlin.ru\n\nVojaška parada ob 80. obletnici zmage 3. septembra.\n",
    };
    const int rounds = 20000;
    ingestd_record *recs[2] = {ph_record(texts[0]), ph_record(texts[1])};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < rounds; i++) {
        ingestd_record *rec = recs[i & 1];
        rec_set(rec, INGESTD_FIELD_PUBLISHED_AT, NULL, 0);
        rec_set(rec, INGESTD_FIELD_UPDATED_AT, NULL, 0);
        ph_process(plugin, rec);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us =
        ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / rounds;
    printf("datetime process: %.2f us per article (meta_set included)\n", us);
    CHECK(us < 500.0); /* generous: sanitizer builds are slow; the release figure is printed */
    rec_free(recs[0]);
    rec_free(recs[1]);
}

int main(void)
{
    plugin = ph_load("datetime", NULL);
    RUN(test_date_keyword_prefix);
    RUN(test_numeric_dates);
    RUN(test_iso_rfc3339);
    RUN(test_time_and_date);
    RUN(test_update_markers);
    RUN(test_month_names);
    RUN(test_cldr_languages);
    RUN(test_numeric_orders);
    RUN(test_clocks_and_zones);
    RUN(test_relative_dates);
    RUN(test_language_hint);
    RUN(test_labels_in_line);
    RUN(test_rfc822_and_zones);
    RUN(test_ranges_rejected);
    RUN(test_story_dates_ignored);
    RUN(test_merge_and_choose);
    RUN(test_preset_kept);
    RUN(test_reads_original_not_body);
    RUN(test_meta);
    RUN(test_meta_limits);
    RUN(test_odd_inputs);
    RUN(test_seeds);
    RUN(test_speed);
    ph_unload(plugin);
    return TEST_SUMMARY();
}
