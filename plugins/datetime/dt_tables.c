/*
 * dt_tables - language tables of the datetime plugin and their lookups (see dt_tables.h).
 *
 * Rows are written in their natural spelling; dt_text folds case and diacritics on both sides,
 * so "Eylül" also matches "EYLÜL" and "Eylul", and "Σεπτεμβρίου" matches "ΣΕΠΤΕΜΒΡΙΟΥ". The
 * `lang` column documents where a row comes from. Rows of different languages that spell the
 * same word must agree on its value (today they do); adding a language whose word means another
 * month elsewhere (Croatian "listopad" = October, Polish "listopad" = November) needs a
 * language hint first, which is why the column exists.
 */
#include "dt_tables.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt_text.h"

typedef struct dt_row {
    const char *text;
    int value;
    const char *lang;
} dt_row;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const dt_row month_rows[] = {
    /* English */
    {"january", 1, "en"},
    {"february", 2, "en"},
    {"march", 3, "en"},
    {"april", 4, "en"},
    {"may", 5, "en"},
    {"june", 6, "en"},
    {"july", 7, "en"},
    {"august", 8, "en"},
    {"september", 9, "en"},
    {"october", 10, "en"},
    {"november", 11, "en"},
    {"december", 12, "en"},
    {"jan", 1, "en"},
    {"feb", 2, "en"},
    {"mar", 3, "en"},
    {"apr", 4, "en"},
    {"jun", 6, "en"},
    {"jul", 7, "en"},
    {"aug", 8, "en"},
    {"sep", 9, "en"},
    {"sept", 9, "en"},
    {"oct", 10, "en"},
    {"nov", 11, "en"},
    {"dec", 12, "en"},
    /* Turkish */
    {"ocak", 1, "tr"},
    {"şubat", 2, "tr"},
    {"mart", 3, "tr"},
    {"nisan", 4, "tr"},
    {"mayıs", 5, "tr"},
    {"haziran", 6, "tr"},
    {"temmuz", 7, "tr"},
    {"ağustos", 8, "tr"},
    {"eylül", 9, "tr"},
    {"ekim", 10, "tr"},
    {"kasım", 11, "tr"},
    {"aralık", 12, "tr"},
    {"oca", 1, "tr"},
    {"şub", 2, "tr"},
    {"nis", 4, "tr"},
    {"haz", 6, "tr"},
    {"tem", 7, "tr"},
    {"ağu", 8, "tr"},
    {"eyl", 9, "tr"},
    {"eki", 10, "tr"},
    {"kas", 11, "tr"},
    {"ara", 12, "tr"},
    /* Greek: nominative, genitive (the form used in dates), abbreviations */
    {"ιανουάριος", 1, "el"},
    {"φεβρουάριος", 2, "el"},
    {"μάρτιος", 3, "el"},
    {"απρίλιος", 4, "el"},
    {"μάιος", 5, "el"},
    {"ιούνιος", 6, "el"},
    {"ιούλιος", 7, "el"},
    {"αύγουστος", 8, "el"},
    {"σεπτέμβριος", 9, "el"},
    {"οκτώβριος", 10, "el"},
    {"νοέμβριος", 11, "el"},
    {"δεκέμβριος", 12, "el"},
    {"ιανουαρίου", 1, "el"},
    {"φεβρουαρίου", 2, "el"},
    {"μαρτίου", 3, "el"},
    {"απριλίου", 4, "el"},
    {"μαΐου", 5, "el"},
    {"ιουνίου", 6, "el"},
    {"ιουλίου", 7, "el"},
    {"αυγούστου", 8, "el"},
    {"σεπτεμβρίου", 9, "el"},
    {"οκτωβρίου", 10, "el"},
    {"νοεμβρίου", 11, "el"},
    {"δεκεμβρίου", 12, "el"},
    {"ιαν", 1, "el"},
    {"φεβ", 2, "el"},
    {"μαρ", 3, "el"},
    {"απρ", 4, "el"},
    {"ιουν", 6, "el"},
    {"ιουλ", 7, "el"},
    {"αυγ", 8, "el"},
    {"σεπ", 9, "el"},
    {"σεπτ", 9, "el"},
    {"οκτ", 10, "el"},
    {"νοε", 11, "el"},
    {"δεκ", 12, "el"},
    /* Slovenian: nominative, genitive */
    {"januar", 1, "sl"},
    {"februar", 2, "sl"},
    {"marec", 3, "sl"},
    {"april", 4, "sl"},
    {"maj", 5, "sl"},
    {"junij", 6, "sl"},
    {"julij", 7, "sl"},
    {"avgust", 8, "sl"},
    {"september", 9, "sl"},
    {"oktober", 10, "sl"},
    {"november", 11, "sl"},
    {"december", 12, "sl"},
    {"januarja", 1, "sl"},
    {"februarja", 2, "sl"},
    {"marca", 3, "sl"},
    {"aprila", 4, "sl"},
    {"maja", 5, "sl"},
    {"junija", 6, "sl"},
    {"julija", 7, "sl"},
    {"avgusta", 8, "sl"},
    {"septembra", 9, "sl"},
    {"oktobra", 10, "sl"},
    {"novembra", 11, "sl"},
    {"decembra", 12, "sl"},
    {"avg", 8, "sl"},
    {"okt", 10, "sl"},
    /* Russian: nominative, genitive, abbreviations */
    {"январь", 1, "ru"},
    {"февраль", 2, "ru"},
    {"март", 3, "ru"},
    {"апрель", 4, "ru"},
    {"май", 5, "ru"},
    {"июнь", 6, "ru"},
    {"июль", 7, "ru"},
    {"август", 8, "ru"},
    {"сентябрь", 9, "ru"},
    {"октябрь", 10, "ru"},
    {"ноябрь", 11, "ru"},
    {"декабрь", 12, "ru"},
    {"января", 1, "ru"},
    {"февраля", 2, "ru"},
    {"марта", 3, "ru"},
    {"апреля", 4, "ru"},
    {"мая", 5, "ru"},
    {"июня", 6, "ru"},
    {"июля", 7, "ru"},
    {"августа", 8, "ru"},
    {"сентября", 9, "ru"},
    {"октября", 10, "ru"},
    {"ноября", 11, "ru"},
    {"декабря", 12, "ru"},
    {"янв", 1, "ru"},
    {"фев", 2, "ru"},
    {"февр", 2, "ru"},
    {"мар", 3, "ru"},
    {"апр", 4, "ru"},
    {"июн", 6, "ru"},
    {"июл", 7, "ru"},
    {"авг", 8, "ru"},
    {"сен", 9, "ru"},
    {"сент", 9, "ru"},
    {"окт", 10, "ru"},
    {"ноя", 11, "ru"},
    {"нояб", 11, "ru"},
    {"дек", 12, "ru"},
    /* German */
    {"januar", 1, "de"},
    {"jänner", 1, "de"},
    {"februar", 2, "de"},
    {"feber", 2, "de"},
    {"märz", 3, "de"},
    {"maerz", 3, "de"},
    {"april", 4, "de"},
    {"mai", 5, "de"},
    {"juni", 6, "de"},
    {"juli", 7, "de"},
    {"august", 8, "de"},
    {"september", 9, "de"},
    {"oktober", 10, "de"},
    {"november", 11, "de"},
    {"dezember", 12, "de"},
    {"mrz", 3, "de"},
    {"dez", 12, "de"},
    /* French */
    {"janvier", 1, "fr"},
    {"février", 2, "fr"},
    {"mars", 3, "fr"},
    {"avril", 4, "fr"},
    {"mai", 5, "fr"},
    {"juin", 6, "fr"},
    {"juillet", 7, "fr"},
    {"août", 8, "fr"},
    {"septembre", 9, "fr"},
    {"octobre", 10, "fr"},
    {"novembre", 11, "fr"},
    {"décembre", 12, "fr"},
    {"janv", 1, "fr"},
    {"févr", 2, "fr"},
    {"fév", 2, "fr"},
    {"avr", 4, "fr"},
    {"juil", 7, "fr"},
    /* Spanish */
    {"enero", 1, "es"},
    {"febrero", 2, "es"},
    {"marzo", 3, "es"},
    {"abril", 4, "es"},
    {"mayo", 5, "es"},
    {"junio", 6, "es"},
    {"julio", 7, "es"},
    {"agosto", 8, "es"},
    {"septiembre", 9, "es"},
    {"setiembre", 9, "es"},
    {"octubre", 10, "es"},
    {"noviembre", 11, "es"},
    {"diciembre", 12, "es"},
    {"ene", 1, "es"},
    {"abr", 4, "es"},
    {"ago", 8, "es"},
    {"dic", 12, "es"},
    /* Italian */
    {"gennaio", 1, "it"},
    {"febbraio", 2, "it"},
    {"marzo", 3, "it"},
    {"aprile", 4, "it"},
    {"maggio", 5, "it"},
    {"giugno", 6, "it"},
    {"luglio", 7, "it"},
    {"agosto", 8, "it"},
    {"settembre", 9, "it"},
    {"ottobre", 10, "it"},
    {"novembre", 11, "it"},
    {"dicembre", 12, "it"},
    {"gen", 1, "it"},
    {"mag", 5, "it"},
    {"giu", 6, "it"},
    {"lug", 7, "it"},
    {"set", 9, "it"},
    {"ott", 10, "it"},
    /* Polish: nominative, genitive */
    {"styczeń", 1, "pl"},
    {"luty", 2, "pl"},
    {"marzec", 3, "pl"},
    {"kwiecień", 4, "pl"},
    {"czerwiec", 6, "pl"},
    {"lipiec", 7, "pl"},
    {"sierpień", 8, "pl"},
    {"wrzesień", 9, "pl"},
    {"październik", 10, "pl"},
    {"listopad", 11, "pl"},
    {"grudzień", 12, "pl"},
    {"stycznia", 1, "pl"},
    {"lutego", 2, "pl"},
    {"kwietnia", 4, "pl"},
    {"czerwca", 6, "pl"},
    {"lipca", 7, "pl"},
    {"sierpnia", 8, "pl"},
    {"września", 9, "pl"},
    {"października", 10, "pl"},
    {"listopada", 11, "pl"},
    {"grudnia", 12, "pl"},
};

