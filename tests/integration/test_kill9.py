#!/usr/bin/env python3
"""Crash safety: SIGKILL in the middle of a 2,000-file backlog, restart, and every file's
content is in the store exactly once, every file is in done/, and the database is intact."""
import os
import re
import time

import gen
import harness as h

N = 2000


class Kill9(h.DaemonTest):
    def test_kill_in_the_middle(self):
        # small batches and one worker so the backlog takes long enough to be interrupted
        d = self.new_daemon(workers=1, queue_max=16, batch_max=8, synchronous="full")
        contents = {}
        for i in range(N):
            name = "n%04d.txt" % i
            contents[name] = gen.article(i)
            d.drop(name, contents[name])
        d.spawn()
        # kill as soon as some (not all) articles are committed; polled through the database so
        # the control socket plays no part in the timing
        deadline = time.monotonic() + 30
        committed = 0
        while time.monotonic() < deadline:
            if not d.running():
                self.fail("ingestd exited early (%r); log:\n%s" % (d.proc.returncode, d.log()))
            try:
                committed = d.scalar("SELECT count(*) FROM articles")
            except Exception:
                committed = 0  # database not created yet
            if committed >= 50:
                break
            time.sleep(0.005)
        d.kill9()
        committed_at_kill = d.scalar("SELECT count(*) FROM articles")
        self.assertGreater(committed_at_kill, 0, "nothing committed before the kill")
        self.assertLess(committed_at_kill, N, "everything was committed before the kill: the "
                        "test did not interrupt anything (make the backlog larger)")
        left = len(d.inbox_files())
        self.assertGreater(left, 0)
        print("killed with %d articles committed, %d files in the inbox" % (committed_at_kill,
                                                                            left))

        d.start()
        h.wait_until(lambda: d.scalar("SELECT count(*) FROM files") >= N and d.inbox_files() == []
                     and d.stats()["in_flight"] == 0, 90, "all files committed and moved")
        st = d.stats()
        self.assertEqual(st["failed"] + st["dropped"] + st["duplicates"], 0, st)
        d.stop()

        self.assertEqual(d.inbox_files(), [], "no file left in the inbox")
        self.assertEqual(sorted(d.done_files()), sorted(contents), "every file moved to done/")
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), N)
        self.assertEqual(d.scalar("SELECT count(*) FROM sources"), N)
        self.assertEqual(d.scalar("SELECT count(*) FROM files"), N)
        self.assertEqual(d.scalar("SELECT count(DISTINCT path) FROM files"), N)
        self.assertEqual(d.scalar("SELECT count(*) FROM failures"), 0)
        self.assertEqual(d.scalar("PRAGMA integrity_check"), "ok")
        # each file's bytes are stored once, and each article carries its file's token once
        rows = d.query("SELECT s.source, r.bytes, a.body FROM sources s JOIN raw r ON r.id = "
                       "s.raw_id JOIN articles a ON a.id = s.article_id")
        self.assertEqual(len(rows), N)
        seen = set()
        for r in rows:
            name = os.path.basename(r["source"])
            self.assertNotIn(name, seen)
            seen.add(name)
            self.assertEqual(r["bytes"], contents[name], name)
            i = int(name[1:5])
            self.assertEqual(len(re.findall(r"\bref\d+x\b", r["body"])), 1, name)
            self.assertEqual(r["body"].count(gen.token(i)), 1, name)
        self.assertEqual(seen, set(contents))
        for name in contents:
            self.assertEqual(h.read_bytes(os.path.join(d.done, name)), contents[name])


if __name__ == "__main__":
    h.main()
