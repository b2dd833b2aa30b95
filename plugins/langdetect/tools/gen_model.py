#!/usr/bin/env python3
"""Generate plugins/langdetect/ld_model_tables.c, the langdetect plugin's language model.

Reads openly licensed translation text shipped in Debian packages (see ../PROVENANCE.md):
  * compiled gettext catalogs  <root>/usr/share/locale/<ll>/LC_MESSAGES/*.mo
  * LibreOffice UI catalogs    <root>/usr/lib/libreoffice/program/resource/<ll>/LC_MESSAGES/*.mo
  * LibreOffice help pages     <root>/usr/share/libreoffice/help/<ll>/**/*.html
for every --root given (e.g. "/" and a folder where .deb files were unpacked with dpkg-deb -x),
and writes one C file with:
  * the Unicode script ranges and case-folding tables the C detector uses (so training and
    detection see letters exactly the same way),
  * per language: code, script, per-order floor log-probabilities,
  * an open-addressing hash table of character n-grams (orders 1..MAX_ORDER of case-folded
    letters, words padded with one space on each side) whose entries point into a postings list
    of (language, quantized log-probability above that language's floor).

Train/dev split: every text segment whose SHA-1 is 0 mod 10 is held out (never counted) and
written to --dev-dir, one file per language, for evaluation.

Python 3 standard library only. Usage:
  gen_model.py --root / --root /tmp/ld/x --out plugins/langdetect/ld_model_tables.c \
               [--dev-dir /tmp/ld/dev]
"""
import argparse
import glob
import hashlib
import html
import math
import os
import pickle
import re
import struct
import sys
import unicodedata
from collections import Counter

MAX_ORDER = 4
# n-grams kept per language and order (order 1 keeps every letter seen).
TOP_K = {1: 10_000, 2: 900, 3: 2600, 4: 2200}
TRAIN_CAP_LETTERS = 2_500_000  # per language
SCORE_SCALE = 16.0  # quantized score = round((logp - floor) * SCORE_SCALE), 0..255
# Word stage for confusable groups: the WORD_TOP_K most frequent whole words of each member
# (word unigram log-probabilities, same quantization); used only to re-rank the members of a
# group when the two best n-gram languages are both in it.
WORD_TOP_K = 2500
WORD_GROUPS = [
    [("hr", "Latn"), ("bs", "Latn"), ("sr", "Latn"), ("sl", "Latn"), ("cs", "Latn"),
     ("sk", "Latn"), ("pl", "Latn")],
    [("id", "Latn"), ("ms", "Latn")],
    [("da", "Latn"), ("no", "Latn"), ("sv", "Latn")],
    [("es", "Latn"), ("gl", "Latn"), ("pt", "Latn"), ("ca", "Latn")],
    [("tr", "Latn"), ("az", "Latn")],
    [("ru", "Cyrl"), ("uk", "Cyrl"), ("be", "Cyrl"), ("bg", "Cyrl"), ("mk", "Cyrl"),
     ("sr", "Cyrl"), ("kk", "Cyrl")],
]
# Distinctive words written for this generator (not from any corpus): standard-language
# vocabulary that sets Bosnian, Croatian, Serbian and Slovene apart (and Malay from
# Indonesian), which
# the training catalogs rarely contain. Each gets the log-probability HAND_WORD_LOGP in its
# languages' word tables (a word listed for two languages helps both against the third).
# Words that Slovene shares (lahko, vreme, promet, točka, januar, Evropa...) are left out.
HAND_WORD_LOGP = math.log(1 / 1500)
HAND_WORDS = {
    "bs": "historija historije historiji hiljada hiljade hiljadu sedmica sedmice sedmici "
          "općina općine općini uposlenik uposlenici uposlenika hljeb kahva "
          "zadaća zadaće mahala sahat hakovi hakove tačka tačno tačke univerzitet univerziteta "
          "saobraćaj saobraćaja fudbal fudbala decembar "
          "oktobar novembar septembar porodica porodice "
          "učestvovati učestvuje posjetioci posjetilaca kanton kantona federacije entiteta "
          "ljekar ljekari opština".split(),
    "hr": "tisuća tisuću tisuće tjedan tjedna tjednu povijest povijesti knjižnica knjižnice "
          "zrakoplov zrakoplova glazba glazbe kazalište kazališta sveučilište "
          "sveučilišta tvrtka tvrtke siječanj siječnja veljača veljače ožujak "
          "ožujka travanj travnja svibanj svibnja lipanj lipnja srpanj srpnja kolovoz kolovoza "
          "rujan rujna listopad listopada studeni studenoga prosinac prosinca općina općine "
          "obitelj obitelji europa europske "
          "europski sudjelovati sudjeluje posjetitelji posjetitelja djelatnici liječnik "
          "liječnici sabor sabora županija županije tko što".split(),
    "sr": "hiljada hiljade hiljadu nedelja nedelje nedelji istorija istorije istoriji "
          "voz voza hleb pozorište pozorišta univerzitet univerziteta opština opštine opštini "
          "porodica porodice tačka tačno fudbal fudbala saobraćaj saobraćaja "
          "decembar oktobar novembar septembar "
          "učestvuju učestvovati posetioci posetilaca zaposleni lekar lekari "
          "deca dece uvek gde posle skupština skupštine "
          "srbija srbije beograd beograda šta".split(),
    "sl": "zaradi ker kot že še bodo lahko tudi vendar oziroma torej kje kaj zdaj zelo "
          "avtocesta avtoceste avtocesto občina občine občini evrov tisoč ljudje otroci "
          "lani letos včeraj jutri danes".split(),
    "ms": "bahawa kerana daripada kerajaan baharu percuma kakitangan majlis sebarang "
          "ialah boleh sahaja kanak berhampiran bandaraya ringgit sokongan menyertai bengkel "
          "peratus jabatan syarikat setiausaha cukai dasar wang duit kereta belia "
          "perlembagaan beliau".split(),
    "id": "bahwa karena pemerintah gratis pegawai apapun bisa rupiah dukungan mengikuti "
          "lokakarya persen departemen perusahaan sekretaris pajak uang mobil pemuda "
          "konstitusi tersebut sedangkan".split(),
}
GROUP_OF = {m: gi + 1 for gi, g in enumerate(WORD_GROUPS) for m in g}

