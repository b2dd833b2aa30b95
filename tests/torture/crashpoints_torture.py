#!/usr/bin/env python3
"""Crash points: the daemon is killed (SIGKILL, by itself) at each named point of the article's
way to the store (crashpoint.h), with a backlog in the inbox; after a restart every file is in
the store exactly once, none is lost, and the database is intact.

  crashpoints_torture.py [--quick] [--seed N] [--files N]

The Nth arrival at the point is the one that kills; N comes from --seed (between 1 and 5 for
points reached once per batch, between 1 and 200 for points reached once per file)."""
import os
import random

import tortlib as t
from tortlib import gen, h

# (point, reached once per file?)
POINTS = [
    ("intake.after_read", True),
    ("intake.after_chain", True),
    ("store.before_begin", False),
    ("store.after_insert", False),
    ("store.before_commit", False),
    ("store.after_commit", False),
    ("daemon.after_commit", False),
    ("daemon.before_ack", True),
    ("daemon.after_ack", True),
]

QUICK = {"files": 400}
FULL = {"files": 3000}


def one_point(point, per_file, n_files, rng, keep):
    d = h.Daemon(workers=2, queue_max=64, batch_max=16, batch_ms=20, settle_ms=200,
                 rescan_interval_s=1)
    try:
        names = ["c%05d.txt" % i for i in range(n_files)]
        contents = {name: gen.article(i) for i, name in enumerate(names)}
        for name in names:
            d.drop(name, contents[name])
        count = rng.randint(1, 200) if per_file else rng.randint(1, 5)
        os.environ["INGESTD_CRASHPOINT"] = point
        os.environ["INGESTD_CRASHPOINT_COUNT"] = str(count)
        try:
            d.spawn()
        finally:
            del os.environ["INGESTD_CRASHPOINT"]
            del os.environ["INGESTD_CRASHPOINT_COUNT"]
        try:
            rc = d.proc.wait(60)
        except Exception:
            rc = None
        t.check(rc == -9, "%s (count %d): the daemon did not die at the point (exit %r); log:\n%s",
                point, count, rc, d.log()[-2000:])
        at_kill = d.scalar("SELECT count(*) FROM files")
        t.check(at_kill < n_files, "%s: everything was committed before the kill", point)
        d.start()
        t.wait_drained(d, n_files, 120)
        d.stop()
        fig = t.check_exactly_once(d, contents)
        fig.update(point=point, count=count, committed_at_kill=at_kill)
        return fig
    finally:
        if keep:
            print("kept %s" % d.root)
        else:
            d.cleanup()


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    rng = random.Random(args.seed)
    results = []
    for point, per_file in POINTS:
        fig = one_point(point, per_file, s["files"], rng, bool(os.environ.get("INGESTD_IT_KEEP")))
        print("%-22s killed at arrival %3d with %4d files committed: lost %d, duplicates %d"
              % (point, fig["count"], fig["committed_at_kill"], fig["lost"], fig["duplicates"]))
        results.append(fig)
    t.report(args, "crashpoints", {"points": len(results), "lost": sum(r["lost"] for r in results),
                                   "duplicates": sum(r["duplicates"] for r in results),
                                   "runs": results})


if __name__ == "__main__":
    t.run(main)
