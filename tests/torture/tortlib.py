"""Shared helpers of the torture programs (Python 3 standard library only).

They drive the real ingestd binary through tests/integration/harness.py (same environment
variables: INGESTD_BIN, INGESTD_SOURCE_DIR, INGESTD_FIXTURE_PLUGINS, INGESTD_IT_KEEP) and
check the store against a model of what should be in it. Every random choice comes from a
random.Random seeded on the command line, so a run is replayable (timing aside).
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import gen  # noqa: E402  (tests/integration/gen.py)
import harness as h  # noqa: E402


def parse_args(description, quick_defaults, full_defaults):
    """Command line shared by the torture programs: --quick, --seed, and overrides of the
    numbers in the defaults dicts ({"files": 2000, ...}); returns (args, settings dict)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="the short variant (ctest)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (replay a run)")
    ap.add_argument("--json", help="append the result as one JSON line to this file")
    for k, v in full_defaults.items():
        ap.add_argument("--" + k.replace("_", "-"), type=type(v), default=None)
    args = ap.parse_args()
    settings = dict(quick_defaults if args.quick else full_defaults)
    for k in full_defaults:
        v = getattr(args, k)
        if v is not None:
            settings[k] = v
    return args, settings


class Failed(AssertionError):
    pass


def check(cond, msg, *fmt):
    if not cond:
        raise Failed(msg % fmt if fmt else msg)


def report(args, name, result):
    """Print the result (and append it to --json FILE)."""
    result = dict(result)
    result["torture"] = name
    result["seed"] = args.seed
    result["variant"] = "quick" if args.quick else "full"
    line = json.dumps(result, sort_keys=True)
    print("RESULT " + line)
    if args.json:
        with open(args.json, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def run(fn):
    """Run main-like fn(); exit 0 on success, 1 with the message on a failed check."""
    t0 = time.monotonic()
    try:
        fn()
    except Failed as e:
        print("FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("passed in %.1f s" % (time.monotonic() - t0))


def wait_drained(d, n_files, timeout, what="all files committed and moved"):
    """Wait until n_files file identities are committed, the inbox holds no file and nothing is
    in flight (the daemon must be running)."""
    def drained():
        if not d.running():
            raise Failed("ingestd exited (%r); log:\n%s" % (d.proc.returncode, d.log()))
        return (d.scalar("SELECT count(*) FROM files") >= n_files and d.inbox_files() == []
                and d.stats()["in_flight"] == 0)
    try:
        h.wait_until(drained, timeout, what, interval=0.1)
    except AssertionError as e:
        raise Failed("%s; %d files committed, %d left in the inbox; log tail:\n%s"
                     % (e, d.scalar("SELECT count(*) FROM files"), len(d.inbox_files()),
                        d.log()[-3000:]))


def check_exactly_once(d, contents, allow_failed=()):
    """The store holds every file of contents ({name: bytes}) exactly once: one article, one
    source, one file identity, its exact bytes; the inbox is empty, every file is in done/, the
    database is intact. Names in allow_failed are expected in failures/failed/ instead.
    Returns a dict of figures (lost, duplicates, ...)."""
    names = set(contents) - set(allow_failed)
    check(d.scalar("PRAGMA integrity_check") == "ok", "PRAGMA integrity_check is not ok")
    rows = d.query("SELECT s.source AS source, r.bytes AS bytes FROM sources s "
                   "LEFT JOIN raw r ON r.id = s.raw_id")
    per_name = {}
    wrong = []
    for r in rows:
        n = os.path.basename(r["source"])
        per_name[n] = per_name.get(n, 0) + 1
        if n in contents and r["bytes"] != contents[n]:
            wrong.append(n)
    lost = sorted(n for n in names if n not in per_name)
    dups = sorted(n for n, c in per_name.items() if c > 1)
    extra = sorted(n for n in per_name if n not in names)
    n_articles = d.scalar("SELECT count(*) FROM articles")
    file_rows = d.scalar("SELECT count(*) FROM files")
    file_paths = d.scalar("SELECT count(DISTINCT path) FROM files")
    failures = d.query("SELECT source, stage, plugin, reason FROM failures")
    failed_names = sorted(os.path.basename(f["source"]) for f in failures)
    inbox = d.inbox_files()
    done = d.done_files()
    fig = {"files": len(contents), "lost": len(lost), "duplicates": len(dups),
           "wrong_bytes": len(wrong), "articles": n_articles, "file_rows": file_rows,
           "failures": len(failures), "inbox_left": len(inbox)}
    check(not lost, "%d files lost, e.g. %s", len(lost), lost[:5])
    check(not dups, "%d files stored more than once, e.g. %s", len(dups), dups[:5])
    check(not extra, "unexpected sources in the store: %s", extra[:5])
    check(not wrong, "%d files stored with other bytes, e.g. %s", len(wrong), wrong[:5])
    check(n_articles == len(names), "%d articles, expected %d", n_articles, len(names))
    check(file_rows == len(contents) and file_paths == len(contents),
          "%d file identities (%d paths), expected %d", file_rows, file_paths, len(contents))
    check(failed_names == sorted(allow_failed), "failures %s, expected %s", failed_names[:5],
          sorted(allow_failed))
    check(inbox == [], "%d files left in the inbox (claimed but never committed?): %s",
          len(inbox), inbox[:5])
    check(sorted(done) == sorted(names), "done/ holds %d files, expected %d (extra: %s, "
          "missing: %s)", len(done), len(names), sorted(set(done) - names)[:5],
          sorted(names - set(done))[:5])
    return fig


def rss_kb(pid):
    """Resident set size of a process in KiB (0 when it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sanitized(pid):
    """True when the process runs with AddressSanitizer (its RSS budget does not apply: shadow
    memory and the allocation quarantine multiply it)."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            return "libasan" in f.read()
    except OSError:
        return False
