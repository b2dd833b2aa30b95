/*
 * dt_tables - language tables of the datetime plugin and their lookups (see dt_tables.h).
 *
 * Month and weekday names come from the generated dt_cldr.c (CLDR + inflected forms); the
 * other tables (zones, markers, connectors, relative words) are written here in natural
 * spelling. dt_text folds case and diacritics on both sides, so "Eylül" also matches "EYLÜL"
 * and "Eylul", and "Σεπτεμβρίου" matches "ΣΕΠΤΕΜΒΡΙΟΥ". A spelling with readings in several
 * languages (Croatian "listopad" = October, Polish "listopad" = November) has one row per
 * reading; the article's language, when known, picks its reading, else the first row wins.
 */
#include "dt_tables.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt_cldr.h"
#include "dt_text.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Named zones with one unambiguous meaning (CST, IST and AST are deliberately absent: they
 * name several zones, so they are reported as unknown). Offsets in minutes east of UTC. */
static const struct {
    const char *name;
    int offset_min;
} zone_rows[] = {
    {"UTC", 0},    {"GMT", 0},    {"UT", 0},     {"Z", 0},       {"WET", 0},     {"WEST", 60},
    {"BST", 60},   {"CET", 60},   {"MEZ", 60},   {"CEST", 120},  {"MESZ", 120},  {"EET", 120},
    {"EEST", 180}, {"MSK", 180},  {"TRT", 180},  {"EST", -300},  {"EDT", -240},  {"CDT", -300},
    {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420},  {"AKST", -540}, {"AKDT", -480},
    {"HST", -600}, {"JST", 540},  {"KST", 540},  {"HKT", 480},   {"SGT", 480},   {"AEST", 600},
    {"AEDT", 660}, {"NZST", 720}, {"NZDT", 780}, {"OEZ", 120},   {"OESZ", 180},  {"WEZ", 0},
    {"WESZ", 60},  {"EAT", 180},  {"WAT", 60},   {"CAT", 120},   {"SAST", 120},  {"IRST", 210},
    {"PKT", 300},  {"ICT", 420},  {"WIB", 420},  {"WITA", 480},  {"WIT", 540},   {"PHT", 480},
    {"AWST", 480}, {"ACST", 570}, {"ACDT", 630}, {"BRT", -180},  {"ART", -180},  {"IDT", 180},
    {"GST", 240},  {"AZT", 240},  {"GET", 240},  {"MYT", 480},   {"NPT", 345},   {"ALMT", 300},
    {"KGT", 360},  {"UZT", 300},  {"МСК", 180},  {"MSK+1", 240},
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
    {"stand", DT_ROLE_NONE, "de"},
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
    /* neutral labels, more languages */
    {"data", DT_ROLE_NONE, "pt"},
    {"datum", DT_ROLE_NONE, "nl"},
    {"datum", DT_ROLE_NONE, "sv"},
    {"dato", DT_ROLE_NONE, "da"},
    {"dato", DT_ROLE_NONE, "nb"},
    {"päivämäärä", DT_ROLE_NONE, "fi"},
    {"datum", DT_ROLE_NONE, "cs"},
    {"dátum", DT_ROLE_NONE, "sk"},
    {"dátum", DT_ROLE_NONE, "hu"},
    {"data", DT_ROLE_NONE, "ro"},
    {"дата", DT_ROLE_NONE, "bg"},
    {"datum", DT_ROLE_NONE, "hr"},
    {"datum", DT_ROLE_NONE, "sr"},
    {"дата", DT_ROLE_NONE, "uk"},
    {"data", DT_ROLE_NONE, "lt"},
    {"datums", DT_ROLE_NONE, "lv"},
    {"kuupäev", DT_ROLE_NONE, "et"},
    {"data", DT_ROLE_NONE, "ca"},
    {"tanggal", DT_ROLE_NONE, "id"},
    {"tarikh", DT_ROLE_NONE, "ms"},
    {"data", DT_ROLE_NONE, "sq"},
    {"תאריך", DT_ROLE_NONE, "he"},
    {"التاريخ", DT_ROLE_NONE, "ar"},
    {"تاریخ", DT_ROLE_NONE, "fa"},
    {"दिनांक", DT_ROLE_NONE, "hi"},
    {"haber tarihi", DT_ROLE_NONE, "tr"},
    /* publication, more languages */
    {"published on", DT_ROLE_PUBLISHED, "en"},
    {"posted on", DT_ROLE_PUBLISHED, "en"},
    {"first published on", DT_ROLE_PUBLISHED, "en"},
    {"veröffentlicht am", DT_ROLE_PUBLISHED, "de"},
    {"erstellt", DT_ROLE_PUBLISHED, "de"},
    {"erstellt am", DT_ROLE_PUBLISHED, "de"},
    {"publié le", DT_ROLE_PUBLISHED, "fr"},
    {"publiée le", DT_ROLE_PUBLISHED, "fr"},
    {"mis en ligne le", DT_ROLE_PUBLISHED, "fr"},
    {"mis en ligne", DT_ROLE_PUBLISHED, "fr"},
    {"publicado el", DT_ROLE_PUBLISHED, "es"},
    {"publicado em", DT_ROLE_PUBLISHED, "pt"},
    {"publicado", DT_ROLE_PUBLISHED, "pt"},
    {"publicada em", DT_ROLE_PUBLISHED, "pt"},
    {"publicação", DT_ROLE_PUBLISHED, "pt"},
    {"pubblicato il", DT_ROLE_PUBLISHED, "it"},
    {"gepubliceerd", DT_ROLE_PUBLISHED, "nl"},
    {"gepubliceerd op", DT_ROLE_PUBLISHED, "nl"},
    {"publicerad", DT_ROLE_PUBLISHED, "sv"},
    {"publicerat", DT_ROLE_PUBLISHED, "sv"},
    {"publiceret", DT_ROLE_PUBLISHED, "da"},
    {"publisert", DT_ROLE_PUBLISHED, "nb"},
    {"publisert", DT_ROLE_PUBLISHED, "nn"},
    {"julkaistu", DT_ROLE_PUBLISHED, "fi"},
    {"avaldatud", DT_ROLE_PUBLISHED, "et"},
    {"publicēts", DT_ROLE_PUBLISHED, "lv"},
    {"publikuota", DT_ROLE_PUBLISHED, "lt"},
    {"publikováno", DT_ROLE_PUBLISHED, "cs"},
    {"zveřejněno", DT_ROLE_PUBLISHED, "cs"},
    {"publikované", DT_ROLE_PUBLISHED, "sk"},
    {"zverejnené", DT_ROLE_PUBLISHED, "sk"},
    {"publikálva", DT_ROLE_PUBLISHED, "hu"},
    {"megjelent", DT_ROLE_PUBLISHED, "hu"},
    {"publicat", DT_ROLE_PUBLISHED, "ro"},
    {"data publicării", DT_ROLE_PUBLISHED, "ro"},
    {"публикувано", DT_ROLE_PUBLISHED, "bg"},
    {"публикуван", DT_ROLE_PUBLISHED, "bg"},
    {"objavljeno", DT_ROLE_PUBLISHED, "hr"},
    {"objavljeno", DT_ROLE_PUBLISHED, "sr"},
    {"објављено", DT_ROLE_PUBLISHED, "sr"},
    {"objavljeno", DT_ROLE_PUBLISHED, "bs"},
    {"објавено", DT_ROLE_PUBLISHED, "mk"},
    {"опубліковано", DT_ROLE_PUBLISHED, "uk"},
    {"дата публікації", DT_ROLE_PUBLISHED, "uk"},
    {"апублікавана", DT_ROLE_PUBLISHED, "be"},
    {"publikuar", DT_ROLE_PUBLISHED, "sq"},
    {"publikuar më", DT_ROLE_PUBLISHED, "sq"},
    {"publicat", DT_ROLE_PUBLISHED, "ca"},
    {"publicado", DT_ROLE_PUBLISHED, "gl"},
    {"argitaratua", DT_ROLE_PUBLISHED, "eu"},
    {"birt", DT_ROLE_PUBLISHED, "is"},
    {"diterbitkan", DT_ROLE_PUBLISHED, "id"},
    {"dipublikasikan", DT_ROLE_PUBLISHED, "id"},
    {"diterbitkan", DT_ROLE_PUBLISHED, "ms"},
    {"imechapishwa", DT_ROLE_PUBLISHED, "sw"},
    {"dərc olunub", DT_ROLE_PUBLISHED, "az"},
    {"yayımlanıb", DT_ROLE_PUBLISHED, "az"},
    {"жарияланды", DT_ROLE_PUBLISHED, "kk"},
    {"გამოქვეყნდა", DT_ROLE_PUBLISHED, "ka"},
    {"հրապարակվել է", DT_ROLE_PUBLISHED, "hy"},
    {"פורסם", DT_ROLE_PUBLISHED, "he"},
    {"نشر في", DT_ROLE_PUBLISHED, "ar"},
    {"نُشر في", DT_ROLE_PUBLISHED, "ar"},
    {"نشر", DT_ROLE_PUBLISHED, "ar"},
    {"منتشر شده", DT_ROLE_PUBLISHED, "fa"},
    {"انتشار", DT_ROLE_PUBLISHED, "fa"},
    {"प्रकाशित", DT_ROLE_PUBLISHED, "hi"},
    {"प्रकाशित तिथि", DT_ROLE_PUBLISHED, "hi"},
    {"প্রকাশিত", DT_ROLE_PUBLISHED, "bn"},
    {"প্রকাশ", DT_ROLE_PUBLISHED, "bn"},
    {"شائع", DT_ROLE_PUBLISHED, "ur"},
    {"đăng lúc", DT_ROLE_PUBLISHED, "vi"},
    {"ngày đăng", DT_ROLE_PUBLISHED, "vi"},
    {"xuất bản", DT_ROLE_PUBLISHED, "vi"},
    {"เผยแพร่", DT_ROLE_PUBLISHED, "th"},
    {"发布时间", DT_ROLE_PUBLISHED, "zh"},
    {"發布時間", DT_ROLE_PUBLISHED, "zh"},
    {"发布于", DT_ROLE_PUBLISHED, "zh"},
    {"发表于", DT_ROLE_PUBLISHED, "zh"},
    {"公開日", DT_ROLE_PUBLISHED, "ja"},
    {"配信", DT_ROLE_PUBLISHED, "ja"},
    {"掲載日", DT_ROLE_PUBLISHED, "ja"},
    {"입력", DT_ROLE_PUBLISHED, "ko"},
    {"등록", DT_ROLE_PUBLISHED, "ko"},
    {"기사입력", DT_ROLE_PUBLISHED, "ko"},
    {"opublikowano", DT_ROLE_PUBLISHED, "pl"},
    {"ippubblikat", DT_ROLE_PUBLISHED, "mt"},
    {"foilsithe", DT_ROLE_PUBLISHED, "ga"},
    {"cyhoeddwyd", DT_ROLE_PUBLISHED, "cy"},
    {"giriş", DT_ROLE_PUBLISHED, "tr"},
    {"oluşturulma tarihi", DT_ROLE_PUBLISHED, "tr"},
    {"опубликовано в", DT_ROLE_PUBLISHED, "ru"},
    {"размещено", DT_ROLE_PUBLISHED, "ru"},
    {"publizéiert", DT_ROLE_PUBLISHED, "lb"},
    /* update, more languages */
    {"updated on", DT_ROLE_UPDATED, "en"},
    {"updated at", DT_ROLE_UPDATED, "en"},
    {"last updated on", DT_ROLE_UPDATED, "en"},
    {"aktualisiert am", DT_ROLE_UPDATED, "de"},
    {"zuletzt aktualisiert am", DT_ROLE_UPDATED, "de"},
    {"geändert", DT_ROLE_UPDATED, "de"},
    {"update", DT_ROLE_UPDATED, "de"},
    {"mis à jour le", DT_ROLE_UPDATED, "fr"},
    {"modifié le", DT_ROLE_UPDATED, "fr"},
    {"actualisé le", DT_ROLE_UPDATED, "fr"},
    {"actualisé", DT_ROLE_UPDATED, "fr"},
    {"actualizado el", DT_ROLE_UPDATED, "es"},
    {"actualizado a las", DT_ROLE_UPDATED, "es"},
    {"act.", DT_ROLE_UPDATED, "es"},
    {"atualizado", DT_ROLE_UPDATED, "pt"},
    {"atualizado em", DT_ROLE_UPDATED, "pt"},
    {"atualizada em", DT_ROLE_UPDATED, "pt"},
    {"actualizado", DT_ROLE_UPDATED, "pt"},
    {"atualização", DT_ROLE_UPDATED, "pt"},
    {"aggiornato il", DT_ROLE_UPDATED, "it"},
    {"ultimo aggiornamento", DT_ROLE_UPDATED, "it"},
    {"bijgewerkt", DT_ROLE_UPDATED, "nl"},
    {"bijgewerkt op", DT_ROLE_UPDATED, "nl"},
    {"laatste update", DT_ROLE_UPDATED, "nl"},
    {"uppdaterad", DT_ROLE_UPDATED, "sv"},
    {"uppdaterat", DT_ROLE_UPDATED, "sv"},
    {"senast uppdaterad", DT_ROLE_UPDATED, "sv"},
    {"opdateret", DT_ROLE_UPDATED, "da"},
    {"oppdatert", DT_ROLE_UPDATED, "nb"},
    {"oppdatert", DT_ROLE_UPDATED, "nn"},
    {"päivitetty", DT_ROLE_UPDATED, "fi"},
    {"uuendatud", DT_ROLE_UPDATED, "et"},
    {"atjaunots", DT_ROLE_UPDATED, "lv"},
    {"atnaujinta", DT_ROLE_UPDATED, "lt"},
    {"aktualizováno", DT_ROLE_UPDATED, "cs"},
    {"aktualizace", DT_ROLE_UPDATED, "cs"},
    {"aktualizované", DT_ROLE_UPDATED, "sk"},
    {"frissítve", DT_ROLE_UPDATED, "hu"},
    {"frissítés", DT_ROLE_UPDATED, "hu"},
    {"actualizat", DT_ROLE_UPDATED, "ro"},
    {"actualizare", DT_ROLE_UPDATED, "ro"},
    {"обновено", DT_ROLE_UPDATED, "bg"},
    {"актуализирано", DT_ROLE_UPDATED, "bg"},
    {"ažurirano", DT_ROLE_UPDATED, "hr"},
    {"ažurirano", DT_ROLE_UPDATED, "sr"},
    {"ажурирано", DT_ROLE_UPDATED, "sr"},
    {"ažurirano", DT_ROLE_UPDATED, "bs"},
    {"ажурирано", DT_ROLE_UPDATED, "mk"},
    {"оновлено", DT_ROLE_UPDATED, "uk"},
    {"абноўлена", DT_ROLE_UPDATED, "be"},
    {"përditësuar", DT_ROLE_UPDATED, "sq"},
    {"përditësimi", DT_ROLE_UPDATED, "sq"},
    {"actualitzat", DT_ROLE_UPDATED, "ca"},
    {"actualizado", DT_ROLE_UPDATED, "gl"},
    {"eguneratua", DT_ROLE_UPDATED, "eu"},
    {"uppfært", DT_ROLE_UPDATED, "is"},
    {"diperbarui", DT_ROLE_UPDATED, "id"},
    {"dikemas kini", DT_ROLE_UPDATED, "ms"},
    {"imesasishwa", DT_ROLE_UPDATED, "sw"},
    {"yeniləndi", DT_ROLE_UPDATED, "az"},
    {"жаңартылды", DT_ROLE_UPDATED, "kk"},
    {"განახლდა", DT_ROLE_UPDATED, "ka"},
    {"թարմացվել է", DT_ROLE_UPDATED, "hy"},
    {"עודכן", DT_ROLE_UPDATED, "he"},
    {"تحديث", DT_ROLE_UPDATED, "ar"},
    {"آخر تحديث", DT_ROLE_UPDATED, "ar"},
    {"تم التحديث", DT_ROLE_UPDATED, "ar"},
    {"به‌روزرسانی", DT_ROLE_UPDATED, "fa"},
    {"अपडेट", DT_ROLE_UPDATED, "hi"},
    {"अपडेटेड", DT_ROLE_UPDATED, "hi"},
    {"আপডেট", DT_ROLE_UPDATED, "bn"},
    {"اپ ڈیٹ", DT_ROLE_UPDATED, "ur"},
    {"cập nhật", DT_ROLE_UPDATED, "vi"},
    {"อัปเดต", DT_ROLE_UPDATED, "th"},
    {"更新时间", DT_ROLE_UPDATED, "zh"},
    {"更新時間", DT_ROLE_UPDATED, "zh"},
    {"更新于", DT_ROLE_UPDATED, "zh"},
    {"更新日", DT_ROLE_UPDATED, "ja"},
    {"更新", DT_ROLE_UPDATED, "ja"},
    {"수정", DT_ROLE_UPDATED, "ko"},
    {"최종수정", DT_ROLE_UPDATED, "ko"},
    {"aktualizacja", DT_ROLE_UPDATED, "pl"},
    {"zaktualizowano", DT_ROLE_UPDATED, "pl"},
    {"aġġornat", DT_ROLE_UPDATED, "mt"},
    {"nuashonraithe", DT_ROLE_UPDATED, "ga"},
    {"diweddarwyd", DT_ROLE_UPDATED, "cy"},
    {"изменено", DT_ROLE_UPDATED, "ru"},
    {"обновлено в", DT_ROLE_UPDATED, "ru"},
    {"τελευταία τροποποίηση", DT_ROLE_UPDATED, "el"},
    {"ανανεώθηκε", DT_ROLE_UPDATED, "el"},
    {"son güncellenme", DT_ROLE_UPDATED, "tr"},
    {"aktualiséiert", DT_ROLE_UPDATED, "lb"},
};

