/*
 * linekind - classifiers for non-content lines (see linekind.h). Part of the cleanup plugin:
 * cleanup_text calls these on each short line before deduplication and title extraction.
 *
 * Matching is done on a folded form (lower case, Turkish i and Greek accents unified), so the
 * tables below are written in natural lower case and folded once at init.
 */
#include "linekind.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"
#include "utf8lite.h"

enum word_kind { WK_MONTH = 1, WK_WEEKDAY, WK_MARKER, WK_ZONE, WK_CONNECTOR };

typedef struct lk_word {
    char *folded;
    enum word_kind kind;
} lk_word;

struct lk_tables {
    lk_word *words;
    size_t n_words;
    char **phrases;
    size_t n_phrases;
    char **cookie_prefixes;
    size_t n_cookie_prefixes;
    char **credit_labels;
    size_t n_credit_labels;
    size_t *cookie_prefix_lens, *credit_label_lens;
    size_t max_phrase_words; /* words of the longest phrase */
    uint8_t first_bytes[32]; /* bit set: first bytes of the folded cookie/credit prefixes */
    /* The prefix lists are sorted; [start[c], start[c + 1]) are the entries whose first byte
     * is c, so a lookup compares only those. */
    uint16_t cookie_start[257], credit_start[257];
};

/* Month names (nominative and genitive where they differ), by language: en, tr, de, fr, es,
 * it, pt, nl, ru, el, sl, hr/sr, pl. */
static const char *const months[] = {
    "january",    "february",    "march",       "april",       "may",        "june",
    "july",       "august",      "september",   "october",     "november",   "december",
    "jan",        "feb",         "mar",         "apr",         "jun",        "jul",
    "aug",        "sep",         "sept",        "oct",         "nov",        "dec",
    "ocak",       "şubat",       "mart",        "nisan",       "mayıs",      "haziran",
    "temmuz",     "ağustos",     "eylül",       "ekim",        "kasım",      "aralık",
    "oca",        "şub",         "nis",         "haz",         "tem",        "ağu",
    "eyl",        "eki",         "kas",         "ara",         "januar",     "jänner",
    "februar",    "märz",        "mai",         "juni",        "juli",       "oktober",
    "dezember",   "okt",         "dez",         "mär",         "janvier",    "février",
    "mars",       "avril",       "juin",        "juillet",     "août",       "septembre",
    "octobre",    "novembre",    "décembre",    "janv",        "févr",       "avr",
    "juil",       "déc",         "enero",       "febrero",     "marzo",      "abril",
    "mayo",       "junio",       "julio",       "agosto",      "septiembre", "setiembre",
    "octubre",    "noviembre",   "diciembre",   "ene",         "dic",        "gennaio",
    "febbraio",   "aprile",      "maggio",      "giugno",      "luglio",     "settembre",
    "ottobre",    "dicembre",    "gen",         "mag",         "giu",        "lug",
    "ago",        "set",         "ott",         "janeiro",     "fevereiro",  "março",
    "maio",       "junho",       "julho",       "setembro",    "outubro",    "novembro",
    "dezembro",   "fev",         "out",         "januari",     "februari",   "maart",
    "mei",        "augustus",    "mrt",         "январь",      "февраль",    "март",
    "апрель",     "май",         "июнь",        "июль",        "август",     "сентябрь",
    "октябрь",    "ноябрь",      "декабрь",     "января",      "февраля",    "марта",
    "апреля",     "мая",         "июня",        "июля",        "августа",    "сентября",
    "октября",    "ноября",      "декабря",     "янв",         "фев",        "мар",
    "апр",        "авг",         "сен",         "сент",        "окт",        "ноя",
    "дек",        "ιανουάριος",  "φεβρουάριος", "μάρτιος",     "απρίλιος",   "μάιος",
    "ιούνιος",    "ιούλιος",     "αύγουστος",   "σεπτέμβριος", "οκτώβριος",  "νοέμβριος",
    "δεκέμβριος", "ιανουαρίου",  "φεβρουαρίου", "μαρτίου",     "απριλίου",   "μαΐου",
    "ιουνίου",    "ιουλίου",     "αυγούστου",   "σεπτεμβρίου", "οκτωβρίου",  "νοεμβρίου",
    "δεκεμβρίου", "marec",       "maj",         "junij",       "julij",      "avgust",
    "marca",      "aprila",      "maja",        "junija",      "julija",     "avgusta",
    "januarja",   "februarja",   "septembra",   "oktobra",     "novembra",   "decembra",
    "siječanj",   "veljača",     "ožujak",      "travanj",     "svibanj",    "lipanj",
    "srpanj",     "kolovoz",     "rujan",       "listopad",    "studeni",    "prosinac",
    "siječnja",   "veljače",     "ožujka",      "travnja",     "svibnja",    "lipnja",
    "srpnja",     "kolovoza",    "rujna",       "listopada",   "studenoga",  "studenog",
    "prosinca",   "januara",     "februara",    "juna",        "jula",       "avgusta",
    "avgust",     "decembar",    "novembar",    "oktobar",     "septembar",  "styczeń",
    "luty",       "marzec",      "kwiecień",    "czerwiec",    "lipiec",     "sierpień",
    "wrzesień",   "październik", "listopad",    "grudzień",    "stycznia",   "lutego",
    "kwietnia",   "czerwca",     "lipca",       "sierpnia",    "września",   "października",
    "listopada",  "grudnia",
};