# ---------------------------------------------------------------------------------------------
# Scripts. id 0 = not a letter (word boundary), id 1 = combining mark (ignored, not a boundary).
# Each other script has an ISO 15924 code; languages are decided either by a unique script
# (UNIQUE_SCRIPT_LANG) or by the n-gram model among the languages of that script.
SCRIPTS = ["Zyyy", "Zinh", "Latn", "Grek", "Cyrl", "Armn", "Hebr", "Arab", "Thaa", "Deva",
           "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh", "Thai",
           "Laoo", "Tibt", "Mymr", "Geor", "Hang", "Ethi", "Khmr", "Hira", "Hani"]
S = {name: i for i, name in enumerate(SCRIPTS)}

RANGES = [  # (first, last, script); anything not listed is a boundary
    (0x0041, 0x005A, "Latn"), (0x0061, 0x007A, "Latn"), (0x00AA, 0x00AA, "Latn"),
    (0x00BA, 0x00BA, "Latn"), (0x00C0, 0x00D6, "Latn"), (0x00D8, 0x00F6, "Latn"),
    (0x00F8, 0x024F, "Latn"), (0x0250, 0x02AF, "Latn"), (0x0300, 0x036F, "Zinh"),
    (0x0370, 0x0373, "Grek"), (0x0376, 0x0377, "Grek"), (0x037B, 0x037D, "Grek"),
    (0x0386, 0x0386, "Grek"), (0x0388, 0x03FF, "Grek"), (0x0400, 0x0482, "Cyrl"),
    (0x0483, 0x0489, "Zinh"), (0x048A, 0x052F, "Cyrl"), (0x0531, 0x0556, "Armn"),
    (0x0561, 0x0587, "Armn"), (0x0591, 0x05C7, "Zinh"), (0x05D0, 0x05EA, "Hebr"),
    (0x05EF, 0x05F2, "Hebr"), (0x0620, 0x064A, "Arab"), (0x064B, 0x065F, "Zinh"),
    (0x066E, 0x066F, "Arab"), (0x0670, 0x0670, "Zinh"), (0x0671, 0x06D3, "Arab"),
    (0x06D5, 0x06D5, "Arab"), (0x06D6, 0x06ED, "Zinh"), (0x06EE, 0x06EF, "Arab"),
    (0x06FA, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"), (0x0780, 0x07B1, "Thaa"),
    (0x0900, 0x0963, "Deva"), (0x0966, 0x096F, "Zyyy"), (0x0971, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"), (0x0A80, 0x0AFF, "Gujr"),
    (0x0B00, 0x0B7F, "Orya"), (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"),
    (0x0C80, 0x0CFF, "Knda"), (0x0D00, 0x0D7F, "Mlym"), (0x0D80, 0x0DFF, "Sinh"),
    (0x0E01, 0x0E4E, "Thai"), (0x0E81, 0x0EDF, "Laoo"), (0x0F00, 0x0FFF, "Tibt"),
    (0x1000, 0x109F, "Mymr"), (0x10A0, 0x10FF, "Geor"), (0x1100, 0x11FF, "Hang"),
    (0x1200, 0x139F, "Ethi"), (0x1780, 0x17FF, "Khmr"), (0x1C90, 0x1CBF, "Geor"),
    (0x1E00, 0x1EFF, "Latn"), (0x1F00, 0x1FFF, "Grek"), (0x2D00, 0x2D2F, "Geor"),
    (0x3040, 0x309F, "Hira"), (0x30A0, 0x30FA, "Hira"), (0x30FC, 0x30FF, "Hira"),
    (0x3130, 0x318F, "Hang"), (0x31F0, 0x31FF, "Hira"), (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"), (0xA960, 0xA97F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
    (0xD7B0, 0xD7FF, "Hang"), (0xF900, 0xFAFF, "Hani"), (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"), (0xFF66, 0xFF9F, "Hira"), (0x20000, 0x2FA1F, "Hani"),
]

# Languages that a script decides alone (Hira = Japanese kana; Hani alone = Chinese).
UNIQUE_SCRIPT_LANG = {
    "Grek": "el", "Armn": "hy", "Hebr": "he", "Thaa": "dv", "Deva": "hi", "Beng": "bn",
    "Guru": "pa", "Gujr": "gu", "Orya": "or", "Taml": "ta", "Telu": "te", "Knda": "kn",
    "Mlym": "ml", "Sinh": "si", "Thai": "th", "Laoo": "lo", "Tibt": "bo", "Mymr": "my",
    "Geor": "ka", "Hang": "ko", "Ethi": "am", "Khmr": "km", "Hira": "ja", "Hani": "zh",
}

# Languages of the n-gram model: code, script, source folder names (locale dirs, LibreOffice
# resource dirs and help dirs share the same names), and whether Serbian Cyrillic text is
# transliterated into Latin for it.
NGRAM_LANGS = [
    ("en", "Latn", ["en_GB", "en_AU", "en_CA"]),  # plus every catalog's msgid (see read_en)
    ("de", "Latn", ["de"]), ("fr", "Latn", ["fr"]), ("es", "Latn", ["es"]),
    ("pt", "Latn", ["pt", "pt_BR", "pt_PT"]), ("it", "Latn", ["it"]), ("nl", "Latn", ["nl"]),
    ("tr", "Latn", ["tr"]), ("az", "Latn", ["az"]), ("sl", "Latn", ["sl"]),
    ("hr", "Latn", ["hr"]), ("bs", "Latn", ["bs"]), ("sr", "Latn", ["sr@latin", "sr@Latn"]),
    ("cs", "Latn", ["cs"]), ("sk", "Latn", ["sk"]), ("pl", "Latn", ["pl"]),
    ("ro", "Latn", ["ro"]), ("hu", "Latn", ["hu"]), ("fi", "Latn", ["fi"]),
    ("et", "Latn", ["et"]), ("sv", "Latn", ["sv"]), ("da", "Latn", ["da"]),
    ("no", "Latn", ["nb", "nb_NO", "no"]), ("is", "Latn", ["is"]), ("lv", "Latn", ["lv"]),
    ("lt", "Latn", ["lt"]), ("sq", "Latn", ["sq"]), ("id", "Latn", ["id"]),
    ("ms", "Latn", ["ms"]), ("vi", "Latn", ["vi"]), ("ca", "Latn", ["ca"]),
    ("gl", "Latn", ["gl"]), ("eu", "Latn", ["eu"]), ("ga", "Latn", ["ga"]),
    ("cy", "Latn", ["cy"]), ("af", "Latn", ["af"]), ("eo", "Latn", ["eo"]),
    ("uz", "Latn", ["uz"]), ("mt", "Latn", ["mt"]), ("sw", "Latn", ["sw"]),
    ("ru", "Cyrl", ["ru"]), ("uk", "Cyrl", ["uk"]), ("be", "Cyrl", ["be"]),
    ("bg", "Cyrl", ["bg"]), ("mk", "Cyrl", ["mk"]), ("sr", "Cyrl", ["sr"]),
    ("kk", "Cyrl", ["kk"]),
    ("ar", "Arab", ["ar"]), ("fa", "Arab", ["fa"]), ("ur", "Arab", ["ur"]),
]

# Word lists for languages with little translated prose in Debian: the tesseract-ocr-<xxx>
# LSTM word list (extracted with combine_tessdata + dawg2wordlist from package tesseract-ocr)
# and hunspell dictionaries (stems of the .dic file). Each word is one segment.
WORDLISTS = {
    "mt": [("tesseract", "mlt")],
    "sw": [("tesseract", "swa"), ("hunspell", "sw_TZ")],
    "ur": [("tesseract", "urd")],
}

SR_CYR2LAT = dict(zip(
    "абвгдђежзијклљмнњопрстћуфхцчџш",
    ["a", "b", "v", "g", "d", "đ", "e", "ž", "z", "i", "j", "k", "l", "lj", "m", "n", "nj", "o",
     "p", "r", "s", "t", "ć", "u", "f", "h", "c", "č", "dž", "š"]))

# ---------------------------------------------------------------------------------------------


def build_script_lookup():
    table = {}
    for first, last, name in RANGES:
        for cp in range(first, last + 1):
            table[cp] = S[name]
    return table


SCRIPT_OF = build_script_lookup()


def fold_cp(cp):
    """Case folding as the C detector does it (tables below are generated from this)."""
    if cp == 0x130:  # Turkish capital dotted I
        return 0x69
    if cp < 0x0800 or 0x1E00 <= cp < 0x1F00:
        low = chr(cp).lower()
        if len(low) == 1:
            return ord(low)
    return cp


def letters_of(text, script):
    """Yield folded letters of `script`, with 0x20 for each run of boundaries."""
    prev_space = True
    for ch in text:
        cp = ord(ch)
        sc = SCRIPT_OF.get(cp, 0)
        if sc == 1:
            continue
        if sc == script:
            yield fold_cp(cp)
            prev_space = False
        elif not prev_space:
            yield 0x20
            prev_space = True


def ngram_hash(cps):
    """64-bit hash of a codepoint sequence, last codepoint first; must match hash_step() and
    hash_final() in ld_detect.c."""
    h = 0xCBF29CE484222325
    for cp in reversed(cps):
        h ^= cp
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 33
    return h


def word_hash(cps):
    """64-bit hash of a whole word (first letter first); must match the word hash in
    ld_detect.c. Its own start value keeps it apart from n-gram hashes."""
    h = 0x84222325CBF29CE4
    for cp in cps:
        h ^= cp
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 33
    return h


def count_words(segments, script):
    """Counter of whole words (tuples of folded letters) of `segments`."""
    c = Counter()
    for seg in segments:
        word = []
        for cp in letters_of(seg, script):
            if cp == 0x20:
                if word:
                    c[tuple(word)] += 1
                word = []
            else:
                word.append(cp)
        if word:
            c[tuple(word)] += 1
    return c


def count_ngrams(segments, script, counters):
    """Add n-gram counts of `segments` to counters[order]; returns letters counted."""
    total = 0
    for seg in segments:
        seq = [0x20]
        seq.extend(letters_of(seg, script))
        if seq[-1] != 0x20:
            seq.append(0x20)
        n = len(seq)
        if n <= 2:
            continue
        t = tuple(seq)
        for order in range(1, MAX_ORDER + 1):
            c = counters[order]
            for i in range(n - order + 1):
                g = t[i:i + order]
                if order == 1 and g[0] == 0x20:
                    continue
                if order > 1 and 0x20 in g[1:-1]:
                    continue  # n-grams never span a word boundary
                c[g] += 1
        total += n
    return total


# ---------------------------------------------------------------------------------------------
# Source readers

def read_mo(path):
    """Return [(msgid, msgstr)] of a GNU .mo file (plural forms: first form only)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 28:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic == 0x950412DE else ">"
    if struct.unpack(end + "I", data[:4])[0] != 0x950412DE:
        return []
    _, _, n, o_orig, o_trans = struct.unpack(end + "5I", data[:20])
    out = []
    for i in range(n):
        ln, off = struct.unpack(end + "2I", data[o_orig + 8 * i:o_orig + 8 * i + 8])
        tl, toff = struct.unpack(end + "2I", data[o_trans + 8 * i:o_trans + 8 * i + 8])
        msgid = data[off:off + ln].split(b"\0")[0]
        msgstr = data[toff:toff + tl].split(b"\0")[0]
        if not msgid:
            continue  # header
        if b"\x04" in msgid:
            msgid = msgid.split(b"\x04", 1)[1]  # msgctxt
        try:
            out.append((msgid.decode("utf-8"), msgstr.decode("utf-8")))
        except UnicodeDecodeError:
            pass
    return out


MARKUP = re.compile(r"<[^>]*>|&[a-zA-Z#0-9]+;|%[-+ #0-9.*]*[a-zA-Z]|\$\{?[A-Za-z_0-9]+\}?|"
                    r"\{[^}]*\}|https?://\S+|\S+@\S+|\\[ntr]|[_~&](?=\w)")


def clean(s):
    s = MARKUP.sub(" ", s)
    s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


# Words that are common in English and rare as words elsewhere: a segment of a non-English
# catalog made of many of them is an untranslated leftover (LibreOffice help has many).
EN_MARKERS = {"the", "and", "this", "with", "you", "that", "which", "from", "your", "will",
              "when", "have", "select", "click", "file", "returns", "for", "are", "can", "not",
              "use", "used", "value", "values", "text", "cell", "cells", "function", "data",
              "field", "if", "is", "of", "to", "or", "by", "be", "it", "as", "an", "on", "in",
              "a", "number", "all", "new", "name", "open", "set", "show", "type", "example"}
STRONG_EN = {"the", "and", "this", "with", "you", "that", "which", "your", "returns"}


def looks_english(seg):
    words = re.findall(r"[a-z]+", seg.lower())
    if len(words) < 2:
        return False
    hits = sum(1 for w in words if w in EN_MARKERS)
    strong = sum(1 for w in words if w in STRONG_EN)
    return strong >= 2 or (strong >= 1 and len(words) <= 6) or hits >= 0.3 * len(words)


def mo_files(roots, folder):
    files = []
    for root in roots:
        for base in ("usr/share/locale", "usr/lib/libreoffice/program/resource"):
            pattern = os.path.join(root, base, folder, "LC_MESSAGES", "*.mo")
            files.extend(sorted(glob.glob(pattern)))
    # iso-codes catalogs are lists of names, not text.
    return [f for f in files if not os.path.basename(f).startswith("iso_")]


PARA = re.compile(r"<(p|h[1-6]|td|li)\b[^>]*>(.*?)</\1>", re.S)


# Slovak help 7.4 contains untranslated Czech pages: its catalogs are enough.
HELP_EXCLUDED = {"sk"}


def help_segments(roots, folder):
    if folder in HELP_EXCLUDED:
        return
    for root in roots:
        base = os.path.join(root, "usr/share/libreoffice/help", folder)
        for path in sorted(glob.glob(os.path.join(base, "text", "**", "*.html"), recursive=True)):
            with open(path, encoding="utf-8", errors="replace") as f:
                page = f.read()
            for m in PARA.finditer(page):
                yield html.unescape(re.sub(r"<[^>]*>", " ", m.group(2)))


def gather(roots, folders, english):
    """Distinct cleaned segments for one language, from its catalogs and help pages."""
    seen = set()
    for folder in folders:
        for path in mo_files(roots, folder):
            for msgid, msgstr in read_mo(path):
                if not msgstr or msgstr == msgid:
                    continue
                seg = clean(msgstr)
                if seg and (english or not looks_english(seg)):
                    seen.add(seg)
        for raw in help_segments(roots, folder):
            seg = clean(raw)
            if seg and (english or not looks_english(seg)):
                seen.add(seg)
    return seen


def gather_en(roots, folders):
    seen = gather(roots, folders, True)
    for root in roots:
        for pattern in ("usr/share/locale/*/LC_MESSAGES/*.mo",):
            for path in sorted(glob.glob(os.path.join(root, pattern))):
                if os.path.basename(path).startswith("iso_"):
                    continue
                for msgid, _ in read_mo(path):
                    seg = clean(msgid)
                    if seg:
                        seen.add(seg)
    return seen


def wordlist_segments(roots, code):
    """Words of the WORDLISTS sources of `code` (a set)."""
    import subprocess
    import tempfile
    words = set()
    for kind, name in WORDLISTS.get(code, []):
        for root in roots:
            if kind == "tesseract":
                src = os.path.join(root, "usr/share/tesseract-ocr/5/tessdata", name + ".traineddata")
                if not os.path.exists(src):
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    pre = os.path.join(tmp, name + ".")
                    subprocess.run(["combine_tessdata", "-u", src, pre], check=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    out = os.path.join(tmp, "words.txt")
                    subprocess.run(["dawg2wordlist", pre + "lstm-unicharset", pre + "lstm-word-dawg",
                                    out], check=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                    with open(out, encoding="utf-8", errors="replace") as f:
                        words.update(clean(w) for w in f)
            else:
                src = os.path.join(root, "usr/share/hunspell", name + ".dic")
                if not os.path.exists(src):
                    continue
                with open(src, encoding="utf-8", errors="replace") as f:
                    next(f, None)  # entry count
                    words.update(clean(w.split("/")[0]) for w in f)
    words.discard("")
    return words


def is_dev(seg):
    return hashlib.sha1(seg.encode("utf-8")).digest()[0] % 10 == 0


def translit_sr(seg):
    out = []
    for ch in seg:
        low = ch.lower()
        lat = SR_CYR2LAT.get(low)
        if lat is None:
            out.append(ch)
        else:
            out.append(lat if ch == low else lat[0].upper() + lat[1:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Output


def c_array(name, ctype, values, per_line=12):
    lines = [f"static const {ctype} {name}[{len(values)}] = {{"]
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(str(v) for v in values[i:i + per_line]) + ",")
    lines.append("};")
    return "\n".join(lines)


def c_bytes(name, values, per_line=24):
    """A byte array as string literals of octal escapes: one token per line keeps the file
    cheap for compilers and clang-format."""
    lines = [f"static const uint8_t {name}[{len(values)}] ="]
    for i in range(0, len(values), per_line):
        lines.append('    "' + "".join(f"\\{v:03o}" for v in values[i:i + per_line]) + '"')
    lines[-1] += ";"
    return "\n".join(lines)


def train_counts(args, code, script, sid, folders):
    """Gather, split and count one language's text; returns (segments, letters, counters)."""
    if code == "en":
        segs = gather_en(args.root, folders)
    else:
        segs = gather(args.root, folders, False)
    segs |= wordlist_segments(args.root, code)
    if code == "sr" and script == "Latn":
        segs |= {translit_sr(s) for s in gather(args.root, ["sr"], False)}
    segs = sorted(segs)
    train = [s for s in segs if not is_dev(s)]
    dev = [s for s in segs if is_dev(s)]
    if args.dev_dir:
        os.makedirs(args.dev_dir, exist_ok=True)
        with open(os.path.join(args.dev_dir, f"{code}-{script}.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(dev) + "\n")
    # Spread the letter budget over the whole (sorted) list so no single catalog dominates.
    total_letters = sum(len(s) for s in train)
    if total_letters > TRAIN_CAP_LETTERS:
        step = total_letters / TRAIN_CAP_LETTERS
        train = [s for i, s in enumerate(train) if int(i / step) != int((i - 1) / step)]
    if args.words_only:
        return count_words(train, sid)
    counters = {o: Counter() for o in range(1, MAX_ORDER + 1)}
    letters = count_ngrams(train, sid, counters)
    return len(train), letters, counters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", action="append", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dev-dir")
    ap.add_argument("--cache", help="folder for per-language n-gram counts (speeds re-runs)")
    args = ap.parse_args()
    args.words_only = False

    models = []  # (code, script_id, floors[order], {ngram: score})
    source_note = []
    for code, script, folders in NGRAM_LANGS:
        sid = S[script]
        cache = os.path.join(args.cache, f"{code}-{script}.pickle") if args.cache else None
        if cache and os.path.exists(cache):
            with open(cache, "rb") as f:
                ntrain, letters, counters = pickle.load(f)
        else:
            ntrain, letters, counters = train_counts(args, code, script, sid, folders)
            if cache:
                os.makedirs(args.cache, exist_ok=True)
                with open(cache, "wb") as f:
                    pickle.dump((ntrain, letters, counters), f)
        if letters < 20_000:
            print(f"skip {code}/{script}: only {letters} letters", file=sys.stderr)
            continue
        floors = []
        table = {}
        for order in range(1, MAX_ORDER + 1):
            c = counters[order]
            total = sum(c.values())
            kept = c.most_common(TOP_K[order])
            floor = math.log(0.5 * kept[-1][1] / total)
            floors.append(floor)
            for g, n in kept:
                q = int(round((math.log(n / total) - floor) * SCORE_SCALE))
                if q > 0:
                    table[g] = min(q, 255)
        words, word_floor = {}, 0.0
        if (code, script) in GROUP_OF:
            wcache = os.path.join(args.cache, f"{code}-{script}.words.pickle") if args.cache else None
            if wcache and os.path.exists(wcache):
                with open(wcache, "rb") as f:
                    wc = pickle.load(f)
            else:
                args.words_only = True
                wc = train_counts(args, code, script, sid, folders)
                args.words_only = False
                if wcache:
                    with open(wcache, "wb") as f:
                        pickle.dump(wc, f)
            wtotal = sum(wc.values())
            kept = wc.most_common(WORD_TOP_K)
            word_floor = math.log(0.5 * kept[-1][1] / wtotal)
            for w, n in kept:
                q = int(round((math.log(n / wtotal) - word_floor) * SCORE_SCALE))
                if q > 0:
                    words[w] = min(q, 255)
            if script == "Latn":
                q_hand = min(255, int(round((HAND_WORD_LOGP - word_floor) * SCORE_SCALE)))
                for hw in HAND_WORDS.get(code, []):
                    w = tuple(cp for cp in letters_of(unicodedata.normalize("NFC", hw), sid)
                              if cp != 0x20)
                    words[w] = max(words.get(w, 0), q_hand)
        models.append((code, sid, floors, table, GROUP_OF.get((code, script), 0), word_floor,
                       words))
        source_note.append(f"{code}/{script}:{letters}")
        print(f"{code}/{script}: {ntrain} train segs, {letters} letters, {len(table)} ngrams",
              file=sys.stderr)

    if len(models) > 127:
        sys.exit("too many languages for 7-bit ids")
    # Hash table of all n-grams.
    postings_of = {}
    words_of = {}
    for li, (_, _, _, table, _, _, words) in enumerate(models):
        for g, q in table.items():
            postings_of.setdefault(g, []).append((li, q))
        for w, q in words.items():
            words_of.setdefault(w, []).append((li, q))
    nkeys = len(postings_of)
    size = 1
    while size < nkeys / 0.75:  # linear probing stays short; the table stays in 512 KB
        size *= 2
    mask = size - 1
    slots = [0xFFFFFFFF] * size  # (fingerprint 12 bits << 20) | postings pair index
    postings = []
    for g in sorted(postings_of, key=lambda x: (len(x), x)):
        h = ngram_hash(g)
        fp = (h >> 52) & 0xFFF
        i = h & mask
        while slots[i] != 0xFFFFFFFF:
            i = (i + 1) & mask
        if len(postings) // 2 >= 0xFFFFF:
            sys.exit("postings overflow the 20-bit index")
        slots[i] = (fp << 20) | (len(postings) // 2)
        plist = postings_of[g]
        for k, (li, q) in enumerate(plist):
            postings.append(li | (0x80 if k == len(plist) - 1 else 0))
            postings.append(q)

    # Word table: same layout, its own slots, postings appended to the same array.
    wsize = 1
    while wsize < len(words_of) / 0.7:
        wsize *= 2
    wmask = wsize - 1
    wslots = [0xFFFFFFFF] * wsize
    for w in sorted(words_of):
        h = word_hash(w)
        fp = (h >> 52) & 0xFFF
        i = h & wmask
        while wslots[i] != 0xFFFFFFFF:
            i = (i + 1) & wmask
        if len(postings) // 2 >= 0xFFFFF:
            sys.exit("postings overflow the 20-bit index")
        wslots[i] = (fp << 20) | (len(postings) // 2)
        plist = words_of[w]
        for k, (li, q) in enumerate(plist):
            postings.append(li | (0x80 if k == len(plist) - 1 else 0))
            postings.append(q)

    # Case folding tables.
    fold_lo = [fold_cp(cp) for cp in range(0x0800)]
    fold_1e = [fold_cp(cp) for cp in range(0x1E00, 0x1F00)]

    out = []
    out.append("/* generated by plugins/langdetect/tools/gen_model.py (see PROVENANCE.md); do not edit */")
    out.append("/* clang-format off */")
    out.append("/* from Debian gettext catalogs and LibreOffice l10n/help packages; training letters")
    out.append(" * per language: " + " ".join(source_note) + " */")
    out.append('#include "ld_model.h"\n')
    out.append(f"/* {len(RANGES)} script ranges: first, last, script id */")
    out.append("const ld_script_range ld_script_ranges[] = {")
    for first, last, name in RANGES:
        out.append(f"    {{0x{first:05X}, 0x{last:05X}, {S[name]}}}, /* {name} */")
    out.append("};")
    out.append(f"const size_t ld_script_range_count = {len(RANGES)};\n")
    out.append("const ld_script_info ld_scripts[LD_SCRIPT_COUNT] = {")
    for name in SCRIPTS:
        lang = UNIQUE_SCRIPT_LANG.get(name)
        out.append(f'    {{"{name}", "{lang or ""}"}},')
    out.append("};\n")
    out.append(c_array("ld_fold_lo", "uint16_t", fold_lo, 16))
    out.append(c_array("ld_fold_1e", "uint16_t", fold_1e, 16))
    out.append("\nstatic const ld_lang_info ld_langs[] = {")
    for code, sid, floors, _, group, word_floor, _ in models:
        fl = ", ".join(f"{x:.5f}f" for x in floors)
        out.append(f'    {{"{code}", {sid}, {{{fl}}}, {group}, {word_floor:.5f}f}},')
    out.append("};\n")
    out.append(c_array("ld_slots", "uint32_t", slots, 8))
    out.append(c_array("ld_word_slots", "uint32_t", wslots, 8))
    out.append(c_bytes("ld_postings", postings))
    out.append(f"""
const ld_model ld_model_default = {{
    .lang_count = {len(models)},
    .langs = ld_langs,
    .max_order = {MAX_ORDER},
    .score_scale = {1.0 / SCORE_SCALE:.6f}f,
    .slot_mask = 0x{mask:X}u,
    .slots = ld_slots,
    .postings = ld_postings,
    .fold_lo = ld_fold_lo,
    .fold_1e = ld_fold_1e,
    .word_slot_mask = 0x{wmask:X}u,
    .word_slots = ld_word_slots,
}};
_Static_assert(LD_SCRIPT_COUNT == {len(SCRIPTS)}, "script table size");
_Static_assert(LD_MAX_ORDER >= {MAX_ORDER}, "n-gram order");
""")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    size_bytes = 4 * size + 4 * wsize + len(postings) + 2 * (0x800 + 0x100)
    print(f"{len(models)} models, {nkeys} n-grams, {size} slots, {len(words_of)} words, "
          f"{wsize} word slots, ~{size_bytes} bytes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
