#!/usr/bin/env python3
"""Graceful stop: SIGTERM right after 300 files arrive; exit code 0, and every file is either
committed (and in done/) or still in the inbox, untouched; a restart takes the rest."""
import os

import gen
import harness as h

N = 300


class GracefulStop(h.DaemonTest):
    def test_sigterm_under_load(self):
        # a small in-flight window, so a stop right after the burst leaves files waiting
        d = self.new_daemon(queue_max=16, batch_max=8)
        d.start()
        # written aside first, then renamed into the inbox in one burst, then SIGTERM at once
        staging = os.path.join(d.root, "staging")
        os.mkdir(staging)
        contents = {}
        for i in range(N):
            name = "g%03d.txt" % i
            contents[name] = gen.article(5000 + i)
            with open(os.path.join(staging, name), "wb") as f:
                f.write(contents[name])
        for name in sorted(contents):
            os.rename(os.path.join(staging, name), os.path.join(d.inbox, name))
        d.stop(timeout=60)  # asserts exit code 0

        done = set(d.done_files())
        waiting = set(d.inbox_files())
        self.assertEqual(done | waiting, set(contents), "every file is in done/ or the inbox")
        self.assertEqual(done & waiting, set())
        for name in waiting:
            self.assertEqual(h.read_bytes(os.path.join(d.inbox, name)), contents[name],
                             "%s changed while left in the inbox" % name)
        sources = {os.path.basename(r["source"]) for r in d.query("SELECT source FROM sources")}
        self.assertEqual(sources, done, "committed exactly the files that were moved to done/")
        self.assertEqual(d.scalar("SELECT count(*) FROM files"), len(done))
        print("committed before the stop: %d of %d" % (len(done), N))

        d.start()
        h.wait_until(lambda: d.inbox_files() == [] and d.stats()["in_flight"] == 0, 60,
                     "the rest to be taken")
        st = d.stats()
        self.assertEqual(st["committed"], N - len(done), st)
        d.stop()
        self.assertEqual(set(d.done_files()), set(contents))
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), N)
        self.assertEqual(d.scalar("SELECT count(*) FROM sources"), N)
        self.assertEqual(d.scalar("SELECT count(*) FROM files"), N)
        rows = d.query("SELECT s.source, r.bytes FROM sources s JOIN raw r ON r.id = s.raw_id")
        for r in rows:
            self.assertEqual(r["bytes"], contents[os.path.basename(r["source"])])


if __name__ == "__main__":
    h.main()
