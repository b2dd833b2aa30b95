/*
 * langdetect_test - loads the built langdetect.so through the plugin ABI and checks its
 * decisions: script-decided languages, every n-gram language on a paragraph written for this
 * test (not taken from the training catalogs), confusable pairs, "und" for short, empty and
 * mixed text, confidence ordering, the meta object, and the seed articles when present.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_harness.h"
#include "testlib.h"

static ph_plugin *plugin;

typedef struct sample {
    const char *lang;
    const char *text;
} sample;

/* Run the plugin on text; returns the language (static copy) and stores the confidence. */
static const char *detect(const char *text, double *conf)
{
    static char lang[8];
    ingestd_record *rec = ph_record(text);
    CHECK_INT(ph_process(plugin, rec), INGESTD_OK);
    const char *l = ph_get(rec, INGESTD_FIELD_LANG);
    snprintf(lang, sizeof lang, "%s", l ? l : "(null)");
    if (conf)
        *conf = rec_lang_confidence(rec);
    rec_free(rec);
    return lang;
}

static void check_samples(const sample *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double conf = -1;
        const char *got = detect(s[i].text, &conf);
        if (strcmp(got, s[i].lang) != 0)
            fprintf(stderr, "  expected %s, got %s for: %.60s...\n", s[i].lang, got, s[i].text);
        CHECK_STR(got, s[i].lang);
        CHECK(conf > 0.0 && conf <= 1.0);
    }
}

/* Scripts that decide the language alone. */
static const sample script_samples[] = {
    {"el", "Το δημοτικό συμβούλιο συνεδρίασε την Τρίτη το βράδυ για να συζητήσει τον νέο "
           "προϋπολογισμό των δημόσιων συγκοινωνιών."},
    {"ko", "시의회는 화요일 저녁에 대중교통의 새 예산을 논의하기 위해 모였다."},
    {"ja", "市議会は火曜日の夜、公共交通機関の新しい予算について話し合うために集まった。"},
    {"zh", "市议会周二晚上开会讨论公共交通的新预算。几位议员认为票价应该再维持一年不变。"},
    {"th", "สภาเมืองประชุมเมื่อคืนวันอังคารเพื่อหารือเกี่ยวกับงบประมาณใหม่สำหรับการขนส่งสาธารณะ"},
    {"ka", "ქალაქის საბჭო სამშაბათს საღამოს შეიკრიბა საზოგადოებრივი ტრანსპორტის ახალი "
           "ბიუჯეტის განსახილველად."},
    {"hy", "Քաղաքային խորհուրդը երեքշաբթի երեկոյան հավաքվեց՝ քննարկելու հասարակական "
           "տրանսպորտի նոր բյուջեն։"},
    {"he", "מועצת העיר התכנסה ביום שלישי בערב כדי לדון בתקציב החדש לתחבורה הציבורית."},
    {"hi", "नगर परिषद ने मंगलवार शाम को सार्वजनिक परिवहन के नए बजट पर चर्चा करने के लिए बैठक की।"},
    {"bn", "নগর পরিষদ মঙ্গলবার সন্ধ্যায় গণপরিবহনের নতুন বাজেট নিয়ে আলোচনা করতে বৈঠকে বসে।"},
};

static void test_unique_scripts(void)
{
    check_samples(script_samples, sizeof script_samples / sizeof script_samples[0]);
}