static const dt_row weekday_rows[] = {
    {"monday", 1, "en"},     {"tuesday", 2, "en"},    {"wednesday", 3, "en"},
    {"thursday", 4, "en"},   {"friday", 5, "en"},     {"saturday", 6, "en"},
    {"sunday", 7, "en"},     {"mon", 1, "en"},        {"tue", 2, "en"},
    {"tues", 2, "en"},       {"wed", 3, "en"},        {"thu", 4, "en"},
    {"thur", 4, "en"},       {"thurs", 4, "en"},      {"fri", 5, "en"},
    {"sat", 6, "en"},        {"sun", 7, "en"},        {"pazartesi", 1, "tr"},
    {"salı", 2, "tr"},       {"çarşamba", 3, "tr"},   {"perşembe", 4, "tr"},
    {"cuma", 5, "tr"},       {"cumartesi", 6, "tr"},  {"pazar", 7, "tr"},
    {"δευτέρα", 1, "el"},    {"τρίτη", 2, "el"},      {"τετάρτη", 3, "el"},
    {"πέμπτη", 4, "el"},     {"παρασκευή", 5, "el"},  {"σάββατο", 6, "el"},
    {"κυριακή", 7, "el"},    {"ponedeljek", 1, "sl"}, {"torek", 2, "sl"},
    {"sreda", 3, "sl"},      {"četrtek", 4, "sl"},    {"petek", 5, "sl"},
    {"sobota", 6, "sl"},     {"nedelja", 7, "sl"},    {"понедельник", 1, "ru"},
    {"вторник", 2, "ru"},    {"среда", 3, "ru"},      {"четверг", 4, "ru"},
    {"пятница", 5, "ru"},    {"суббота", 6, "ru"},    {"воскресенье", 7, "ru"},
    {"montag", 1, "de"},     {"dienstag", 2, "de"},   {"mittwoch", 3, "de"},
    {"donnerstag", 4, "de"}, {"freitag", 5, "de"},    {"samstag", 6, "de"},
    {"sonnabend", 6, "de"},  {"sonntag", 7, "de"},    {"lundi", 1, "fr"},
    {"mardi", 2, "fr"},      {"mercredi", 3, "fr"},   {"jeudi", 4, "fr"},
    {"vendredi", 5, "fr"},   {"samedi", 6, "fr"},     {"dimanche", 7, "fr"},
    {"lunes", 1, "es"},      {"martes", 2, "es"},     {"miércoles", 3, "es"},
    {"jueves", 4, "es"},     {"viernes", 5, "es"},    {"sábado", 6, "es"},
    {"domingo", 7, "es"},    {"lunedì", 1, "it"},     {"martedì", 2, "it"},
    {"mercoledì", 3, "it"},  {"giovedì", 4, "it"},    {"venerdì", 5, "it"},
    {"sabato", 6, "it"},     {"domenica", 7, "it"},   {"poniedziałek", 1, "pl"},
    {"wtorek", 2, "pl"},     {"środa", 3, "pl"},      {"czwartek", 4, "pl"},
    {"piątek", 5, "pl"},     {"niedziela", 7, "pl"},
};