static const dt_row connector_rows[] = {
    {"at", 0, "en"},   {"on", 0, "en"},   {"um", 0, "de"},       {"am", 0, "de"},
    {"à", 0, "fr"},    {"le", 0, "fr"},   {"a las", 0, "es"},    {"a la", 0, "es"},
    {"el", 0, "es"},   {"alle", 0, "it"}, {"alle ore", 0, "it"}, {"ore", 0, "it"},
    {"il", 0, "it"},   {"saat", 0, "tr"}, {"в", 0, "ru"},        {"στις", 0, "el"},
    {"ob", 0, "sl"},   {"dne", 0, "sl"},  {"o", 0, "pl"},        {"dnia", 0, "pl"},
    {"kl.", 0, "no"},  {"u", 0, "hr"},    {"klo", 0, "fi"},      {"kell", 0, "et"},
    {"kl", 0, "da"},   {"om", 0, "nl"},   {"op", 0, "nl"},       {"às", 0, "pt"},
    {"em", 0, "pt"},   {"ás", 0, "gl"},   {"a les", 0, "ca"},    {"o", 0, "cs"},
    {"v", 0, "cs"},    {"о", 0, "bg"},    {"в", 0, "uk"},        {"о", 0, "uk"},
    {"στις", 0, "el"}, {"ora", 0, "ro"},  {"la", 0, "ro"},       {"pukul", 0, "id"},
    {"jam", 0, "id"},  {"lúc", 0, "vi"},  {"ngày", 0, "vi"},     {"ora", 0, "sq"},
    {"në", 0, "sq"},   {"ի", 0, "hy"},    {"saat", 0, "az"},     {"kello", 0, "fi"},
    {"den", 0, "sv"},  {"den", 0, "da"},  {"at", 0, "en"},       {"um", 0, "de"},
    {"à", 0, "fr"},    {"a", 0, "fr"},    {"le", 0, "fr"},       {"pada", 0, "id"},
    {"saa", 0, "sw"},  {"у", 0, "sr"},    {"ve", 0, "cs"},       {"kl.", 0, "da"},
    {"à", 0, "ca"},
};