static const char *const weekdays[] = {
    "monday",       "tuesday",      "wednesday",   "thursday",   "friday",        "saturday",
    "sunday",       "mon",          "tue",         "tues",       "wed",           "thu",
    "thur",         "thurs",        "fri",         "sat",        "sun",           "pazartesi",
    "salı",         "çarşamba",     "perşembe",    "cuma",       "cumartesi",     "pazar",
    "montag",       "dienstag",     "mittwoch",    "donnerstag", "freitag",       "samstag",
    "sonntag",      "lundi",        "mardi",       "mercredi",   "jeudi",         "vendredi",
    "samedi",       "dimanche",     "lunes",       "martes",     "miércoles",     "jueves",
    "viernes",      "sábado",       "domingo",     "lunedì",     "martedì",       "mercoledì",
    "giovedì",      "venerdì",      "sabato",      "domenica",   "segunda-feira", "terça-feira",
    "quarta-feira", "quinta-feira", "sexta-feira", "maandag",    "dinsdag",       "woensdag",
    "donderdag",    "vrijdag",      "zaterdag",    "zondag",     "понедельник",   "вторник",
    "среда",        "четверг",      "пятница",     "суббота",    "воскресенье",   "δευτέρα",
    "τρίτη",        "τετάρτη",      "πέμπτη",      "παρασκευή",  "σάββατο",       "κυριακή",
    "ponedeljek",   "torek",        "sreda",       "četrtek",    "petek",         "sobota",
    "nedelja",      "ponedjeljak",  "utorak",      "srijeda",    "četvrtak",      "subota",
    "nedjelja",     "poniedziałek", "wtorek",      "środa",      "czwartek",      "piątek",
    "niedziela",
};

/* Words that mark a date as a publication or update time, or label one. */
static const char *const markers[] = {
    "updated",
    "update",
    "last",
    "published",
    "posted",
    "modified",
    "created",
    "date",
    "time",
    "güncellendi",
    "güncelleme",
    "güncellenme",
    "yayınlanma",
    "yayınlandı",
    "yayın",
    "tarihi",
    "tarih",
    "son",
    "saat",
    "aktualisiert",
    "veröffentlicht",
    "stand",
    "zuletzt",
    "datum",
    "uhr",
    "mis",
    "jour",
    "publié",
    "modifié",
    "dernière",
    "le",
    "heure",
    "actualizado",
    "publicado",
    "actualización",
    "fecha",
    "última",
    "hora",
    "aggiornato",
    "aggiornamento",
    "pubblicato",
    "ultimo",
    "ore",
    "data",
    "atualizado",
    "atualização",
    "publicada",
    "bijgewerkt",
    "gepubliceerd",
    "geüpdatet",
    "laatst",
    "обновлено",
    "обновлен",
    "опубликовано",
    "дата",
    "г",
    "года",
    "гг",
    "ενημερώθηκε",
    "ενημέρωση",
    "δημοσίευση",
    "δημοσιεύθηκε",
    "ημερομηνία",
    "posodobljeno",
    "objavljeno",
    "objava",
    "datum",
    "ažurirano",
    "objavljen",
    "ažurirana",
    "godine",
    "god",
    "zaktualizowano",
    "aktualizacja",
    "opublikowano",
    "r",
    /* cs, sk, hu, ro, sv, da, no, fi, lt, lv, et, uk, bg, id, vi */
    "aktualizováno",
    "publikováno",
    "aktualizované",
    "publikované",
    "frissítve",
    "frissítés",
    "megjelent",
    "actualizat",
    "publicat",
    "actualizare",
    "uppdaterad",
    "publicerad",
    "kl",
    "opdateret",
    "udgivet",
    "oppdatert",
    "publisert",
    "päivitetty",
    "julkaistu",
    "atnaujinta",
    "paskelbta",
    "atjaunināts",
    "publicēts",
    "uuendatud",
    "avaldatud",
    "оновлено",
    "опубліковано",
    "обновено",
    "публикувано",
    "diperbarui",
    "diterbitkan",
    "pukul",
    "cập",
    "nhật",
    "lúc",
};

static const char *const zones[] = {
    "utc",  "gmt",  "z",    "t",   "cet", "cest", "eet", "eest", "msk", "trt",
    "est",  "edt",  "cst",  "cdt", "mst", "mdt",  "pst", "pdt",  "bst", "ist",
    "wet",  "west", "aest", "am",  "pm",  "h",    "hs",  "hrs",  "мск", "wib",
    "wita", "wit",  "ict",  "jst", "kst", "hkt",  "sgt", "ast",  "adt", "eat",
};

/* Small words that join the parts of a date ("on", "at", "um", "à", "de", "στις", ...). */
static const char *const connectors[] = {
    "at",  "on", "um", "am", "à",  "a",   "las",  "el",  "de",  "del", "il", "alle",
    "em",  "às", "en", "op", "om", "в",   "στις", "στη", "ob",  "u",   "w",  "o",
    "and", "ve", "et", "y",  "e",  "und", "i",    "и",   "και", "in",
};