/* One paragraph per n-gram language, written for this test (city council and budget). */
static const sample latin_samples[] = {
    {"en", "The city council met on Tuesday evening to discuss the new budget for public "
           "transport. Several members argued that ticket prices should stay the same for "
           "another year, while others wanted more money for repairs of old bridges. The final "
           "vote is expected next week."},
    {"de", "Der Stadtrat hat sich am Dienstagabend getroffen, um über den neuen Haushalt für den "
           "öffentlichen Verkehr zu beraten. Mehrere Mitglieder meinten, dass die Fahrpreise "
           "noch ein Jahr lang gleich bleiben sollten, während andere mehr Geld für die Reparatur "
           "alter Brücken forderten. Die Abstimmung wird nächste Woche erwartet."},
    {"fr", "Le conseil municipal s'est réuni mardi soir pour discuter du nouveau budget des "
           "transports publics. Plusieurs membres ont estimé que le prix des billets devait "
           "rester le même pendant encore un an, tandis que d'autres voulaient davantage "
           "d'argent pour réparer les vieux ponts. Le vote final est attendu la semaine "
           "prochaine."},
    {"es", "El ayuntamiento se reunió el martes por la noche para debatir el nuevo presupuesto "
           "del transporte público. Varios concejales defendieron que el precio de los billetes "
           "siga igual durante un año más, mientras que otros pidieron más dinero para reparar "
           "los puentes antiguos. La votación final se espera para la próxima semana."},
    {"pt", "A câmara municipal reuniu-se na terça-feira à noite para discutir o novo orçamento "
           "dos transportes públicos. Vários vereadores defenderam que o preço dos bilhetes deve "
           "continuar igual durante mais um ano, enquanto outros queriam mais dinheiro para a "
           "reparação das pontes antigas. A votação final está prevista para a próxima semana."},
    {"it", "Il consiglio comunale si è riunito martedì sera per discutere il nuovo bilancio dei "
           "trasporti pubblici. Diversi consiglieri hanno sostenuto che il prezzo dei biglietti "
           "dovrebbe rimanere invariato per un altro anno, mentre altri chiedevano più soldi per "
           "riparare i vecchi ponti. Il voto finale è atteso la prossima settimana."},
    {"nl", "De gemeenteraad kwam dinsdagavond bijeen om de nieuwe begroting voor het openbaar "
           "vervoer te bespreken. Verschillende leden vonden dat de prijs van een kaartje nog "
           "een jaar hetzelfde moet blijven, terwijl anderen meer geld wilden voor het herstel "
           "van oude bruggen. De stemming wordt volgende week verwacht."},
    {"tr", "Belediye meclisi salı akşamı toplu taşıma için yeni bütçeyi görüşmek üzere toplandı. "
           "Bazı üyeler bilet fiyatlarının bir yıl daha aynı kalması gerektiğini savunurken, "
           "diğerleri eski köprülerin onarımı için daha fazla para istedi. Nihai oylamanın "
           "gelecek hafta yapılması bekleniyor."},
    {"az", "Şəhər şurası çərşənbə axşamı ictimai nəqliyyat üçün yeni büdcəni müzakirə etmək "
           "üçün toplandı. Bəzi üzvlər bilet qiymətlərinin daha bir il dəyişməz qalmasını "
           "təklif etdi, digərləri isə köhnə körpülərin təmiri üçün daha çox pul istədi. Son "
           "səsvermənin gələn həftə keçiriləcəyi gözlənilir."},
    {"sl", "Mestni svet se je v torek zvečer sestal, da bi razpravljal o novem proračunu za "
           "javni promet. Več svetnikov je menilo, da bi morale cene vozovnic ostati enake še "
           "eno leto, drugi pa so želeli več denarja za popravilo starih mostov. Končno "
           "glasovanje pričakujejo prihodnji teden."},
    {"hr", "Gradsko vijeće sastalo se u utorak navečer kako bi raspravljalo o novom proračunu za "
           "javni prijevoz. Nekoliko vijećnika smatra da bi cijene karata trebale ostati iste "
           "još godinu dana, dok su drugi tražili više novca za popravak starih mostova. "
           "Konačno glasovanje očekuje se idući tjedan."},
    {"cs", "Městská rada se sešla v úterý večer, aby projednala nový rozpočet pro veřejnou "
           "dopravu. Několik členů tvrdilo, že ceny jízdenek by měly zůstat ještě rok stejné, "
           "zatímco jiní chtěli více peněz na opravu starých mostů. Konečné hlasování se "
           "očekává příští týden."},
    {"sk", "Mestská rada sa zišla v utorok večer, aby prerokovala nový rozpočet pre verejnú "
           "dopravu. Niekoľko členov tvrdilo, že ceny cestovných lístkov by mali zostať ešte rok "
           "rovnaké, zatiaľ čo iní chceli viac peňazí na opravu starých mostov. Konečné "
           "hlasovanie sa očakáva budúci týždeň."},
    {"pl", "Rada miejska zebrała się we wtorek wieczorem, aby omówić nowy budżet transportu "
           "publicznego. Kilku radnych uważało, że ceny biletów powinny pozostać takie same "
           "przez kolejny rok, podczas gdy inni chcieli więcej pieniędzy na naprawę starych "
           "mostów. Ostateczne głosowanie spodziewane jest w przyszłym tygodniu."},
    {"ro", "Consiliul local s-a întrunit marți seara pentru a discuta noul buget pentru "
           "transportul public. Mai mulți consilieri au susținut că prețul biletelor ar trebui "
           "să rămână același încă un an, în timp ce alții au cerut mai mulți bani pentru "
           "repararea podurilor vechi. Votul final este așteptat săptămâna viitoare."},
    {"hu", "A városi közgyűlés kedd este ülésezett, hogy megvitassa a tömegközlekedés új "
           "költségvetését. Több képviselő szerint a jegyárak még egy évig maradjanak "
           "változatlanok, mások viszont több pénzt szerettek volna a régi hidak javítására. A "
           "végső szavazás jövő héten várható."},
    {"fi", "Kaupunginvaltuusto kokoontui tiistai-iltana keskustelemaan joukkoliikenteen uudesta "
           "talousarviosta. Useat valtuutetut katsoivat, että lippujen hintojen pitäisi pysyä "
           "samoina vielä vuoden ajan, kun taas toiset halusivat enemmän rahaa vanhojen "
           "siltojen korjaamiseen. Lopullinen äänestys odotetaan ensi viikolla."},
    {"sv", "Kommunfullmäktige samlades på tisdagskvällen för att diskutera den nya budgeten för "
           "kollektivtrafiken. Flera ledamöter ansåg att biljettpriserna borde vara oförändrade "
           "ytterligare ett år, medan andra ville ha mer pengar till reparationer av gamla "
           "broar. Den slutliga omröstningen väntas nästa vecka."},
    {"da", "Byrådet mødtes tirsdag aften for at drøfte det nye budget for den offentlige "
           "transport. Flere medlemmer mente, at billetpriserne skulle forblive de samme i "
           "endnu et år, mens andre ønskede flere penge til reparation af gamle broer. Den "
           "endelige afstemning ventes i næste uge."},
    {"no", "Bystyret møttes tirsdag kveld for å diskutere det nye budsjettet for "
           "kollektivtransporten. Flere medlemmer mente at billettprisene burde være uendret "
           "ett år til, mens andre ønsket mer penger til reparasjon av gamle bruer. Den "
           "endelige avstemningen ventes neste uke."},
    {"et", "Linnavolikogu kogunes teisipäeva õhtul, et arutada ühistranspordi uut eelarvet. "
           "Mitu liiget leidis, et piletihinnad peaksid jääma veel aastaks samaks, teised aga "
           "soovisid rohkem raha vanade sildade parandamiseks. Lõplik hääletus on oodata "
           "järgmisel nädalal."},
    {"lv", "Pilsētas dome otrdienas vakarā sanāca, lai apspriestu jauno sabiedriskā transporta "
           "budžetu. Vairāki deputāti uzskatīja, ka biļešu cenām vēl vienu gadu jāpaliek "
           "nemainīgām, bet citi vēlējās vairāk naudas veco tiltu remontam. Galīgais balsojums "
           "gaidāms nākamnedēļ."},
    {"lt", "Miesto taryba antradienio vakarą susirinko aptarti naujo viešojo transporto "
           "biudžeto. Keli nariai teigė, kad bilietų kainos turėtų likti tokios pačios dar "
           "vienus metus, o kiti norėjo daugiau pinigų senų tiltų remontui. Galutinis "
           "balsavimas laukiamas kitą savaitę."},
    {"id", "Dewan kota bertemu pada Selasa malam untuk membahas anggaran baru bagi transportasi "
           "umum. Beberapa anggota berpendapat bahwa harga tiket sebaiknya tetap sama selama "
           "satu tahun lagi, sementara yang lain menginginkan lebih banyak dana untuk "
           "memperbaiki jembatan tua. Pemungutan suara akhir diperkirakan berlangsung minggu "
           "depan."},
    {"vi", "Hội đồng thành phố đã họp vào tối thứ Ba để thảo luận về ngân sách mới cho giao "
           "thông công cộng. Một số thành viên cho rằng giá vé nên giữ nguyên thêm một năm nữa, "
           "trong khi những người khác muốn có thêm tiền để sửa chữa các cây cầu cũ. Cuộc bỏ "
           "phiếu cuối cùng dự kiến diễn ra vào tuần tới."},
    {"ca", "L'ajuntament es va reunir dimarts al vespre per debatre el nou pressupost del "
           "transport públic. Diversos regidors van defensar que el preu dels bitllets es "
           "mantingui igual durant un any més, mentre que altres demanaven més diners per "
           "reparar els ponts vells. La votació final s'espera la setmana vinent."},
};

