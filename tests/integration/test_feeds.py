"""Feeds: the real daemon polls a loopback HTTP server (feedserver.py, 127.0.0.1 only) serving the
fixture feeds of tests/fixtures/feeds/ and misbehaving endpoints; entries become articles through
the plugin chain and land in the same store."""
import json
import os
import time

import feedserver
import harness

FORMATS = {
    "rss2_utf8.xml": ["Liman'da yeni dönem & düzenleme", "Sahil yolunda çalışma"],
    "rss2_cp1251.xml": ["В Казани открыли новый мост"],
    "rss2_iso8859_7.xml": ["Νέο λιμάνι στην Ηγουμενίτσα"],
    "rss2_cp1254.xml": ["İzmir'de şiddetli yağış uyarısı"],
    "rss_koi8r.xml": ["Зимний сезон начался"],
    "rss091.xml": ["Café reopens after floods"],
    "rdf.xml": ["Kolesarji na novi progi"],
    "atom.xml": ["Council approves harbour plan", "Bahnstrecke gesperrt"],
    "feed.json": ["Comienza la vendimia en La Rioja", "Lluvias en el norte"],
}


def vm_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class FeedsTest(harness.DaemonTest):
    def server(self):
        srv = feedserver.FeedServer().start()
        self.addCleanup(srv.stop)
        return srv

    def feed_daemon(self, srv, paths, **settings):
        cfg = {"feeds": [{"url": srv.url(p)} for p in paths], "feed_start_jitter_s": 0,
               "feed_interval_s": 600}
        cfg.update(settings)
        return self.new_daemon(**cfg).start()

    def feeds_by_url(self, d):
        reply = d.ctl_json("feed", "ls")
        return {f["url"]: f for f in reply["feeds"]}

    def articles(self, d):
        return d.query("SELECT * FROM articles ORDER BY id")

    def test_formats_encodings_conditional_get(self):
        srv = self.server()
        d = self.feed_daemon(srv, ["/feeds/" + n for n in FORMATS])
        expected = sorted(t for ts in FORMATS.values() for t in ts)
        harness.wait_until(lambda: len(self.articles(d)) >= len(expected), 30, "feed articles")
        arts = self.articles(d)
        self.assertEqual(sorted(a["title"] for a in arts), expected)
        for a in arts:
            self.assertEqual(a["source_kind"], "feed")
            self.assertTrue(a["source"].startswith(srv.url("/feeds/")), a["source"])
            self.assertTrue(a["url"].startswith("http://127.0.0.1/"), a["url"])
            meta = json.loads(a["meta"])
            self.assertIn("feed", meta)
            self.assertEqual(meta["feed"]["url"], a["source"])
        by_title = {a["title"]: a for a in arts}
        # content:encoded preferred over description; HTML turned into clean paragraphs
        liman = by_title["Liman'da yeni dönem & düzenleme"]
        self.assertIn("Belediye, limandaki yeni düzenlemeyi dün açıkladı.", liman["body"])
        self.assertNotIn("Kısa özet", liman["body"])
        self.assertNotIn("<", liman["body"])
        self.assertNotIn("alert", liman["body"])
        self.assertEqual(liman["guid"], "tr-liman-0001")
        self.assertEqual(liman["published_at"], "2025-10-27T13:05:00+03:00")
        meta = json.loads(liman["meta"])
        self.assertEqual(meta["hints"]["lang"], "tr")
        self.assertEqual(meta["feed"]["author"], "Ayşe Yılmaz")
        self.assertEqual(meta["feed"]["categories"], ["Ekonomi", "Denizcilik"])
        self.assertEqual(meta["feed"]["published"]["raw"], "Pzt, 27 Eki 2025 13:05:00 +0300")
        self.assertEqual(by_title["Νέο λιμάνι στην Ηγουμενίτσα"]["published_at"],
                         "2025-10-27T13:05:00+02:00")
        self.assertEqual(by_title["В Казани открыли новый мост"]["published_at"],
                         "2025-10-27T13:05:00+03:00")
        # the feed list shows the state
        feeds = self.feeds_by_url(d)
        self.assertEqual(len(feeds), len(FORMATS))
        for name, titles in FORMATS.items():
            f = feeds[srv.url("/feeds/" + name)]
            self.assertEqual(f["last_status"], 200, f)
            self.assertEqual(f["entries_seen"], len(titles), f)
            self.assertEqual(f["error_count"], 0, f)
            self.assertIsNotNone(f["next_poll_at"])
        first = srv.hits("/feeds/rss2_utf8.xml")
        self.assertEqual(len(first), 1)
        self.assertTrue(first[0]["headers"]["User-Agent"].startswith("ingestd/"))
        self.assertIsNone(first[0]["headers"].get("If-None-Match"))
        # conditional GET: a poll now sends the ETag and gets 304; nothing new is stored
        p = d.ctl("feed", "poll", srv.url("/feeds/rss2_utf8.xml"))
        self.assertEqual(p.returncode, 0, p.stderr)
        harness.wait_until(lambda: self.feeds_by_url(d)[srv.url("/feeds/rss2_utf8.xml")]
                           ["last_status"] == 304, 15, "a 304 poll")
        hits = srv.hits("/feeds/rss2_utf8.xml")
        self.assertEqual(len(hits), 2)
        self.assertTrue(hits[1]["headers"].get("If-None-Match"))
        self.assertEqual(len(self.articles(d)), len(expected))
        d.stop()

    def test_changed_entry_updates_its_article(self):
        srv = self.server()
        d = self.feed_daemon(srv, ["/changing"])
        harness.wait_until(lambda: len(self.articles(d)) == 2, 30, "two articles")
        before = {a["guid"]: a for a in self.articles(d)}
        srv.set_version(2)
        d.ctl("feed", "poll", srv.url("/changing"))
        harness.wait_until(lambda: len(self.articles(d)) == 3, 30, "the new entry")
        harness.wait_until(lambda: "Tuesday" in (d.query("SELECT body FROM articles WHERE "
                                                         "guid = 'chg-b'")[0]["body"]),
                           15, "the changed entry's update")
        after = {a["guid"]: a for a in self.articles(d)}
        self.assertEqual(after["chg-b"]["id"], before["chg-b"]["id"])  # same article, updated
        self.assertNotEqual(after["chg-b"]["uid"], before["chg-b"]["uid"])
        self.assertEqual(after["chg-a"]["body"], before["chg-a"]["body"])
        self.assertEqual(after["chg-a"]["id"], before["chg-a"]["id"])
        raws = d.query("SELECT r.bytes FROM sources s JOIN raw r ON r.id = s.raw_id "
                       "WHERE s.article_id = ? ORDER BY s.id", (after["chg-b"]["id"],))
        self.assertEqual(len(raws), 2)  # the previous version's raw text is kept
        self.assertIn(b"Monday", raws[0]["bytes"])
        self.assertIn(b"Tuesday", raws[1]["bytes"])
        rev = d.scalar("SELECT revisions FROM feed_entries WHERE entry_key = 'guid:chg-b'")
        self.assertEqual(rev, 2)
        self.assertEqual(d.scalar("SELECT count(*) FROM feed_entries"), 3)
        d.stop()

    def test_same_article_via_two_feeds(self):
        srv = self.server()
        d = self.feed_daemon(srv, ["/feeds/atom.xml", "/copy/atom.xml"])
        harness.wait_until(lambda: d.scalar("SELECT count(*) FROM sources") == 4, 30,
                           "four arrivals")
        self.assertEqual(len(self.articles(d)), 2)
        for a in self.articles(d):
            srcs = sorted(r["source"] for r in d.query(
                "SELECT source FROM sources WHERE article_id = ?", (a["id"],)))
            self.assertEqual(srcs, [srv.url("/copy/atom.xml"), srv.url("/feeds/atom.xml")])
        d.stop()

    def test_hostile_and_broken_servers(self):
        srv = self.server()
        paths = ["/gone", "/ratelimit", "/unavailable", "/moved/rdf.xml", "/feeds/malformed.xml",
                 "/feeds/bomb.xml", "/big", "/bigchunked", "/truncated", "/slow",
                 "/gzip/rss2_cp1251.xml", "/feeds/not_a_feed.html", "/flaky", "/tofile",
                 "/loop"]
        d = self.feed_daemon(srv, paths, feed_interval_s=1, feed_timeout_s=3,
                             feed_max_body_bytes=1048576)
        t0 = time.monotonic()
        harness.wait_until(lambda: all(f["last_poll_at"] for f in self.feeds_by_url(d).values()
                                       if "/slow" not in f["url"]), 20, "every feed polled")
        # let backoff and Retry-After show for a while
        time.sleep(max(0.0, 9.0 - (time.monotonic() - t0)))
        feeds = self.feeds_by_url(d)

        gone = feeds[srv.url("/gone")]
        self.assertFalse(gone["enabled"])
        self.assertIn("410", gone["disabled_reason"])
        self.assertEqual(len(srv.hits("/gone")), 1)  # never polled again

        for p in ("/ratelimit", "/unavailable"):
            hits = srv.hits(p)
            self.assertGreaterEqual(len(hits), 2, p)
            for a, b in zip(hits, hits[1:]):
                self.assertGreaterEqual(b["start"] - a["start"], feedserver.RETRY_AFTER - 0.3, p)
            self.assertIn(str(feeds[srv.url(p)]["last_status"]), ("429", "503"))

        # the 301 moved the stored URL; the entries came from the new place
        self.assertNotIn(srv.url("/moved/rdf.xml"), feeds)
        self.assertIn(srv.url("/feeds/rdf.xml"), feeds)
        titles = [a["title"] for a in self.articles(d)]
        self.assertIn("Kolesarji na novi progi", titles)

        mal = feeds[srv.url("/feeds/malformed.xml")]
        self.assertIn("malformed", mal["last_error"])
        self.assertIn("First complete entry", titles)
        self.assertIn("Second complete entry", titles)

        bomb = feeds[srv.url("/feeds/bomb.xml")]
        self.assertIn("entities", bomb["last_error"])
        self.assertGreaterEqual(bomb["error_count"], 1)
        self.assertFalse(any("lol" in (a["body"] or "") for a in self.articles(d)))
        self.assertLess(vm_rss_kb(d.proc.pid), 300 * 1024)

        for p in ("/big", "/bigchunked"):
            self.assertIn("larger than", feeds[srv.url(p)]["last_error"], p)
        self.assertTrue(feeds[srv.url("/truncated")]["last_error"])
        self.assertGreaterEqual(feeds[srv.url("/truncated")]["error_count"], 1)
        slow = feeds[srv.url("/slow")]
        self.assertTrue(slow["last_error"] and "imeout" in slow["last_error"]
                        or "too slow" in (slow["last_error"] or ""), slow)

        gz = srv.hits("/gzip/rss2_cp1251.xml")
        self.assertIn("gzip", gz[0]["headers"].get("Accept-Encoding", ""))
        self.assertIn("В Казани открыли новый мост", titles)

        self.assertIn("not a feed", feeds[srv.url("/feeds/not_a_feed.html")]["last_error"])
        # only http/https, also after a redirect; a bounded number of redirects
        self.assertIn("rotocol", feeds[srv.url("/tofile")]["last_error"])
        self.assertIn("edirect", feeds[srv.url("/loop")]["last_error"])
        # one poll is the request and at most 5 redirects; backoff allows at most 5 polls here
        self.assertLessEqual(len(srv.hits("/loop")), 5 * 6)

        # exponential backoff: far fewer than one poll a second, and never given up
        flaky = srv.hits("/flaky")
        self.assertGreaterEqual(len(flaky), 2)
        self.assertLessEqual(len(flaky), 6)
        gaps = [b["start"] - a["start"] for a, b in zip(flaky, flaky[1:])]
        self.assertGreater(gaps[-1], 1.5, gaps)
        self.assertTrue(feeds[srv.url("/flaky")]["enabled"])
        self.assertTrue(d.running())
        d.stop()

    def test_per_host_concurrency(self):
        srv = self.server()
        paths = ["/delay/5/rss2_utf8.xml?n=%d" % i for i in range(6)]
        d = self.feed_daemon(srv, paths, feed_per_host=2)
        harness.wait_until(lambda: len(srv.requests) >= 6, 30, "six polls")
        self.assertLessEqual(srv.max_active, 2)
        self.assertEqual(srv.max_active, 2)
        d.stop()

    def test_cli_add_ls_rm_and_state_across_restart(self):
        srv = self.server()
        d = self.new_daemon(feed_start_jitter_s=0).start()
        url = srv.url("/feeds/rdf.xml")
        p = d.ctl("feed", "add", url, "--interval", "3600")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"added", p.stdout)
        harness.wait_until(lambda: len(self.articles(d)) == 1, 20, "the feed's article")
        ls = d.ctl("feed", "ls")
        self.assertEqual(ls.returncode, 0)
        self.assertIn(url.encode(), ls.stdout)
        self.assertIn(b"200", ls.stdout)
        bad = d.ctl("feed", "add", "file:///etc/passwd")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn(b"http", bad.stderr)
        d.stop()
        # state survives the restart: the next poll is conditional
        d.start()
        feeds = self.feeds_by_url(d)
        self.assertEqual(feeds[url]["entries_seen"], 1)
        self.assertEqual(feeds[url]["last_status"], 200)
        self.assertEqual(len(srv.hits("/feeds/rdf.xml")), 1)  # not polled again: interval 1 h
        d.ctl("feed", "poll", url)
        harness.wait_until(lambda: len(srv.hits("/feeds/rdf.xml")) == 2, 15, "a second poll")
        self.assertTrue(srv.hits("/feeds/rdf.xml")[1]["headers"].get("If-None-Match"))
        harness.wait_until(lambda: self.feeds_by_url(d)[url]["last_status"] == 304, 15, "304")
        d.stop()
        d.start()  # the 304 poll's state (committed with others, in one transaction) persisted
        self.assertEqual(self.feeds_by_url(d)[url]["last_status"], 304)
        rm = d.ctl("feed", "rm", url)
        self.assertEqual(rm.returncode, 0, rm.stderr)
        self.assertEqual(d.ctl_json("feed", "ls")["feeds"], [])
        self.assertEqual(len(self.articles(d)), 1)  # its articles stay
        self.assertNotEqual(d.ctl("feed", "rm", url).returncode, 0)
        d.stop()


if __name__ == "__main__":
    harness.main()