/* Whole-line boilerplate phrases. */
static const char *const phrases[] = {
    /* tr */
    "abone ol",
    "abone olun",
    "hemen abone ol",
    "takip et",
    "bizi takip edin",
    "paylaş",
    "paylas",
    "yorum yap",
    "yorumlar",
    "yorum",
    "devamını oku",
    "haberin devamı",
    "ilginizi çekebilir",
    "daha fazla",
    "daha fazla oku",
    "tümünü gör",
    "reklam",
    "sonraki haber",
    "önceki haber",
    "ilgili haberler",
    "kaydet",
    "yazdır",
    "bağlantıyı kopyala",
    "tüm haberler",
    /* en */
    "subscribe",
    "subscribe now",
    "share",
    "share this",
    "share this article",
    "share on facebook",
    "share on twitter",
    "share on x",
    "read more",
    "read also",
    "also read",
    "see also",
    "related",
    "related articles",
    "related news",
    "advertisement",
    "advertising",
    "ad",
    "sponsored",
    "comments",
    "comment",
    "leave a comment",
    "follow us",
    "click here",
    "tweet",
    "print",
    "email",
    "e-mail",
    "copy link",
    "sign up",
    "log in",
    "login",
    "newsletter",
    "more",
    "next",
    "previous",
    "back to top",
    "listen",
    "listen to this article",
    "save",
    "show more",
    "load more",
    "continue reading",
    "most read",
    "trending",
    "top stories",
    "facebook",
    "twitter",
    "x",
    "whatsapp",
    "telegram",
    "linkedin",
    "instagram",
    "youtube",
    "pinterest",
    "reddit",
    "vk",
    "viber",
    "messenger",
    /* de */
    "abonnieren",
    "jetzt abonnieren",
    "teilen",
    "artikel teilen",
    "weiterlesen",
    "mehr lesen",
    "mehr zum thema",
    "lesen sie auch",
    "auch interessant",
    "anzeige",
    "werbung",
    "kommentare",
    "drucken",
    "merken",
    "link kopieren",
    /* fr */
    "s'abonner",
    "abonnez-vous",
    "partager",
    "lire la suite",
    "lire aussi",
    "à lire aussi",
    "voir aussi",
    "publicité",
    "commentaires",
    "imprimer",
    "suivez-nous",
    /* es */
    "suscríbete",
    "suscribirse",
    "compartir",
    "leer más",
    "lee también",
    "ver también",
    "publicidad",
    "comentarios",
    "imprimir",
    "síguenos",
    /* it */
    "iscriviti",
    "abbonati",
    "condividi",
    "leggi anche",
    "leggi di più",
    "pubblicità",
    "commenti",
    "stampa",
    "seguici",
    /* pt */
    "inscreva-se",
    "assine",
    "assine já",
    "partilhar",
    "compartilhe",
    "leia mais",
    "leia também",
    "saiba mais",
    "publicidade",
    "comentários",
    /* nl */
    "abonneren",
    "abonneer",
    "delen",
    "deel",
    "lees meer",
    "lees ook",
    "advertentie",
    "reacties",
    "afdrukken",
    /* ru */
    "подписаться",
    "подпишитесь",
    "поделиться",
    "читать далее",
    "читать также",
    "читайте также",
    "реклама",
    "комментарии",
    "печать",
    "подробнее",
    "смотрите также",
    /* el */
    "εγγραφείτε",
    "εγγραφή",
    "κοινοποίηση",
    "μοιραστείτε",
    "διαβάστε περισσότερα",
    "διαβάστε επίσης",
    "διαβάστε ακόμη",
    "διαφήμιση",
    "σχόλια",
    "εκτύπωση",
    "ακολουθήστε μας",
    /* sl */
    "naroči se",
    "naročite se",
    "deli",
    "delite",
    "preberite več",
    "preberite tudi",
    "oglas",
    "oglasno sporočilo",
    "komentarji",
    "natisni",
    "povezane novice",
    /* hr, sr, bs */
    "pretplati se",
    "pretplatite se",
    "podijeli",
    "podeli",
    "podijelite",
    "podelite",
    "pročitajte više",
    "pročitajte još",
    "pročitajte i",
    "čitajte više",
    "čitajte još",
    "komentari",
    "ispiši",
    "štampaj",
    "reklama",
    "oglas",
    /* pl */
    "subskrybuj",
    "zasubskrybuj",
    "udostępnij",
    "czytaj więcej",
    "czytaj także",
    "czytaj też",
    "komentarze",
    "drukuj",
    "zobacz też",
    "zobacz także",
    "obserwuj nas",
    "zapisz się do newslettera",
    "powiązane artykuły",
    /* more en, tr, de, fr, es, it, pt, nl, ru, el, sl, hr: newsletters, follow-us, related */
    "sign up for our newsletter",
    "subscribe to our newsletter",
    "get our newsletter",
    "follow us on facebook",
    "follow us on twitter",
    "follow us on instagram",
    "follow us on social media",
    "related stories",
    "related content",
    "related topics",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended for you",
    "more stories",
    "bültenimize abone olun",
    "e-bültene abone ol",
    "bizi sosyal medyada takip edin",
    "benzer haberler",
    "newsletter abonnieren",
    "folgen sie uns",
    "das könnte sie auch interessieren",
    "inscrivez-vous à notre newsletter",
    "articles liés",
    "sur le même sujet",
    "suscríbete a nuestro boletín",
    "noticias relacionadas",
    "te puede interesar",
    "iscriviti alla newsletter",
    "articoli correlati",
    "potrebbe interessarti anche",
    "assine a nossa newsletter",
    "notícias relacionadas",
    "siga-nos",
    "volg ons",
    "gerelateerde artikelen",
    "подпишитесь на нашу рассылку",
    "подписывайтесь на нас",
    "читайте нас в telegram",
    "похожие новости",
    "по теме",
    "σχετικά άρθρα",
    "σχετικές ειδήσεις",
    "εγγραφείτε στο newsletter",
    "sledite nam",
    "sorodne novice",
    "prijavite se na e-novice",
    "pratite nas",
    "povezane vijesti",
    "vezane vijesti",
    "prijavite se na newsletter",
    /* uk */
    "підписатися",
    "підписуйтесь",
    "поділитися",
    "читайте також",
    "читати далі",
    "реклама",
    "коментарі",
    "стежте за нами",
    "схожі новини",
    /* bg */
    "абонирайте се",
    "сподели",
    "споделете",
    "прочетете още",
    "още по темата",
    "коментари",
    "последвайте ни",
    "свързани новини",
    /* mk, sr (Cyrillic) */
    "сподели",
    "претплатите се",
    "прочитајте повеќе",
    "поврзани вести",
    "следете нѐ",
    "подели",
    "прочитајте још",
    "повезане вести",
    "пратите нас",
    "коментари",
    /* cs */
    "sdílet",
    "sdílejte",
    "přihlásit k odběru",
    "odebírat",
    "čtěte také",
    "čtěte více",
    "související články",
    "komentáře",
    "reklama",
    "sledujte nás",
    "vytisknout",
    /* sk */
    "zdieľať",
    "zdieľajte",
    "prihlásiť sa na odber",
    "čítajte aj",
    "čítajte viac",
    "súvisiace články",
    "komentáre",
    "sledujte nás",
    /* hu */
    "feliratkozás",
    "iratkozzon fel",
    "megosztás",
    "megosztom",
    "tovább olvasom",
    "olvassa el",
    "kapcsolódó cikkek",
    "hirdetés",
    "hozzászólások",
    "kövessen minket",
    "nyomtatás",
    /* ro */
    "abonează-te",
    "abonați-vă",
    "distribuie",
    "citește mai mult",
    "citește și",
    "articole similare",
    "publicitate",
    "comentarii",
    "urmărește-ne",
    /* sv, da, no */
    "prenumerera",
    "dela",
    "läs mer",
    "läs också",
    "relaterade artiklar",
    "annons",
    "kommentarer",
    "följ oss",
    "abonner",
    "del",
    "læs mere",
    "læs også",
    "relaterede artikler",
    "annonce",
    "følg os",
    "les mer",
    "les også",
    "relaterte artikler",
    "annonse",
    "følg oss",
    /* fi */
    "tilaa",
    "jaa",
    "lue lisää",
    "lue myös",
    "aiheeseen liittyvät",
    "mainos",
    "kommentit",
    "seuraa meitä",
    /* lt, lv, et */
    "prenumeruoti",
    "dalintis",
    "skaitykite daugiau",
    "taip pat skaitykite",
    "susiję straipsniai",
    "reklama",
    "komentarai",
    "sekite mus",
    "abonēt",
    "dalīties",
    "lasīt vairāk",
    "lasiet arī",
    "saistītie raksti",
    "reklāma",
    "komentāri",
    "seko mums",
    "telli",
    "jaga",
    "loe edasi",
    "loe ka",
    "seotud artiklid",
    "reklaam",
    "kommentaarid",
    "jälgi meid",
    /* sq, az */
    "abonohu",
    "shpërndaje",
    "lexo më shumë",
    "lexo edhe",
    "lajme të ngjashme",
    "na ndiqni",
    "abunə ol",
    "paylaş",
    "daha çox oxu",
    "oxşar xəbərlər",
    "bizi izləyin",
    /* ka, hy */
    "გამოიწერე",
    "გაზიარება",
    "ვრცლად",
    "ასევე წაიკითხეთ",
    "բաժանորդագրվել",
    "կիսվել",
    "կարդալ ավելին",
    /* ar, fa, he */
    "اشترك",
    "اشترك الآن",
    "شارك",
    "مشاركة",
    "اقرأ المزيد",
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "أخبار ذات صلة",
    "تابعونا",
    "إعلان",
    "عضویت",
    "اشتراک گذاری",
    "بیشتر بخوانید",
    "بخوانید",
    "اخبار مرتبط",
    "ما را دنبال کنید",
    "הירשמו",
    "שתפו",
    "שיתוף",
    "קראו עוד",
    "כתבות נוספות",
    "עקבו אחרינו",
    "פרסומת",
    /* hi, tr-like id/ms, vi, th */
    "सब्सक्राइब करें",
    "शेयर करें",
    "और पढ़ें",
    "यह भी पढ़ें",
    "berlangganan",
    "bagikan",
    "baca juga",
    "baca selengkapnya",
    "berita terkait",
    "ikuti kami",
    "iklan",
    "langgan",
    "kongsi",
    "đăng ký",
    "chia sẻ",
    "xem thêm",
    "đọc thêm",
    "tin liên quan",
    "quảng cáo",
    "theo dõi chúng tôi",
    "ติดตามเรา",
    "แชร์",
    "อ่านเพิ่มเติม",
    "ข่าวที่เกี่ยวข้อง",
    /* zh, ja, ko */
    "订阅",
    "分享",
    "分享到",
    "阅读更多",
    "相关新闻",
    "相关阅读",
    "延伸阅读",
    "关注我们",
    "广告",
    "責任編輯",
    "购读",
    "購読",
    "シェア",
    "共有",
    "続きを読む",
    "関連記事",
    "関連ニュース",
    "フォローする",
    "広告",
    "구독",
    "구독하기",
    "공유",
    "공유하기",
    "더 보기",
    "더보기",
    "관련 기사",
    "관련기사",
    "광고",
    /* sw */
    "jiandikishe",
    "shiriki",
    "soma zaidi",
    "habari zinazohusiana",
    "tufuate",
};

