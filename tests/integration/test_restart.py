#!/usr/bin/env python3
"""Restarts: a file dropped while the daemon is stopped is taken at the next start, and nothing
is ingested twice across restarts (after: "move" and after: "keep")."""
import os

import harness as h


def article_text(i, topic):
    return ("Regional notes %d: %s\n\nThe district office number %d reported on %s that the "
            "committee had reviewed item %d of its agenda and agreed to publish the minutes.\n\n"
            "A spokesperson for office %d said further details would follow next week.\n"
            % (i, topic, i, topic, i * 7, i)).encode()


class Restart(h.DaemonTest):
    def test_move_restart(self):
        d = self.new_daemon()
        d.start()
        d.drop("a1.txt", article_text(1, "water supply"))
        d.wait_settled(1)
        d.stop()
        # dropped while stopped
        d.drop("a2.txt", article_text(2, "road repairs"))
        d.drop("a3.txt", article_text(3, "school meals"))
        d.start()
        d.wait_settled(2)
        h.wait_until(lambda: d.inbox_files() == [], 10, "inbox to be empty")
        self.assertEqual(d.done_files(), ["a1.txt", "a2.txt", "a3.txt"])
        d.stop()
        d.start()
        st = d.stats()
        self.assertEqual(st["received"], 0, "nothing taken again after a restart: %r" % st)
        d.stop()
        self.assertEqual(d.scalar("SELECT count(*) FROM articles"), 3)
        self.assertEqual(d.scalar("SELECT count(*) FROM files"), 3)
        self.assertEqual(d.scalar("SELECT count(*) FROM sources"), 3)

    def test_keep_restarts(self):
        d = self.new_daemon(watch={"after": "keep"})
        names = ["k%d.txt" % i for i in range(1, 6)]
        for i, n in enumerate(names[:3], 1):
            d.drop(n, article_text(i, "harbour fees"))
        d.start()
        d.wait_settled(3)
        self.assertEqual(d.inbox_files(), sorted(names[:3]), "kept in place")
        d.stop()
        for restart in range(3):
            if restart == 1:  # new files between restarts are taken, the old ones are not
                for i, n in enumerate(names[3:], 4):
                    d.drop(n, article_text(i, "library hours"))
            d.start()
            want = 2 if restart == 1 else 0
            if want:
                d.wait_settled(want)
            # give the scan at start and a periodic rescan the chance to take a file again
            h.wait_until(lambda: self._rescanned(d), 5, "a periodic rescan")
            st = d.stats()
            self.assertEqual(st["received"], want, "restart %d: %r" % (restart, st))
            d.stop()
            n_expected = 3 if restart == 0 else 5
            self.assertEqual(d.scalar("SELECT count(*) FROM articles"), n_expected)
            self.assertEqual(d.scalar("SELECT count(*) FROM sources"), n_expected)
            self.assertEqual(d.scalar("SELECT count(*) FROM files"), n_expected,
                             "one files row per file")
            self.assertEqual(d.scalar("SELECT count(DISTINCT path) FROM files"), n_expected)
        self.assertEqual(d.inbox_files(), sorted(names))
        self.assertFalse(os.path.exists(d.done), "after: keep never moves files")

    def _rescanned(self, d):
        """True once the daemon has been up longer than rescan_interval_s plus settle time."""
        status = d.request({"cmd": "status"})
        return status.get("uptime_s", 0) >= 2


if __name__ == "__main__":
    h.main()