static void test_latin_languages(void)
{
    check_samples(latin_samples, sizeof latin_samples / sizeof latin_samples[0]);
}

/* Arabic-script strings do not reflow stably under clang-format. */
// clang-format off
static const sample cyrillic_arabic_samples[] = {
    {"ru", "Городской совет собрался во вторник вечером, чтобы обсудить новый бюджет "
           "общественного транспорта. Несколько депутатов считают, что цены на билеты должны "
           "остаться прежними ещё на год, тогда как другие хотели получить больше денег на "
           "ремонт старых мостов. Окончательное голосование ожидается на следующей неделе."},
    {"uk", "Міська рада зібралася у вівторок увечері, щоб обговорити новий бюджет громадського "
           "транспорту. Кілька депутатів вважають, що ціни на квитки мають залишитися "
           "незмінними ще на рік, тоді як інші хотіли отримати більше грошей на ремонт старих "
           "мостів. Остаточне голосування очікується наступного тижня."},
    {"bg", "Общинският съвет се събра във вторник вечерта, за да обсъди новия бюджет за "
           "обществения транспорт. Няколко съветници смятат, че цените на билетите трябва да "
           "останат същите още една година, докато други искаха повече пари за ремонт на "
           "старите мостове. Окончателното гласуване се очаква следващата седмица."},
    {"sr", "Градско веће састало се у уторак увече како би расправљало о новом буџету за јавни "
           "превоз. Неколико одборника сматра да би цене карата требало да остану исте још "
           "годину дана, док су други тражили више новца за поправку старих мостова. Коначно "
           "гласање очекује се следеће недеље."},
    {"mk", "Градскиот совет се состана во вторник навечер за да разговара за новиот буџет за "
           "јавниот превоз. Неколку советници сметаат дека цените на билетите треба да останат "
           "исти уште една година, додека другите бараа повеќе пари за поправка на старите "
           "мостови. Конечното гласање се очекува следната недела."},
    {"be", "Гарадскі савет сабраўся ў аўторак увечары, каб абмеркаваць новы бюджэт грамадскага "
           "транспарту. Некалькі дэпутатаў лічаць, што кошт квіткоў павінен застацца нязменным "
           "яшчэ на год, а іншыя хацелі атрымаць больш грошай на рамонт старых мастоў. "
           "Канчатковае галасаванне чакаецца на наступным тыдні."},
    {"kk", "Қалалық кеңес сейсенбі күні кешке қоғамдық көліктің жаңа бюджетін талқылау үшін "
           "жиналды. Бірнеше депутат билет бағасы тағы бір жыл бойы өзгеріссіз қалуы керек деп "
           "санайды, ал басқалары ескі көпірлерді жөндеуге көбірек ақша сұрады. Соңғы дауыс "
           "беру келесі аптада күтілуде."},
    {"ar", "اجتمع مجلس المدينة مساء الثلاثاء لمناقشة الميزانية الجديدة للنقل العام. ورأى عدد من "
           "الأعضاء أن أسعار التذاكر يجب أن تبقى كما هي لعام آخر، بينما طالب آخرون بمزيد من "
           "المال لإصلاح الجسور القديمة. ومن المتوقع أن يجري التصويت النهائي الأسبوع المقبل."},
    {"fa", "شورای شهر سه‌شنبه شب برای بررسی بودجه جدید حمل و نقل عمومی "
           "تشکیل "
           "جلسه "
           "داد. "
           "چند "
           "نفر "
           "از اعضا معتقد بودند که قیمت بلیت‌ها باید یک سال دیگر بدون "
           "تغییر "
           "بماند، "
           "در "
           "حالی "
           "که "
           "دیگران پول بیشتری برای تعمیر پل‌های قدیمی "
           "می‌خواستند. "
           "رأی‌گیری "
           "نهایی "
           "هفته "
           "آینده "
           "انجام می‌شود."},
};
// clang-format on