/* Line starts of cookie and consent notices. */
static const char *const cookie_prefixes[] = {
    "cookie",
    "we use cookies",
    "this site uses cookies",
    "this website uses cookies",
    "accept all cookies",
    "accept cookies",
    "manage cookies",
    "bu sitede çerez",
    "çerez",
    "sitemizde çerez",
    "wir verwenden cookies",
    "diese website verwendet cookies",
    "nous utilisons des cookies",
    "ce site utilise des cookies",
    "utilizamos cookies",
    "este sitio utiliza cookies",
    "utilizziamo i cookie",
    "questo sito utilizza cookie",
    "мы используем cookie",
    "мы используем файлы cookie",
    "χρησιμοποιούμε cookies",
    "uporabljamo piškotke",
    "ta spletna stran uporablja piškotke",
    "používáme cookies",
    "tento web používá cookies",
    "používame cookies",
    "ez a weboldal sütiket használ",
    "sütiket használunk",
    "acest site folosește cookie",
    "folosim cookie",
    "vi använder cookies",
    "vi bruger cookies",
    "vi bruker informasjonskapsler",
    "käytämme evästeitä",
    "ми використовуємо файли cookie",
    "използваме бисквитки",
    "ovaj sajt koristi kolačiće",
    "ova stranica koristi kolačiće",
    "this site uses cookies",
    "by continuing to use this site",
    "bu web sitesi çerez",
    "nous utilisons des traceurs",
    "usamos cookies",
    "este site utiliza cookies",
    "wir nutzen cookies",
    "kami menggunakan cookie",
    "chúng tôi sử dụng cookie",
    "piškotki",
    "koristimo kolačiće",
    "używamy plików cookie",
    "wij gebruiken cookies",
    "utilizamos cookies",
};