/* Named zones with one unambiguous meaning (CST, IST and AST are deliberately absent: they
 * name several zones, so they are reported as unknown). Offsets in minutes east of UTC. */
static const struct {
    const char *name;
    int offset_min;
} zone_rows[] = {
    {"UTC", 0},    {"GMT", 0},    {"UT", 0},     {"Z", 0},      {"WET", 0},     {"WEST", 60},
    {"BST", 60},   {"CET", 60},   {"MEZ", 60},   {"CEST", 120}, {"MESZ", 120},  {"EET", 120},
    {"EEST", 180}, {"MSK", 180},  {"TRT", 180},  {"EST", -300}, {"EDT", -240},  {"CDT", -300},
    {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}, {"AKST", -540}, {"AKDT", -480},
    {"HST", -600}, {"JST", 540},  {"KST", 540},  {"HKT", 480},  {"SGT", 480},   {"AEST", 600},
    {"AEDT", 660}, {"NZST", 720}, {"NZDT", 780},
};

static const dt_row marker_rows[] = {
    /* neutral labels */
    {"date", DT_ROLE_NONE, "en"},
    {"datum", DT_ROLE_NONE, "de"},
    {"tarih", DT_ROLE_NONE, "tr"},
    {"fecha", DT_ROLE_NONE, "es"},
    {"data", DT_ROLE_NONE, "it"},
    {"дата", DT_ROLE_NONE, "ru"},
    {"ημερομηνία", DT_ROLE_NONE, "el"},
    /* publication */
    {"published", DT_ROLE_PUBLISHED, "en"},
    {"first published", DT_ROLE_PUBLISHED, "en"},
    {"publication date", DT_ROLE_PUBLISHED, "en"},
    {"publish date", DT_ROLE_PUBLISHED, "en"},
    {"posted", DT_ROLE_PUBLISHED, "en"},
    {"yayınlanma", DT_ROLE_PUBLISHED, "tr"},
    {"yayınlanma tarihi", DT_ROLE_PUBLISHED, "tr"},
    {"yayın tarihi", DT_ROLE_PUBLISHED, "tr"},
    {"yayınlandı", DT_ROLE_PUBLISHED, "tr"},
    {"yayımlanma", DT_ROLE_PUBLISHED, "tr"},
    {"eklenme tarihi", DT_ROLE_PUBLISHED, "tr"},
    {"objavljeno", DT_ROLE_PUBLISHED, "sl"},
    {"objava", DT_ROLE_PUBLISHED, "sl"},
    {"опубликовано", DT_ROLE_PUBLISHED, "ru"},
    {"дата публикации", DT_ROLE_PUBLISHED, "ru"},
    {"δημοσίευση", DT_ROLE_PUBLISHED, "el"},
    {"δημοσιεύθηκε", DT_ROLE_PUBLISHED, "el"},
    {"δημοσιεύτηκε", DT_ROLE_PUBLISHED, "el"},
    {"veröffentlicht", DT_ROLE_PUBLISHED, "de"},
    {"erschienen", DT_ROLE_PUBLISHED, "de"},
    {"publié", DT_ROLE_PUBLISHED, "fr"},
    {"publiée", DT_ROLE_PUBLISHED, "fr"},
    {"publicado", DT_ROLE_PUBLISHED, "es"},
    {"publicada", DT_ROLE_PUBLISHED, "es"},
    {"fecha de publicación", DT_ROLE_PUBLISHED, "es"},
    {"pubblicato", DT_ROLE_PUBLISHED, "it"},
    {"pubblicata", DT_ROLE_PUBLISHED, "it"},
    {"opublikowano", DT_ROLE_PUBLISHED, "pl"},
    {"data publikacji", DT_ROLE_PUBLISHED, "pl"},
    /* update */
    {"updated", DT_ROLE_UPDATED, "en"},
    {"update", DT_ROLE_UPDATED, "en"},
    {"last updated", DT_ROLE_UPDATED, "en"},
    {"last update", DT_ROLE_UPDATED, "en"},
    {"last modified", DT_ROLE_UPDATED, "en"},
    {"modified", DT_ROLE_UPDATED, "en"},
    {"güncellendi", DT_ROLE_UPDATED, "tr"},
    {"güncelleme", DT_ROLE_UPDATED, "tr"},
    {"son güncelleme", DT_ROLE_UPDATED, "tr"},
    {"güncelleme tarihi", DT_ROLE_UPDATED, "tr"},
    {"обновлено", DT_ROLE_UPDATED, "ru"},
    {"обновлен", DT_ROLE_UPDATED, "ru"},
    {"последнее обновление", DT_ROLE_UPDATED, "ru"},
    {"ενημερώθηκε", DT_ROLE_UPDATED, "el"},
    {"ενημέρωση", DT_ROLE_UPDATED, "el"},
    {"τελευταία ενημέρωση", DT_ROLE_UPDATED, "el"},
    {"posodobljeno", DT_ROLE_UPDATED, "sl"},
    {"ažurirano", DT_ROLE_UPDATED, "hr"},
    {"aktualisiert", DT_ROLE_UPDATED, "de"},
    {"zuletzt aktualisiert", DT_ROLE_UPDATED, "de"},
    {"mis à jour", DT_ROLE_UPDATED, "fr"},
    {"mise à jour", DT_ROLE_UPDATED, "fr"},
    {"actualizado", DT_ROLE_UPDATED, "es"},
    {"actualizada", DT_ROLE_UPDATED, "es"},
    {"actualización", DT_ROLE_UPDATED, "es"},
    {"aggiornato", DT_ROLE_UPDATED, "it"},
    {"aggiornata", DT_ROLE_UPDATED, "it"},
    {"aggiornamento", DT_ROLE_UPDATED, "it"},
    {"zaktualizowano", DT_ROLE_UPDATED, "pl"},
    {"aktualizacja", DT_ROLE_UPDATED, "pl"},
};