static void test_cyrillic_arabic_languages(void)
{
    check_samples(cyrillic_arabic_samples,
                  sizeof cyrillic_arabic_samples / sizeof cyrillic_arabic_samples[0]);
}

/* Confusable pairs on a second topic (weather), each language written for this test. */
static const sample pair_samples[] = {
    {"sl", "Po napovedih vremenoslovcev bo jutri v večjem delu države deževno, ponekod bodo "
           "možne tudi nevihte s točo. Temperature se bodo spustile za nekaj stopinj, zato "
           "strokovnjaki svetujejo previdnost na cestah. Proti koncu tedna naj bi se spet "
           "zjasnilo."},
    {"hr", "Prema prognozi meteorologa, sutra će u većem dijelu zemlje biti kišovito, a "
           "mjestimice su moguće i grmljavinske oluje s tučom. Temperature će pasti za nekoliko "
           "stupnjeva, pa stručnjaci savjetuju oprez na cestama. Krajem tjedna trebalo bi se "
           "ponovno razvedriti."},
    {"cs", "Podle předpovědi meteorologů bude zítra ve větší části země deštivo, místy jsou "
           "možné i bouřky s krupobitím. Teploty klesnou o několik stupňů, proto odborníci radí "
           "řidičům opatrnost na silnicích. Ke konci týdne by se mělo znovu vyjasnit."},
    {"sk", "Podľa predpovede meteorológov bude zajtra vo väčšej časti krajiny daždivo, miestami "
           "sú možné aj búrky s krupobitím. Teploty klesnú o niekoľko stupňov, preto odborníci "
           "radia vodičom opatrnosť na cestách. Ku koncu týždňa by sa malo opäť vyjasniť."},
    {"ru", "По прогнозу синоптиков, завтра на большей части страны пройдут дожди, местами "
           "возможны грозы с градом. Температура опустится на несколько градусов, поэтому "
           "специалисты советуют водителям быть осторожнее на дорогах. К концу недели снова "
           "ожидается ясная погода."},
    {"uk", "За прогнозом синоптиків, завтра на більшій частині країни пройдуть дощі, подекуди "
           "можливі грози з градом. Температура знизиться на кілька градусів, тому фахівці "
           "радять водіям бути обережнішими на дорогах. Наприкінці тижня знову очікується ясна "
           "погода."},
    {"tr", "Meteorologların tahminine göre yarın ülkenin büyük bölümünde yağmur bekleniyor, bazı "
           "yerlerde dolu ile birlikte sağanak da görülebilir. Sıcaklıklar birkaç derece "
           "düşecek, bu nedenle uzmanlar sürücülere yollarda dikkatli olmalarını tavsiye "
           "ediyor. Hafta sonuna doğru havanın yeniden açması bekleniyor."},
    {"az", "Sinoptiklərin proqnozuna görə, sabah ölkənin böyük hissəsində yağış yağacaq, bəzi "
           "yerlərdə dolu ilə leysan da mümkündür. Temperatur bir neçə dərəcə aşağı düşəcək, "
           "buna görə də mütəxəssislər sürücülərə yollarda ehtiyatlı olmağı məsləhət görürlər. "
           "Həftənin sonuna doğru hava yenidən açılacaq."},
    {"es", "Según la previsión de los meteorólogos, mañana lloverá en gran parte del país y en "
           "algunas zonas podrían producirse tormentas con granizo. Las temperaturas bajarán "
           "varios grados, por lo que los expertos aconsejan a los conductores precaución en "
           "las carreteras. Hacia el final de la semana volverá a despejarse."},
    {"pt", "Segundo a previsão dos meteorologistas, amanhã vai chover em grande parte do país e "
           "em algumas zonas poderão ocorrer trovoadas com granizo. As temperaturas vão descer "
           "vários graus, por isso os especialistas aconselham os condutores a ter cuidado nas "
           "estradas. Para o fim da semana o céu deverá voltar a limpar."},
};

