#!/usr/bin/env python3
"""Generate plugins/datetime/dt_cldr.c: month and weekday names of many languages.

Source: Unicode CLDR, Debian package unicode-cldr-core (the XML under
/usr/share/unicode/cldr/common/main/), Gregorian calendar: months and days, both the
"format" and the "stand-alone" contexts, widths "wide" and "abbreviated" (narrow forms are
single letters and are not used). A language whose file lacks the data falls back to its CLDR
parent (nb -> no). Added to that: tools/extra_names.tsv, hand-written inflected forms CLDR does
not have (Slovenian, Croatian, Czech... genitives, Hebrew prefixed forms, Hungarian suffixed
forms, Turkish case endings).

Names are folded the way dt_text folds them (case and diacritics removed). A trailing '.' of an
abbreviation is dropped (the scanner accepts an optional '.' after a month name). Names with
digits ("9月", "tháng 9") are dropped: those languages are read by the numeric grammar. Month
abbreviations shorter than 3 letters are dropped in alphabetic scripts (too many false hits).

One folded spelling may name different months in different languages (Croatian "listopad" =
October, Polish/Czech "listopad" = November). All readings are kept, each with its language;
the reading supported by most languages (ties: the language listed first in LANGS) is
written first and is the default; the plugin
prefers the reading of the article's language when it knows it (LANG set earlier in the chain).

Usage: gen_cldr_tables.py [CLDR_MAIN_DIR] > plugins/datetime/dt_cldr.c
(run through clang-format with the repository style when clang-format is installed)
"""
import os
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

LANGS = (
    "en tr el sl ru de fr es it pl pt nl sv da nb nn fi et lv lt cs sk hu ro bg hr sr sr_Latn "
    "bs mk uk be sq ga mt ca gl eu is id ms sw az kk ka hy he ar fa ur hi bn th af cy lb ky uz "
    "tk fil ar_LB vi zh zh_Hant ja ko"
).split()
LABEL = {"sr_Latn": "sr", "ar_LB": "ar", "zh_Hant": "zh"}  # the language code the LANG field uses
PARENT = {"nb": "no", "nn": "no"}
DAY_NUM = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def fold(s):
    s = s.replace("ı", "i").replace("ł", "l").replace("Ł", "l").replace("đ", "d").replace("Đ", "d")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.lower().replace("ς", "σ").replace("ø", "o").replace("æ", "æ")
    return s


def clean(name):
    name = name.strip()
    while name.endswith("."):
        name = name[:-1]
    return name.strip()


def usable(name, is_month, is_abbr):
    if not name or any(c.isdigit() for c in name):
        return False
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return False
    alphabetic = all(ord(c) < 0x0590 or 0x10A0 <= ord(c) <= 0x10FF for c in letters)
    if is_month and is_abbr and alphabetic and len(letters) < 3:
        return False
    if not is_month and len(letters) < 2:
        return False
    return True


def calendar(lang, main_dir):
    for code in (lang, PARENT.get(lang)):
        if not code:
            continue
        path = os.path.join(main_dir, code + ".xml")
        if not os.path.exists(path):
            continue
        cal = ET.parse(path).find(".//calendar[@type='gregorian']")
        if cal is not None and cal.find("months") is not None:
            return cal
    raise SystemExit("no gregorian months for " + lang)


def names(cal, lang, out_month, out_day):
    for ctx in cal.find("months").findall("monthContext"):
        for width in ctx.findall("monthWidth"):
            if width.get("type") not in ("wide", "abbreviated"):
                continue
            for m in width.findall("month"):
                name = clean(m.text or "")
                if usable(name, True, width.get("type") == "abbreviated"):
                    out_month.append((name, int(m.get("type")), lang))
    days = cal.find("days")
    if days is None:
        return
    for ctx in days.findall("dayContext"):
        for width in ctx.findall("dayWidth"):
            if width.get("type") not in ("wide", "abbreviated", "short"):
                continue
            for d in width.findall("day"):
                name = clean(d.text or "")
                if usable(name, False, True):
                    out_day.append((name, DAY_NUM[d.get("type")], lang))


def resolve(rows):
    """One row per folded spelling and reading, listing its languages; readings by support."""
    by_fold = {}
    for text, value, lang in rows:
        by_fold.setdefault(fold(text), []).append((text, value, lang))
    out, conflicts = [], []
    for key in sorted(by_fold):
        readings = by_fold[key]
        support = {}
        for _, value, lang in readings:
            support.setdefault(value, set()).add(lang)
        rank = lambda v: min(LANGS.index(l) if l in LANGS else len(LANGS) for l in support[v])
        values = sorted(support, key=lambda v: (-len(support[v]), rank(v), v))
        if len(values) > 1:
            conflicts.append((key, [(v, sorted(support[v])) for v in values]))
        for v in values:
            langs = []
            for text, value, lang in readings:
                if value == v and lang not in langs:
                    langs.append(lang)
            text = next(t for t, value, _ in readings if value == v)
            out.append((text, v, " ".join(langs)))
    return out, conflicts


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    main_dir = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode/cldr/common/main"
    here = os.path.dirname(os.path.abspath(__file__))
    months, days = [], []
    for lang in LANGS:
        names(calendar(lang, main_dir), LABEL.get(lang, lang), months, days)
    with open(os.path.join(here, "extra_names.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            kind, lang, value, text = line.split("\t")
            (months if kind == "month" else days).append((clean(text), int(value), lang))
    months, month_conflicts = resolve(months)
    days, _ = resolve(days)
    chunks = []
    w = chunks.append
    w("/* Generated by plugins/datetime/tools/gen_cldr_tables.py; do not edit. */\n")
    w("/* Sources: Unicode CLDR (Debian unicode-cldr-core) and tools/extra_names.tsv. */\n")
    w("/*\n * dt_cldr - month and weekday names of %d languages: %s.\n" % (len(LANGS), " ".join(LANGS)))
    w(" *\n * Spellings with several readings (default first):\n")
    for key, readings in month_conflicts:
        w(" * - %s: %s\n" % (key, "; ".join("%d %s" % (v, ",".join(l)) for v, l in readings)))
    w(" */\n")
    w('#include "dt_cldr.h"\n\n')
    w("const dt_row dt_cldr_month_rows[] = {\n")
    for text, value, lang in months:
        w("    {%s, %d, %s},\n" % (c_str(text), value, c_str(lang)))
    w("};\nconst size_t dt_cldr_month_count = sizeof dt_cldr_month_rows / sizeof dt_cldr_month_rows[0];\n\n")
    w("const dt_row dt_cldr_weekday_rows[] = {\n")
    for text, value, lang in days:
        w("    {%s, %d, %s},\n" % (c_str(text), value, c_str(lang)))
    w("};\nconst size_t dt_cldr_weekday_count = sizeof dt_cldr_weekday_rows / "
      "sizeof dt_cldr_weekday_rows[0];\n")
    text = "".join(chunks)
    # the repository's clang-format style, so the committed file passes the style check
    target = os.path.join(os.path.dirname(here), "dt_cldr.c")
    try:
        text = subprocess.run(["clang-format", "--assume-filename=" + target], input=text,
                              stdout=subprocess.PIPE, check=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pass
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