static const dt_row connector_rows[] = {
    {"at", 0, "en"},  {"on", 0, "en"},   {"um", 0, "de"},       {"am", 0, "de"},
    {"à", 0, "fr"},   {"le", 0, "fr"},   {"a las", 0, "es"},    {"a la", 0, "es"},
    {"el", 0, "es"},  {"alle", 0, "it"}, {"alle ore", 0, "it"}, {"ore", 0, "it"},
    {"il", 0, "it"},  {"saat", 0, "tr"}, {"в", 0, "ru"},        {"στις", 0, "el"},
    {"ob", 0, "sl"},  {"dne", 0, "sl"},  {"o", 0, "pl"},        {"dnia", 0, "pl"},
    {"kl.", 0, "no"}, {"u", 0, "hr"},
};

static const dt_row year_suffix_rows[] = {
    {"г.", 0, "ru"}, {"г", 0, "ru"}, {"года", 0, "ru"}, {"r.", 0, "pl"}, {"yılı", 0, "tr"},
};

static const dt_row meridiem_rows[] = {
    {"am", 1, "en"},
    {"a.m.", 1, "en"},
    {"pm", 2, "en"},
    {"p.m.", 2, "en"},
};

static const dt_row time_suffix_rows[] = {
    {"uhr", 0, "de"},
    {"h", 0, "fr"},
    {"ч.", 0, "ru"},
    {"ч", 0, "ru"},
};