static const dt_row year_suffix_rows[] = {
    {"г.", 0, "ru"},     {"г", 0, "ru"},  {"года", 0, "ru"},  {"r.", 0, "pl"},
    {"yılı", 0, "tr"},   {"р.", 0, "uk"}, {"року", 0, "uk"},  {"god.", 0, "hr"},
    {"godine", 0, "hr"}, {"m.", 0, "lt"}, {"ж.", 0, "kk"},    {"ел", 0, "ky"},
    {"թ.", 0, "hy"},     {"წ.", 0, "ka"}, {"წლის", 0, "ka"},  {"il", 0, "az"},
    {"ildə", 0, "az"},   {"an", 0, "ro"}, {"г.", 0, "bg"},    {"година", 0, "mk"},
    {"d.", 0, "lt"},     {"ог", 0, "mk"}, {"aasta", 0, "et"}, {"évi", 0, "hu"},
};

static const dt_row meridiem_rows[] = {
    {"am", 1, "en"},    {"a.m.", 1, "en"}, {"pm", 2, "en"},   {"p.m.", 2, "en"}, {"a. m.", 1, "es"},
    {"p. m.", 2, "es"}, {"μ.μ.", 2, "el"}, {"π.μ.", 1, "el"}, {"ص", 1, "ar"},    {"م", 2, "ar"},
    {"오전", 1, "ko"},  {"오후", 2, "ko"}, {"ՀՀ", 1, "hy"},
};

