#!/usr/bin/env python3
"""kill -9 torture: files keep arriving while the daemon is killed with SIGKILL at random
moments (during start, scans, plugin work, commits, acknowledgements) and restarted each
time; at the end every file is in the store exactly once, none is lost, the database passes
PRAGMA integrity_check, the inbox is empty and every file is in done/.

  kill9_torture.py [--quick] [--seed N] [--files N] [--kills N]

The kill schedule and the way each file arrives (rename in, or written in place in two parts)
come from --seed. Full variant: 20,000 files, 30 kills; quick: 2,000 files, 6 kills."""
import os
import random
import threading
import time

import tortlib as t
from tortlib import gen, h

QUICK = {"files": 2000, "kills": 6, "max_alive_ms": 600}
FULL = {"files": 20000, "kills": 30, "max_alive_ms": 900}


def producer(d, names, contents, rng, rate_per_s, stop):
    """Drop the files at about rate_per_s: most renamed in (the maildir rule), some written in
    place in two writes (seen through IN_CLOSE_WRITE or a settled scan)."""
    t0 = time.monotonic()
    for k, name in enumerate(names):
        if stop.is_set():
            return
        data = contents[name]
        if rng.random() < 0.1:
            path = os.path.join(d.inbox, name)
            with open(path, "wb") as f:
                f.write(data[: len(data) // 2])
                f.flush()
                f.write(data[len(data) // 2:])
        else:
            d.drop(name, data)
        ahead = k / rate_per_s - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    rng = random.Random(args.seed)
    d = h.Daemon(workers=2, queue_max=256, batch_max=64, batch_ms=20, settle_ms=300,
                 rescan_interval_s=1)
    try:
        n = s["files"]
        names = ["k%06d.txt" % i for i in range(n)]
        contents = {name: gen.article(i) for i, name in enumerate(names)}
        # a third of the files are there before the first start, the rest arrive during the kills
        first = n // 3
        for name in names[:first]:
            d.drop(name, contents[name])
        alive = [rng.uniform(0.0, s["max_alive_ms"] / 1000.0) for _ in range(s["kills"])]
        expected_s = sum(alive) + 0.05 * s["kills"]
        stop = threading.Event()
        prod = threading.Thread(target=producer, args=(d, names[first:], contents,
                                                       random.Random(args.seed + 1),
                                                       max(1.0, (n - first) / max(expected_s, 1)),
                                                       stop))
        prod.start()
        kills = 0
        committed_at_kill = []
        for a in alive:
            d.spawn()
            time.sleep(a)
            t.check(d.running(), "ingestd exited by itself (%r); log:\n%s", d.proc.returncode,
                    d.log()[-3000:])
            d.kill9()
            kills += 1
            try:
                committed_at_kill.append(d.scalar("SELECT count(*) FROM files"))
            except Exception:
                committed_at_kill.append(0)  # killed before the schema existed
        prod.join()
        print("%d kills; files committed at each kill: %s" % (kills, committed_at_kill))
        t.check(committed_at_kill[-1] < n, "everything was committed before the last kill: "
                "the run interrupted nothing")
        d.start()
        t.wait_drained(d, n, 120 if args.quick else 600)
        st = {k: v for k, v in d.stats().items() if k in h.COUNTER_KEYS}
        d.stop()
        fig = t.check_exactly_once(d, contents)
        crashes = d.db_path + ".crashes"
        t.check(not os.path.exists(crashes) or os.path.getsize(crashes) == 0,
                "a crash was recorded in %s", crashes)
        fig.update(kills=kills, restarts=d.starts, last_run=st,
                   committed_at_kill=committed_at_kill)
        t.report(args, "kill9", fig)
    finally:
        d.cleanup()


if __name__ == "__main__":
    t.run(main)
