#!/usr/bin/env python3
"""Poison articles: a plugin (the poison_plugin fixture) crashes the daemon with SIGSEGV on one
article and with SIGABRT (abort) on another, and hangs for 3 s on a third. The daemon is
restarted after each crash, as systemd would; an article that crashed it twice is quarantined
at the next start: a `failures` row of stage "quarantine" naming the signal and the module,
its file in failed/, and everything else is ingested exactly once. The slow article is
reported in the log (plugin_timeout_ms) and still ingested.

  poison_torture.py [--quick] [--seed N] [--files N]"""
import os
import random

import tortlib as t
from tortlib import gen, h

QUICK = {"files": 300}
FULL = {"files": 3000}


def main():
    args, s = t.parse_args(__doc__, QUICK, FULL)
    rng = random.Random(args.seed)
    poison_so = os.path.join(h.FIXTURE_PLUGINS, "poison_plugin.so")
    h.require_binary(h.INGESTD)
    t.check(os.path.exists(poison_so), "missing fixture %s (build the tests)", poison_so)
    d = h.Daemon(plugins=h.default_plugins() + [poison_so], workers=2, queue_max=64,
                 batch_max=16, batch_ms=20, settle_ms=200, rescan_interval_s=1,
                 plugin_timeout_ms=1000)
    try:
        n = s["files"]
        names = ["p%05d.txt" % i for i in range(n)]
        contents = {name: gen.article(i) for i, name in enumerate(names)}
        segv, abrt, hang = rng.sample(names, 3)
        contents[segv] = contents[segv] + b"\nPOISON-SEGV in the last line.\n"
        contents[abrt] = contents[abrt] + b"\nPOISON-ABORT in the last line.\n"
        contents[hang] = contents[hang] + b"\nPOISON-HANG in the last line.\n"
        for name in names:
            d.drop(name, contents[name])
        crashes = []
        for _ in range(8):
            d.spawn()
            # run until it crashes, or until everything is done
            def crashed_or_done():
                if not d.running():
                    return "exit"
                try:
                    if (d.scalar("SELECT count(*) FROM files") >= n and d.inbox_files() == []):
                        return "done"
                except Exception:
                    pass
                return None
            what = h.wait_until(crashed_or_done, 120, "a crash or the end of the backlog",
                                interval=0.05)
            if what == "done":
                break
            crashes.append(d.proc.returncode)
        print("daemon exits before the backlog was done: %s" % crashes)
        t.check(sorted(crashes) == [-11, -11, -6, -6] or len(crashes) == 4,
                "expected 4 crashes (2 x SIGSEGV, 2 x SIGABRT), got %s", crashes)
        t.check(sorted(set(crashes)) == [-11, -6], "crash signals %s", crashes)
        t.wait_drained(d, n, 120)
        d.stop()
        fig = t.check_exactly_once(d, contents, allow_failed=(segv, abrt))
        rows = {os.path.basename(r["source"]): r for r in
                d.query("SELECT source, stage, plugin, reason FROM failures")}
        for name, sig, module in ((segv, "SIGSEGV", "poison_plugin.so"),
                                  (abrt, "SIGABRT", "poison_plugin.so")):
            r = rows[name]
            t.check(r["stage"] == "quarantine", "%s: stage %r", name, r["stage"])
            t.check(sig in r["reason"] and "2 times" in r["reason"], "%s: reason %r", name,
                    r["reason"])
            if module:
                t.check(r["plugin"] == module, "%s: module %r, expected %r", name, r["plugin"],
                        module)
            raw = d.scalar("SELECT r.bytes FROM failures f JOIN raw r ON r.id = f.raw_id "
                           "WHERE f.source LIKE ?", ("%/" + name,))
            t.check(raw == contents[name], "%s: original bytes not kept with the failure", name)
        t.check(sorted(d.failed_files()) == sorted([segv, abrt]), "failed/ holds %s",
                d.failed_files())
        log = d.log()
        hang_reported = "over the time limit" in log and hang in log
        t.check(hang_reported, "the slow article %s was not reported in the log", hang)
        fig.update(crashes=len(crashes), quarantined=2, hang_reported=hang_reported,
                   reasons=[rows[segv]["reason"], rows[abrt]["reason"]],
                   modules=[rows[segv]["plugin"], rows[abrt]["plugin"]])
        t.report(args, "poison", fig)
    finally:
        d.cleanup()


if __name__ == "__main__":
    t.run(main)