static const dt_row time_suffix_rows[] = {
    {"uhr", 0, "de"},  {"óra", 0, "hu"}, {"น.", 0, "th"}, {"น", 0, "th"},
    {"val.", 0, "lt"}, {"hrs", 0, "en"}, {"hs", 0, "es"}, {"h.", 0, "es"},
    {"h", 0, "fr"},    {"ч.", 0, "ru"},  {"ч", 0, "ru"},
};

static const dt_row particle_rows[] = {
    {"de", 0, "es"},  {"del", 0, "es"}, {"of", 0, "en"},   {"di", 0, "it"},  {"de", 0, "pt"},
    {"del", 0, "ca"}, {"d'", 0, "ca"},  {"gada", 0, "lv"}, {"m.", 0, "lt"},  {"tháng", 0, "vi"},
    {"năm", 0, "vi"}, {"ng", 0, "fil"}, {"ta'", 0, "mt"},  {"ta’", 0, "mt"},
};

/* Relative dates. "ago" words: value 1 stands before the amount ("vor 2 Stunden", "il y a"),
 * value 2 after it ("2 saat önce", "3 hours ago"), value 3 is an optional word before the amount
 * that still needs a value-2 word after it (Norwegian "for 2 timer siden"). */
static const dt_row ago_rows[] = {
    {"ago", 2, "en"},      {"önce", 2, "tr"},     {"evvel", 2, "tr"},        {"назад", 2, "ru"},
    {"fa", 2, "it"},       {"temu", 2, "pl"},     {"geleden", 2, "nl"},      {"sedan", 2, "sv"},
    {"siden", 2, "da nb"}, {"sitten", 2, "fi"},   {"tagasi", 2, "et"},       {"ezelőtt", 2, "hu"},
    {"тому", 2, "uk"},     {"öncə", 2, "az"},     {"бұрын", 2, "kk"},        {"atrás", 2, "pt"},
    {"vor", 1, "de"},      {"il y a", 1, "fr"},   {"hace", 1, "es"},         {"pred", 1, "sl sk"},
    {"před", 1, "cs"},     {"πριν από", 1, "el"}, {"πριν", 1, "el"},         {"há", 1, "pt"},
    {"acum", 1, "ro"},     {"преди", 1, "bg"},    {"prije", 1, "hr bs"},     {"pre", 1, "sr"},
    {"пре", 1, "sr"},      {"пред", 1, "mk"},     {"prieš", 1, "lt"},        {"pirms", 1, "lv"},
    {"para", 1, "sq"},     {"fa", 1, "ca"},       {"hai", 1, "gl"},          {"לפני", 1, "he"},
    {"منذ", 1, "ar"},      {"قبل", 2, "fa"},      {"yang lalu", 2, "id ms"}, {"lalu", 2, "id"},
    {"trước", 2, "vi"},    {"전", 2, "ko"},       {"前", 2, "zh ja"},        {"ที่แล้ว", 2, "th"},
    {"for", 3, "nb da"},   {"पहले", 2, "hi"},      {"আগে", 2, "bn"},          {"پہلے", 2, "ur"},
    {"pasi", 2, "sq"},     {"sedan", 2, "sv"},
};

