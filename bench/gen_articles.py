#!/usr/bin/env python3
"""gen_articles - deterministic generator of messy scraped-news article files for the benchmarks.

Writes N distinct UTF-8 text files in the shapes seen in scraped news (see ../shared/seeds):
" date YYYY-MM-DD <title>" header lines, a numeric date followed by the same ISO timestamp
repeated, "(güncellendi: ...)"-style update lines in the article's language, photo captions
printed twice, "© agency" credit lines, "Abone ol"/"Subscribe" widgets, emoji bullet lists,
paragraphs glued without a space after the full stop, and paragraphs repeated at the end.
Texts are in 12 languages built from word lists and sentence frames written for this file.
Sizes are 2-8 KB, with a few ~200 KB outliers (one in 500 by default).

Same arguments + same seed = byte-identical files. Every file is distinct (each carries its own
serial in the text and a unique mix of sentences).

Usage: gen_articles.py OUT_DIR N [--seed S] [--outlier-every K] [--start I]
"""
import argparse
import os
import random
import sys

# Per language: subjects, verbs (3rd person, past), objects/complements, places, connectors,
# the "updated" word, subscribe widget, photo word, month names.
LANGS = {
    "tr": dict(
        subj=["Cumhurbaşkanı", "Dışişleri Bakanı", "Belediye başkanı", "Bölge valisi", "Ekonomi uzmanları",
              "Sendika temsilcileri", "Öğretmenler", "Sağlık Bakanlığı", "Merkez Bankası", "Çiftçiler"],
        verb=["açıkladı", "vurguladı", "dile getirdi", "söyledi", "duyurdu", "eleştirdi", "teyit etti"],
        obj=["yeni yatırım planını", "bütçe açığının kapanacağını", "iki ülke arasındaki işbirliğini",
             "enflasyonun düşeceğini", "kış tedbirlerini", "ihracat rakamlarını", "seçim takvimini"],
        place=["Ankara'da", "İstanbul'da", "İzmir'de", "Moskova'da", "Brüksel'de", "Pekin'de"],
        conn=["Öte yandan,", "Ayrıca", "Açıklamaya göre,", "Bu kapsamda", "Yetkililer,"],
        upd="güncellendi", sub="Abone ol", photo="Fotoğraf", bul="diğer önemli açıklamaları:",
        months=["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
                "Ekim", "Kasım", "Aralık"]),
    "el": dict(
        subj=["Ο πρωθυπουργός", "Ο υπουργός Οικονομικών", "Η δήμαρχος", "Οι αγρότες", "Οι εκπαιδευτικοί",
              "Η κυβέρνηση", "Ο πρόεδρος της Βουλής", "Οι επιστήμονες", "Η Κεντρική Τράπεζα"],
        verb=["ανακοίνωσε", "τόνισε", "δήλωσε", "υπογράμμισε", "επιβεβαίωσε", "επέκρινε"],
        obj=["το νέο πρόγραμμα επενδύσεων", "τη μείωση του πληθωρισμού", "τη συνεργασία των δύο χωρών",
             "τα μέτρα για τον χειμώνα", "τις εξαγωγές του τριμήνου", "το χρονοδιάγραμμα των εκλογών"],
        place=["στην Αθήνα", "στη Θεσσαλονίκη", "στις Βρυξέλλες", "στο Πεκίνο", "στη Μόσχα", "στην Πάτρα"],
        conn=["Παράλληλα,", "Επιπλέον,", "Σύμφωνα με την ανακοίνωση,", "Στο μεταξύ,", "Όπως είπε,"],
        upd="ενημερώθηκε", sub="Εγγραφείτε", photo="Φωτογραφία", bul="άλλες σημαντικές δηλώσεις:",
        months=["Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου",
                "Αυγούστου", "Σεπτεμβρίου", "Οκτωβρίου", "Νοεμβρίου", "Δεκεμβρίου"]),
    "sl": dict(
        subj=["Predsednik vlade", "Zunanja ministrica", "Župan", "Kmetje", "Učitelji", "Sindikati",
              "Banka Slovenije", "Strokovnjaki", "Predsednik republike"],
        verb=["je napovedal", "je poudaril", "je dejal", "je potrdil", "je kritiziral", "je sporočil"],
        obj=["nov načrt naložb", "znižanje inflacije", "sodelovanje med državama", "zimske ukrepe",
             "podatke o izvozu", "časovnico volitev", "reformo zdravstva"],
        place=["v Ljubljani", "v Mariboru", "v Bruslju", "v Pekingu", "v Moskvi", "v Kopru"],
        conn=["Ob tem", "Poleg tega", "Kot je dejal,", "Medtem", "Po navedbah agencije"],
        upd="posodobljeno", sub="Naročite se", photo="Foto", bul="druge pomembne izjave:",
        months=["januarja", "februarja", "marca", "aprila", "maja", "junija", "julija", "avgusta",
                "septembra", "oktobra", "novembra", "decembra"]),
    "en": dict(
        subj=["The prime minister", "The foreign secretary", "The mayor", "Farmers", "Teachers' unions",
              "The central bank", "Health officials", "Economists", "The opposition leader"],
        verb=["announced", "stressed", "said", "confirmed", "criticised", "warned about", "welcomed"],
        obj=["a new investment plan", "the fall in inflation", "closer cooperation between the two countries",
             "the winter measures", "the quarterly export figures", "the election timetable"],
        place=["in London", "in Manchester", "in Brussels", "in Beijing", "in Moscow", "in Cardiff"],
        conn=["Meanwhile,", "In addition,", "According to the statement,", "At the same time,", "Officials said"],
        upd="updated", sub="Subscribe", photo="Photo", bul="other key statements:",
        months=["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]),
    "de": dict(
        subj=["Der Bundeskanzler", "Die Außenministerin", "Der Bürgermeister", "Landwirte", "Lehrerverbände",
              "Die Zentralbank", "Gesundheitsbehörden", "Ökonomen", "Die Opposition"],
        verb=["kündigte an", "betonte", "sagte", "bestätigte", "kritisierte", "begrüßte"],
        obj=["einen neuen Investitionsplan", "den Rückgang der Inflation", "die Zusammenarbeit beider Länder",
             "die Maßnahmen für den Winter", "die Exportzahlen des Quartals", "den Wahlkalender"],
        place=["in Berlin", "in München", "in Brüssel", "in Peking", "in Moskau", "in Hamburg"],
        conn=["Außerdem", "Zugleich", "Laut der Mitteilung", "Unterdessen", "Wie es hieß,"],
        upd="aktualisiert", sub="Abonnieren", photo="Foto", bul="weitere wichtige Aussagen:",
        months=["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                "Oktober", "November", "Dezember"]),
    "fr": dict(
        subj=["Le Premier ministre", "La ministre des Affaires étrangères", "Le maire", "Les agriculteurs",
              "Les syndicats d'enseignants", "La banque centrale", "Les autorités sanitaires", "Les économistes"],
        verb=["a annoncé", "a souligné", "a déclaré", "a confirmé", "a critiqué", "a salué"],
        obj=["un nouveau plan d'investissement", "la baisse de l'inflation", "la coopération entre les deux pays",
             "les mesures pour l'hiver", "les chiffres des exportations", "le calendrier électoral"],
        place=["à Paris", "à Lyon", "à Bruxelles", "à Pékin", "à Moscou", "à Marseille"],
        conn=["Par ailleurs,", "En outre,", "Selon le communiqué,", "Dans le même temps,", "D'après lui,"],
        upd="mis à jour", sub="S'abonner", photo="Photo", bul="autres déclarations importantes :",
        months=["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                "octobre", "novembre", "décembre"]),
    "es": dict(
        subj=["El presidente del Gobierno", "La ministra de Exteriores", "El alcalde", "Los agricultores",
              "Los sindicatos docentes", "El banco central", "Las autoridades sanitarias", "Los economistas"],
        verb=["anunció", "subrayó", "afirmó", "confirmó", "criticó", "celebró"],
        obj=["un nuevo plan de inversiones", "la bajada de la inflación", "la cooperación entre ambos países",
             "las medidas para el invierno", "las cifras de exportación", "el calendario electoral"],
        place=["en Madrid", "en Barcelona", "en Bruselas", "en Pekín", "en Moscú", "en Sevilla"],
        conn=["Además,", "Por otra parte,", "Según el comunicado,", "Mientras tanto,", "Según explicó,"],
        upd="actualizado", sub="Suscríbete", photo="Foto", bul="otras declaraciones importantes:",
        months=["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                "octubre", "noviembre", "diciembre"]),
    "it": dict(
        subj=["Il presidente del Consiglio", "La ministra degli Esteri", "Il sindaco", "Gli agricoltori",
              "I sindacati della scuola", "La banca centrale", "Le autorità sanitarie", "Gli economisti"],
        verb=["ha annunciato", "ha sottolineato", "ha dichiarato", "ha confermato", "ha criticato"],
        obj=["un nuovo piano di investimenti", "il calo dell'inflazione", "la cooperazione tra i due paesi",
             "le misure per l'inverno", "i dati sulle esportazioni", "il calendario elettorale"],
        place=["a Roma", "a Milano", "a Bruxelles", "a Pechino", "a Mosca", "a Napoli"],
        conn=["Inoltre,", "Nel frattempo,", "Secondo la nota,", "Allo stesso tempo,", "Come ha spiegato,"],
        upd="aggiornato", sub="Iscriviti", photo="Foto", bul="altre dichiarazioni importanti:",
        months=["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
                "settembre", "ottobre", "novembre", "dicembre"]),
    "pl": dict(
        subj=["Premier", "Minister spraw zagranicznych", "Prezydent miasta", "Rolnicy", "Związki nauczycieli",
              "Bank centralny", "Służby sanitarne", "Ekonomiści", "Lider opozycji"],
        verb=["zapowiedział", "podkreślił", "powiedział", "potwierdził", "skrytykował", "ogłosił"],
        obj=["nowy plan inwestycji", "spadek inflacji", "współpracę obu krajów", "działania na zimę",
             "dane o eksporcie", "kalendarz wyborczy", "reformę służby zdrowia"],
        place=["w Warszawie", "w Krakowie", "w Brukseli", "w Pekinie", "w Moskwie", "w Gdańsku"],
        conn=["Ponadto", "Jednocześnie", "Według komunikatu", "Tymczasem", "Jak zaznaczył,"],
        upd="zaktualizowano", sub="Subskrybuj", photo="Fot.", bul="inne ważne wypowiedzi:",
        months=["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
                "września", "października", "listopada", "grudnia"]),
    "ru": dict(
        subj=["Премьер-министр", "Министр иностранных дел", "Мэр города", "Фермеры", "Учителя",
              "Центральный банк", "Санитарные службы", "Экономисты", "Губернатор области"],
        verb=["объявил", "подчеркнул", "заявил", "подтвердил", "раскритиковал", "сообщил"],
        obj=["новый инвестиционный план", "снижение инфляции", "сотрудничество двух стран",
             "меры на зимний период", "данные об экспорте", "график выборов"],
        place=["в Москве", "в Санкт-Петербурге", "в Брюсселе", "в Пекине", "в Казани", "в Новосибирске"],
        conn=["Кроме того,", "Вместе с тем,", "Согласно сообщению,", "Тем временем", "Как отметил он,"],
        upd="обновлено", sub="Подписаться", photo="Фото", bul="другие важные заявления:",
        months=["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                "октября", "ноября", "декабря"]),
    "pt": dict(
        subj=["O primeiro-ministro", "A ministra dos Negócios Estrangeiros", "O presidente da câmara",
              "Os agricultores", "Os sindicatos de professores", "O banco central", "Os economistas"],
        verb=["anunciou", "sublinhou", "afirmou", "confirmou", "criticou", "saudou"],
        obj=["um novo plano de investimentos", "a descida da inflação", "a cooperação entre os dois países",
             "as medidas para o inverno", "os números das exportações", "o calendário eleitoral"],
        place=["em Lisboa", "no Porto", "em Bruxelas", "em Pequim", "em Moscovo", "em Coimbra"],
        conn=["Além disso,", "Por outro lado,", "Segundo o comunicado,", "Entretanto,", "Como explicou,"],
        upd="atualizado", sub="Subscrever", photo="Foto", bul="outras declarações importantes:",
        months=["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
                "outubro", "novembro", "dezembro"]),
    "nl": dict(
        subj=["De premier", "De minister van Buitenlandse Zaken", "De burgemeester", "Boeren",
              "Lerarenbonden", "De centrale bank", "Gezondheidsdiensten", "Economen"],
        verb=["kondigde aan", "benadrukte", "zei", "bevestigde", "bekritiseerde", "verwelkomde"],
        obj=["een nieuw investeringsplan", "de daling van de inflatie", "de samenwerking tussen beide landen",
             "de maatregelen voor de winter", "de exportcijfers", "de verkiezingskalender"],
        place=["in Amsterdam", "in Rotterdam", "in Brussel", "in Peking", "in Moskou", "in Utrecht"],
        conn=["Daarnaast", "Tegelijkertijd", "Volgens de verklaring", "Intussen", "Zoals hij zei,"],
        upd="bijgewerkt", sub="Abonneren", photo="Foto", bul="andere belangrijke uitspraken:",
        months=["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december"]),
}
LANG_CODES = sorted(LANGS)
AGENCIES = ["Sputnik", "Reuters", "AFP", "STA", "AP", "Xinhua", "EFE", "ANSA", "dpa", "PAP", "ANA-MPA"]
EMOJI = ["🔴", "📍", "▪️", "🔹", "✅", "👉", "⚡"]
OFFSETS = ["+0300", "+0200", "+0100", "Z", "+0000", "-0500"]


def sentence(r, L, serial=None):
    s = f"{r.choice(L['subj'])} {r.choice(L['place'])} {r.choice(L['obj'])} {r.choice(L['verb'])}"
    if r.random() < 0.5:
        s = f"{r.choice(L['conn'])} {s[0].lower() + s[1:]}"
    if serial is not None:
        s += f" ({serial})"
    elif r.random() < 0.3:
        s += f", {r.randint(2, 980)} {r.choice(L['obj']).split()[-1]}"
    return s + "."


def paragraph(r, L, n):
    return " ".join(sentence(r, L) for _ in range(n))


def fmt_date(r, y, mo, d, L):
    kind = r.randrange(4)
    if kind == 0:
        return f"{d:02d}.{mo:02d}.{y}"
    if kind == 1:
        return f"{y}-{mo:02d}-{d:02d}"
    if kind == 2:
        return f"{d} {L['months'][mo - 1]} {y}"
    return f"{d:02d}/{mo:02d}/{y}"


def article(r, serial, target):
    code = r.choice(LANG_CODES)
    L = LANGS[code]
    y, mo, d = r.randint(2019, 2026), r.randint(1, 12), r.randint(1, 28)
    hh, mm = r.randint(0, 23), r.randint(0, 59)
    title = sentence(r, L, serial)
    lines = []
    shape = r.randrange(4)
    if shape == 0:  # " date YYYY-MM-DD Title" header, blank-line paragraphs
        lines.append(f" date {y}-{mo:02d}-{d:02d} {title}")
        lines.append("")
    elif shape == 1:  # numeric date + same ISO timestamp 2-4 times, then glued text
        lines.append(f"{d:02d}.{mo:02d}.{y}")
        stamp = f"{y}-{mo:02d}-{d:02d}T{hh:02d}:{mm:02d}{r.choice(OFFSETS)}"
        lines.extend([stamp] * r.randint(2, 4))
        lines.append(title)
    elif shape == 2:  # title, subtitle, caption, credit, doubled caption
        lines += [title, "", sentence(r, L), "", sentence(r, L), "", f"© {r.choice(AGENCIES)}", ""]
        cap = f"{sentence(r, L)} {L['photo']}: {r.choice(AGENCIES)}"
        lines += [f"{cap} {cap}", ""]
    else:  # Sputnik-like: date header, "(updated: ...)", credit, subscribe, emoji bullets
        lines.append(f" date {y}-{mo:02d}-{d:02d} {title}")
        h2, m2 = hh, min(59, mm + r.randint(1, 20))
        lines.append(f"{hh:02d}:{mm:02d} {d:02d}.{mo:02d}.{y} ({L['upd']}: {h2:02d}:{m2:02d} {d:02d}.{mo:02d}.{y})")
        ag = r.choice(AGENCIES)
        lines.append(f"© {ag} / {r.choice(L['subj'])} / {L['photo']}")
        lines.append(f"© {ag} /")
        lines.append(L["sub"])
    body = []
    size = sum(len(x.encode()) + 1 for x in lines)
    glue = shape == 1 or r.random() < 0.2
    while size < target:
        p = paragraph(r, L, r.randint(2, 6))
        if glue and r.random() < 0.5:  # a glued block: "...said.Next sentence"
            p = p + sentence(r, L)
        if r.random() < 0.1:
            p = f"{fmt_date(r, y, mo, d, L)} {p}"
        body.append(p)
        size += len(p.encode()) + 2
        if shape == 3 and len(body) == 2:
            bl = [f"{r.choice(EMOJI)}{L['bul']}"] + [f"{r.choice(EMOJI)}{sentence(r, L)}" for _ in range(r.randint(2, 5))]
            body.append("\n".join(bl))
            size += sum(len(x.encode()) + 1 for x in bl)
    if len(body) > 2 and r.random() < 0.35:  # paragraphs repeated at the end
        k = r.randint(1, min(3, len(body) - 1))
        body += body[-k:]
    sep = "\n" if shape in (1, 3) else "\n\n"
    text = "\n".join(lines) + ("\n" if lines and lines[-1] != "" else "") + sep.join(body)
    if r.random() < 0.7:
        text += "\n"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--outlier-every", type=int, default=500, help="one ~200 KB file per K (0: none)")
    ap.add_argument("--start", type=int, default=0, help="first serial (to make disjoint sets)")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    total = 0
    for i in range(a.start, a.start + a.n):
        r = random.Random(a.seed * 1000003 + i)
        if a.outlier_every and i % a.outlier_every == a.outlier_every - 1:
            target = r.randint(190_000, 210_000)
        else:
            target = int(r.triangular(2000, 8000, 3800))
        data = article(r, f"#{a.seed}-{i}", target).encode()
        with open(os.path.join(a.out_dir, f"art_{i:07d}.txt"), "wb") as f:
            f.write(data)
        total += len(data)
    print(f"gen_articles: {a.n} files, {total} bytes in {a.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
