#!/usr/bin/env python3
"""Random file-system actions while the daemon runs (fixed seeds, replayable): files renamed
in, written in place slowly (several writes with pauses longer than settle_ms), truncated and
rewritten while open, deleted right after they are complete, hard-linked in from outside and
from inside the watched folder, and replaced by rename over a name already in the inbox.

A model says, for each action, which contents were complete (closed) at some moment: contents
that stayed complete must be in the store exactly once; contents that were complete only
briefly (deleted or replaced soon after) may be stored at most once; anything else (a half-
written or truncated state) must never be stored. At the end the inbox is empty and the
database is intact.

  fsrandom_torture.py [--quick] [--seed N] [--actions N] [--threads N]"""
import os
import random
import threading
import time

import tortlib as t
from tortlib import gen, h

QUICK = {"actions": 240, "threads": 4}
FULL = {"actions": 3000, "threads": 6}
SETTLE_MS = 150


class Model:
    def __init__(self):
        self.lock = threading.Lock()
        self.required = {}  # bytes -> description: must be stored exactly once
        self.optional = {}  # bytes -> description: stored at most once
        self.counter = 0

    def unique(self, rng, tag):
        with self.lock:
            self.counter += 1
            k = self.counter
        body = gen.article(rng.randrange(1000000))
        return body + b"\nversion %s-%d, %s\n" % (tag.encode(), k, b"x" * rng.randrange(0, 3000))

    def require(self, data, what):
        with self.lock:
            self.required[data] = what

    def allow(self, data, what):
        with self.lock:
            self.optional[data] = what


def act(kind, d, staging, model, rng, idx):
    name = "%s-%05d.txt" % (kind, idx)
    path = os.path.join(d.inbox, name)
    if kind == "rename":
        data = model.unique(rng, kind)
        tmp = os.path.join(staging, name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)
        model.require(data, name)
    elif kind == "slow":
        # appended slowly, in place: pauses longer than settle_ms between writes
        data = model.unique(rng, kind)
        cuts = sorted(rng.sample(range(1, len(data)), 3))
        with open(path, "wb") as f:
            last = 0
            for c in cuts + [len(data)]:
                f.write(data[last:c])
                f.flush()
                last = c
                time.sleep(rng.uniform(0.05, 2.5 * SETTLE_MS / 1000))
        model.require(data, name)
    elif kind == "truncate":
        # half of one text, then truncated and replaced by another one before the close
        first, data = model.unique(rng, kind), model.unique(rng, kind)
        with open(path, "wb") as f:
            f.write(first[: len(first) // 2])
            f.flush()
            time.sleep(rng.uniform(0.0, 0.3))
            f.truncate(0)
            f.seek(0)
            f.write(data)
        model.require(data, name)
    elif kind == "delete":
        data = model.unique(rng, kind)
        model.allow(data, name)  # complete for a moment: may be taken before the unlink
        tmp = os.path.join(staging, name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)
        time.sleep(rng.uniform(0.0, 0.05))
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass  # already taken and moved to done/
    elif kind == "hardlink_out":
        # a file outside the watched folder, linked in: the link is taken, the original stays
        data = model.unique(rng, kind)
        outside = os.path.join(staging, "keep-" + name)
        with open(outside, "wb") as f:
            f.write(data)
        os.link(outside, path)
        model.require(data, name)
    elif kind == "hardlink_in":
        # two names of one inode in the inbox: one article (the second name is recognized)
        data = model.unique(rng, kind)
        tmp = os.path.join(staging, name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)
        try:
            os.link(path, path + ".twin.txt")
        except FileNotFoundError:
            pass  # already moved: no twin
        model.require(data, name)
    elif kind == "replace":
        # a new version renamed over a name still in the inbox (maybe being read right now)
        old, new = model.unique(rng, kind), model.unique(rng, kind)
        model.allow(old, name + " (replaced)")
        for data in (old, new):
            tmp = os.path.join(staging, name)
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, path)
            time.sleep(rng.uniform(0.0, 0.1))
        model.require(new, name)


KINDS = ["rename", "slow", "truncate", "delete", "hardlink_out", "hardlink_in", "replace"]


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    d = h.Daemon(plugins=[], workers=2, queue_max=64, batch_max=16, batch_ms=20,
                 settle_ms=SETTLE_MS, rescan_interval_s=1)
    try:
        staging = os.path.join(d.root, "staging")
        os.mkdir(staging)
        model = Model()
        d.start()
        per_thread = s["actions"] // s["threads"]
        counts = {k: 0 for k in KINDS}
        errors = []

        def worker(k):
            rng = random.Random(args.seed * 1000 + k)
            try:
                for j in range(per_thread):
                    kind = rng.choice(KINDS)
                    counts[kind] += 1
                    act(kind, d, staging, model, rng, k * 100000 + j)
                    time.sleep(rng.uniform(0.0, 0.02))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(s["threads"])]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        t.check(not errors, "actions failed: %s", errors[:3])

        def settled():
            return d.inbox_files() == [] and d.stats()["in_flight"] == 0
        h.wait_until(settled, 120, "the inbox to drain", interval=0.2)
        time.sleep(2 * SETTLE_MS / 1000 + 1.2)  # one more rescan finds nothing new
        t.check(d.inbox_files() == [], "files left in the inbox: %s", d.inbox_files()[:5])
        d.stop()
        t.check(d.scalar("PRAGMA integrity_check") == "ok", "integrity_check not ok")
        rows = d.query("SELECT s.source, r.bytes FROM sources s JOIN raw r ON r.id = s.raw_id")
        t.check(d.scalar("SELECT count(*) FROM failures") == 0, "failures: %s",
                d.query("SELECT source, stage, reason FROM failures")[:3])
        stored = {}
        where = {}
        for r in rows:
            stored[r["bytes"]] = stored.get(r["bytes"], 0) + 1
            where.setdefault(r["bytes"], []).append(os.path.basename(r["source"]))
        lost = [w for b, w in model.required.items() if b not in stored]
        dups = [where[b] for b, c in stored.items() if c > 1]
        unknown = [b[-80:] for b in stored if b not in model.required and b not in model.optional]
        optional_stored = sum(1 for b in model.optional if b in stored)
        fig = {"actions": sum(counts.values()), "by_kind": counts,
               "required": len(model.required), "optional": len(model.optional),
               "optional_stored": optional_stored, "lost": len(lost), "duplicates": len(dups),
               "never_complete_stored": len(unknown)}
        t.check(not lost, "%d complete files lost: %s", len(lost), lost[:5])
        t.check(not dups, "%d contents stored more than once: %s", len(dups), dups[:5])
        t.check(not unknown, "%d half-written or truncated states stored, e.g. %r", len(unknown),
                unknown[:2])
        t.report(args, "fsrandom", fig)
    finally:
        d.cleanup()


if __name__ == "__main__":
    t.run(main)