static const dt_row particle_rows[] = {
    {"de", 0, "es"},
    {"del", 0, "es"},
    {"of", 0, "en"},
};

/* One row of an index: the first two folded code points of a row's text (the second is 0 for
 * a one-letter row, ' ' for any space) and the row's position. */
typedef struct dt_index_entry {
    uint64_t key;
    uint32_t row;
} dt_index_entry;

typedef struct dt_index {
    const dt_row *rows;
    dt_index_entry *entries; /* sorted by (key, row) */
    size_t n;
    uint64_t first_mask; /* bit (first letter % 64) set for every row: a cheap early "no" */
} dt_index;

struct dt_tables {
    dt_index month, weekday, marker, connector, year_suffix, meridiem, time_suffix, particle;
};

static uint64_t make_key(uint32_t first, uint32_t second)
{
    return ((uint64_t)first << 32) | second;
}

/* Next folded code point of [*p, end), skipping combining marks, any space as ' '; 0 at end. */
static uint32_t key_cp(const char **p, const char *end)
{
    while (*p < end) {
        uint32_t cp = dt_utf8_next(p, end);
        if (dt_is_space(cp))
            return ' ';
        uint32_t f = dt_fold(cp);
        if (f)
            return f;
    }
    return 0;
}

static uint64_t row_key(const char *text)
{
    /* valid NUL-terminated UTF-8: bounding each step by 4 bytes never passes the NUL */
    uint32_t first = 0, second = 0;
    while (*text && !first)
        first = key_cp(&text, text + 4);
    while (*text && !second)
        second = key_cp(&text, text + 4);
    return make_key(first, second);
}

