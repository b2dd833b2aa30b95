#!/usr/bin/env python3
"""Bad input of every kind: unreadable or undecodable files, oversized files, FIFOs, symlinks
out of the inbox, hidden and temporary names, plugins that fail or are broken, and malformed
control requests. Nothing is dropped silently, the daemon keeps working, and the counters add
up at every poll."""
import json
import os
import socket
import subprocess

import harness as h

MAX_BYTES = 4096

RUSSIAN = ("Жители Новосибирска выбрали проект нового парка\n\n"
           "Городская администрация подвела итоги голосования, в котором приняли участие более "
           "сорока тысяч жителей. Победил проект с прудом, велосипедными дорожками и летней "
           "сценой для концертов.\n\n"
           "Строительство парка начнётся весной следующего года и должно завершиться к осени, "
           "сообщили в мэрии. Деньги на работы выделят из городского бюджета.\n")

GOOD = ("Volunteers clean up the river banks after the spring floods\n\n"
        "More than two hundred volunteers spent Saturday collecting plastic, branches and "
        "old tyres along the river banks, the organisers said.\n\n"
        "The town hall lent them two trucks and promised to repeat the event in autumn.\n")


def one_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines


class BadInput(h.DaemonTest):
    def test_bad_files(self):
        d = self.new_daemon(max_file_bytes=MAX_BYTES)
        outside = self.new_tempdir()
        secret = os.path.join(outside, "secret.txt")
        secret_bytes = ("Outside text that must never be ingested through a symlink.\n" * 3).encode()
        with open(secret, "wb") as f:
            f.write(secret_bytes)
        d.start()
        files = {
            "empty.txt": b"",
            "binary.bin": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4,
            "big.txt": ("A long line of perfectly good text that is simply too large. " * 100).encode(),
            "broken.txt": b"Report " + b"\x81\x98\x90\x8d\x9d\xff\xfe" * 30 + b" end\n" +
                          b"\xc3\x28\xe2\x82\x28\xf0\x28\x8c\xbc " * 20,
        }
        self.assertGreater(len(files["big.txt"]), MAX_BYTES)
        self.assertLess(len(files["broken.txt"]), MAX_BYTES)
        for n, data in files.items():
            d.drop(n, data)
        d.drop("ru_1251.txt", RUSSIAN.encode("cp1251"))
        os.mkfifo(os.path.join(d.inbox, "pipe.txt"))
        os.symlink(secret, os.path.join(d.inbox, "link.txt"))
        with open(os.path.join(d.inbox, ".hidden.txt"), "wb") as f:
            f.write(GOOD.replace("Volunteers", "Hidden volunteers").encode())
        with open(os.path.join(d.inbox, "partial.tmp"), "wb") as f:
            f.write(GOOD.replace("Volunteers", "Temporary volunteers").encode())

        n_sources = len(files) + 2  # + the Russian file and the symlink
        d.wait_settled(n_sources, timeout=30)
        # the daemon still works after the FIFO: a good file is committed
        d.drop("good.txt", GOOD.encode())
        st = d.wait_settled(n_sources + 1, timeout=30)
        self.assertEqual(st["committed"], 2, st)
        self.assertEqual(st["failed"], len(files) + 1, st)
        # a periodic rescan later, hidden/temporary names and the FIFO are still not taken
        h.wait_until(lambda: d.request({"cmd": "status"})["uptime_s"] >= 2, 5, "a rescan")
        st = d.stats()
        self.assertEqual(st["received"], n_sources + 1, st)
        self.assertTrue(d.running())

        # ---- the Russian windows-1251 file ----
        by_name = h.articles_by_source_name(d)
        self.assertEqual(sorted(by_name), ["good.txt", "ru_1251.txt"])
        ru = by_name["ru_1251.txt"]
        self.assertEqual(ru["lang"], "ru")
        self.assertEqual(ru["title"], "Жители Новосибирска выбрали проект нового парка")
        self.assertIn("более сорока тысяч жителей", ru["body"])
        self.assertIn("Строительство парка начнётся весной", ru["body"])
        self.assertEqual(h.raw_bytes_for_article(d, ru["id"]), RUSSIAN.encode("cp1251"))

        # ---- failures: in the table and through ingestctl ----
        rows = d.query("SELECT f.*, r.bytes AS raw FROM failures f LEFT JOIN raw r ON "
                       "r.id = f.raw_id")
        fails = {os.path.basename(r["source"]): r for r in rows}
        self.assertEqual(sorted(fails), sorted(list(files) + ["link.txt"]))
        for n, r in fails.items():
            self.assertTrue(r["stage"], n)
            self.assertTrue(r["reason"], n)
            if n == "big.txt":
                self.assertIsNone(r["raw"], "oversized: bytes not kept in the database")
                self.assertIn(str(MAX_BYTES), r["reason"])
            elif n == "link.txt":
                self.assertIsNone(r["raw"], "the symlink's target is never read")
                self.assertIn("symlink", r["reason"])
            else:
                self.assertEqual(r["raw"], files[n], "raw bytes of %s kept" % n)
        self.assertIn("empty", fails["empty.txt"]["reason"].lower())
        self.assertEqual(fails["broken.txt"]["stage"], "decode")
        self.assertEqual(fails["binary.bin"]["stage"], "decode")
        failed_rows = d.query("SELECT path FROM files WHERE outcome = 'failed'")
        self.assertEqual(sorted(os.path.basename(r["path"]) for r in failed_rows), sorted(files),
                         "each failed file's identity is committed with its failure")

        if os.access(h.INGESTCTL, os.X_OK):
            f = d.ctl_json("failures", "50")
            lst = f.get("failures", f) if isinstance(f, dict) else f
            self.assertEqual(sorted(os.path.basename(x["source"]) for x in lst), sorted(fails))
            p = d.ctl("failures")
            self.assertEqual(p.returncode, 0)
            text = p.stdout.decode()
            for n in fails:
                self.assertIn(n, text)
        else:
            self.fail("ingestctl missing: %s" % h.INGESTCTL)

        # ---- files on disk ----
        self.assertEqual(h.read_bytes(secret), secret_bytes, "symlink target untouched")
        self.assertTrue(os.path.exists(secret))
        self.assertEqual(sorted(d.failed_files()), sorted(fails))
        self.assertEqual(h.read_bytes(os.path.join(d.failed, "big.txt")), files["big.txt"])
        self.assertEqual(sorted(d.done_files()), ["good.txt", "ru_1251.txt"])
        self.assertEqual(d.inbox_files(), [".hidden.txt", "partial.tmp", "pipe.txt"])
        self.assertFalse(d.query("SELECT id FROM files WHERE path LIKE '%hidden%' OR path LIKE "
                                 "'%.tmp' OR path LIKE '%pipe.txt'"))
        d.stop()

    def test_plugin_errors_and_drops(self):
        err_so = os.path.join(h.FIXTURE_PLUGINS, "error_plugin.so")
        drop_so = os.path.join(h.FIXTURE_PLUGINS, "drop_plugin.so")
        for so in (err_so, drop_so):
            self.assertTrue(os.path.exists(so), "fixture plugin missing: %s" % so)
        d = self.new_daemon(plugins=h.default_plugins() + [err_so])
        d.start()
        d.drop("a.txt", GOOD.encode())
        st = d.wait_settled(1)
        self.assertEqual((st["committed"], st["failed"]), (0, 1), st)
        f = d.query("SELECT f.*, r.bytes FROM failures f LEFT JOIN raw r ON r.id = f.raw_id")
        self.assertEqual(len(f), 1)
        self.assertEqual(f[0]["stage"], "plugin")
        self.assertEqual(f[0]["plugin"], "error_plugin")
        self.assertIn("always fails: test", f[0]["reason"])
        self.assertEqual(f[0]["bytes"], GOOD.encode(), "raw bytes kept")
        self.assertEqual(d.failed_files(), ["a.txt"])
        plugins = {p["name"]: p for p in d.stats()["plugins"]}
        self.assertEqual(plugins[f[0]["plugin"]]["errors"], 1)
        d.stop()

        # drop_plugin drops bodies that contain DROPME and passes the others
        d2 = self.new_daemon(plugins=h.default_plugins() + [drop_so])
        d2.start()
        d2.drop("b.txt", GOOD.replace("old tyres", "old tyres DROPME").encode())
        d2.drop("c.txt", GOOD.encode())
        st = d2.wait_settled(2)
        self.assertEqual((st["committed"], st["dropped"], st["failed"]), (1, 1, 0), st)
        self.assertEqual(d2.scalar("SELECT count(*) FROM articles"), 1)
        self.assertEqual(d2.scalar("SELECT count(*) FROM failures"), 0)
        rows = d2.query("SELECT path, outcome, dropped_by FROM files ORDER BY path")
        self.assertEqual([(os.path.basename(r["path"]), r["outcome"]) for r in rows],
                         [("b.txt", "dropped"), ("c.txt", "committed")])
        self.assertEqual(rows[0]["dropped_by"], "drop_plugin")
        h.wait_until(lambda: d2.inbox_files() == [], 5, "the dropped file acknowledged")
        self.assertEqual(d2.done_files(), ["b.txt", "c.txt"])
        d2.stop()

    def refused_at_start(self, plugins, reason_words):
        d = self.new_daemon(plugins=plugins, log_level="warning")
        d.spawn()
        try:
            rc = d.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.fail("ingestd started with plugins %r" % plugins)
        log = d.log().split("\n", 1)[1]  # without the harness's start marker
        lines = one_line(log)
        self.assertEqual(rc, h.EXIT_CONFIG, "exit code for %r; log:\n%s" % (plugins, log))
        self.assertEqual(len(lines), 1, "one line on stderr for %r: %r" % (plugins, lines))
        for w in reason_words:
            self.assertIn(w.lower(), lines[0].lower(), lines[0])
        self.assertFalse(os.path.exists(d.sock))
        # `ingestd check` refuses the same configuration the same way
        p = subprocess.run([h.INGESTD, "check", "-c", d.config_path], capture_output=True,
                           timeout=20)
        self.assertEqual(p.returncode, h.EXIT_CONFIG, p.stderr)
        self.assertIn(lines[0], p.stderr.decode(), "check gives the same reason")
        return lines[0]

    def test_missing_plugin(self):
        self.refused_at_start(["datetime", "no_such_plugin_zz"], ["no_such_plugin_zz"])

    def test_broken_plugins(self):
        cases = {"no_entry.so": ["entry"], "wrong_major.so": ["ABI"],
                 "short_descriptor.so": ["short"], "failing_init.so": ["init"]}
        for so, words in cases.items():
            path = os.path.join(h.FIXTURE_PLUGINS, so)
            with self.subTest(plugin=so):
                self.assertTrue(os.path.exists(path), "fixture plugin missing: %s" % path)
                self.refused_at_start([path], words + [so])

    def test_good_config_check(self):
        d = self.new_daemon()
        p = subprocess.run([h.INGESTD, "check", "-c", d.config_path], capture_output=True,
                           timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_malformed_control_requests(self):
        d = self.new_daemon()
        d.start()
        bad = [b"this is not json\n", b"[1, 2, 3]\n", b'{"no_cmd": 1}\n', b'{"cmd": 42}\n',
               b'{"cmd": "no-such-command"}\n', b'{"cmd": "get"}\n',
               b'{"cmd": "get", "uid": "zz"}\n', b"\xff\xfe\n"]
        for line in bad:
            r = d.raw_exchange(line)[0]
            self.assertIs(r.get("ok"), False, "%r -> %r" % (line, r))
            self.assertTrue(isinstance(r.get("error"), str) and r["error"], r)
            d.stats()
        # all on one connection, pipelined: answered in order, then a good request
        replies = d.raw_exchange(b"".join(bad) + b'{"cmd": "status"}\n', len(bad) + 1)
        self.assertEqual([r.get("ok") for r in replies], [False] * len(bad) + [True])
        # a 1 MB line: an error reply (the connection may be closed after it)
        s = d.connect()
        try:
            try:
                s.sendall(b'{"cmd": "status", "pad": "' + b"x" * (1 << 20) + b'"}\n')
            except (BrokenPipeError, ConnectionResetError):
                pass
            r = h.read_replies(s, 1)[0]
            self.assertIs(r.get("ok"), False, r)
        finally:
            s.close()
        # the daemon keeps serving, on new connections
        self.assertTrue(d.request({"cmd": "status"})["ok"])
        self.assertTrue(d.running())
        d.stop()


if __name__ == "__main__":
    h.main()