static const char *const credit_labels[] = {
    "foto:",         "foto :",         "fotos:",         "photo:",        "photos:",
    "photo credit:", "photograph:",    "fotoğraf:",      "fotoğraflar:",  "fotografija:",
    "fotografia:",   "fotografie:",    "foto/",          "фото:",         "фото -",
    "φωτογραφία:",   "φωτ.:",          "bild:",          "image:",        "picture:",
    "credit:",       "crédit photo:",  "crédits photo:", "quelle:",       "izvor foto:",
    "slika:",        "фото :",         "снимка:",        "foto kredit:",  "kuva:",
    "fotó:",         "bildkälla:",     "foto/video:",    "צילום:",        "صورة:",
    "عکس:",          "写真:",          "图片来源:",      "사진:",         "ảnh:",
    "foto credit:",  "photo credits:", "image credit:",  "source photo:", "fot.",
    "nuotr.",        "nuotrauka:",     "foto -",         "fotografía:",   "fotografías:",
    "bilde:",
};

/* Fold s[0..len) into out (cap bytes), collapsing runs of white space and trimming. */
static size_t fold_norm(const char *s, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    bool pending_space = false;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            if (c == ' ' || c == '\t' || c == '\n') {
                pending_space = o > 0;
                continue;
            }
            if (o + 1 + pending_space > cap)
                break;
            if (pending_space)
                out[o++] = ' ';
            pending_space = false;
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            continue;
        }
        unsigned cp = u8_decode(s, len, &i);
        if (u8_is_space(cp)) {
            pending_space = o > 0;
            continue;
        }
        char tmp[5];
        size_t n = u8_encode(u8_fold(cp), tmp);
        if (pending_space) {
            if (o + 1 > cap)
                break;
            out[o++] = ' ';
            pending_space = false;
        }
        if (o + n > cap)
            break;
        for (size_t k = 0; k < n; k++)
            out[o++] = tmp[k];
    }
    return o;
}

static char *fold_dup(const char *s)
{
    size_t len = strlen(s);
    char *out = tb_xmalloc(len * 2 + 1);
    size_t n = fold_norm(s, len, out, len * 2);
    out[n] = '\0';
    return out;
}

static int cmp_word(const void *a, const void *b)
{
    return strcmp(((const lk_word *)a)->folded, ((const lk_word *)b)->folded);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_words(lk_tables *t, const char *const *list, size_t n, enum word_kind kind)
{
    for (size_t i = 0; i < n; i++) {
        t->words[t->n_words].folded = fold_dup(list[i]);
        t->words[t->n_words].kind = kind;
        t->n_words++;
    }
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* start[c] = index of the first of the sorted strings whose first byte is >= c. */
static void bucket_index(char *const *sorted, size_t n, uint16_t start[257])
{
    size_t i = 0;
    for (unsigned c = 0; c < 257; c++) {
        while (i < n && (unsigned char)sorted[i][0] < c)
            i++;
        start[c] = (uint16_t)i;
    }
}

lk_tables *lk_tables_new(void)
{
    lk_tables *t = tb_xcalloc(1, sizeof *t);
    size_t total =
        COUNT(months) + COUNT(weekdays) + COUNT(markers) + COUNT(zones) + COUNT(connectors);
    t->words = tb_xcalloc(total, sizeof *t->words);
    /* Months first: when a word is in two lists, the month entry wins the sort tie below. */
    add_words(t, months, COUNT(months), WK_MONTH);
    add_words(t, weekdays, COUNT(weekdays), WK_WEEKDAY);
    add_words(t, markers, COUNT(markers), WK_MARKER);
    add_words(t, zones, COUNT(zones), WK_ZONE);
    add_words(t, connectors, COUNT(connectors), WK_CONNECTOR);
    qsort(t->words, t->n_words, sizeof *t->words, cmp_word);

    t->phrases = tb_xcalloc(COUNT(phrases), sizeof *t->phrases);
    for (size_t i = 0; i < COUNT(phrases); i++)
        t->phrases[t->n_phrases++] = fold_dup(phrases[i]);
    qsort(t->phrases, t->n_phrases, sizeof *t->phrases, cmp_str);
    for (size_t i = 0; i < t->n_phrases; i++) {
        size_t w = 1;
        for (const char *p = t->phrases[i]; *p; p++)
            w += *p == ' ';
        if (w > t->max_phrase_words)
            t->max_phrase_words = w;
    }

    t->cookie_prefixes = tb_xcalloc(COUNT(cookie_prefixes), sizeof *t->cookie_prefixes);
    for (size_t i = 0; i < COUNT(cookie_prefixes); i++)
        t->cookie_prefixes[t->n_cookie_prefixes++] = fold_dup(cookie_prefixes[i]);
    t->credit_labels = tb_xcalloc(COUNT(credit_labels), sizeof *t->credit_labels);
    for (size_t i = 0; i < COUNT(credit_labels); i++)
        t->credit_labels[t->n_credit_labels++] = fold_dup(credit_labels[i]);
    qsort(t->cookie_prefixes, t->n_cookie_prefixes, sizeof *t->cookie_prefixes, cmp_str);
    qsort(t->credit_labels, t->n_credit_labels, sizeof *t->credit_labels, cmp_str);
    bucket_index(t->cookie_prefixes, t->n_cookie_prefixes, t->cookie_start);
    bucket_index(t->credit_labels, t->n_credit_labels, t->credit_start);
    t->cookie_prefix_lens = tb_xcalloc(t->n_cookie_prefixes, sizeof(size_t));
    t->credit_label_lens = tb_xcalloc(t->n_credit_labels, sizeof(size_t));
    for (size_t i = 0; i < t->n_cookie_prefixes; i++) {
        unsigned char c = (unsigned char)t->cookie_prefixes[i][0];
        t->first_bytes[c >> 3] |= (uint8_t)(1u << (c & 7));
        t->cookie_prefix_lens[i] = strlen(t->cookie_prefixes[i]);
    }
    for (size_t i = 0; i < t->n_credit_labels; i++) {
        unsigned char c = (unsigned char)t->credit_labels[i][0];
        t->first_bytes[c >> 3] |= (uint8_t)(1u << (c & 7));
        t->credit_label_lens[i] = strlen(t->credit_labels[i]);
    }
    return t;
}

void lk_tables_free(lk_tables *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_words; i++)
        free(t->words[i].folded);
    for (size_t i = 0; i < t->n_phrases; i++)
        free(t->phrases[i]);
    for (size_t i = 0; i < t->n_cookie_prefixes; i++)
        free(t->cookie_prefixes[i]);
    free(t->words);
    free(t->phrases);
    for (size_t i = 0; i < t->n_credit_labels; i++)
        free(t->credit_labels[i]);
    free(t->cookie_prefixes);
    free(t->credit_labels);
    free(t->cookie_prefix_lens);
    free(t->credit_label_lens);
    free(t);
}

/* Kind of the folded word w[0..n), or 0 when it is not a date word. Any entry with that
 * spelling is acceptable; a month entry is preferred so "mar"/"mai" count as months. */
static int word_kind(const lk_tables *t, const char *w, size_t n)
{
    char key[64];
    if (n >= sizeof key)
        return 0;
    memcpy(key, w, n);
    key[n] = '\0';
    size_t lo = 0, hi = t->n_words;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->words[mid].folded, key);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int kind = 0;
    for (size_t i = lo; i < t->n_words && strcmp(t->words[i].folded, key) == 0; i++)
        if (!kind || t->words[i].kind == WK_MONTH)
            kind = (int)t->words[i].kind;
    return kind;
}