static int entry_order(const void *a, const void *b)
{
    const dt_index_entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->row < y->row ? -1 : (x->row > y->row);
}

static int index_build(dt_index *ix, const dt_row *rows, size_t n)
{
    ix->rows = rows;
    ix->n = n;
    ix->entries = malloc(n * sizeof *ix->entries);
    if (!ix->entries)
        return -1;
    ix->first_mask = 0;
    for (size_t i = 0; i < n; i++) {
        ix->entries[i].key = row_key(rows[i].text);
        ix->entries[i].row = (uint32_t)i;
        ix->first_mask |= (uint64_t)1 << ((ix->entries[i].key >> 32) % 64);
    }
    qsort(ix->entries, n, sizeof *ix->entries, entry_order);
    return 0;
}

/* Longest whole-word row at p; its value in *value. Rows are found by their first two folded
 * letters: one binary search to the first letter's range, then only rows whose second letter
 * matches (or that have a single letter) are compared in full. */
static size_t index_match(const dt_index *ix, const char *p, const char *end, int *value)
{
    const char *q = p;
    uint32_t first = key_cp(&q, end);
    if (!first || (first >= '0' && first <= '9') || !dt_is_word(first) ||
        !(ix->first_mask & ((uint64_t)1 << (first % 64))))
        return 0;
    uint32_t second = key_cp(&q, end);
    uint64_t lo_key = make_key(first, 0);
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->entries[mid].key < lo_key)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t best = 0;
    for (size_t i = lo; i < ix->n && (ix->entries[i].key >> 32) == first; i++) {
        uint32_t row_second = (uint32_t)ix->entries[i].key;
        if (row_second != 0 && row_second != second)
            continue;
        const dt_row *row = &ix->rows[ix->entries[i].row];
        size_t len = dt_match_folded(p, end, row->text, true);
        if (len > best) {
            best = len;
            if (value)
                *value = row->value;
        }
    }
    return best;
}

