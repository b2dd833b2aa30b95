#!/usr/bin/python3
"""Quality and speed bench of the datetime plugin, side by side with python3-dateparser.

Reads the labelled headers in cases/*.txt (format in cases/README.md), builds dt_eval (the
plugin's extractor as a filter, from plugins/datetime/*.c) with cc, and scores:
  ingestd        dt_extract with the article's language as hint (LANG set by langdetect)
  ingestd-nolang dt_extract without a language hint
  dateparser     python3-dateparser (Debian), no language hint
  dateparser+lang  dateparser with languages=[LANG]
dateparser is given each header line in turn (dateparser.parse, then search_dates on the
line); the first date found is its publication date, a later different one its update date.
RELATIVE_BASE is the arrival time.

A publication (update) date is correct when the calendar date matches and, when the label
has a time, the hour and minute match ("local" score); "strict" also needs the UTC offset to
match when the label states one. precision = correct / answered, recall = correct / labelled.

Usage: bench/quality/datetime/run.py [--no-dateparser] [--seconds S] [--markdown FILE]
"""
import argparse
import datetime as dt
import glob
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PLUGIN = os.path.join(ROOT, "plugins", "datetime")
DEFAULT_ARRIVAL = "2025-09-05T18:00:00Z"


def load_cases():
    cases = []
    for path in sorted(glob.glob(os.path.join(HERE, "cases", "*.txt"))):
        cur = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith("@ "):
                    parts = [p.strip() for p in line[2:].split("|")]
                    lang = parts[0]
                    cur = {
                        "file": os.path.basename(path),
                        "lang": lang,
                        "pub": None if parts[1] == "-" else parts[1],
                        "upd": None if parts[2] == "-" else parts[2],
                        "arrival": parts[3] if len(parts) > 3 else DEFAULT_ARRIVAL,
                        "lines": [],
                    }
                    cases.append(cur)
                elif cur is not None:
                    cur["lines"].append(line)
    for c in cases:
        c["text"] = "\n".join(c["lines"]).strip("\n") + "\n"
        a = dt.datetime.strptime(c["arrival"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
        c["arrival_dt"] = a
        c["arrival_ms"] = int(a.timestamp() * 1000)
    return cases


def build_eval(tmp):
    exe = os.path.join(tmp, "dt_eval")
    srcs = [os.path.join(HERE, "dt_eval.c")] + [
        os.path.join(PLUGIN, n) for n in ("dt_cldr.c", "dt_extract.c", "dt_scan.c", "dt_stamp.c",
                                          "dt_tables.c", "dt_text.c")]
    subprocess.run(["cc", "-O2", "-std=c17", "-D_GNU_SOURCE", "-I" + PLUGIN,
                    "-I" + os.path.join(ROOT, "include"), "-o", exe] + srcs, check=True)
    return exe


def records(items):
    return "".join("%s\x1f%d\x1f%s\x1e" % (lang, ms, text) for lang, ms, text in items).encode()


def run_ingestd(exe, cases, use_lang):
    data = records((c["lang"], c["arrival_ms"], c["text"]) for c in cases)
    args = [exe] + ([] if use_lang else ["-n"])
    out = subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True).stdout.decode()
    res = []
    for line in out.splitlines():
        pub, upd, _ = line.split("\t")
        res.append((None if pub == "-" else pub, None if upd == "-" else upd))
    return res


def parse_iso(s):
    """(date, (h, m) or None, offset minutes or None) of an ISO 8601 value."""
    if s is None:
        return None
    d = dt.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    if len(s) == 10:
        return d, None, None
    hm = (int(s[11:13]), int(s[14:16]))
    off = None
    if len(s) > 19:
        sign = -1 if s[19] == "-" else 1
        off = sign * (int(s[20:22]) * 60 + int(s[23:25]))
    return d, hm, off


def score(expected, got, strict):
    """True when got (ISO text) is a correct answer for expected (ISO text)."""
    e, g = parse_iso(expected), parse_iso(got)
    if e[0] != g[0]:
        return False
    if e[1] is not None and g[1] != e[1]:
        return False
    if strict and e[2] is not None and g[2] != e[2]:
        return False
    return True


def dp_iso(value):
    """dateparser's datetime as ISO text with the precision it has."""
    s = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.utcoffset() is not None:
        off = int(value.utcoffset().total_seconds() // 60)
        s += "%s%02d:%02d" % ("-" if off < 0 else "+", abs(off) // 60, abs(off) % 60)
    return s


def run_dateparser(cases, use_lang):
    import dateparser
    from dateparser.search import search_dates
    res = []
    for c in cases:
        settings = {"RELATIVE_BASE": c["arrival_dt"].replace(tzinfo=None)}
        langs = [c["lang"]] if use_lang else None
        found = []
        for line in [l for l in c["lines"] if l.strip()][:8]:
            try:
                v = dateparser.parse(line, languages=langs, settings=settings)
                if v is None:
                    hits = search_dates(line, languages=langs, settings=settings) or []
                    v = hits[0][1] if hits else None
            except Exception:
                v = None
            if v is not None:
                found.append(v)
        pub = dp_iso(found[0]) if found else None
        upd = None
        for v in found[1:]:
            if v.replace(tzinfo=None) > found[0].replace(tzinfo=None):
                upd = dp_iso(v)
                break
        res.append((pub, upd))
    return res


def metrics(cases, results, field, strict):
    idx = 0 if field == "pub" else 1
    answered = labelled = correct = 0
    for c, r in zip(cases, results):
        exp, got = c[field], r[idx]
        if got is not None:
            answered += 1
        if exp is not None:
            labelled += 1
        if exp is not None and got is not None and score(exp, got, strict):
            correct += 1
    p = correct / answered if answered else 1.0
    rc = correct / labelled if labelled else 1.0
    return p, rc, correct, answered, labelled


def date_lines(cases):
    """Every header line with a digit: the date strings of the speed test."""
    out = []
    for c in cases:
        for line in c["lines"][:4]:
            if any(ch.isdigit() for ch in line) and len(line) < 120:
                out.append((c["lang"], c["arrival_ms"], c["arrival_dt"], line))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-dateparser", action="store_true")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--markdown")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    cases = load_cases()
    langs = sorted({c["lang"] for c in cases})
    tools = {}
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_eval(tmp)
        tools["ingestd"] = run_ingestd(exe, cases, True)
        tools["ingestd-nolang"] = run_ingestd(exe, cases, False)
        lines = date_lines(cases)
        data = records((l, ms, t) for l, ms, _, t in lines)
        out = subprocess.run([exe, "-s", str(args.seconds)], input=data, stdout=subprocess.PIPE,
                             check=True).stdout.decode()
        speed = {"ingestd": float(out.strip())}
        data = records((c["lang"], c["arrival_ms"], c["text"]) for c in cases)
        out = subprocess.run([exe, "-s", str(args.seconds)], input=data, stdout=subprocess.PIPE,
                             check=True).stdout.decode()
        speed_headers = float(out.strip())
    if not args.no_dateparser:
        tools["dateparser"] = run_dateparser(cases, False)
        tools["dateparser+lang"] = run_dateparser(cases, True)
        import dateparser
        sample = lines[: min(len(lines), 300)]
        for name, with_lang in (("dateparser", False), ("dateparser+lang", True)):
            start = time.process_time()
            for lang, _, arr, text in sample:
                dateparser.parse(text, languages=[lang] if with_lang else None,
                                 settings={"RELATIVE_BASE": arr.replace(tzinfo=None)})
            speed[name] = len(sample) / (time.process_time() - start)

    md = []
    md.append("%d labelled headers, %d languages, %d with an update date, %d without any date."
              % (len(cases), len(langs), sum(1 for c in cases if c["upd"]),
                 sum(1 for c in cases if not c["pub"] and not c["upd"])))
    md.append("")
    md.append("| tool | pub P | pub R | pub P strict | pub R strict | upd P | upd R |")
    md.append("|---|---|---|---|---|---|---|")
    for name, res in tools.items():
        p, r, *_ = metrics(cases, res, "pub", False)
        ps, rs, *_ = metrics(cases, res, "pub", True)
        up, ur, *_ = metrics(cases, res, "upd", False)
        md.append("| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |" % (name, p, r, ps, rs, up, ur))
    md.append("")
    md.append("Publication date recall per language (local score):")
    md.append("")
    names = list(tools)
    md.append("| lang | n | " + " | ".join(names) + " |")
    md.append("|---|---|" + "---|" * len(names))
    for lang in langs:
        sub = [i for i, c in enumerate(cases) if c["lang"] == lang]
        row = []
        for name in names:
            _, r, *_ = metrics([cases[i] for i in sub], [tools[name][i] for i in sub], "pub", False)
            row.append("%.2f" % r)
        md.append("| %s | %d | %s |" % (lang, len(sub), " | ".join(row)))
    md.append("")
    md.append("Speed, one core: ingestd %.0f date strings/s (%d header lines with a digit), %.0f "
              "whole headers/s" % (speed["ingestd"], len(lines), speed_headers)
              + ("; dateparser %.0f date strings/s without a language hint (%.0fx slower), "
                 "%.0f with one (%.0fx slower)."
                 % (speed["dateparser"], speed["ingestd"] / speed["dateparser"],
                    speed["dateparser+lang"], speed["ingestd"] / speed["dateparser+lang"])
                 if "dateparser" in speed else "."))
    text = "\n".join(md)
    print(text)
    if args.show_errors:
        for name in ("ingestd",):
            for c, r in zip(cases, tools[name]):
                bad_pub = (c["pub"] is None) != (r[0] is None) or (c["pub"] and not score(c["pub"], r[0], True))
                bad_upd = (c["upd"] is None) != (r[1] is None) or (c["upd"] and not score(c["upd"], r[1], True))
                if bad_pub or bad_upd:
                    print("--- %s %s: want %s | %s, got %s | %s\n%s" % (
                        name, c["lang"], c["pub"], c["upd"], r[0], r[1], c["text"][:300]),
                        file=sys.stderr)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
