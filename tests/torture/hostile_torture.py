#!/usr/bin/env python3
"""Hostile files (what tests/integration/test_bad_input.py does not already cover), mixed into
a stream of good files: a 1 MB single line, NUL bytes, names with a newline, a tab or invalid
UTF-8, a hard link to a file outside the watched folder, a symlink to /etc/passwd, a character
device and a FIFO; plus good files. The daemon stays up and serves, every good and odd-named
file is stored once under a valid UTF-8 source name, the symlink's target is never read, the
device and the FIFO are left alone and never block a worker.

  hostile_torture.py [--quick] [--seed N] [--files N]"""
import os
import random
import stat

import tortlib as t
from tortlib import gen, h

QUICK = {"files": 200}
FULL = {"files": 2000}


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    rng = random.Random(args.seed)
    d = h.Daemon(plugins=h.default_plugins(), workers=2, queue_max=64, batch_max=16,
                 batch_ms=20, settle_ms=200, rescan_interval_s=1, max_file_bytes=4 << 20)
    outside = h.make_tempdir()
    try:
        secret = os.path.join(outside, "outside.txt")
        outside_bytes = gen.article(999999) + b"\nlinked in from outside\n"
        with open(secret, "wb") as f:
            f.write(outside_bytes)
        d.start()
        ib = d.inbox.encode()
        expected = {}  # bytes name -> content (must be stored once)

        def put(bname, data):
            tmp = os.path.join(ib, b"." + str(len(expected)).encode() + b".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(ib, bname))
            expected[bname] = data

        line = b" ".join(b"word%d" % rng.randrange(10 ** 6) for _ in range(120000))[: 1 << 20]
        put(b"one-huge-line.txt", b"A headline\n\n" + line + b"\n")
        put(b"nul-bytes.txt", gen.article(1) + b"\x00\x00 hidden \x00 after NULs\n")
        put(b"new\nline.txt", gen.article(2))
        put(b"tab\tname.txt", gen.article(3))
        put(b"bad-\xff\xfe-utf8.txt", gen.article(4))
        os.link(secret, os.path.join(d.inbox, "hardlink-outside.txt"))
        expected[b"hardlink-outside.txt"] = outside_bytes
        os.symlink("/etc/passwd", os.path.join(d.inbox, "passwd-link.txt"))
        os.mknod(os.path.join(d.inbox, "device.txt"), 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        os.mkfifo(os.path.join(d.inbox, "fifo.txt"))
        for i in range(s["files"]):
            put(b"good-%05d.txt" % i, gen.article(10 + i))
        # NUL bytes mean binary data: a decode failure with its bytes kept; the refused symlink
        # is a failure without a file identity (its target is never opened)
        nul = expected.pop(b"nul-bytes.txt")
        n = len(expected) + 1
        def drained():
            t.check(d.running(), "ingestd died; log:\n%s", d.log()[-3000:])
            return (d.scalar("SELECT count(*) FROM files") >= n and d.stats()["in_flight"] == 0
                    and sorted(d.inbox_files()) == ["device.txt", "fifo.txt"])
        h.wait_until(drained, 20 if args.quick else 120, "the good files to be committed",
                     interval=0.2)
        t.check(d.request({"cmd": "status"})["ok"], "status")
        st = d.stats()
        d.stop()
        t.check(d.scalar("PRAGMA integrity_check") == "ok", "integrity")
        rows = d.query("SELECT s.source, r.bytes FROM sources s JOIN raw r ON r.id = s.raw_id")
        by_bytes = {}
        for r in rows:
            t.check(isinstance(r["source"], str) and "\ufffd" not in r["source"].replace(
                "\ufffd\ufffd", "") or "bad-" in r["source"], "source name %r", r["source"])
            by_bytes.setdefault(r["bytes"], []).append(r["source"])
        lost = [k for k, v in expected.items() if v not in by_bytes]
        dups = [v for v in by_bytes.values() if len(v) > 1]
        t.check(not lost, "not stored: %r", lost[:5])
        t.check(not dups, "stored twice: %r", dups[:3])
        passwd = open("/etc/passwd", "rb").read()
        t.check(passwd not in by_bytes, "the symlink's target /etc/passwd was read")
        fails = d.query("SELECT f.source, f.stage, f.reason, r.bytes FROM failures f "
                        "LEFT JOIN raw r ON r.id = f.raw_id ORDER BY f.source")
        t.check(len(fails) == 2 and fails[0]["stage"] == "decode" and fails[0]["bytes"] == nul
                and "symlink" in fails[1]["reason"] and fails[1]["bytes"] is None,
                "failures: %r", [(f["source"], f["stage"], f["reason"]) for f in fails])
        left = sorted(d.inbox_files())
        t.check(left == ["device.txt", "fifo.txt"], "left in the inbox: %r", left)
        t.check(os.path.exists(secret) and open(secret, "rb").read() == outside_bytes,
                "the outside file was touched")
        odd = [s_ for s_ in (d.query("SELECT source FROM sources")) if "line" in s_["source"]
               or "bad-" in s_["source"] or "tab" in s_["source"]]
        t.report(args, "hostile", {"files": len(expected) + 2, "lost": len(lost),
                                   "duplicates": len(dups), "failures": len(fails),
                                   "odd_names_stored": [o["source"][-24:] for o in odd],
                                   "counters": {k: st[k] for k in h.COUNTER_KEYS}})
    finally:
        d.cleanup()
        import shutil
        shutil.rmtree(outside, ignore_errors=True)


if __name__ == "__main__":
    t.run(main)
