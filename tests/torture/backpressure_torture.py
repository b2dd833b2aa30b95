#!/usr/bin/env python3
"""Backpressure: a flood of files dropped at once (200,000 in the full variant, 5,000 quick)
while the daemon runs, with the inotify queue made tiny (fs.inotify.max_queued_events = 64
while the daemon creates its inotify instance, restored right after) so that it overflows:
resident memory stays under 150 MB, every file is ingested exactly once.

  backpressure_torture.py [--quick] [--seed N] [--files N] [--rss-mb N]

When the sysctl cannot be written the overflow part is skipped (said in the result)."""
import os
import random
import threading
import time

import tortlib as t
from tortlib import gen, h

QUICK = {"files": 5000, "rss_mb": 150}
FULL = {"files": 200000, "rss_mb": 150}
SYSCTL = "/proc/sys/fs/inotify/max_queued_events"


def set_sysctl(value):
    try:
        with open(SYSCTL) as f:
            old = f.read().strip()
        with open(SYSCTL, "w") as f:
            f.write(str(value))
        return old
    except OSError:
        return None


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    rng = random.Random(args.seed)
    # the quick variant runs without plugins (the queueing is under test, not the plugins)
    d = h.Daemon(plugins=[] if args.quick else None, workers=2, queue_max=1024, batch_max=256,
                 batch_ms=50, settle_ms=500, rescan_interval_s=2)
    peak = [0]
    stop = threading.Event()
    try:
        n = s["files"]
        old = set_sysctl(64)
        try:
            d.start()
        finally:
            if old is not None:
                set_sysctl(old)
        pid = d.proc.pid
        asan = t.sanitized(pid)
        idle_kb = t.rss_kb(pid)

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], t.rss_kb(pid))
                time.sleep(0.1)
        sampler = threading.Thread(target=sample)
        sampler.start()
        names = ["b%07d.txt" % i for i in range(n)]
        contents = {}
        t0 = time.monotonic()
        for i, name in enumerate(names):
            data = gen.article(i)
            if rng.random() < 0.5:
                data += b"\n" + b"filler %d " % i * rng.randrange(1, 40) + b"\n"
            contents[name] = data
            d.drop(name, data)
        drop_s = time.monotonic() - t0
        t.wait_drained(d, n, 600 if args.quick else 3600)
        total_s = time.monotonic() - t0
        stop.set()
        sampler.join()
        st = d.stats()
        d.stop()
        log = d.log()
        overflowed = "overflow" in log.lower()
        fig = t.check_exactly_once(d, contents)
        fig.update(peak_rss_mb=round(peak[0] / 1024, 1), idle_rss_mb=round(idle_kb / 1024, 1),
                   drop_s=round(drop_s, 1), drained_s=round(total_s, 1),
                   files_per_s=round(n / total_s), inotify_overflow_forced=old is not None,
                   overflow_logged=overflowed, rescheduled=st.get("rescheduled"))
        t.check(peak[0] < s["rss_mb"] * 1024 or asan, "peak RSS %.1f MB over the budget of %d MB",
                peak[0] / 1024, s["rss_mb"])
        if old is not None:
            t.check(overflowed, "the inotify queue did not overflow (or it was not logged)")
        t.report(args, "backpressure", fig)
    finally:
        stop.set()
        d.cleanup()


if __name__ == "__main__":
    t.run(main)
