#!/usr/bin/env python3
"""Reload and systemd integration: `ingestctl reload` and SIGHUP re-read the config (new plugin
chain, new watched folder, log level) while articles keep flowing, a bad config is refused with
the reason and the running one stays, sd_notify messages (READY, STATUS with live counts,
RELOADING=1 with MONOTONIC_USEC, WATCHDOG=1 when WATCHDOG_USEC is set, STOPPING), and the unit
file passes systemd-analyze verify and scores <= 2.0 in systemd-analyze security (skipped
where systemd-analyze is not installed)."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import harness as h

UPPER = os.path.join(h.FIXTURE_PLUGINS, "upper_title.so")


def out(p):
    return p.stdout.decode("utf-8", "replace")


def err(p):
    return p.stderr.decode("utf-8", "replace")


class NotifyListener:
    """A datagram socket standing in for systemd's $NOTIFY_SOCKET."""

    def __init__(self, root):
        self.path = os.path.join(root, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()

    def all(self):
        return "\n".join(self.messages)


class Reload(h.DaemonTest):
    def test_reload_chain_folders_and_bad_config(self):
        d = self.new_daemon()
        d.start()
        d.drop("a.txt", b"First article\n\nBody of the first one, with words.\n")
        d.wait_settled(1)
        old_title = d.scalar("SELECT title FROM articles")
        self.assertEqual(old_title, "First article")
        # a bad config is refused, with the reason; the running one stays
        d.config["plugins"] = h.default_plugins() + ["no_such_plugin_anywhere"]
        d.write_config()
        p = d.ctl("reload")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no_such_plugin_anywhere", err(p))
        self.assertIn("running configuration stays", err(p))
        with open(d.config_path, "w") as f:
            f.write("{ not json")
        p = d.ctl("reload")
        self.assertEqual(p.returncode, 1)
        self.assertIn("line", err(p))
        d.drop("b.txt", b"Second article\n\nBody of the second one.\n")
        d.wait_settled(2)
        self.assertEqual(d.ctl_json("plugins")["plugins"][-1]["name"], "langdetect")
        # a good one: new chain, a new folder, a new log level
        second = os.path.join(d.root, "second")
        os.makedirs(second)
        d.config["plugins"] = h.default_plugins() + [UPPER]
        d.config["watch"] = [{"path": "inbox"}, {"path": "second", "after": "keep"}]
        d.config["log_level"] = "debug"
        d.write_config()
        p = d.ctl("reload")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn("4 plugins", out(p))
        names = [x["name"] for x in d.ctl_json("plugins")["plugins"]]
        self.assertEqual(len(names), 4)
        self.assertIn("upper_title", names[-1])
        d.drop("c.txt", b"Third article\n\nBody of the third one.\n")
        d.drop("d.txt", b"Fourth article\n\nIn the second folder.\n", folder=second)
        d.wait_settled(4)
        titles = {r["title"] for r in d.query("SELECT title FROM articles")}
        self.assertIn("BODY OF THE THIRD ONE.", titles, titles)
        self.assertIn("IN THE SECOND FOLDER.", titles, titles)
        self.assertTrue(os.path.exists(os.path.join(second, "d.txt")), "after: keep")
        ls = d.ctl_json("watch", "ls")
        self.assertEqual(sorted(w["path"] for w in ls["config"]), sorted([d.inbox, second]))
        # a setting that needs a restart is reported
        d.config["workers"] = 3
        d.write_config()
        p = d.ctl("reload")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn("workers", out(p))
        # SIGHUP does the same; the folder removed from the config is no longer watched
        d.config["watch"] = [{"path": "inbox"}]
        d.config["plugins"] = h.default_plugins()
        d.write_config()
        d.proc.send_signal(signal.SIGHUP)
        h.wait_until(lambda: len(d.ctl_json("plugins")["plugins"]) == 3, 10, "SIGHUP reload")
        self.assertEqual([w["path"] for w in d.ctl_json("watch", "ls")["config"]], [d.inbox])
        d.drop("e.txt", b"Not taken\n\nThis folder is no longer watched.\n", folder=second)
        d.drop("f.txt", b"Fifth article\n\nBack to the plain chain.\n")
        d.wait_settled(5)
        time.sleep(1.2)
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), 5)
        self.assertEqual(d.scalar("SELECT title FROM articles WHERE body LIKE 'Back to%'"),
                         "Fifth article")
        self.assertIn("reloaded", d.log())
        d.stop()

    def test_reload_under_load_loses_nothing(self):
        d = self.new_daemon(workers=4)
        d.start()
        n = 400
        stop = threading.Event()

        def reloader():
            flip = False
            while not stop.is_set():
                flip = not flip
                d.config["plugins"] = h.default_plugins() + ([UPPER] if flip else [])
                d.write_config()
                d.ctl("reload")
                time.sleep(0.05)
        th = threading.Thread(target=reloader)
        th.start()
        try:
            for i in range(n):
                d.drop("l%04d.txt" % i, ("Load %d\n\nArticle number %d under reloads.\n"
                                          % (i, i)).encode())
            d.wait_settled(n, timeout=120)
        finally:
            stop.set()
            th.join()
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), n)
        self.assertEqual(d.scalar("SELECT count(*) FROM failures"), 0)
        d.stop()

    def test_sd_notify(self):
        d = self.new_daemon()
        listener = NotifyListener(d.root)
        self.addCleanup(listener.close)
        saved = {k: os.environ.get(k) for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
        os.environ["NOTIFY_SOCKET"] = listener.path
        os.environ["WATCHDOG_USEC"] = "400000"  # 0.4 s: pings every 0.2 s
        os.environ.pop("WATCHDOG_PID", None)
        try:
            d.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        d.drop("a.txt", b"Notify article\n\nSomething for the counts.\n")
        d.wait_settled(1)
        h.wait_until(lambda: "1 committed" in listener.all(), 10, "STATUS= with the count")
        self.assertIn("READY=1", listener.all())
        h.wait_until(lambda: listener.all().count("WATCHDOG=1") >= 3, 10, "watchdog pings")
        t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
        p = d.ctl("reload")
        self.assertEqual(p.returncode, 0, err(p))
        m = re.search(r"RELOADING=1\nMONOTONIC_USEC=(\d+)", listener.all())
        self.assertTrue(m, listener.messages)
        self.assertLess(abs(int(m.group(1)) / 1e6 - t0), 5.0, "CLOCK_MONOTONIC microseconds")
        after = listener.all()[m.end():]
        self.assertIn("READY=1", after, "READY=1 again after the reload")
        d.stop()
        h.wait_until(lambda: "STOPPING=1" in listener.all(), 5, "STOPPING=1")

    def test_unit_file(self):
        unit = os.path.join(h.SOURCE_DIR, "systemd", "ingestd.service")
        text = open(unit).read()
        self.assertIn("ExecReload=", text)
        self.assertIn("Type=notify", text)
        self.assertIn("WatchdogSec=", text)
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            self.skipTest("systemd-analyze is not installed")
        tmp = self.new_tempdir()
        # verify needs the binaries the unit names: point them at the built ones
        fixed = re.sub(r"(?m)^(Exec\w+=)(\S*?)(ingestd|ingestctl)\b",
                       lambda m: m.group(1) + os.path.join(h.BIN_DIR, m.group(3)), text)
        path = os.path.join(tmp, "ingestd.service")
        with open(path, "w") as f:
            f.write(fixed)
        p = subprocess.run([analyze, "verify", path], capture_output=True, timeout=60)
        # (the man pages the unit links to are not installed on a build machine)
        problems = [l for l in err(p).splitlines()
                    if "ingestd.service" in l and "Command 'man" not in l]
        self.assertEqual(problems, [], err(p))
        p = subprocess.run([analyze, "security", "--offline=yes", path], capture_output=True,
                           timeout=60)
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out(p) + err(p))
        self.assertTrue(m, out(p) + err(p))
        score = float(m.group(1))
        print("systemd-analyze security score: %.1f" % score)
        self.assertLessEqual(score, 2.0, out(p))


if __name__ == "__main__":
    h.main()