/* Endings that make a unit word itself mean "... ago" (Hungarian "2 órája", "5 perce";
 * Chinese/Japanese "2小时前"). */
static const char *const unit_ago_endings[] = {"ja", "je", "a", "e", "前"};

/* Units of a relative date, matched as word starts (so "Stunden", "hours", "saat", "часа" all
 * match): value in minutes. */
static const dt_row unit_rows[] = {
    {"min", 1, "*"},
    {"dakika", 1, "tr"},
    {"мин", 1, "ru bg uk sr mk"},
    {"λεπτ", 1, "el"},
    {"perc", 1, "hu"},
    {"minuu", 1, "fi"},
    {"dəqiqə", 1, "az"},
    {"דק", 1, "he"},
    {"دقيق", 1, "ar"},
    {"دقائق", 1, "ar"},
    {"دقیقه", 1, "fa"},
    {"menit", 1, "id"},
    {"minit", 1, "ms"},
    {"phút", 1, "vi"},
    {"분", 1, "ko"},
    {"分", 1, "zh ja"},
    {"нат", 1, "kk"},
    {"hour", 60, "en"},
    {"hr", 60, "en"},
    {"saat", 60, "tr az"},
    {"час", 60, "ru bg"},
    {"годин", 60, "uk"},
    {"std", 60, "de"},
    {"stund", 60, "de"},
    {"heure", 60, "fr"},
    {"hora", 60, "es pt"},
    {"ora", 60, "it ro"},
    {"ore", 60, "it ro"},
    {"godz", 60, "pl"},
    {"ur", 60, "sl"},
    {"ώρ", 60, "el"},
    {"uur", 60, "nl"},
    {"tim", 60, "sv"},
    {"time", 60, "da nb"},
    {"tun", 60, "fi"},
    {"hod", 60, "cs sk"},
    {"óra", 60, "hu"},
    {"órá", 60, "hu"},
    {"sat", 60, "hr bs sr"},
    {"сат", 60, "sr"},
    {"час", 60, "mk"},
    {"val", 60, "lt"},
    {"stund", 60, "lv"},
    {"tund", 60, "et"},
    {"orë", 60, "sq"},
    {"hor", 60, "ca gl"},
    {"שע", 60, "he"},
    {"ساع", 60, "ar"},
    {"ساعت", 60, "fa"},
    {"jam", 60, "id ms"},
    {"giờ", 60, "vi"},
    {"시간", 60, "ko"},
    {"小时", 60, "zh"},
    {"時間", 60, "ja"},
    {"сағ", 60, "kk"},
    {"day", 1440, "en"},
    {"gün", 1440, "tr az"},
    {"дн", 1440, "ru uk"},
    {"ден", 1440, "bg mk"},
    {"tag", 1440, "de"},
    {"jour", 1440, "fr"},
    {"día", 1440, "es"},
    {"dia", 1440, "pt"},
    {"giorn", 1440, "it"},
    {"dni", 1440, "pl sl"},
    {"dzień", 1440, "pl"},
    {"dan", 1440, "sl hr bs sr"},
    {"ημέρ", 1440, "el"},
    {"μέρ", 1440, "el"},
    {"dag", 1440, "nl sv da nb"},
    {"päiv", 1440, "fi"},
    {"dny", 1440, "cs"},
    {"dní", 1440, "cs sk"},
    {"nap", 1440, "hu"},
    {"zi", 1440, "ro"},
    {"zile", 1440, "ro"},
    {"dien", 1440, "lt"},
    {"dien", 1440, "lv"},
    {"päev", 1440, "et"},
    {"ditë", 1440, "sq"},
    {"יום", 1440, "he"},
    {"ימים", 1440, "he"},
    {"يوم", 1440, "ar"},
    {"أيام", 1440, "ar"},
    {"روز", 1440, "fa"},
    {"hari", 1440, "id ms"},
    {"ngày", 1440, "vi"},
    {"일", 1440, "ko"},
    {"天", 1440, "zh"},
    {"日", 1440, "ja"},
    {"күн", 1440, "kk"},
    {"मिनट", 1, "hi"},
    {"घंट", 60, "hi"},
    {"घण्ट", 60, "hi"},
    {"दिन", 1440, "hi"},
    {"মিনিট", 1, "bn"},
    {"ঘণ্টা", 60, "bn"},
    {"দিন", 1440, "bn"},
    {"منٹ", 1, "ur"},
    {"گھنٹ", 60, "ur"},
    {"دن", 1440, "ur"},
    {"dk", 1, "tr"},
    {"sa", 60, "tr"},
};

