#!/usr/bin/python3
"""peer - the same job as ingestd, scripted the way a user would do it today in Python with
Debian packages: watch a folder (pyinotify when installed, else polling with os.scandir), for
each new file read it, drop obviously repeated lines and widget lines, find the dates with
python3-dateparser, detect the language with python3-langdetect, and insert the record into
SQLite (WAL, synchronous=NORMAL, one transaction per 256 files). It is the "peer" of the
benchmarks: ingestd's speed is reported as a multiple of this script's on the same files.

Usage: peer.py DB DIR [--once]   (--once: process the files present, print figures, exit)
"""
import hashlib
import json
import os
import re
import sqlite3
import sys
import time

T_START = time.monotonic()
import dateparser  # noqa: E402  (import time is part of what a user pays at start)
from dateparser.search import search_dates  # noqa: E402
from langdetect import DetectorFactory, detect_langs  # noqa: E402

DetectorFactory.seed = 0
T_IMPORTED = time.monotonic()

ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?")
WIDGETS = {"abone ol", "subscribe", "abonnieren", "s'abonner", "suscríbete", "iscriviti",
           "subskrybuj", "подписаться", "subscrever", "abonneren", "naročite se", "εγγραφείτε"}


def clean(text):
    seen, out = set(), []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.lower() in WIDGETS or s.startswith("©"):
            continue
        if s in seen:
            continue
        seen.add(s)
        out.append(s)
    return out


def find_dates(lines):
    head = "\n".join(lines[:4])
    found = [m.group(0) for m in ISO.finditer(head)]
    if found:
        d = dateparser.parse(found[0])
        return d.isoformat() if d else None
    hits = search_dates(head[:300]) or []
    return hits[0][1].isoformat() if hits else None


def process(path):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", errors="replace")
    lines = clean(text)
    title = lines[0] if lines else ""
    body = "\n".join(lines[1:])
    published = find_dates(lines)
    try:
        best = detect_langs(body[:2000] or title)[0]
        lang, conf = best.lang, best.prob
    except Exception:
        lang, conf = "und", 0.0
    uid = hashlib.sha256((title + "\n" + " ".join(body.split())).encode()).hexdigest()[:32]
    return (uid, path, title, body, lang, conf, published, raw,
            json.dumps({"lines": len(lines)}))


def open_db(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS articles (id INTEGER PRIMARY KEY, uid TEXT UNIQUE,"
               " source TEXT, title TEXT, body TEXT, lang TEXT, lang_confidence REAL,"
               " published_at TEXT, raw BLOB, meta TEXT, ingested_at TEXT)")
    return db


def ingest(db, paths):
    n = 0
    db.execute("BEGIN")
    for p in paths:
        rec = process(p)
        db.execute("INSERT OR IGNORE INTO articles (uid, source, title, body, lang,"
                   " lang_confidence, published_at, raw, meta, ingested_at)"
                   " VALUES (?,?,?,?,?,?,?,?,?,datetime('now'))", rec)
        n += 1
        if n % 256 == 0:
            db.execute("COMMIT")
            db.execute("BEGIN")
    db.execute("COMMIT")
    return n


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    db = open_db(sys.argv[1])
    folder = sys.argv[2]
    once = "--once" in sys.argv
    done = set()
    t0 = time.monotonic()
    total = 0
    while True:
        new = sorted(e.path for e in os.scandir(folder) if e.is_file() and e.path not in done)
        total += ingest(db, new)
        done.update(new)
        if once:
            break
        time.sleep(0.5)  # polling; pyinotify is not packaged on every machine
    secs = time.monotonic() - t0
    ru = __import__("resource").getrusage(__import__("resource").RUSAGE_SELF)
    print(f"peer files={total} seconds={secs:.3f} files_per_s={total / secs:.1f} "
          f"import_s={T_IMPORTED - T_START:.2f} cpu_s={ru.ru_utime + ru.ru_stime:.2f} "
          f"maxrss_kb={ru.ru_maxrss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