static bool phrase_known(const lk_tables *t, const char *s, size_t n)
{
    char key[256];
    if (n == 0 || n >= sizeof key)
        return false;
    memcpy(key, s, n);
    key[n] = '\0';
    const char *k = key;
    return bsearch(&k, t->phrases, t->n_phrases, sizeof *t->phrases, cmp_str) != NULL;
}

/* Light punctuation allowed in timestamp lines. */
static bool is_ts_punct(unsigned cp)
{
    switch (cp) {
    case '.':
    case ',':
    case ':':
    case ';':
    case '/':
    case '-':
    case '+':
    case '(':
    case ')':
    case '[':
    case ']':
    case '|':
    case 0x2013:
    case 0x2014:
    case 0xB7:
    case 0x2022:
        return true;
    default:
        return false;
    }
}

enum tok_type { TOK_NUM, TOK_WORD, TOK_SEP };

typedef struct ts_tok {
    enum tok_type type;
    unsigned ndigits; /* TOK_NUM */
    unsigned value;   /* TOK_NUM (saturating) */
    unsigned sep;     /* TOK_SEP: the code point */
    int kind;         /* TOK_WORD: enum word_kind */
} ts_tok;

#define TS_MAX_TOKENS 48

/* Split a candidate line into numbers, date words and separators. Returns the token count, or
 * -1 when the line holds anything else (an unknown word, other punctuation, too many tokens). */
static int ts_tokenize(const lk_tables *t, const char *s, size_t len, ts_tok *toks)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9') {
            unsigned nd = 0, v = 0;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                if (v < 100000)
                    v = v * 10 + (unsigned)(s[i] - '0');
                nd++;
                i++;
            }
            if (n == TS_MAX_TOKENS)
                return -1;
            toks[n++] = (ts_tok){.type = TOK_NUM, .ndigits = nd, .value = v};
            continue;
        }
        size_t start = i;
        unsigned cp = u8_decode(s, len, &i);
        if (u8_is_space(cp))
            continue;
        if (u8_is_letter(cp)) {
            char folded[64];
            size_t fl = 0;
            size_t j = start;
            bool too_long = false;
            while (j < len) {
                size_t k = j;
                unsigned wc = u8_decode(s, len, &k);
                if (!u8_is_letter(wc))
                    break;
                char tmp[4];
                size_t m = u8_encode(u8_fold(wc), tmp);
                if (fl + m >= sizeof folded)
                    too_long = true;
                else {
                    memcpy(folded + fl, tmp, m);
                    fl += m;
                }
                j = k;
            }
            i = j;
            int kind = too_long ? 0 : word_kind(t, folded, fl);
            if (!kind || n == TS_MAX_TOKENS)
                return -1;
            toks[n++] = (ts_tok){.type = TOK_WORD, .kind = kind};
            continue;
        }
        if (!is_ts_punct(cp) || n == TS_MAX_TOKENS)
            return -1;
        toks[n++] = (ts_tok){.type = TOK_SEP, .sep = cp};
    }
    return n;
}

static bool is_num(const ts_tok *k)
{
    return k->type == TOK_NUM;
}

static bool is_month(const ts_tok *k)
{
    return k->type == TOK_WORD && k->kind == WK_MONTH;
}

/* Numeric date at toks[i]: D.M.Y, Y-M-D, D/M/Y (the same separator twice). Returns the number
 * of tokens it spans, or 0. */
