#!/usr/bin/env python3
"""Operating a running daemon with ingestctl: full-text search (folding of Turkish, Greek,
Cyrillic; ranking; snippets; FTS syntax injection), export (JSON lines, CSV, filters, pages),
plugins, retry after a fix, reprocess with progress (and SIGTERM in the middle losing nothing),
runtime watch folders persisting across restarts, top, per-command --help and exit codes."""
import csv
import io
import json
import os
import signal
import time

import harness as h

FIXTURES = ["en_harbour.txt", "el_limani.txt", "tr_kiyi.txt", "ru_kazan_cp1251.txt"]


def out(p):
    return p.stdout.decode("utf-8", "replace")


def err(p):
    return p.stderr.decode("utf-8", "replace")


class Operate(h.DaemonTest):
    @classmethod
    def setUpClass(cls):
        h.require_binary(h.INGESTCTL)

    def started(self, n_extra=0, **kw):
        d = self.new_daemon(**kw)
        d.start()
        for n in FIXTURES:
            d.drop_file(os.path.join(h.FIXTURES_DIR, n))
        d.wait_settled(len(FIXTURES) + n_extra)
        return d

    def search(self, d, *args):
        r = d.ctl_json("search", *args)
        return r["results"]

    def test_search(self):
        d = self.started()
        d.drop("kore.txt", "Kore'nin başkenti Seul'de KURSK denizaltısı anıldı\n\n"
               "Gazeteciler IŞIKLI caddelerde ilerledi. Kursk ve kursk yine konuşuldu.\n".encode())
        d.drop("kursk.txt", b"Kursk memorial\n\nThe Kursk submarine was remembered in Kursk.\n")
        d.wait_settled(len(FIXTURES) + 2)
        uid_of = {os.path.basename(r["first_source"]): r["uid"]
                  for r in h.articles_by_source_name(d).values()}
        by_name = h.articles_by_source_name(d)
        uid = {name: row["uid"] for name, row in by_name.items()}
        self.assertEqual(uid, uid_of)
        # case and apostrophes
        self.assertEqual([r["uid"] for r in self.search(d, "Kore")], [uid["kore.txt"]])
        self.assertEqual({r["uid"] for r in self.search(d, "kursk")},
                         {uid["kore.txt"], uid["kursk.txt"]})
        self.assertEqual(self.search(d, "KURSK")[0]["uid"], uid["kursk.txt"],
                         "more and title matches rank first")
        # Turkish dotted/dotless i, Greek accents, Cyrillic (from a cp1251 file)
        self.assertEqual([r["uid"] for r in self.search(d, "izmir")], [uid["tr_kiyi.txt"]])
        self.assertEqual([r["uid"] for r in self.search(d, "ışıklı")], [uid["kore.txt"]])
        self.assertEqual([r["uid"] for r in self.search(d, "ΛΙΜΑΝΙ")], [uid["el_limani.txt"]])
        self.assertEqual([r["uid"] for r in self.search(d, "πειραια")], [uid["el_limani.txt"]])
        kazan = self.search(d, "КАЗАНИ")
        self.assertEqual([r["uid"] for r in kazan], [uid["ru_kazan_cp1251.txt"]])
        self.assertEqual([r["uid"] for r in self.search(d, "придется")],  # придётся
                         [uid["ru_kazan_cp1251.txt"]])
        # snippets mark the match; -n limits
        snip = self.search(d, "submarine")[0]["snippet"]
        self.assertIn("[submarine]", snip)
        self.assertEqual(len(self.search(d, "kursk", "-n", "1")), 1)
        # the table form
        p = d.ctl("search", "Kore")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn(uid["kore.txt"][:12], out(p))
        self.assertIn("[Kore]", out(p))
        p = d.ctl("search", "nothing-like-this-anywhere")
        self.assertEqual((p.returncode, out(p).strip()), (0, "no matches"))
        # FTS syntax is text unless --raw
        for q in ('"', "kursk OR harbour", "title:kursk", "NEAR(", "(((", "*", "-x", "a AND"):
            p = d.ctl("--json", "search", "--", q)
            self.assertIn(p.returncode, (0, 1), q)
            if p.returncode == 1:
                self.assertIn("no words", err(p), q)
        self.assertEqual(self.search(d, "kursk OR harbour"), [])
        self.assertEqual(len(self.search(d, "--raw", "kursk OR harbour")), 3)
        self.assertEqual(len(self.search(d, "--raw", "title:memorial")), 1)
        p = d.ctl("search", "--raw", "(((")
        self.assertEqual(p.returncode, 1)
        self.assertIn("syntax", err(p))
        p = d.ctl("search")
        self.assertEqual(p.returncode, 2)
        self.assertTrue(d.running())
        d.stop()

    def test_search_survives_restart_and_old_database(self):
        d = self.started()
        d.stop()
        # a v1 database (before the index existed) is migrated and indexed at start
        import sqlite3
        con = sqlite3.connect(d.db_path)
        # python's sqlite3 lacks the custom tokenizer: remove the index's tables by hand
        con.execute("PRAGMA writable_schema = ON")
        con.execute("DELETE FROM sqlite_master WHERE name LIKE 'articles_fts%'")
        con.execute("PRAGMA writable_schema = OFF")
        con.commit()
        con.close()
        con = sqlite3.connect(d.db_path)
        v1 = ("raw", "articles", "sources", "failures", "files")
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                   "name NOT LIKE 'sqlite_%'").fetchall():
            if name not in v1:
                con.execute('DROP TABLE "%s"' % name)
        con.execute("PRAGMA user_version = 1")
        con.commit()
        con.execute("VACUUM")  # drop the pages the removed index left behind
        con.close()
        d.start()
        self.assertEqual(len(self.search(d, "izmir")), 1)
        self.assertGreaterEqual(d.scalar("PRAGMA user_version"), 2)
        self.assertEqual(d.scalar("PRAGMA integrity_check"), "ok")
        d.stop()

    def test_export(self):
        d = self.started()
        p = d.ctl("export", "--jsonl")
        self.assertEqual(p.returncode, 0, err(p))
        lines = [json.loads(l) for l in out(p).splitlines()]
        self.assertEqual(len(lines), len(FIXTURES))
        rows = {r["uid"]: r for r in d.query("SELECT * FROM articles")}
        for a in lines:
            self.assertEqual(a["body"], rows[a["uid"]]["body"])
            self.assertEqual(a["title"], rows[a["uid"]]["title"])
            self.assertIsInstance(a["meta"], dict)
            self.assertNotIn("id", a)
        p = d.ctl("export", "--csv")
        self.assertEqual(p.returncode, 0, err(p))
        table = list(csv.DictReader(io.StringIO(out(p), newline="")))
        self.assertEqual(len(table), len(FIXTURES))
        for r in table:
            self.assertEqual(r["body"], rows[r["uid"]]["body"], "CSV keeps newlines and quotes")
        p = d.ctl("export", "--lang", "el")
        self.assertEqual([json.loads(l)["lang"] for l in out(p).splitlines()], ["el"])
        p = d.ctl("export", "--since", "2999-01-01")
        self.assertEqual((p.returncode, out(p)), (0, ""))
        p = d.ctl("export", "--since", "2000-01-01")
        self.assertEqual(len(out(p).splitlines()), len(FIXTURES))
        # more than one page (500 per exchange)
        for i in range(620):
            d.drop("bulk%04d.txt" % i, ("Bulk article %d\n\nBody number %d, distinct.\n"
                                         % (i, i)).encode())
        d.wait_settled(len(FIXTURES) + 620, timeout=120)
        p = d.ctl("export")
        uids = [json.loads(l)["uid"] for l in out(p).splitlines()]
        self.assertEqual(len(uids), len(FIXTURES) + 620)
        self.assertEqual(len(set(uids)), len(uids))
        p = d.ctl("export", "extra")
        self.assertEqual(p.returncode, 2)
        d.stop()

    def test_plugins(self):
        d = self.started()
        r = d.ctl_json("plugins")
        names = [p["name"] for p in r["plugins"]]
        self.assertEqual(names, h.default_plugins())
        self.assertEqual([p["order"] for p in r["plugins"]], [1, 2, 3])
        for p in r["plugins"]:
            self.assertEqual(p["calls"], len(FIXTURES), p)
            self.assertIn("version", p)
            # p99 from the per-plugin histogram: within a bucket (25%) of the slowest call
            self.assertGreater(p["p99_us"], 0, p)
            self.assertLessEqual(p["p99_us"], (p["max_us"] + 1) * 1.25 + 0.01, p)
        p = d.ctl("plugins")
        self.assertEqual(p.returncode, 0, err(p))
        for n in names:
            self.assertIn(n, out(p))
        d.stop()

    def test_retry_after_fix(self):
        err_so = os.path.join(h.FIXTURE_PLUGINS, "error_plugin.so")
        d = self.started(plugins=h.default_plugins() + [err_so])
        f = d.ctl_json("failures", "100")["failures"]
        self.assertEqual(len(f), len(FIXTURES))
        p = d.ctl("retry", str(f[0]["id"]))
        self.assertEqual(p.returncode, 0, err(p))
        h.wait_until(lambda: d.query("SELECT retried_at FROM failures WHERE id = ?",
                                     (f[0]["id"],))[0]["retried_at"], 30, "retried_at")
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), 0, "still failing")
        self.assertEqual(d.scalar("SELECT count(*) FROM failures"), len(FIXTURES),
                         "a failed retry adds no failure row")
        p = d.ctl("retry", "999999")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no failure", err(p))
        p = d.ctl("retry")
        self.assertEqual(p.returncode, 2)
        d.stop()
        # the fix: the failing plugin is gone from the chain
        d.config["plugins"] = h.default_plugins()
        d.write_config()
        d.start()
        p = d.ctl("retry", "--all")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn("%d queued" % (len(FIXTURES) - 1), out(p))
        h.wait_until(lambda: d.scalar("SELECT count(*) FROM articles") == len(FIXTURES) - 1, 30,
                     "retried articles committed")
        h.wait_until(lambda: not d.ctl_json("status")["retry"]["running"], 30, "retry done")
        p = d.ctl("retry", str(f[0]["id"]))  # retried before, may be retried again
        self.assertEqual(p.returncode, 0, err(p))
        h.wait_until(lambda: d.scalar("SELECT count(*) FROM articles") == len(FIXTURES), 30)
        self.assertEqual(d.scalar("SELECT count(*) FROM failures WHERE retried_at IS NULL"), 0)
        self.assertEqual(len(self.search(d, "izmir")), 1, "retried articles are searchable")
        st = d.stats()
        self.assertEqual(st["committed"], len(FIXTURES))
        d.stop()

    def test_reprocess(self):
        d = self.started()
        d.stop()
        up = os.path.join(h.FIXTURE_PLUGINS, "upper_title.so")
        d.config["plugins"] = h.default_plugins() + [up]
        d.write_config()
        d.start()
        before = {r["id"]: r for r in d.query("SELECT * FROM articles")}
        p = d.ctl("reprocess")
        self.assertEqual(p.returncode, 2, "--since or --all is required")
        p = d.ctl("reprocess", "--since", "2999-01-01")
        self.assertEqual(p.returncode, 0, err(p))
        self.assertIn("0 articles queued", out(p))
        p = d.ctl("reprocess", "--all")
        self.assertEqual(p.returncode, 0, err(p) + out(p))
        self.assertIn("finished: %d ok, 0 failed" % len(FIXTURES), out(p))
        self.assertIn("/%d done" % len(FIXTURES), out(p), "plain progress lines (not a TTY)")
        after = {r["id"]: r for r in d.query("SELECT * FROM articles")}
        self.assertEqual(set(after), set(before), "updated in place")
        for i, a in after.items():
            self.assertEqual(a["body"], before[i]["body"])
            self.assertEqual(a["ingested_at"], before[i]["ingested_at"])
            self.assertNotEqual(a["title"], before[i]["title"])
        harbour = [a for a in after.values() if a["lang"] == "en"][0]
        self.assertEqual(harbour["title"], harbour["title"].upper())
        # the index follows the new text
        word = harbour["title"].split()[0]
        self.assertEqual([r["uid"] for r in self.search(d, word)], [harbour["uid"]])
        self.assertEqual(d.scalar("SELECT count(*) FROM sources"), len(FIXTURES))
        st = d.ctl_json("status")["reprocess"]
        self.assertEqual((st["total"], st["done"], st["ok"], st["running"]),
                         (len(FIXTURES), len(FIXTURES), len(FIXTURES), False))
        d.stop()

    def test_sigterm_during_reprocess(self):
        d = self.new_daemon(workers=1, queue_max=4, batch_max=4)
        d.start()
        n = 300
        for i in range(n):
            d.drop("r%04d.txt" % i, ("Title %d\n\nText %d about the harbour and the sea.\n"
                                      % (i, i)).encode())
        d.wait_settled(n, timeout=120)
        before = {r["id"]: (r["title"], r["body"]) for r in d.query("SELECT * FROM articles")}
        d.stop()
        d.config["plugins"] = h.default_plugins() + [
            os.path.join(h.FIXTURE_PLUGINS, "upper_title.so")]
        d.write_config()
        d.start()
        p = d.ctl("reprocess", "--all", "--no-wait")
        self.assertEqual(p.returncode, 0, err(p))
        time.sleep(0.05)
        d.stop()  # asserts exit code 0: in-flight work finished, nothing else started
        log = d.log()
        self.assertTrue("left for later" in log or "reprocess finished" in log, log)
        after = {r["id"]: (r["title"], r["body"]) for r in d.query("SELECT * FROM articles")}
        self.assertEqual(set(after), set(before), "no article lost")
        changed = 0
        for i, (title, body) in after.items():
            self.assertEqual(body, before[i][1])
            new_title = body.split("\n")[0].upper()  # upper_title: first line of the body
            self.assertIn(title, (before[i][0], new_title), "old or new, never half")
            changed += title != before[i][0]
        self.assertEqual(d.scalar("PRAGMA integrity_check"), "ok")
        d.start()
        # the index matches the stored titles: every article found by its current title word
        self.assertEqual(len(self.search(d, "harbour", "-n", "1000")), n)
        self.assertEqual(len(self.search(d, "--raw", "title:harbour OR title:title", "-n",
                                         "1000")), n)
        self.assertEqual(len(self.search(d, "--raw", "title:harbour", "-n", "1000")), changed)
        d.stop()

    def test_watch_add_rm_persist(self):
        d = self.started()
        extra = os.path.join(d.root, "extra")
        os.makedirs(extra)
        r = d.ctl_json("watch", "ls")
        self.assertEqual([w["path"] for w in r["config"]], [d.inbox])
        self.assertEqual(r["runtime"], [])
        p = d.ctl("watch", "add", extra, "--after", "keep")
        self.assertEqual(p.returncode, 0, err(p))
        p = d.ctl("watch", "add", extra)
        self.assertEqual(p.returncode, 1, "already watched")
        p = d.ctl("watch", "add", d.inbox)
        self.assertEqual(p.returncode, 1)
        self.assertIn("config file", err(p))
        p = d.ctl("watch", "add", os.path.join(d.root, "nope"))
        self.assertEqual(p.returncode, 2, "a missing folder is refused by ingestctl")
        d.drop("in_extra.txt", b"Extra folder news\n\nSomething arrived in the extra folder.\n",
               folder=extra)
        d.wait_settled(len(FIXTURES) + 1)
        self.assertTrue(os.path.exists(os.path.join(extra, "in_extra.txt")), "kept")
        p = d.ctl("watch", "ls")
        self.assertIn(extra, out(p))
        self.assertIn("runtime", out(p))
        self.assertIn("config file", out(p))
        d.stop()
        d.start()  # persisted across the restart
        r = d.ctl_json("watch", "ls")
        self.assertEqual([(w["path"], w["after"], w["watched"]) for w in r["runtime"]],
                         [(extra, "keep", True)])
        d.drop("second.txt", b"Second extra\n\nAnother one in the extra folder.\n", folder=extra)
        d.wait_settled(1)
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), len(FIXTURES) + 2)
        p = d.ctl("watch", "rm", d.inbox)
        self.assertEqual(p.returncode, 1)
        p = d.ctl("watch", "rm", extra)
        self.assertEqual(p.returncode, 0, err(p))
        d.drop("third.txt", b"Third extra\n\nNot taken: no longer watched.\n", folder=extra)
        time.sleep(1.5)
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), len(FIXTURES) + 2)
        self.assertEqual(d.ctl_json("watch", "ls")["runtime"], [])
        # the config file's folder still works after the watcher restarts
        d.drop("inbox_again.txt", b"Inbox again\n\nThe inbox is still watched.\n")
        h.wait_until(lambda: d.scalar("SELECT count(*) FROM articles") == len(FIXTURES) + 3, 30)
        d.stop()

    def test_top_help_and_exit_codes(self):
        d = self.started()
        p = d.ctl("top", "--count", "2", "--interval", "0.2")
        self.assertEqual(p.returncode, 0, err(p))
        lines = out(p).splitlines()
        self.assertEqual(len(lines), 2, lines)
        self.assertIn("committed=%d" % len(FIXTURES), lines[-1])
        self.assertIn("state=running", lines[-1])
        for cmd in ("status", "stats", "plugins", "recent", "get", "search", "export",
                    "failures", "retry", "reprocess", "watch", "top", "pause", "resume",
                    "shutdown"):
            p = d.ctl(cmd, "--help")
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("Usage: ingestctl", out(p), cmd)
            self.assertIn(cmd, out(p))
        p = d.ctl("--help")
        for cmd in ("search", "export", "retry", "reprocess", "watch", "top", "plugins"):
            self.assertIn(cmd, out(p))
        for args in (["watch", "frob"], ["retry", "x"], ["search", "-n", "0", "a"],
                     ["top", "--interval", "0"], ["reprocess", "--all", "--since", "2024"]):
            p = d.ctl(*args)
            self.assertEqual(p.returncode, 2, args)
        d.stop()
        p = d.ctl("top", "--count", "1")
        self.assertEqual(p.returncode, 3)

    def test_bash_completion(self):
        path = os.path.join(h.SOURCE_DIR, "completions", "ingestctl.bash")
        self.assertTrue(os.path.exists(path))
        import subprocess
        script = ('source %s; COMP_WORDS=(ingestctl se); COMP_CWORD=1; _ingestctl; '
                  'echo "${COMPREPLY[@]}"; COMP_WORDS=(ingestctl watch ""); COMP_CWORD=2; '
                  '_ingestctl; echo "${COMPREPLY[@]}"' % path)
        p = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30)
        lines = out(p).splitlines()
        self.assertEqual(lines[0].split(), ["search"], out(p) + err(p))
        self.assertEqual(sorted(lines[1].split()), ["add", "ls", "rm"])


if __name__ == "__main__":
    h.main()