static void test_confusable_pairs(void)
{
    check_samples(pair_samples, sizeof pair_samples / sizeof pair_samples[0]);
}

/* Every confusable group on a third topic (a new library), each written for this test with
 * the words that set the members apart: ijekavian/ekavian and bs/hr/sr vocabulary (sedmica,
 * hiljada, historija / tjedan, tisuća, povijest / nedelja, istorija), id/ms (bahwa, karena /
 * bahawa, kerana, daripada), da/no/sv spelling, es/gl/pt/ca, Cyrillic South and East Slavic. */
// clang-format off
static const sample group_samples[] = {
    {"bs", "Nova gradska biblioteka u Sarajevu otvorena je prošle sedmice, a općina je za "
           "njenu izgradnju izdvojila više od hiljadu maraka po kvadratnom metru. Uposlenici "
           "kažu da su posjetioci već prvog dana posudili stotine knjiga iz historije i "
           "književnosti. Djeca mogu besplatno učestvovati u radionicama svake subote."},
    {"hr", "Nova gradska knjižnica u Zagrebu otvorena je prošloga tjedna, a grad je za njezinu "
           "izgradnju izdvojio više od tisuću eura po četvornom metru. Djelatnici kažu da su "
           "posjetitelji već prvoga dana posudili stotine knjiga iz povijesti i književnosti. "
           "Djeca mogu besplatno sudjelovati u radionicama svake subote."},
    {"sr", "Nova gradska biblioteka u Beogradu otvorena je prošle nedelje, a grad je za njenu "
           "izgradnju izdvojio više od hiljadu evra po kvadratnom metru. Zaposleni kažu da su "
           "posetioci već prvog dana pozajmili stotine knjiga iz istorije i književnosti. Deca "
           "mogu besplatno da učestvuju u radionicama svake subote."},
    {"sr", "Нова градска библиотека у Београду отворена је прошле недеље, а град је за њену "
           "изградњу издвојио више од хиљаду евра по квадратном метру. Запослени кажу да су "
           "посетиоци већ првог дана позајмили стотине књига из историје и књижевности. Деца "
           "могу бесплатно да учествују у радионицама сваке суботе."},
    {"sl", "Nova mestna knjižnica v Ljubljani je bila odprta prejšnji teden, občina pa je za "
           "njeno gradnjo namenila več kot tisoč evrov na kvadratni meter. Zaposleni pravijo, "
           "da so obiskovalci že prvi dan izposodili na stotine knjig o zgodovini in "
           "književnosti. Otroci lahko vsako soboto brezplačno sodelujejo v delavnicah."},
    {"mk", "Новата градска библиотека во Скопје беше отворена минатата недела, а општината за "
           "нејзината изградба издвои повеќе од илјада евра по квадратен метар. Вработените "
           "велат дека посетителите уште првиот ден позајмиле стотици книги од историјата и "
           "книжевноста. Децата можат бесплатно да учествуваат во работилниците секоја сабота."},
    {"bg", "Новата градска библиотека в София беше открита миналата седмица, а общината е "
           "отделила за строежа ѝ повече от хиляда евро на квадратен метър. Служителите казват, "
           "че още през първия ден посетителите са заели стотици книги по история и литература. "
           "Децата могат безплатно да участват в работилниците всяка събота."},
    {"be", "Новая гарадская бібліятэка ў Мінску адкрылася на мінулым тыдні, а гарадскія ўлады "
           "выдзелілі на яе будаўніцтва больш за тысячу рублёў на квадратны метр. Супрацоўнікі "
           "кажуць, што ўжо ў першы дзень наведвальнікі ўзялі сотні кніг па гісторыі і "
           "літаратуры. Дзеці могуць бясплатна ўдзельнічаць у майстэрнях кожную суботу."},
    {"ru", "Новая городская библиотека в Казани открылась на прошлой неделе, а власти города "
           "потратили на её строительство больше тысячи рублей за квадратный метр."},
    {"uk", "Нова міська бібліотека у Львові відкрилася минулого тижня, а міська влада "
           "витратила на її будівництво понад тисячу гривень за квадратний метр."},
    {"id", "Perpustakaan kota yang baru di Bandung dibuka minggu lalu, dan pemerintah kota "
           "mengeluarkan biaya lebih dari satu miliar rupiah untuk pembangunannya. Para pegawai "
           "mengatakan bahwa pada hari pertama pengunjung sudah meminjam ratusan buku sejarah "
           "dan sastra. Anak-anak bisa mengikuti lokakarya secara gratis setiap hari Sabtu "
           "karena ada dukungan dari sekolah setempat."},
    {"ms", "Perpustakaan bandar yang baharu di Kuala Lumpur telah dibuka minggu lepas, dan "
           "majlis bandaraya membelanjakan lebih daripada satu juta ringgit untuk pembinaannya. "
           "Kakitangan berkata bahawa pada hari pertama pengunjung sudah meminjam beratus-ratus "
           "buah buku sejarah dan kesusasteraan. Kanak-kanak boleh menyertai bengkel secara "
           "percuma setiap hari Sabtu kerana mendapat sokongan daripada sekolah berhampiran."},
    {"da", "Det nye bibliotek i Aarhus åbnede i sidste uge, og kommunen har brugt mere end tusind "
           "kroner pr. kvadratmeter på byggeriet. Medarbejderne fortæller, at de besøgende "
           "allerede på den første dag lånte hundredvis af bøger om historie og litteratur. Børn "
           "kan gratis deltage i værksteder hver lørdag, og der er ingen ventetid."},
    {"no", "Det nye biblioteket i Bergen åpnet forrige uke, og kommunen har brukt mer enn tusen "
           "kroner per kvadratmeter på byggingen. De ansatte forteller at de besøkende allerede "
           "den første dagen lånte hundrevis av bøker om historie og litteratur. Barn kan delta "
           "gratis på verksteder hver lørdag, og det er ingen ventetid."},
    {"sv", "Det nya biblioteket i Göteborg öppnade förra veckan, och kommunen har lagt mer än "
           "tusen kronor per kvadratmeter på bygget. De anställda berättar att besökarna redan "
           "första dagen lånade hundratals böcker om historia och litteratur. Barn kan delta "
           "gratis i verkstäder varje lördag."},
    {"es", "La nueva biblioteca municipal de Vigo abrió la semana pasada, y el ayuntamiento "
           "gastó más de mil euros por metro cuadrado en su construcción. Los empleados cuentan "
           "que ya el primer día los visitantes se llevaron cientos de libros de historia y "
           "literatura. Los niños pueden participar gratis en los talleres todos los sábados."},
    {"gl", "A nova biblioteca municipal de Vigo abriu a semana pasada, e o concello gastou máis "
           "de mil euros por metro cadrado na súa construción. Os traballadores contan que xa o "
           "primeiro día os visitantes levaron centos de libros de historia e literatura. Os "
           "nenos poden participar de balde nos obradoiros todos os sábados."},
    {"pt", "A nova biblioteca municipal do Porto abriu na semana passada, e a câmara gastou mais "
           "de mil euros por metro quadrado na sua construção. Os funcionários contam que logo "
           "no primeiro dia os visitantes levaram centenas de livros de história e literatura. "
           "As crianças podem participar gratuitamente nas oficinas todos os sábados."},
    {"ca", "La nova biblioteca municipal de Girona va obrir la setmana passada, i l'ajuntament "
           "hi va gastar més de mil euros per metre quadrat. Els treballadors expliquen que ja "
           "el primer dia els visitants es van endur centenars de llibres d'història i "
           "literatura. Els nens poden participar gratuïtament als tallers cada dissabte."},
    {"cs", "Nová městská knihovna v Brně se otevřela minulý týden a radnice za její stavbu "
           "zaplatila přes tisíc eur za metr čtvereční."},
    {"sk", "Nová mestská knižnica v Košiciach sa otvorila minulý týždeň a mesto za jej stavbu "
           "zaplatilo viac ako tisíc eur za meter štvorcový."},
    {"tr", "Şehrin yeni kütüphanesi geçen hafta açıldı ve belediye inşaatı için metrekare başına "
           "bin avrodan fazla harcadı."},
    {"az", "Şəhərin yeni kitabxanası keçən həftə açıldı və bələdiyyə onun tikintisinə hər "
           "kvadrat metr üçün min manatdan çox xərclədi."},
};

