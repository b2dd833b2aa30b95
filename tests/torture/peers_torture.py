#!/usr/bin/env python3
"""Slow and broken peers on the control socket while files are ingested: clients that connect
and say nothing, clients that send an endless line, clients that send requests and disconnect
before the reply, clients that pipeline thousands of requests and never read the replies. The
loop keeps serving (a well-behaved client gets its status promptly), memory stays bounded
(< 150 MB), and every file is ingested exactly once.

  peers_torture.py [--quick] [--seed N] [--files N] [--idle N] [--rounds N]"""
import random
import socket
import threading
import time

import tortlib as t
from tortlib import gen, h

QUICK = {"files": 1000, "idle": 50, "rounds": 40}
FULL = {"files": 10000, "idle": 200, "rounds": 1000}


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    rng = random.Random(args.seed)
    d = h.Daemon(plugins=[], workers=2, queue_max=256, batch_max=64, batch_ms=20,
                 settle_ms=200, rescan_interval_s=1)
    idle = []
    stop = threading.Event()
    peak = [0]
    try:
        d.start()
        pid = d.proc.pid
        asan = t.sanitized(pid)

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], t.rss_kb(pid))
                time.sleep(0.1)
        sampler = threading.Thread(target=sample)
        sampler.start()
        for _ in range(s["idle"]):  # connect and say nothing, until the end
            try:
                idle.append(d.connect())
            except OSError:
                break
        names = ["q%06d.txt" % i for i in range(s["files"])]
        contents = {n: gen.article(i) for i, n in enumerate(names)}
        prod = threading.Thread(target=lambda: [d.drop(n, contents[n]) for n in names])
        prod.start()
        worst = 0.0
        kinds = {"endless": 0, "hangup": 0, "no_read": 0}
        for _ in range(s["rounds"]):
            kind = rng.choice(list(kinds))
            kinds[kind] += 1
            try:
                c = d.connect(timeout=5)
                if kind == "endless":  # 4 MB without a newline, then gone
                    try:
                        c.sendall(b'{"cmd": "status", "pad": "' + b"y" * (4 << 20))
                    except OSError:
                        pass
                elif kind == "hangup":  # a request with a long reply, closed before it
                    c.sendall(b'{"cmd": "recent", "n": 1000}\n')
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                else:  # many requests, replies never read
                    try:
                        c.sendall(b'{"cmd": "stats"}\n' * 5000)
                    except OSError:
                        pass
                c.close()
            except OSError:
                pass
            t0 = time.monotonic()
            r = d.request({"cmd": "status"}, timeout=30)
            worst = max(worst, time.monotonic() - t0)
            t.check(r.get("ok"), "status failed: %r", r)
        prod.join()
        t.wait_drained(d, s["files"], 300)
        for c in idle:
            c.close()
        stop.set()
        sampler.join()
        d.stop()
        fig = t.check_exactly_once(d, contents)
        t.check(peak[0] < 150 * 1024 or asan, "peak RSS %.1f MB", peak[0] / 1024)
        fig.update(idle_clients=len(idle), bad_clients=kinds,
                   slowest_status_reply_s=round(worst, 3), peak_rss_mb=round(peak[0] / 1024, 1))
        t.report(args, "peers", fig)
    finally:
        stop.set()
        for c in idle:
            c.close()
        d.cleanup()


if __name__ == "__main__":
    t.run(main)