dt_tables *dt_tables_new(void)
{
    dt_tables *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (index_build(&t->month, month_rows, COUNT(month_rows)) ||
        index_build(&t->weekday, weekday_rows, COUNT(weekday_rows)) ||
        index_build(&t->marker, marker_rows, COUNT(marker_rows)) ||
        index_build(&t->connector, connector_rows, COUNT(connector_rows)) ||
        index_build(&t->year_suffix, year_suffix_rows, COUNT(year_suffix_rows)) ||
        index_build(&t->meridiem, meridiem_rows, COUNT(meridiem_rows)) ||
        index_build(&t->time_suffix, time_suffix_rows, COUNT(time_suffix_rows)) ||
        index_build(&t->particle, particle_rows, COUNT(particle_rows))) {
        dt_tables_free(t);
        return NULL;
    }
    return t;
}

void dt_tables_free(dt_tables *t)
{
    if (!t)
        return;
    free(t->month.entries);
    free(t->weekday.entries);
    free(t->marker.entries);
    free(t->connector.entries);
    free(t->year_suffix.entries);
    free(t->meridiem.entries);
    free(t->time_suffix.entries);
    free(t->particle.entries);
    free(t);
}

int dt_match_month(const dt_tables *t, const char *p, const char *end, size_t *len_out)
{
    int month = 0;
    size_t len = index_match(&t->month, p, end, &month);
    if (!len)
        return 0;
    *len_out = len;
    return month;
}

bool dt_match_weekday(const dt_tables *t, const char *p, const char *end, size_t *len_out)
{
    size_t len = index_match(&t->weekday, p, end, NULL);
    *len_out = len;
    return len > 0;
}

bool dt_match_zone_name(const char *p, const char *end, size_t *len_out, int *offset_min)
{
    size_t best = 0;
    for (size_t i = 0; i < COUNT(zone_rows); i++) {
        if (p >= end || *p != zone_rows[i].name[0])
            continue;
        size_t n = strlen(zone_rows[i].name);
        if ((size_t)(end - p) < n || memcmp(p, zone_rows[i].name, n) != 0 || n <= best)
            continue;
        if (p + n < end && dt_is_word(dt_utf8_peek(p + n, end)))
            continue;
        best = n;
        *offset_min = zone_rows[i].offset_min;
    }
    *len_out = best;
    return best > 0;
}

bool dt_match_marker(const dt_tables *t, const char *p, const char *end, size_t *len_out,
                     dt_role *role)
{
    int value = 0;
    size_t len = index_match(&t->marker, p, end, &value);
    *len_out = len;
    if (len)
        *role = (dt_role)value;
    return len > 0;
}

size_t dt_match_connector(const dt_tables *t, const char *p, const char *end)
{
    return index_match(&t->connector, p, end, NULL);
}

size_t dt_match_year_suffix(const dt_tables *t, const char *p, const char *end)
{
    return index_match(&t->year_suffix, p, end, NULL);
}

int dt_match_meridiem(const dt_tables *t, const char *p, const char *end, size_t *len_out)
{
    int value = 0;
    *len_out = index_match(&t->meridiem, p, end, &value);
    return *len_out ? value : 0;
}

size_t dt_match_time_suffix(const dt_tables *t, const char *p, const char *end)
{
    return index_match(&t->time_suffix, p, end, NULL);
}

size_t dt_match_date_particle(const dt_tables *t, const char *p, const char *end)
{
    return index_match(&t->particle, p, end, NULL);
}
