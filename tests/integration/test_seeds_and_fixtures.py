#!/usr/bin/env python3
"""The seeds (../shared/seeds, when present) and the project's fixture articles go through a
running daemon with the built-in plugin chain: each ends up as one clean article with the
expected language, dates and title, seen alike through ingestctl and the SQLite file; the files
end up in inbox/done/ and the raw table keeps their exact bytes."""
import os

import harness as h


class SeedsAndFixtures(h.DaemonTest):
    def test_all_articles(self):
        expected = h.load_expected()
        inputs = {}  # name in the inbox -> (source path, expectation)
        for path in h.seed_files():
            prefix = os.path.basename(path)[:3]
            inputs[os.path.basename(path)] = (path, expected["seeds"].get(prefix, {}))
        if not inputs:
            print("note: %s not found; only the fixture articles are tested" % h.SEEDS_DIR)
        for path in h.fixture_files():
            name = os.path.basename(path)
            self.assertIn(name, expected["fixtures"], "fixture without expectations")
            inputs[name] = (path, expected["fixtures"][name])
        self.assertGreaterEqual(len(inputs), 8)

        d = self.new_daemon()
        d.start()
        for name, (path, _) in sorted(inputs.items()):
            d.drop_file(path, name)
        st = d.wait_settled(len(inputs), timeout=30)
        self.assertEqual(st["committed"], len(inputs), "all distinct articles committed: %r" % st)
        self.assertEqual(st["failed"] + st["dropped"] + st["duplicates"], 0, st)
        h.wait_until(lambda: len(d.done_files()) == len(inputs), 10, "all files in done/")
        self.assertEqual(d.done_files(), sorted(inputs))
        self.assertEqual(d.inbox_files(), [], "nothing left in the inbox")

        # ---- the database ----
        by_name = h.articles_by_source_name(d)
        self.assertEqual(sorted(by_name), sorted(inputs))
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), len(inputs))
        self.assertEqual(d.scalar("SELECT count(*) FROM sources"), len(inputs))
        self.assertEqual(d.scalar("SELECT count(*) FROM failures"), 0)
        self.assertEqual(d.scalar("SELECT count(*) FROM files WHERE outcome = 'committed'"),
                         len(inputs))
        problems = []
        for name, (path, exp) in sorted(inputs.items()):
            row = by_name[name]
            for p in h.expectation_problems(row, exp) + h.body_problems(row["body"]):
                problems.append("%s (db): %s" % (name, p))
            self.assertEqual(row["source_kind"], "file")
            self.assertRegex(row["uid"], r"^[0-9a-f]{32}$")
            self.assertTrue(row["first_source"].endswith("/inbox/" + name), row["first_source"])
            raw = h.raw_bytes_for_article(d, row["id"])
            if raw != h.read_bytes(path):
                problems.append("%s: raw bytes differ from the file's bytes" % name)
            if "encoding" in exp:
                enc = d.query("SELECT r.encoding FROM sources s JOIN raw r ON r.id = s.raw_id "
                              "WHERE s.article_id = ?", (row["id"],))[0]["encoding"]
                if (enc or "").lower() != exp["encoding"]:
                    problems.append("%s: raw encoding %r, expected %r" % (name, enc,
                                                                         exp["encoding"]))
            # done/ holds the file unchanged
            if h.read_bytes(os.path.join(d.done, name)) != h.read_bytes(path):
                problems.append("%s: the file in done/ differs from the original" % name)

        # ---- the same through ingestctl ----
        recent = d.ctl_json("recent", str(len(inputs) + 5))
        if isinstance(recent, dict):
            recent = recent.get("articles", recent)
        self.assertIsInstance(recent, list)
        self.assertEqual(len(recent), len(inputs), recent)
        uids = {r["uid"] for r in recent}
        self.assertEqual(uids, {r["uid"] for r in by_name.values()})
        for name, (path, exp) in sorted(inputs.items()):
            row = by_name[name]
            art = d.ctl_json("get", row["uid"])
            art = art.get("article", art)
            for key in ("uid", "title", "body", "lang", "published_at", "updated_at", "source"):
                if art.get(key) != row[key]:
                    problems.append("%s: ingestctl get %s = %r, db has %r"
                                    % (name, key, art.get(key), row[key]))
            for p in h.expectation_problems(art, exp):
                problems.append("%s (ingestctl): %s" % (name, p))
            raw = d.ctl_json("get", row["uid"], "--raw")
            raw = raw.get("article", raw)
            if "encoding" not in exp:  # UTF-8 originals come back as text
                if raw.get("raw") != h.read_bytes(path).decode("utf-8"):
                    problems.append("%s: get --raw does not return the original text" % name)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

        # nothing taken twice
        st = d.stats()
        self.assertEqual(st["received"], len(inputs), st)
        d.stop()
        con = d.db()
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        con.close()


if __name__ == "__main__":
    h.main()
