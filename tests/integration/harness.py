"""Shared helpers of the ingestd integration tests (Python 3 standard library only).

The tests run the real programs: $INGESTD_BIN/ingestd and $INGESTD_BIN/ingestctl, the built-in
plugins next to them (<build>/lib/ingestd/plugins), real SQLite files and a real Unix socket.
Every daemon gets its own folder under /tmp (short, so the socket path stays far below the
108-byte limit) and its own generated configuration; tests may run in parallel.

Environment:
  INGESTD_BIN             folder with ingestd and ingestctl (default: <source>/build/bin)
  INGESTD_SOURCE_DIR      the source tree (default: two folders above this file)
  INGESTD_FIXTURE_PLUGINS folder of the test plugins (default: $INGESTD_BIN/../tests/fixture-plugins)
  INGESTD_IT_PLUGINS      JSON array overriding the default plugin chain (debugging only)
  INGESTD_IT_KEEP=1       keep the temporary folders (their paths are printed)
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.environ.get("INGESTD_SOURCE_DIR") or os.path.join(HERE, "..", ".."))
BIN_DIR = os.path.abspath(os.environ.get("INGESTD_BIN") or os.path.join(SOURCE_DIR, "build", "bin"))
INGESTD = os.path.join(BIN_DIR, "ingestd")
INGESTCTL = os.path.join(BIN_DIR, "ingestctl")
FIXTURE_PLUGINS = os.path.abspath(os.environ.get("INGESTD_FIXTURE_PLUGINS")
                                  or os.path.join(BIN_DIR, "..", "tests", "fixture-plugins"))
SEEDS_DIR = os.path.abspath(os.path.join(SOURCE_DIR, "..", "shared", "seeds"))
FIXTURES_DIR = os.path.join(SOURCE_DIR, "tests", "fixtures", "articles")
EXPECTED_JSON = os.path.join(SOURCE_DIR, "tests", "fixtures", "expected.json")
DEFAULT_PLUGINS = ["datetime", "cleanup", "langdetect"]

EXIT_CONFIG = 78


def default_plugins():
    env = os.environ.get("INGESTD_IT_PLUGINS")
    return json.loads(env) if env else list(DEFAULT_PLUGINS)


def require_binary(path):
    if not os.access(path, os.X_OK):
        raise AssertionError("missing program %s (build it first)" % path)


def load_expected():
    with open(EXPECTED_JSON, encoding="utf-8") as f:
        return json.load(f)


def seed_files():
    """Sorted paths of the shared seed articles, or [] when they are not present."""
    if not os.path.isdir(SEEDS_DIR):
        return []
    return sorted(os.path.join(SEEDS_DIR, n) for n in os.listdir(SEEDS_DIR) if n.endswith(".txt"))


def fixture_files():
    return sorted(os.path.join(FIXTURES_DIR, n) for n in os.listdir(FIXTURES_DIR)
                  if not n.startswith("."))


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def wait_until(pred, timeout=30.0, what="condition", interval=0.02):
    """Poll pred() until it returns a true value (returned) or the deadline passes (fail)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1f s waiting for %s (last value: %r)"
                                 % (timeout, what, last))
        time.sleep(interval)
        interval = min(interval * 1.5, 0.2)


def make_tempdir():
    d = tempfile.mkdtemp(prefix="ig", dir="/tmp")
    if os.environ.get("INGESTD_IT_KEEP"):
        print("temp folder: %s" % d, file=sys.stderr)
    return d


# ---- checks on articles -------------------------------------------------------------------

_TS_LINE = re.compile(r"^[\s\d:.\-/T+()Z,]*$")


def is_timestamp_line(line):
    """True for a line made of digits and date/time punctuation only (at least 4 digits)."""
    s = line.strip()
    return bool(s) and bool(_TS_LINE.match(s)) and sum(c.isdigit() for c in s) >= 4


def doubled_line(line):
    """True when the line is some text (>= 20 chars) written twice, separated by one space."""
    s = line.strip()
    n = len(s)
    if n < 41 or n % 2 == 0:
        return False
    half = n // 2
    return s[half] == " " and s[:half] == s[half + 1:]


def body_problems(body):
    """List of reasons why body is not clean (empty list when clean)."""
    problems = []
    if body is None or not body.strip():
        return ["empty body"]
    seen = {}
    for line in body.split("\n"):
        s = line.strip()
        if not s:
            continue
        seen[s] = seen.get(s, 0) + 1
        if is_timestamp_line(s):
            problems.append("timestamp-only line %r" % s)
        if doubled_line(s):
            problems.append("line written twice %r" % s[:80])
        if s.lower() in ("abone ol", "subscribe"):
            problems.append("boilerplate line %r" % s)
    for s, n in seen.items():
        if n > 1:
            problems.append("line occurs %d times: %r" % (n, s[:80]))
    return problems