/* Named days: value = days back from the arrival day plus one (1 today, 2 yesterday, 3 the day
 * before yesterday). */
static const dt_row day_word_rows[] = {
    {"today", 1, "en"},       {"yesterday", 2, "en"},   {"bugün", 1, "tr"},
    {"dün", 2, "tr"},         {"сегодня", 1, "ru"},     {"вчера", 2, "ru bg"},
    {"позавчера", 3, "ru"},   {"heute", 1, "de"},       {"gestern", 2, "de"},
    {"vorgestern", 3, "de"},  {"aujourd'hui", 1, "fr"}, {"aujourd’hui", 1, "fr"},
    {"hier", 2, "fr"},        {"avant-hier", 3, "fr"},  {"hoy", 1, "es"},
    {"ayer", 2, "es"},        {"anteayer", 3, "es"},    {"oggi", 1, "it"},
    {"ieri", 2, "it ro"},     {"dzisiaj", 1, "pl"},     {"dziś", 1, "pl"},
    {"wczoraj", 2, "pl"},     {"danes", 1, "sl"},       {"včeraj", 2, "sl"},
    {"σήμερα", 1, "el"},      {"χθες", 2, "el"},        {"χτες", 2, "el"},
    {"vandaag", 1, "nl"},     {"gisteren", 2, "nl"},    {"idag", 1, "sv"},
    {"i dag", 1, "sv da nb"}, {"igår", 2, "sv"},        {"i går", 2, "sv da nb"},
    {"tänään", 1, "fi"},      {"eilen", 2, "fi"},       {"täna", 1, "et"},
    {"eile", 2, "et"},        {"dnes", 1, "cs sk"},     {"včera", 2, "cs sk"},
    {"ma", 1, "hu"},          {"tegnap", 2, "hu"},      {"azi", 1, "ro"},
    {"astăzi", 1, "ro"},      {"днес", 1, "bg"},        {"danas", 1, "hr bs sr"},
    {"jučer", 2, "hr"},       {"juče", 2, "sr bs"},     {"јуче", 2, "sr"},
    {"данас", 1, "sr"},       {"сьогодні", 1, "uk"},    {"вчора", 2, "uk"},
    {"hoje", 1, "pt"},        {"ontem", 2, "pt"},       {"avui", 1, "ca"},
    {"ahir", 2, "ca"},        {"šiandien", 1, "lt"},    {"vakar", 2, "lt"},
    {"šodien", 1, "lv"},      {"vakar", 2, "lv"},       {"sot", 1, "sq"},
    {"dje", 2, "sq"},         {"היום", 1, "he"},        {"אתמול", 2, "he"},
    {"اليوم", 1, "ar"},       {"أمس", 2, "ar"},         {"امروز", 1, "fa"},
    {"دیروز", 2, "fa"},       {"hari ini", 1, "id ms"}, {"kemarin", 2, "id"},
    {"semalam", 2, "ms"},     {"hôm nay", 1, "vi"},     {"hôm qua", 2, "vi"},
    {"오늘", 1, "ko"},        {"어제", 2, "ko"},        {"今天", 1, "zh"},
    {"昨天", 2, "zh"},        {"今日", 1, "ja"},        {"昨日", 2, "ja"},
    {"dünən", 2, "az"},       {"bu gün", 1, "az"},      {"бүгін", 1, "kk"},
    {"кеше", 2, "kk"},        {"i dag", 1, "da"},
};

