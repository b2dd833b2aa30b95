#!/usr/bin/env python3
"""ingestctl against a running daemon: every command in table and --json form, its exit codes
(0 ok, 1 command failed, 2 usage, 3 no daemon) and its messages."""
import json
import os

import harness as h

FIXTURES = ["en_harbour.txt", "el_limani.txt", "tr_kiyi.txt"]


def out(p):
    return p.stdout.decode("utf-8", "replace")


def err(p):
    return p.stderr.decode("utf-8", "replace")


class Ingestctl(h.DaemonTest):
    @classmethod
    def setUpClass(cls):
        h.require_binary(h.INGESTCTL)

    def setUp(self):
        self.d = d = self.new_daemon()
        d.start()
        for n in FIXTURES:
            d.drop_file(os.path.join(h.FIXTURES_DIR, n))
        d.drop("empty.txt", b"")
        d.wait_settled(len(FIXTURES) + 1)
        self.expected = h.load_expected()["fixtures"]
        self.by_name = h.articles_by_source_name(d)

    def test_status_and_stats(self):
        d = self.d
        p = d.ctl("status")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn("running", out(p))
        st = d.ctl_json("status")
        self.assertEqual(st.get("state"), "running", st)
        self.assertEqual(st.get("protocol"), 1)
        self.assertEqual(st.get("pid"), d.proc.pid)
        p = d.ctl("stats")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn("committed", out(p))
        s = d.ctl_json("stats")
        h.check_counters(s)
        self.assertEqual((s["committed"], s["failed"]), (len(FIXTURES), 1), s)
        # -c CONFIG finds the socket through the configuration
        import subprocess
        p = subprocess.run([h.INGESTCTL, "-c", d.config_path, "--json", "status"],
                           capture_output=True, timeout=30, cwd="/")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertEqual(json.loads(out(p)).get("pid"), d.proc.pid)

    def test_recent_and_get(self):
        d = self.d
        p = d.ctl("recent")
        self.assertEqual(p.returncode, 0, err(p))
        for n in FIXTURES:
            self.assertIn(self.expected[n]["title"][:40], out(p), "title of %s in the table" % n)
        r = d.ctl_json("recent", "2")
        arts = r.get("articles", r) if isinstance(r, dict) else r
        self.assertEqual(len(arts), 2)
        r = d.ctl_json("recent", "10")
        arts = r.get("articles", r) if isinstance(r, dict) else r
        self.assertEqual({a["uid"] for a in arts}, {a["uid"] for a in self.by_name.values()})

        row = self.by_name["el_limani.txt"]
        p = d.ctl("get", row["uid"])
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn(row["title"], out(p))
        self.assertIn("μείωση της ατμοσφαιρικής ρύπανσης", out(p), "the body is shown")
        a = d.ctl_json("get", row["uid"][:10])  # a unique prefix works too
        a = a.get("article", a)
        self.assertEqual(a["uid"], row["uid"])
        self.assertEqual(a["body"], row["body"])
        self.assertEqual(a["lang"], "el")
        p = d.ctl("get", row["uid"], "--raw")
        self.assertEqual(p.returncode, 0, err(p))
        original = h.read_bytes(os.path.join(h.FIXTURES_DIR, "el_limani.txt")).decode()
        self.assertIn(original.split("\n")[0].strip(), out(p), "--raw shows the original")
        a = d.ctl_json("get", row["uid"], "--raw")
        a = a.get("article", a)
        self.assertEqual(a.get("raw"), original)

        p = d.ctl("get", "0123456789abcdef0123456789abcdef")
        self.assertEqual(p.returncode, 1, "unknown uid: exit 1 (%r)" % out(p))
        self.assertTrue(err(p).strip(), "a message on stderr")

    def test_failures(self):
        d = self.d
        p = d.ctl("failures")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn("empty.txt", out(p))
        f = d.ctl_json("failures")
        rows = f.get("failures", f) if isinstance(f, dict) else f
        self.assertEqual(len(rows), 1, rows)
        self.assertTrue(rows[0]["source"].endswith("/empty.txt"))
        self.assertTrue(rows[0]["stage"] and rows[0]["reason"], rows)
        self.assertIn(rows[0]["stage"], out(p))

    def test_usage_errors(self):
        d = self.d
        for args in ([], ["no-such-command"], ["get"], ["recent", "many"], ["--no-such-option",
                                                                            "status"]):
            p = d.ctl(*args)
            self.assertEqual(p.returncode, 2, "ingestctl %s: exit %d" % (args, p.returncode))
            self.assertTrue(err(p).strip(), "usage message for %s" % args)
        self.assertTrue(d.running())

    def test_no_daemon_and_shutdown(self):
        d = self.d
        p = d.ctl("--json", "shutdown")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertEqual(d.proc.wait(30), 0, "exit code after shutdown")
        self.assertFalse(os.path.exists(d.sock), "socket removed at exit")
        for args in (["status"], ["--json", "stats"], ["recent"]):
            p = d.ctl(*args)
            self.assertEqual(p.returncode, 3, "no daemon: exit 3 for %s" % args)
            self.assertIn(d.sock, err(p), "the message names the socket")
            self.assertEqual(out(p), "")
        import subprocess
        p = subprocess.run([h.INGESTCTL, "-s", "/tmp/ig-none/none.sock", "status"],
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 3)


if __name__ == "__main__":
    h.main()
