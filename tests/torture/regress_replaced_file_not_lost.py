#!/usr/bin/env python3
"""Regression: a file renamed over a name in the inbox while the daemon was still processing
the earlier file of that name was moved to done/ unread after the earlier one's commit (the
acknowledgement moved by name, not by identity): the new file was lost. Found by
fsrandom_torture.py ("replace" action). The slow plugin (poison_plugin fixture, "POISON-HANG":
3 s) holds the first file in the chain while the second replaces it, deterministically."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import gen  # noqa: E402
import harness as h  # noqa: E402


class ReplacedFileNotLost(h.DaemonTest):
    def test_replaced_while_in_the_chain(self):
        poison_so = os.path.join(h.FIXTURE_PLUGINS, "poison_plugin.so")
        d = self.new_daemon(plugins=[poison_so], settle_ms=100, rescan_interval_s=1)
        d.start()
        first = gen.article(1) + b"\nPOISON-HANG: this one takes 3 s in the chain.\n"
        second = gen.article(2) + b"\nthe replacement\n"
        d.drop("same.txt", first)
        # wait until the first file is inside the plugin (read, not committed yet)
        h.wait_until(lambda: d.stats()["in_flight"] == 1, 10, "the first file in flight")
        time.sleep(0.5)
        d.drop("same.txt", second)  # renamed over the name being processed
        h.wait_until(lambda: d.scalar("SELECT count(*) FROM sources") >= 2
                     and d.inbox_files() == [], 30, "both versions committed")
        d.stop()
        rows = d.query("SELECT r.bytes FROM sources s JOIN raw r ON r.id = s.raw_id")
        stored = sorted(r["bytes"] for r in rows)
        self.assertEqual(stored, sorted([first, second]))
        # the first file's inode went with the rename over it; the replacement is in done/
        self.assertEqual(d.done_files(), ["same.txt"])
        self.assertEqual(h.read_bytes(os.path.join(d.done, "same.txt")), second)


if __name__ == "__main__":
    h.main()