/* One row of an index: the first two folded code points of a row's text (the second is 0 for
 * a one-letter row, ' ' for any space), the row's position, and where its folded text starts in
 * the index's code point pool. */
typedef struct dt_index_entry {
    uint64_t key;
    uint32_t row;
    uint32_t folded; /* offset in dt_index.pool of the row's folded code points, 0-terminated */
} dt_index_entry;

typedef struct dt_index {
    const dt_row *rows;
    dt_index_entry *entries; /* sorted by (key, row) */
    uint32_t *pool;          /* every row's folded text */
    size_t n;
    uint64_t first_mask; /* bit (first letter % 64) set for every row: a cheap early "no" */
} dt_index;

struct dt_tables {
    dt_index month, weekday, marker, connector, year_suffix, meridiem, time_suffix, particle;
    dt_index ago, unit, day_word;
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
    size_t pool_len = 0;
    for (size_t i = 0; i < n; i++)
        pool_len += strlen(rows[i].text) + 1; /* at least one byte per code point */
    ix->entries = malloc(n * sizeof *ix->entries);
    ix->pool = malloc(pool_len * sizeof *ix->pool);
    if (!ix->entries || !ix->pool)
        return -1;
    ix->first_mask = 0;
    uint32_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const char *text = rows[i].text, *end = text + strlen(text);
        ix->entries[i].row = (uint32_t)i;
        ix->entries[i].folded = used;
        for (uint32_t cp; (cp = key_cp(&text, end)) != 0;)
            ix->pool[used++] = cp;
        ix->pool[used++] = 0;
        const uint32_t *f = ix->pool + ix->entries[i].folded;
        ix->entries[i].key = make_key(f[0], f[0] ? f[1] : 0);
        ix->first_mask |= (uint64_t)1 << (f[0] % 64);
    }
    qsort(ix->entries, n, sizeof *ix->entries, entry_order);
    return 0;
}

static void index_free(dt_index *ix)
{
    free(ix->entries);
    free(ix->pool);
}

/* Bytes of [p, end) matched by the folded pattern want (a space in it matches one or more
 * spaces), ending at a word boundary unless the pattern ends in punctuation; 0 when no match. */
static size_t match_folded_cps(const char *p, const char *end, const uint32_t *want,
                               bool whole_word)
{
    const char *t = p;
    uint32_t last = 0;
    for (; *want; want++) {
        last = *want;
        if (*want == ' ') {
            const char *s = dt_skip_spaces(t, end);
            if (s == t)
                return 0;
            t = s;
            continue;
        }
        uint32_t got = 0;
        while (t < end && !(got = dt_fold(dt_utf8_next(&t, end))))
            ;
        if (got != *want)
            return 0;
    }
    while (t < end) { /* a combining mark right after the match belongs to the last letter */
        const char *q = t;
        uint32_t cp = dt_utf8_next(&q, end);
        if (!(cp >= 0x0300 && cp <= 0x036F))
            break;
        t = q;
    }
    if (whole_word && dt_is_word(last) && t < end && dt_is_word(dt_utf8_peek(t, end)))
        return 0;
    return (size_t)(t - p);
}

/* True when the space-separated list `langs` holds `lang`. */
static bool lang_listed(const char *langs, const char *lang)
{
    size_t n = strlen(lang);
    for (const char *s = langs; *s;) {
        const char *e = strchr(s, ' ');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == n && memcmp(s, lang, n) == 0)
            return true;
        if (!e)
            break;
        s = e + 1;
    }
    return false;
}

