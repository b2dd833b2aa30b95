#!/usr/bin/env python3
"""An integration scenario for valgrind.sh: ingestd (under memcheck, through INGESTD_BIN)
starts with a generous timeout, ingests 30 files with the default plugins, answers status,
stats, recent and failures, and stops on SIGTERM; its exit code must be 0 (memcheck makes it
99 on an invalid access or a definite/indirect leak)."""
import tortlib as t
from tortlib import gen, h


def main():
    d = h.Daemon(workers=2, settle_ms=100, rescan_interval_s=1)
    try:
        names = ["v%02d.txt" % i for i in range(30)]
        contents = {n: gen.article(i) for i, n in enumerate(names)}
        d.start(timeout=600)
        for n in names:
            d.drop(n, contents[n])
        t.wait_drained(d, len(names), 600)
        for cmd in ("status", "stats", "recent", "failures"):
            t.check(d.request({"cmd": cmd}, timeout=120).get("ok"), "%s failed", cmd)
        d.stop(timeout=600)  # asserts exit code 0
        t.check_exactly_once(d, contents)
    finally:
        d.cleanup()


if __name__ == "__main__":
    t.run(main)
