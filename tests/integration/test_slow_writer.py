#!/usr/bin/env python3
"""A slow writer (open, write part, sleep, write more, close) in the watched folder is never
committed half-way: the record is made of the complete content, once."""
import os
import time

import harness as h

PARTS = [
    "Night trains return to the coastal line\n\nAfter a break of eleven years, the regional "
    "operator will run night trains again between the capital and the coast from December.\n\n",
    "The operator said the sleeper carriages were bought second-hand and refurbished in its own "
    "workshops, which kept the cost of the project below the original estimate.\n\n",
    "Tickets go on sale next month; a seat will cost about as much as the day train, a bed in a "
    "shared compartment roughly twice that, the company told reporters on Thursday.\n",
]


class SlowWriter(h.DaemonTest):
    def write_slowly(self, d, path, pause):
        with open(path, "wb") as f:
            for i, part in enumerate(PARTS):
                f.write(part.encode())
                f.flush()
                os.fsync(f.fileno())
                if i < len(PARTS) - 1:
                    # longer than settle_ms and than the rescan interval: scans see a file
                    # whose size and mtime have been stable for a while
                    time.sleep(pause)
                    self.assertEqual(d.scalar("SELECT count(*) FROM files"), 0,
                                     "committed while still being written")
                    self.assertTrue(os.path.exists(path), "taken while still being written")

    def check_complete(self, d, name):
        full = "".join(PARTS).encode()
        d.wait_settled(1, timeout=20)
        h.wait_until(lambda: d.done_files() == [name], 10, "the file in done/")
        rows = d.query("SELECT a.body, r.bytes FROM articles a JOIN sources s ON s.article_id = "
                       "a.id JOIN raw r ON r.id = s.raw_id")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["bytes"], full, "raw bytes are the complete file")
        body = rows[0]["body"]
        for needle in ("regional operator will run night trains", "refurbished in its own "
                       "workshops", "the company told reporters on Thursday"):
            self.assertEqual(body.count(needle), 1, needle)
        self.assertEqual(d.scalar("SELECT count(*) FROM files"), 1)
        self.assertEqual(d.scalar("SELECT count(*) FROM failures"), 0)
        st = d.stats()
        self.assertEqual((st["committed"], st["failed"]), (1, 0), st)

    def test_slow_writer_while_running(self):
        d = self.new_daemon(settle_ms=200, rescan_interval_s=1)
        d.start()
        self.write_slowly(d, os.path.join(d.inbox, "slow.txt"), 1.3)
        self.check_complete(d, "slow.txt")
        d.stop()

    def test_writer_started_before_the_daemon(self):
        # the file is fresh (younger than settle_ms) when the start scan sees it; from then on
        # the daemon watches it being written
        d = self.new_daemon(settle_ms=1000, rescan_interval_s=1)
        path = os.path.join(d.inbox, "early.txt")
        with open(path, "wb") as f:
            f.write(PARTS[0].encode())
            f.flush()
            d.start()
            for part in PARTS[1:]:
                f.write(part.encode())
                f.flush()
                time.sleep(1.6)  # longer than settle_ms and than the rescan interval
                self.assertEqual(d.scalar("SELECT count(*) FROM files"), 0,
                                 "committed while still being written")
        self.check_complete(d, "early.txt")
        d.stop()


if __name__ == "__main__":
    h.main()