def expectation_problems(article, exp):
    """Compare an article (dict with title, body, lang, published_at, updated_at) with an entry of
    expected.json; returns a list of differences."""
    out = []
    for key in ("lang", "published_at", "updated_at", "title"):
        if key in exp and article.get(key) != exp[key]:
            out.append("%s: got %r, expected %r" % (key, article.get(key), exp[key]))
    body = article.get("body") or ""
    for s in exp.get("body_once", []):
        n = body.count(s)
        if n != 1:
            out.append("body: %r occurs %d times, expected once" % (s, n))
    for s in exp.get("body_never", []):
        if s in body:
            out.append("body: contains %r" % s)
    return out


# ---- the daemon ---------------------------------------------------------------------------

class Daemon:
    """One ingestd instance on its own temporary folder.

    Layout: ROOT/ingestd.json (paths in it are relative: they resolve against its folder),
    ROOT/inbox (watched), ROOT/ingestd.db, ROOT/ctl.sock, ROOT/daemon.log (stderr)."""

    def __init__(self, root=None, plugins=None, watch=None, **settings):
        require_binary(INGESTD)
        self.root = root or make_tempdir()
        self.inbox = os.path.join(self.root, "inbox")
        os.makedirs(self.inbox, exist_ok=True)
        self.done = os.path.join(self.inbox, "done")
        self.failed = os.path.join(self.inbox, "failed")
        self.db_path = os.path.join(self.root, "ingestd.db")
        self.sock = os.path.join(self.root, "ctl.sock")
        self.config_path = os.path.join(self.root, "ingestd.json")
        self.log_path = os.path.join(self.root, "daemon.log")
        self.proc = None
        self.starts = 0
        w = {"path": "inbox"}
        w.update(watch or {})
        self.config = {
            "watch": [w],
            "database": "ingestd.db",
            "control_socket": "ctl.sock",
            "plugins": default_plugins() if plugins is None else plugins,
            "workers": 2,
            "queue_max": 256,
            "batch_max": 64,
            "batch_ms": 20,
            "settle_ms": 200,
            "rescan_interval_s": 1,
            "log_level": "info",
        }
        self.config.update(settings)
        self.write_config()

    def write_config(self):
        with open(self.config_path, "w", encoding="utf-8") as f:
            json.dump(self.config, f, indent=2)

    # -- process --

    def spawn(self):
        """Start the process without waiting for it to be ready."""
        assert self.proc is None or self.proc.poll() is not None, "daemon already running"
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(("---- start %d ----\n" % self.starts).encode())
        log.flush()
        self.proc = subprocess.Popen([INGESTD, "run", "-c", self.config_path],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     cwd="/")
        log.close()
        return self.proc

    def start(self, timeout=20.0):
        """Start and wait until the control socket answers status."""
        self.spawn()

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("ingestd exited with %d at start; log:\n%s"
                                     % (self.proc.returncode, self.log()))
            try:
                return self.request({"cmd": "status"}, timeout=2).get("ok")
            except OSError:
                return False
        wait_until(ready, timeout, "the control socket to answer status")
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=60.0, expect=0):
        """SIGTERM and wait; asserts the exit code (0 by default)."""
        if not self.running():
            rc = self.proc.returncode if self.proc else None
            if expect is not None and rc != expect:
                raise AssertionError("ingestd was not running (exit code %r); log:\n%s"
                                     % (rc, self.log()))
            return rc
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("ingestd did not stop within %.0f s of SIGTERM; log:\n%s"
                                 % (timeout, self.log()))
        if expect is not None and rc != expect:
            raise AssertionError("ingestd exited with %d after SIGTERM, expected %d; log:\n%s"
                                 % (rc, expect, self.log()))
        self.check_log()
        return rc

    def check_log(self):
        """Fail when a sanitizer (ENABLE_SANITIZERS builds) reported anything."""
        log = self.log()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in log:
                raise AssertionError("sanitizer report in the daemon's log:\n%s" % log)

    def kill9(self):
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def cleanup(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()
        if not os.environ.get("INGESTD_IT_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError:
            return ""
        return data[-20000:].decode("utf-8", "replace")

    # -- control socket --

    def connect(self, timeout=10.0):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.sock)
        except OSError:
            s.close()
            raise
        return s

    def raw_exchange(self, data, n_replies=1, timeout=10.0):
        """Send raw bytes on a new connection; return the first n_replies lines, parsed."""
        s = self.connect(timeout)
        try:
            s.sendall(data)
            return read_replies(s, n_replies)
        finally:
            s.close()

    def request(self, obj, timeout=10.0):
        return self.raw_exchange((json.dumps(obj) + "\n").encode(), 1, timeout)[0]

    def stats(self):
        r = self.request({"cmd": "stats"})
        if not r.get("ok"):
            raise AssertionError("stats failed: %r" % r)
        check_counters(r)
        return r

    def ctl(self, *args, timeout=30.0):
        """Run ingestctl -s SOCKET ARGS...; returns the CompletedProcess (text mode)."""
        require_binary(INGESTCTL)
        return subprocess.run([INGESTCTL, "-s", self.sock] + list(args), capture_output=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def ctl_json(self, *args):
        p = self.ctl("--json", *args)
        if p.returncode != 0:
            raise AssertionError("ingestctl --json %s: exit %d, stderr %r"
                                 % (" ".join(args), p.returncode, p.stderr))
        return json.loads(p.stdout.decode("utf-8"))

    # -- inbox --

    def drop(self, name, data, folder=None):
        """Put a file into the inbox atomically (write a hidden temporary name, then rename)."""
        folder = folder or self.inbox
        tmp = os.path.join(folder, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(folder, name))
        return os.path.join(folder, name)

    def drop_file(self, path, name=None):
        return self.drop(name or os.path.basename(path), read_bytes(path))

    def inbox_files(self):
        """Names of regular files and other entries (not folders) directly in the inbox."""
        out = []
        for n in os.listdir(self.inbox):
            if not os.path.isdir(os.path.join(self.inbox, n)) or os.path.islink(
                    os.path.join(self.inbox, n)):
                out.append(n)
        return sorted(out)

    def done_files(self):
        return sorted(os.listdir(self.done)) if os.path.isdir(self.done) else []

    def failed_files(self):
        return sorted(os.listdir(self.failed)) if os.path.isdir(self.failed) else []

    # -- database --

    def db(self):
        """A read-only connection to the daemon's database (works while it runs: WAL)."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True, timeout=10)
        con.row_factory = sqlite3.Row
        return con

    def query(self, sql, args=()):
        con = self.db()
        try:
            return [dict(r) for r in con.execute(sql, args).fetchall()]
        finally:
            con.close()

    def scalar(self, sql, args=()):
        con = self.db()
        try:
            return con.execute(sql, args).fetchone()[0]
        finally:
            con.close()

    def wait_settled(self, total, timeout=60.0, what=None):
        """Wait until `total` sources are finished (committed + duplicates + dropped + failed)
        and nothing is in flight; checks the counters at every poll."""
        def done():
            s = self.stats()
            fin = s["committed"] + s["duplicates"] + s["dropped"] + s["failed"]
            return fin >= total and s["in_flight"] == 0 and s
        return wait_until(done, timeout, what or "%d sources to be finished" % total,
                          interval=0.05)


def read_replies(s, n):
    buf = b""
    out = []
    while len(out) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf and len(out) < n:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                out.append(json.loads(line.decode("utf-8")))
    if len(out) < n:
        raise AssertionError("connection closed after %d of %d replies (rest: %r)"
                             % (len(out), n, buf[:200]))
    return out


COUNTER_KEYS = ("received", "committed", "duplicates", "dropped", "failed", "in_flight",
                "queue_depth")


def check_counters(stats):
    """The accounting rule: received == committed + duplicates + dropped + failed + in_flight."""
    for k in COUNTER_KEYS:
        if not isinstance(stats.get(k), int) or stats[k] < 0:
            raise AssertionError("stats.%s missing or not a non-negative integer: %r" % (k, stats))
    total = (stats["committed"] + stats["duplicates"] + stats["dropped"] + stats["failed"]
             + stats["in_flight"])
    if stats["received"] != total:
        raise AssertionError("counters do not add up: received %d != %d (%r)"
                             % (stats["received"], total, stats))


def process(args, input_bytes=None, timeout=60.0, env=None):
    """Run `ingestd process ARGS`; returns (exit code, list of JSON objects on stdout, stderr)."""
    require_binary(INGESTD)
    p = subprocess.run([INGESTD, "process"] + list(args), input=input_bytes, capture_output=True,
                       timeout=timeout, env=env,
                       stdin=None if input_bytes is not None else subprocess.DEVNULL)
    lines = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return p.returncode, lines, p.stderr.decode("utf-8", "replace")


def articles_by_source_name(d):
    """{file name: article row} from the database, by the basename of the first source."""
    rows = d.query("SELECT a.*, (SELECT s.source FROM sources s WHERE s.article_id = a.id "
                   "ORDER BY s.id LIMIT 1) AS first_source FROM articles a")
    return {os.path.basename(r["first_source"]): r for r in rows}


def raw_bytes_for_article(d, article_id):
    rows = d.query("SELECT r.bytes FROM sources s JOIN raw r ON r.id = s.raw_id "
                   "WHERE s.article_id = ? ORDER BY s.id LIMIT 1", (article_id,))
    return rows[0]["bytes"] if rows else None


class DaemonTest(unittest.TestCase):
    """Base class: new_daemon() registers cleanup (kill if still running, remove the folder)."""

    maxDiff = 4000

    def new_daemon(self, **kw):
        d = Daemon(**kw)
        self.addCleanup(d.cleanup)
        return d

    def new_tempdir(self):
        t = make_tempdir()
        if not os.environ.get("INGESTD_IT_KEEP"):
            self.addCleanup(shutil.rmtree, t, True)
        return t


def main():
    unittest.main(verbosity=2)
