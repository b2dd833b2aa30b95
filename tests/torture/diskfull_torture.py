#!/usr/bin/env python3
"""Disk full: the database lives on a small tmpfs; files are ingested until it is full. The
daemon must report it (status: state "blocked" with the reason; the log), pause intake, keep
every file it has not committed in the inbox, and resume by itself once space returns (the
tmpfs is grown with mount -o remount); at the end every file is in the store exactly once.

  diskfull_torture.py [--quick] [--seed N] [--files N] [--size-kb N]

Needs permission to mount a tmpfs (root); exits 77 (skipped) otherwise."""
import os
import random
import subprocess
import time

import tortlib as t
from tortlib import gen, h

QUICK = {"files": 1000, "size_kb": 1024}
FULL = {"files": 20000, "size_kb": 4096}
SKIP = 77


def mount_tmpfs(path, size_kb):
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk,mode=0755" % size_kb, "tmpfs",
                        path], capture_output=True, text=True)
    return p.returncode == 0, p.stderr.strip()


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    rng = random.Random(args.seed)
    root = h.make_tempdir()
    dbfs = os.path.join(root, "dbfs")
    os.makedirs(dbfs)
    ok, why = mount_tmpfs(dbfs, s["size_kb"])
    if not ok:
        print("SKIPPED: cannot mount a tmpfs (%s)" % why)
        os.rmdir(dbfs)
        os.rmdir(root)
        raise SystemExit(SKIP)
    d = None
    try:
        d = h.Daemon(root=root, database="dbfs/ingestd.db", workers=2, queue_max=128,
                     batch_max=32, batch_ms=20, settle_ms=200, rescan_interval_s=1)
        d.db_path = os.path.join(dbfs, "ingestd.db")
        n = s["files"]
        names = ["f%06d.txt" % i for i in range(n)]
        # sizes vary with the seed: padding makes some articles longer
        contents = {}
        for i, name in enumerate(names):
            pad = b"\n\nFurther remarks: " + b" ".join(
                b"w%d" % rng.randrange(100000) for _ in range(rng.randrange(0, 120)))
            contents[name] = gen.article(i) + pad + b"\n"
        for name in names:
            d.drop(name, contents[name])
        d.start()

        worst_reply = [0.0]

        def status():
            t0 = time.monotonic()
            st = d.request({"cmd": "status"}, timeout=60)
            worst_reply[0] = max(worst_reply[0], time.monotonic() - t0)
            return st

        def blocked():
            st = status()
            return st.get("state") == "blocked" and st
        st = h.wait_until(blocked, 120, "the daemon to report a full disk (state blocked)",
                          interval=0.1)
        reason = st.get("blocked_reason", "")
        print("blocked: %s" % reason)
        t.check("full" in reason.lower() or "space" in reason.lower(),
                "blocked_reason does not say the disk is full: %r", reason)
        # intake paused: nothing moves for a while, and every file not committed is in place.
        # (Only the file system and the socket are looked at: a reader cannot open the
        # database while its file system is full.)
        time.sleep(1.5)
        done1, inbox1 = len(d.done_files()), len(d.inbox_files())
        time.sleep(1.0)
        st = status()
        done2, inbox2 = len(d.done_files()), len(d.inbox_files())
        t.check(st.get("state") == "blocked", "state %r while the disk is still full",
                st.get("state"))
        t.check(done1 == done2 and inbox1 == inbox2, "intake not paused while the disk is full")
        t.check(done1 < n, "everything fit: make --size-kb smaller")
        t.check(inbox1 + done1 == n, "files not in place while blocked: %d in done/, %d in the "
                "inbox, %d dropped", done1, inbox1, n)
        log = d.log().lower()
        t.check("disk is full" in log and "intake paused" in log,
                "the log does not report the full disk and the pause")
        blocked_counts = {"done_when_full": done1, "left_in_inbox": inbox1}
        # space returns
        subprocess.run(["mount", "-o", "remount,size=%dk" % (s["size_kb"] * 64), dbfs],
                       check=True)
        t0 = time.monotonic()
        t.wait_drained(d, n, 180)
        resumed_s = time.monotonic() - t0
        st = status()
        t.check(st.get("state") == "running", "state %r after the space returned", st.get("state"))
        d.stop()
        fig = t.check_exactly_once(d, contents)
        fig.update(blocked_counts)
        fig.update(drained_after_space_returned_s=round(resumed_s, 1), tmpfs_kb=s["size_kb"],
                   slowest_status_reply_s=round(worst_reply[0], 2))
        t.report(args, "diskfull", fig)
    finally:
        if d and d.running():
            d.kill9()
        subprocess.run(["umount", "-l", dbfs], capture_output=True)
        if d:
            d.cleanup()


if __name__ == "__main__":
    t.run(main)