static int numeric_date_at(const ts_tok *toks, int n, int i)
{
    if (i + 4 >= n)
        return 0;
    const ts_tok *a = &toks[i], *s1 = &toks[i + 1], *b = &toks[i + 2], *s2 = &toks[i + 3],
                 *c = &toks[i + 4];
    if (!is_num(a) || !is_num(b) || !is_num(c) || s1->type != TOK_SEP || s2->type != TOK_SEP)
        return 0;
    if (s1->sep != s2->sep || (s1->sep != '.' && s1->sep != '/' && s1->sep != '-'))
        return 0;
    bool ymd = a->ndigits == 4 && b->ndigits <= 2 && c->ndigits <= 2;
    bool dmy = a->ndigits <= 2 && b->ndigits <= 2 && (c->ndigits == 2 || c->ndigits == 4);
    return (ymd || dmy) ? 5 : 0;
}

static bool has_date_or_time(const ts_tok *toks, int n)
{
    for (int i = 0; i < n; i++) {
        if (numeric_date_at(toks, n, i))
            return true;
        if (i + 2 < n && is_num(&toks[i]) && toks[i].ndigits <= 2 && toks[i].value <= 24 &&
            toks[i + 1].type == TOK_SEP && toks[i + 1].sep == ':' && is_num(&toks[i + 2]) &&
            toks[i + 2].ndigits == 2)
            return true;
        if (is_num(&toks[i]) && toks[i].ndigits <= 2 && toks[i].value >= 1 && toks[i].value <= 31) {
            int j = i + 1;
            if (j < n && toks[j].type == TOK_SEP && toks[j].sep == '.')
                j++;
            if (j < n && is_month(&toks[j]))
                return true;
        }
        if (is_month(&toks[i]) && i + 1 < n && is_num(&toks[i + 1]) &&
            (toks[i + 1].ndigits <= 2 || toks[i + 1].ndigits == 4))
            return true;
    }
    return false;
}

static bool is_timestamp(const lk_tables *t, const char *s, size_t len)
{
    if (len == 0 || len > 160)
        return false;
    bool digit = false; /* every date form needs one; most lines have none */
    for (size_t i = 0; i < len && !digit; i++)
        digit = s[i] >= '0' && s[i] <= '9';
    if (!digit)
        return false;
    ts_tok toks[TS_MAX_TOKENS];
    int n = ts_tokenize(t, s, len, toks);
    return n > 0 && has_date_or_time(toks, n);
}

/* Trim characters that are neither letters nor digits from both ends of folded text. */
static void trim_non_alnum(const char *s, size_t *start, size_t *end)
{
    while (*start < *end) {
        size_t j = *start;
        unsigned cp = u8_decode(s, *end, &j);
        if (u8_is_letter(cp) || (cp >= '0' && cp <= '9'))
            break;
        *start = j;
    }
    while (*end > *start) {
        size_t k = *end - 1;
        while (k > *start && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        size_t j = k;
        unsigned cp = u8_decode(s, *end, &j);
        if (u8_is_letter(cp) || (cp >= '0' && cp <= '9'))
            break;
        *end = k;
    }
}

static bool is_list_sep(unsigned char c)
{
    return c == '|' || c == '/' || c == ',' || c == 0xE2; /* 0xE2 leads • and · variants */
}

/* Every part of s[0..n) between list separators (or, when by_space, between spaces) is a known
 * phrase, and there are at least two parts. */
static bool all_parts_known(const lk_tables *t, const char *s, size_t n, bool by_space)
{
    size_t parts = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        bool at_sep = i == n || (by_space ? s[i] == ' ' : is_list_sep((unsigned char)s[i]));
        if (!at_sep)
            continue;
        size_t a = start, b = i;
        trim_non_alnum(s, &a, &b);
        if (a < b) {
            if (!phrase_known(t, s + a, b - a))
                return false;
            parts++;
        }
        if (i < n && (unsigned char)s[i] == 0xE2) /* skip a 3-byte bullet/dot character */
            i += 2;
        start = i + 1;
    }
    return parts >= 2;
}

static bool has_prefix(const char *buf, size_t n, char *const *prefixes, const size_t *lens,
                       const uint16_t start[257])
{
    if (n == 0)
        return false;
    unsigned char c = (unsigned char)buf[0];
    for (size_t i = start[c]; i < start[c + 1]; i++)
        if (n >= lens[i] && memcmp(buf, prefixes[i], lens[i]) == 0)
            return true;
    return false;
}

/* Whether the raw line s[0..len) could be a known phrase or a list of them, judged by its
 * words before folding: a phrase has at most max_phrase_words words, a space-separated list at
 * most 6 words, and every part of a separated list is a phrase (two words of slack for marks
 * such as "»"). Folding only splits words further (Unicode spaces), so a "no" here is safe. */
static bool may_be_phrases(const lk_tables *t, const char *s, size_t len)
{
    size_t whole_limit = (t->max_phrase_words > 6 ? t->max_phrase_words : 6) + 2;
    size_t part_limit = t->max_phrase_words + 2;
    size_t words = 1, part_words = 1, longest_part = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t') {
            words++;
            part_words++;
        } else if (is_list_sep(c)) {
            if (part_words > longest_part)
                longest_part = part_words;
            part_words = 1;
        }
    }
    if (part_words > longest_part)
        longest_part = part_words;
    return words <= whole_limit || longest_part <= part_limit;
}

/* buf[0..n) is the folded line (only its start when the line is over 100 bytes, which `len`
 * then says). */