/* Short news sentences: Slovene must never be taken for Croatian, Serbian or Bosnian and the
 * other way round (the 99.5% goal is measured on UDHR sentences in bench/). */
static const sample slovene_sentences[] = {
    {"sl", "Vlada je včeraj sprejela nov zakon o davkih."},
    {"sl", "Policija je zaradi nesreče zaprla avtocesto proti Mariboru."},
    {"sl", "V soboto bo na stadionu koncert znane skupine."},
    {"sl", "Cene električne energije bodo jeseni spet višje."},
    {"sl", "Župan je obljubil, da bodo most obnovili do poletja."},
    {"hr", "Vlada je jučer donijela novi zakon o porezima."},
    {"hr", "Cijene električne energije na jesen će opet biti više."},
    {"sr", "Vlada je juče usvojila novi zakon o porezima."},
    {"sr", "Cene električne energije na jesen će ponovo biti više."},
    {"bs", "Načelnik općine je obećao da će most biti obnovljen do ljeta."},
};
// clang-format on

static void test_confusable_groups(void)
{
    check_samples(group_samples, sizeof group_samples / sizeof group_samples[0]);
}

static void test_slovene_sentences(void)
{
    size_t n = sizeof slovene_sentences / sizeof slovene_sentences[0];
    for (size_t i = 0; i < n; i++) {
        const char *got = detect(slovene_sentences[i].text, NULL);
        int want_sl = strcmp(slovene_sentences[i].lang, "sl") == 0;
        if ((strcmp(got, "sl") == 0) != want_sl)
            fprintf(stderr, "  %s sentence taken as %s: %s\n", slovene_sentences[i].lang, got,
                    slovene_sentences[i].text);
        CHECK((strcmp(got, "sl") == 0) == want_sl);
        CHECK(strcmp(got, "und") != 0);
    }
}

