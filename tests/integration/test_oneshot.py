#!/usr/bin/env python3
"""`ingestd process`: one JSON object per input on stdout with the same fields as the daemon's
records; stdin as `-`; --db commits to a database; failing inputs make exit code 1; without
--db nothing is written anywhere."""
import json
import os
import sqlite3

import harness as h


def inputs_with_expectations():
    expected = h.load_expected()
    out = []
    for path in h.seed_files():
        out.append((path, expected["seeds"].get(os.path.basename(path)[:3], {})))
    for path in h.fixture_files():
        out.append((path, expected["fixtures"][os.path.basename(path)]))
    return out


class OneShot(h.DaemonTest):
    def setUp(self):
        h.require_binary(h.INGESTD)
        self.work = self.new_tempdir()
        self.cwd = os.path.join(self.work, "cwd")
        os.mkdir(self.cwd)
        self.base_args = []
        if os.environ.get("INGESTD_IT_PLUGINS"):  # debugging override of the default chain
            cfg = os.path.join(self.work, "chain.json")
            with open(cfg, "w") as f:
                json.dump({"plugins": h.default_plugins()}, f)
            self.base_args = ["-c", cfg]

    def run_process(self, args, input_bytes=None):
        """ingestd process in an empty working folder; asserts nothing is created there."""
        import subprocess
        p = subprocess.run([h.INGESTD, "process"] + self.base_args + list(args), input=input_bytes,
                           capture_output=True, timeout=60, cwd=self.cwd,
                           stdin=None if input_bytes is not None else subprocess.DEVNULL)
        self.assertEqual(os.listdir(self.cwd), [], "process wrote files into its working folder")
        lines = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
        return p.returncode, lines, p.stderr.decode("utf-8", "replace")

    def test_files_print_records(self):
        items = inputs_with_expectations()
        paths = [p for p, _ in items]
        before = sorted(os.listdir(h.FIXTURES_DIR))
        rc, lines, err = self.run_process(paths)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(lines), len(paths), "one JSON object per input")
        self.assertEqual(sorted(os.listdir(h.FIXTURES_DIR)), before, "inputs left alone")
        problems = []
        uids = set()
        for (path, exp), rec in zip(items, lines):
            name = os.path.basename(path)
            if rec.get("outcome") != "ok":
                problems.append("%s: outcome %r (%r)" % (name, rec.get("outcome"), rec))
                continue
            for key in ("uid", "source", "source_kind", "title", "body", "lang", "published_at",
                        "updated_at", "ingested_at", "meta"):
                if key not in rec:
                    problems.append("%s: field %s missing" % (name, key))
            if rec.get("source") != path:
                problems.append("%s: source %r, expected the path given" % (name, rec.get("source")))
            if rec.get("source_kind") != "file":
                problems.append("%s: source_kind %r" % (name, rec.get("source_kind")))
            uids.add(rec.get("uid"))
            for p in h.expectation_problems(rec, exp) + h.body_problems(rec.get("body")):
                problems.append("%s: %s" % (name, p))
        self.assertEqual(problems, [], "\n" + "\n".join(problems))
        self.assertEqual(len(uids), len(paths), "distinct articles have distinct uids")

    def test_stdin(self):
        path = os.path.join(h.FIXTURES_DIR, "tr_kiyi.txt")
        data = h.read_bytes(path)
        rc, from_file, err = self.run_process([path])
        self.assertEqual(rc, 0, err)
        rc, from_stdin, err = self.run_process(["-"], input_bytes=data)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(from_stdin), 1)
        a, b = from_file[0], from_stdin[0]
        self.assertEqual(b.get("outcome"), "ok", b)
        self.assertEqual(b.get("source_kind"), "stdin")
        for key in ("uid", "title", "body", "lang", "published_at", "updated_at"):
            self.assertEqual(a.get(key), b.get(key), key)
        # a legacy encoding through stdin too
        ru = os.path.join(h.FIXTURES_DIR, "ru_kazan_cp1251.txt")
        rc, out, err = self.run_process(["-"], input_bytes=h.read_bytes(ru))
        self.assertEqual(rc, 0, err)
        exp = h.load_expected()["fixtures"]["ru_kazan_cp1251.txt"]
        self.assertEqual(h.expectation_problems(out[0], exp), [])

    def test_db(self):
        items = inputs_with_expectations()
        paths = [p for p, _ in items]
        db = os.path.join(self.work, "one.db")
        rc, lines, err = self.run_process(["--db", db] + paths)
        self.assertEqual(rc, 0, err)
        self.assertTrue(os.path.exists(db))
        con = sqlite3.connect(db)
        try:
            self.assertEqual(con.execute("SELECT count(*) FROM articles").fetchone()[0], len(paths))
            rows = con.execute("SELECT a.uid, a.title, a.body, r.bytes FROM articles a "
                               "JOIN sources s ON s.article_id = a.id "
                               "JOIN raw r ON r.id = s.raw_id").fetchall()
            by_uid = {r[0]: r for r in rows}
            for path, rec in zip(paths, lines):
                self.assertIn(rec["uid"], by_uid, path)
                row = by_uid[rec["uid"]]
                self.assertEqual(row[1], rec["title"])
                self.assertEqual(row[2], rec["body"])
                self.assertEqual(row[3], h.read_bytes(path), "raw bytes of %s" % path)
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            con.close()
        # the same inputs again: duplicates, nothing new
        rc, again, err = self.run_process(["--db", db] + paths[:3])
        self.assertEqual(rc, 0, err)
        self.assertEqual([r.get("outcome") for r in again], ["duplicate"] * 3)
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("SELECT count(*) FROM articles").fetchone()[0], len(paths))
        con.close()

    def test_failures(self):
        good = os.path.join(h.FIXTURES_DIR, "en_harbour.txt")
        empty = os.path.join(self.work, "empty.txt")
        open(empty, "wb").close()
        binary = os.path.join(self.work, "image.bin")
        with open(binary, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
        missing = os.path.join(self.work, "no-such-file.txt")
        before = sorted(os.listdir(self.work))
        rc, lines, err = self.run_process([good, empty, binary, missing])
        self.assertEqual(rc, 1, "exit code 1 when some input failed")
        self.assertEqual(len(lines), 4, lines)
        self.assertEqual(lines[0].get("outcome"), "ok")
        for rec, path in zip(lines[1:], (empty, binary, missing)):
            self.assertEqual(rec.get("outcome"), "failed", rec)
            self.assertEqual(rec.get("source"), path)
            self.assertTrue(rec.get("stage"), rec)
            self.assertTrue(rec.get("reason"), rec)
        self.assertEqual(sorted(os.listdir(self.work)), before, "no database, no other file")
        # with --db the failures are recorded, with their raw bytes
        db = os.path.join(self.work, "f.db")
        rc, lines, err = self.run_process(["--db", db, good, empty, binary])
        self.assertEqual(rc, 1)
        con = sqlite3.connect(db)
        try:
            rows = con.execute("SELECT f.source, f.stage, f.reason, r.bytes FROM failures f "
                               "LEFT JOIN raw r ON r.id = f.raw_id ORDER BY f.id").fetchall()
            self.assertEqual([r[0] for r in rows], [empty, binary])
            self.assertEqual(rows[1][3], h.read_bytes(binary), "raw bytes of the failure kept")
            self.assertEqual(con.execute("SELECT count(*) FROM articles").fetchone()[0], 1)
        finally:
            con.close()

    def test_config_chain(self):
        """-c CONFIG: the chain of the configuration is used (here one that always fails)."""
        err_so = os.path.join(h.FIXTURE_PLUGINS, "error_plugin.so")
        self.assertTrue(os.path.exists(err_so), "fixture plugin missing: %s" % err_so)
        cfg = os.path.join(self.work, "err.json")
        with open(cfg, "w") as f:
            json.dump({"plugins": [err_so], "log_level": "warning"}, f)
        good = os.path.join(h.FIXTURES_DIR, "en_harbour.txt")
        import subprocess
        p = subprocess.run([h.INGESTD, "process", "-c", cfg, good], capture_output=True,
                           timeout=60, cwd=self.cwd, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1)
        rec = json.loads(p.stdout)
        self.assertEqual((rec["outcome"], rec["stage"], rec["plugin"]),
                         ("failed", "plugin", "error_plugin"), rec)
        self.assertIn("always fails: test", rec["reason"])

    def test_usage(self):
        rc, lines, err = self.run_process([])
        self.assertEqual(rc, 2)
        self.assertEqual(lines, [])
        self.assertTrue(err.strip())


if __name__ == "__main__":
    h.main()