static bool is_boilerplate(const lk_tables *t, size_t len, const char *buf, size_t n,
                           bool maybe_prefix)
{
    if (len > 400)
        return false;
    /* Cookie notices are recognized by their start, whatever their length. */
    if (maybe_prefix &&
        has_prefix(buf, n, t->cookie_prefixes, t->cookie_prefix_lens, t->cookie_start))
        return true;
    if (len > 100)
        return false;
    size_t a = 0, b = n;
    trim_non_alnum(buf, &a, &b);
    if (a >= b)
        return false;
    if (phrase_known(t, buf + a, b - a))
        return true;
    if (all_parts_known(t, buf + a, b - a, false))
        return true;
    size_t words = 1;
    for (size_t i = a; i < b; i++)
        words += buf[i] == ' ';
    return words <= 6 && all_parts_known(t, buf + a, b - a, true);
}

lk_kind lk_classify(const lk_tables *t, const char *s, size_t len)
{
    if (len == 0)
        return LK_CONTENT;
    if (len >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA9) /* © */
        return len <= 300 ? LK_CREDIT : LK_CONTENT;
    if (len >= 4 && s[0] == '(' && (s[1] == 'c' || s[1] == 'C') && s[2] == ')' && s[3] == ' ')
        return len <= 200 ? LK_CREDIT : LK_CONTENT;
    if (is_timestamp(t, s, len))
        return LK_TIMESTAMP;
    if (len > 400)
        return LK_CONTENT;
    char buf[256];
    bool whole = len <= 100 && may_be_phrases(t, s, len);
    size_t n = fold_norm(s, whole ? len : 4, buf, sizeof buf);
    unsigned char c0 = n ? (unsigned char)buf[0] : 0;
    bool maybe_prefix = (t->first_bytes[c0 >> 3] >> (c0 & 7)) & 1;
    if (!whole) {
        /* Long lines can only be credits or cookie notices, recognized by their start; fold
         * the start only when it may be one. */
        if (!maybe_prefix)
            return LK_CONTENT;
        n = fold_norm(s, len < 64 ? len : 64, buf, sizeof buf);
        if (len <= 150 &&
            has_prefix(buf, n, t->credit_labels, t->credit_label_lens, t->credit_start))
            return LK_CREDIT;
        return is_boilerplate(t, 101 + len, buf, n, true) ? LK_BOILERPLATE : LK_CONTENT;
    }
    if (maybe_prefix && has_prefix(buf, n, t->credit_labels, t->credit_label_lens, t->credit_start))
        return LK_CREDIT;
    if (is_boilerplate(t, len, buf, n, maybe_prefix))
        return LK_BOILERPLATE;
    return LK_CONTENT;
}

size_t lk_date_prefix_len(const lk_tables *t, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && u8_space_len_at(s, len, i))
        i += u8_space_len_at(s, len, i);
    /* Optional label word ("date", "Datum:", "Tarih"), only from the marker list. */
    size_t label_end = i;
    {
        char folded[64];
        size_t fl = 0, j = i;
        while (j < len) {
            size_t k = j;
            unsigned cp = u8_decode(s, len, &k);
            if (!u8_is_letter(cp))
                break;
            char tmp[4];
            size_t m = u8_encode(u8_fold(cp), tmp);
            if (fl + m >= sizeof folded) {
                fl = 0;
                break;
            }
            memcpy(folded + fl, tmp, m);
            fl += m;
            j = k;
        }
        if (fl > 0 && word_kind(t, folded, fl) == WK_MARKER) {
            if (j < len && s[j] == ':')
                j++;
            label_end = j;
        }
    }
    i = label_end;
    while (i < len && u8_space_len_at(s, len, i))
        i += u8_space_len_at(s, len, i);
    /* The date itself: three digit groups with one separator kind, optionally a time. */
    size_t groups = 0, digits[3] = {0, 0, 0};
    char sep = 0;
    while (i < len && groups < 3) {
        size_t d = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            d++;
            i++;
        }
        if (d == 0 || d > 4)
            return 0;
        digits[groups++] = d;
        if (groups == 3)
            break;
        if (i >= len || (s[i] != '-' && s[i] != '.' && s[i] != '/'))
            return 0;
        if (sep && s[i] != sep)
            return 0;
        sep = s[i++];
    }
    if (groups != 3)
        return 0;
    bool ymd = digits[0] == 4 && digits[1] <= 2 && digits[2] <= 2;
    bool dmy = digits[0] <= 2 && digits[1] <= 2 && (digits[2] == 2 || digits[2] == 4);
    if (!ymd && !dmy)
        return 0;
    if (sep == '.' && i < len && s[i] == '.')
        i++;
    /* Optional time "T14:05", " 14:05:33", zone "Z"/"+03:00". */
    size_t save = i;
    if (i < len && (s[i] == 'T' || s[i] == ' '))
        i++;
    if (i + 4 < len && s[i] >= '0' && s[i] <= '9' &&
        ((s[i + 1] == ':' && s[i + 2] >= '0' && s[i + 2] <= '9') ||
         (s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] == ':'))) {
        while (i < len &&
               ((s[i] >= '0' && s[i] <= '9') || s[i] == ':' || s[i] == '+' || s[i] == 'Z'))
            i++;
    } else {
        i = save;
    }
    /* A separator between the date and the headline, at least one space or punctuation. */
    size_t before_sep = i;
    while (i < len) {
        size_t sl = u8_space_len_at(s, len, i);
        if (sl) {
            i += sl;
            continue;
        }
        if (s[i] == '|' || s[i] == '-' || s[i] == ',' || s[i] == ':') {
            i++;
            continue;
        }
        size_t k = i;
        unsigned cp = u8_decode(s, len, &k);
        if (cp == 0x2013 || cp == 0x2014 || cp == 0xB7 || cp == 0x2022) {
            i = k;
            continue;
        }
        break;
    }
    if (i == before_sep || i >= len)
        return 0;
    /* The rest must be text (a letter within the first few characters). */
    size_t j = i;
    for (int k = 0; k < 8 && j < len; k++) {
        unsigned cp = u8_decode(s, len, &j);
        if (u8_is_letter(cp))
            return i;
    }
    return 0;
}
