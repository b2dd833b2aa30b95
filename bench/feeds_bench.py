#!/usr/bin/python3
"""bench/feeds_bench.py - N feeds served over loopback, polled by a real ingestd.

A loopback HTTP server (Python standard library; SERVERS listeners on 127.0.0.1 .. 127.0.0.K,
all in the loopback range, so the per-host limit applies per listener) serves N small RSS feeds
(ENTRIES entries each, unique per feed, with an ETag). ingestd gets all N in its `feeds` key
(start jitter 0, interval one day) and the default plugin chain.

  pass 1  from the daemon's start until every feed has been polled once and its entries are
          committed: seconds, polls/s, articles, peak RSS (VmHWM)
  (daemon_cpu_s: the daemon's user + system CPU time, which a busy machine does not inflate)
  pass 2  the daemon is stopped, every stored next poll is set to "now", and it is started
          again: every poll is conditional (stored ETag) and answered 304; seconds until all
          are polled again, and its ratio to pass 1

Usage: bench/feeds_bench.py --bin BUILD/bin [--n 10000] [--servers 8] [--entries 3]
Network: loopback only. Prints one JSON object with the figures.
"""
import argparse
import hashlib
import http.server
import json
import os
import shutil
import socket
import socketserver
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


def feed_body(n, entries):
    items = "".join(
        "<item><title>Feed %d entry %d: the harbour council met again</title>"
        "<guid>f%d-e%d</guid><link>http://127.0.0.1/f/%d/%d</link>"
        "<pubDate>Mon, 27 Oct 2025 13:%02d:00 +0300</pubDate>"
        "<description>&lt;p&gt;Feed %d, entry %d. The council discussed the new ferry "
        "timetable and the repairs of the northern pier.&lt;/p&gt;</description></item>"
        % (n, e, n, e, n, e, e % 60, n, e) for e in range(entries))
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            "<title>Bench feed %d</title><link>http://127.0.0.1/</link>%s</channel></rss>"
            % (n, items)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body are two writes: without this, Nagle + delayed ACK cost 40 ms each
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        try:
            n = int(self.path.rsplit("/", 1)[1])
        except ValueError:
            n = 0
        body = feed_body(n, self.server.entries)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def vm_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_polled(db, n, since_iso, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
            done = con.execute("SELECT count(*) FROM feeds WHERE last_poll_at >= ?",
                               (since_iso,)).fetchone()[0]
            con.close()
        except sqlite3.Error:
            done = 0
        if done >= n:
            return True
        time.sleep(0.2)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--servers", type=int, default=8)
    ap.add_argument("--entries", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()

    servers = []
    for i in range(args.servers):
        s = Server(("127.0.0.%d" % (i + 1), 0), Handler)
        s.entries = args.entries
        threading.Thread(target=s.serve_forever, daemon=True).start()
        servers.append(s)
    root = tempfile.mkdtemp(prefix="igfb", dir="/tmp")
    os.makedirs(os.path.join(root, "inbox"))
    urls = []
    for k in range(args.n):
        s = servers[k % len(servers)]
        urls.append("http://%s:%d/f/%d" % (s.server_address[0], s.server_address[1], k))
    cfg = {"watch": [{"path": "inbox"}], "database": "db.sqlite", "control_socket": "ctl.sock",
           "feeds": [{"url": u} for u in urls], "feed_start_jitter_s": 0,
           "feed_interval_s": 86400, "feed_max_in_flight": 64, "log_level": "warning"}
    with open(os.path.join(root, "cfg.json"), "w") as f:
        json.dump(cfg, f)
    db = os.path.join(root, "db.sqlite")
    log = open(os.path.join(root, "log"), "ab")
    result = {"feeds": args.n, "servers": args.servers, "entries_per_feed": args.entries}

    def run_pass(name):
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 1))
        t0 = time.monotonic()
        p = subprocess.Popen([os.path.join(args.bin, "ingestd"), "run", "-c",
                              os.path.join(root, "cfg.json")], stdout=log, stderr=log)
        ok = wait_polled(db, args.n, since, args.timeout)
        secs = time.monotonic() - t0
        hwm = vm_hwm_kb(p.pid)
        cpu = cpu_seconds(p.pid)
        p.terminate()
        p.wait(timeout=120)
        result[name] = {"complete": ok, "seconds": round(secs, 2),
                        "polls_per_s": round(args.n / secs, 1), "peak_rss_mb": round(hwm / 1024, 1),
                        "daemon_cpu_s": round(cpu, 2)}

    run_pass("pass1")
    con = sqlite3.connect(db)
    result["articles"] = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.execute("UPDATE feeds SET next_poll_ms = 0")
    con.commit()
    con.close()
    run_pass("pass2_304")
    con = sqlite3.connect(db)
    result["pass2_statuses"] = dict(con.execute(
        "SELECT last_status, count(*) FROM feeds GROUP BY last_status").fetchall())
    con.close()
    result["pass2_over_pass1"] = round(result["pass2_304"]["seconds"] /
                                       result["pass1"]["seconds"], 3)
    result["pass2_over_pass1_cpu"] = round(result["pass2_304"]["daemon_cpu_s"] /
                                           max(result["pass1"]["daemon_cpu_s"], 0.01), 3)
    for s in servers:
        s.shutdown()
    shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