static void test_und_for_short_empty_and_mixed(void)
{
    double conf = -1;
    CHECK_STR(detect("", &conf), "und");
    CHECK(conf >= 0.0 && conf < 0.01);
    CHECK_STR(detect("Hello there", &conf), "und");
    CHECK_STR(detect("12345 678 -- !!! ??? 2025-10-27 13:05", &conf), "und");
    CHECK_STR(detect("\xce\x91\xce\xb8", &conf), "und"); /* two Greek letters */
    /* Half English, half Russian: too mixed to say. */
    CHECK_STR(detect("Ministers met in the capital today to talk. "
                     "Министры встретились сегодня в столице.",
                     &conf),
              "und");
}

static void test_confidence_grows_with_length(void)
{
    double short_conf = 0, long_conf = 0;
    CHECK_STR(detect("Der Stadtrat hat sich getroffen.", &short_conf), "de");
    CHECK_STR(detect(latin_samples[1].text, &long_conf), "de");
    CHECK(short_conf > 0.0 && short_conf < long_conf);
    CHECK(long_conf > 0.5);
}

static void test_close_pair_is_less_confident(void)
{
    /* The confidence is calibrated on the lead over the runner-up: a sentence that Croatian,
     * Bosnian and Serbian write alike stays uncertain, a Finnish one of the same length (no
     * close neighbour) does not. */
    double hbs_conf = 0, fi_conf = 0;
    const char *hbs = detect("Predsjednik je u ponedjeljak razgovarao s ministrima.", &hbs_conf);
    CHECK(strcmp(hbs, "hr") == 0 || strcmp(hbs, "bs") == 0);
    CHECK_STR(detect("Kaupungin uusi kirjasto avattiin viime viikolla.", &fi_conf), "fi");
    CHECK(hbs_conf < 0.7);
    CHECK(fi_conf > 0.8);
    CHECK(hbs_conf < fi_conf);
}