/* First entry whose key is >= key. */
static size_t lower_bound(const dt_index *ix, uint64_t key)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->entries[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Longest whole-word row at p; its value in *value. Rows are found by their first two folded
 * letters: the one-letter rows of the first letter and the rows of both letters (two binary
 * searches) are compared in full, against their folded text prepared by index_build. Among
 * equally long matches the first row wins, unless a later one is of the language lang. */
static size_t index_match_lang(const dt_index *ix, const char *p, const char *end, const char *lang,
                               int *value)
{
    const char *q = p;
    uint32_t first = key_cp(&q, end);
    if (!first || (first >= '0' && first <= '9') || !dt_is_word(first) ||
        !(ix->first_mask & ((uint64_t)1 << (first % 64))))
        return 0;
    uint32_t second = key_cp(&q, end);
    size_t best = 0;
    bool best_is_lang = false, has_lang = lang && lang[0];
    uint64_t keys[2] = {make_key(first, 0), make_key(first, second)};
    for (int k = 0; k < (second ? 2 : 1); k++) {
        for (size_t i = lower_bound(ix, keys[k]); i < ix->n && ix->entries[i].key == keys[k]; i++) {
            size_t len = match_folded_cps(p, end, ix->pool + ix->entries[i].folded, true);
            if (!len || len < best)
                continue;
            const dt_row *row = &ix->rows[ix->entries[i].row];
            bool is_better = len > best;
            if (len == best && has_lang && !best_is_lang)
                is_better = lang_listed(row->lang, lang); /* the article's language decides */
            if (is_better) {
                best = len;
                best_is_lang = has_lang && lang_listed(row->lang, lang);
                if (value)
                    *value = row->value;
            }
        }
    }
    return best;
}

static size_t index_match(const dt_index *ix, const char *p, const char *end, int *value)
{
    return index_match_lang(ix, p, end, NULL, value);
}

dt_tables *dt_tables_new(void)
{
    dt_tables *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (index_build(&t->month, dt_cldr_month_rows, dt_cldr_month_count) ||
        index_build(&t->weekday, dt_cldr_weekday_rows, dt_cldr_weekday_count) ||
        index_build(&t->marker, marker_rows, COUNT(marker_rows)) ||
        index_build(&t->connector, connector_rows, COUNT(connector_rows)) ||
        index_build(&t->year_suffix, year_suffix_rows, COUNT(year_suffix_rows)) ||
        index_build(&t->meridiem, meridiem_rows, COUNT(meridiem_rows)) ||
        index_build(&t->time_suffix, time_suffix_rows, COUNT(time_suffix_rows)) ||
        index_build(&t->particle, particle_rows, COUNT(particle_rows)) ||
        index_build(&t->ago, ago_rows, COUNT(ago_rows)) ||
        index_build(&t->unit, unit_rows, COUNT(unit_rows)) ||
        index_build(&t->day_word, day_word_rows, COUNT(day_word_rows))) {
        dt_tables_free(t);
        return NULL;
    }
    return t;
}

void dt_tables_free(dt_tables *t)
{
    if (!t)
        return;
    dt_index *all[] = {&t->month,       &t->weekday,  &t->marker,      &t->connector,
                       &t->year_suffix, &t->meridiem, &t->time_suffix, &t->particle,
                       &t->ago,         &t->unit,     &t->day_word};
    for (size_t i = 0; i < COUNT(all); i++)
        index_free(all[i]);
    free(t);
}

int dt_match_month(const dt_tables *t, const char *p, const char *end, const char *lang,
                   size_t *len_out)
{
    int month = 0;
    size_t len = index_match_lang(&t->month, p, end, lang, &month);
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

int dt_match_ago(const dt_tables *t, const char *p, const char *end, size_t *len_out)
{
    int value = 0;
    *len_out = index_match(&t->ago, p, end, &value);
    return *len_out ? value : 0;
}

int dt_match_unit(const dt_tables *t, const char *p, const char *end, size_t *len_out,
                  bool *has_ago)
{
    const dt_index *ix = &t->unit;
    int best_value = 0;
    size_t best = 0;
    bool ending_says_ago = false;
    for (size_t i = 0; i < ix->n; i++) { /* a small table; prefixes: every row is compared */
        size_t len = match_folded_cps(p, end, ix->pool + ix->entries[i].folded, false);
        if (!len || len < best)
            continue;
        const char *l = ix->rows[ix->entries[i].row].lang;
        bool says = lang_listed(l, "hu") || lang_listed(l, "zh") || lang_listed(l, "ja");
        if (len > best) {
            best = len;
            best_value = ix->rows[ix->entries[i].row].value;
            ending_says_ago = says;
        } else {
            ending_says_ago = ending_says_ago || says;
        }
    }
    if (!best)
        return 0;
    const char *stem_end = p + best, *q = stem_end; /* the rest: "Stunden", "hours", "часа" */
    while (q < end) {
        const char *r = q;
        uint32_t cp = dt_utf8_next(&r, end);
        if (!dt_is_word(cp) || (cp >= '0' && cp <= '9'))
            break;
        q = r;
    }
    *has_ago = false;
    for (size_t i = 0; ending_says_ago && i < COUNT(unit_ago_endings); i++) {
        size_t n = strlen(unit_ago_endings[i]);
        if ((size_t)(q - stem_end) == n && memcmp(stem_end, unit_ago_endings[i], n) == 0)
            *has_ago = true;
    }
    *len_out = (size_t)(q - p);
    return best_value;
}

int dt_match_day_word(const dt_tables *t, const char *p, const char *end, size_t *len_out)
{
    int value = 0;
    *len_out = index_match(&t->day_word, p, end, &value);
    return *len_out ? value : 0;
}