static void test_meta_and_title(void)
{
    /* Body too short alone; the title adds enough Slovenian text. */
    ingestd_record *rec = ph_record("Ljubljana, 27. oktobra");
    const char *title = "Vlada je sprejela nov zakon o javnih naročilih in davkih";
    CHECK_INT(rec_set(rec, INGESTD_FIELD_TITLE, title, strlen(title)), 0);
    CHECK_INT(ph_process(plugin, rec), INGESTD_OK);
    CHECK_STR(ph_get(rec, INGESTD_FIELD_LANG), "sl");
    json_t *m = json_object_get(rec_meta(rec), "langdetect");
    CHECK(json_is_object(m));
    CHECK_STR(json_string_value(json_object_get(m, "script")), "Latn");
    const char *ru = json_string_value(json_object_get(m, "runner_up"));
    CHECK(ru != NULL && strlen(ru) == 2 && strcmp(ru, "sl") != 0);
    double rs = json_number_value(json_object_get(m, "runner_up_score"));
    CHECK(rs > 0.0 && rs <= 1.0);
    rec_free(rec);

    rec = ph_record(script_samples[0].text);
    CHECK_INT(ph_process(plugin, rec), INGESTD_OK);
    m = json_object_get(rec_meta(rec), "langdetect");
    CHECK_STR(json_string_value(json_object_get(m, "script")), "Grek");
    CHECK(json_is_null(json_object_get(m, "runner_up")));
    CHECK(json_object_get(m, "mix") == NULL); /* one script: no shares */
    rec_free(rec);

    /* Half Slovak, half Russian: "und", and the share of each language in meta. */
    char text[1024];
    snprintf(text, sizeof text, "%s %s", group_samples[20].text, group_samples[8].text);
    rec = ph_record(text);
    CHECK_INT(ph_process(plugin, rec), INGESTD_OK);
    CHECK_STR(ph_get(rec, INGESTD_FIELD_LANG), "und");
    json_t *mix = json_object_get(json_object_get(rec_meta(rec), "langdetect"), "mix");
    CHECK(json_is_array(mix) && json_array_size(mix) == 2);
    double total = 0;
    int seen_sk = 0, seen_ru = 0;
    for (size_t i = 0; i < json_array_size(mix); i++) {
        json_t *e = json_array_get(mix, i);
        const char *l = json_string_value(json_object_get(e, "lang"));
        double sh = json_number_value(json_object_get(e, "share"));
        CHECK(sh > 0.3 && sh < 0.7);
        total += sh;
        seen_sk += l && strcmp(l, "sk") == 0;
        seen_ru += l && strcmp(l, "ru") == 0;
    }
    CHECK(seen_sk == 1 && seen_ru == 1);
    CHECK(total > 0.99 && total < 1.01);
    rec_free(rec);
}

static void test_majority_script_wins(void)
{
    /* Turkish paragraph with a Russian photo caption inside. */
    char text[2048];
    snprintf(text, sizeof text, "%s\nПереговоры министров в Москве\n%s", latin_samples[7].text,
             pair_samples[6].text);
    CHECK_STR(detect(text, NULL), "tr");
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_seeds(void)
{
    static const sample expected[] = {
        {"tr", "000_"}, {"tr", "001_"}, {"el", "002_"}, {"sl", "003_"}, {"tr", "004_"},
    };
    const char *dir = SOURCE_DIR "/../shared/seeds";
    DIR *d = opendir(dir);
    if (!d)
        return; /* seeds are not part of every checkout */
    int seen = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
            if (strncmp(e->d_name, expected[i].text, 4) != 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            const char *text = read_file(path);
            CHECK(text != NULL);
            if (!text)
                continue;
            double conf = 0;
            const char *got = detect(text, &conf);
            if (strcmp(got, expected[i].lang) != 0)
                fprintf(stderr, "  seed %s: got %s\n", e->d_name, got);
            CHECK_STR(got, expected[i].lang);
            CHECK(conf > 0.5);
            seen++;
        }
    }
    closedir(d);
    CHECK_INT(seen, 5);
}

static void test_invalid_bytes_in_body_are_harmless(void)
{
    /* The host only holds valid UTF-8, but a body cut at LD_ANALYSIS_CAP may end mid-character:
     * a long Greek text whose cap falls inside a two-byte letter still decides. */
    static char big[20000];
    size_t len = 0;
    while (len + 200 < sizeof big) {
        size_t n = strlen(script_samples[0].text);
        memcpy(big + len, script_samples[0].text, n);
        len += n;
        big[len++] = ' ';
    }
    big[len] = '\0';
    CHECK_STR(detect(big, NULL), "el");
}

int main(void)
{
    plugin = ph_load("langdetect", NULL);
    RUN(test_unique_scripts);
    RUN(test_latin_languages);
    RUN(test_cyrillic_arabic_languages);
    RUN(test_confusable_pairs);
    RUN(test_confusable_groups);
    RUN(test_slovene_sentences);
    RUN(test_und_for_short_empty_and_mixed);
    RUN(test_confidence_grows_with_length);
    RUN(test_close_pair_is_less_confident);
    RUN(test_meta_and_title);
    RUN(test_majority_script_wins);
    RUN(test_seeds);
    RUN(test_invalid_bytes_in_body_are_harmless);
    ph_unload(plugin);
    return TEST_SUMMARY();
}
