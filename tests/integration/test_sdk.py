"""The plugin SDK, as a user with only the installed package sees it: `cmake --install` into a
temporary prefix; the example plugins (taken from the installed documentation folder, not from
the source tree) build out of tree with the pkg-config one-liner and with CMake
find_package(IngestdPlugin); `ingestd plugin check` reports them and its exit codes are right;
the walk-through plugin of the installed PLUGINS.md builds and checks; a running daemon loads
them (by name through plugin_dirs, and by path) and their effect shows in `ingestctl get`
(meta tags) and in the stats (dropped articles); the search path refuses a name two folders
provide; the trust rules refuse group/other-writable and foreign-owned files and folders; a
plugin that fails every article or exceeds the time limit is reported, not fatal."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import harness

BUILD_DIR = os.path.abspath(os.path.join(harness.BIN_DIR, ".."))

TAGS = {"war": ["war", "wars", "savaş*", "πόλεμος", "πολέμου"],
        "economy": ["inflation", "enflasyon*", "πληθωρισμ*"]}
DROP = {"drop_if_body_shorter_than": 80, "drop_if_title_matches": ["horoscope", "burç"]}

LONG_TR = ("Ankara'da bugün yapılan toplantıda taraflar uzun süredir devam eden savaşın sona "
           "ermesi için yeni bir takvim üzerinde anlaştı. Toplantıya katılan heyetler, sivillerin "
           "korunması ve insani yardım koridorlarının açılması konusunda ortak bir bildiri "
           "yayımladı.\n")
LONG_EL = ("Οι διαπραγματεύσεις για τον τερματισμό του ΠΟΛΕΜΟΥ συνεχίστηκαν σήμερα στην Αθήνα με "
           "τη συμμετοχή αντιπροσωπειών από πολλές χώρες. Οι εκπρόσωποι συμφώνησαν σε ένα νέο "
           "χρονοδιάγραμμα για την ανθρωπιστική βοήθεια.\n")
LONG_EN = ("The regional parliament discussed the new school year on Tuesday. Members agreed on "
           "more teachers for rural areas and a new bus line for pupils who live far from the "
           "nearest school; the plan starts in September.\n")

ARTICLES = {
    "tr_war.txt": "Barış görüşmeleri Ankara'da başladı\n\n" + LONG_TR,
    "el_war.txt": "Νέος γύρος συνομιλιών στην Αθήνα\n\n" + LONG_EL,
    "en_plain.txt": "Parliament agrees on school plan\n\n" + LONG_EN,
    "en_horoscope.txt": "Your weekly HOROSCOPE: what the stars say\n\n" + LONG_EN,
    "short.txt": "A very short note\n\nNothing more here.\n",
}

SLOW_SRC = r"""
#define _POSIX_C_SOURCE 200809L
#include <ingestd/plugin.h>
#include <time.h>
static ingestd_verdict slow_process(void *state, ingestd_record *rec, const ingestd_host *host)
{
    (void)state; (void)rec; (void)host;
    struct timespec ts = {0, 40 * 1000 * 1000};
    nanosleep(&ts, NULL);
    return INGESTD_OK;
}
static const ingestd_plugin slow = {INGESTD_PLUGIN_INIT_V1, .name = "slowpoke", .version = "1",
    .description = "sleeps 40 ms per article", .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .process = slow_process};
INGESTD_PLUGIN_EXPORT { return &slow; }
"""

HANG_SRC = r"""
#define _POSIX_C_SOURCE 200809L
#include <ingestd/plugin.h>
#include <string.h>
#include <time.h>
static ingestd_verdict hang_process(void *state, ingestd_record *rec, const ingestd_host *host)
{
    (void)state;
    const char *body = host->get(rec, INGESTD_FIELD_BODY, NULL);
    if (body && strstr(body, "HANG")) {
        struct timespec ts = {2, 0};
        nanosleep(&ts, NULL);
    }
    return INGESTD_OK;
}
static const ingestd_plugin hang = {INGESTD_PLUGIN_INIT_V1, .name = "hangs", .version = "1",
    .description = "sleeps 2 s on articles that say HANG", .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .process = hang_process};
INGESTD_PLUGIN_EXPORT { return &hang; }
"""

FAIL_SRC = r"""
#include <ingestd/plugin.h>
static ingestd_verdict fail_process(void *state, ingestd_record *rec, const ingestd_host *host)
{
    (void)state;
    host->fail(rec, "always_fails: broken on purpose");
    return INGESTD_ERROR;
}
static const ingestd_plugin failing = {INGESTD_PLUGIN_INIT_V1, .name = "always_fails",
    .version = "1", .description = "fails every article", .flags = INGESTD_PLUGIN_THREAD_SAFE,
    .process = fail_process};
INGESTD_PLUGIN_EXPORT { return &failing; }
"""


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    return subprocess.run(cmd, **kw)


class SdkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="igsdk", dir="/tmp")
        cls.work = tempfile.mkdtemp(prefix="igsdkw", dir="/tmp")
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", cls.prefix], check=True,
                       stdout=subprocess.DEVNULL)
        cls.ingestd = os.path.join(cls.prefix, "bin", "ingestd")
        cls.ingestctl = os.path.join(cls.prefix, "bin", "ingestctl")
        cls.env = dict(os.environ)
        cls.env.pop("INGESTD_PLUGIN_DIR", None)
        cls.env["PKG_CONFIG_PATH"] = os.path.join(cls.prefix, "share", "pkgconfig")
        # the examples as installed with the documentation: no source tree involved
        cls.examples = os.path.join(cls.work, "examples")
        shutil.copytree(os.path.join(cls.prefix, "share", "doc", "ingestd", "examples"),
                        cls.examples)
        cls.pc_dir = os.path.join(cls.work, "pc")  # plugins built with the pkg-config one-liner
        os.mkdir(cls.pc_dir)
        for name in ("keyword_tagger", "drop_rule"):
            cls.cc(os.path.join(cls.examples, name, name + ".c"),
                   os.path.join(cls.pc_dir, name + ".so"),
                   ["-I" + os.path.join(cls.examples, "common")])
        # the same with CMake and find_package(IngestdPlugin)
        cls.cmake_so = {}
        for name in ("keyword_tagger", "drop_rule"):
            src = os.path.join(cls.examples, name)
            build = os.path.join(cls.work, "cmake-" + name)
            out = run(["cmake", "-S", src, "-B", build, "-DCMAKE_PREFIX_PATH=" + cls.prefix],
                      env=cls.env)
            assert out.returncode == 0, out.stdout + out.stderr
            out = run(["cmake", "--build", build], env=cls.env)
            assert out.returncode == 0, out.stdout + out.stderr
            cls.cmake_so[name] = os.path.join(build, name + ".so")
            assert os.path.isfile(cls.cmake_so[name]), os.listdir(build)

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("INGESTD_IT_KEEP"):
            shutil.rmtree(cls.prefix, ignore_errors=True)
            shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def cc(cls, src, out, extra=()):
        """The one-liner of the README: cc -shared -fPIC $(pkg-config --cflags ingestd-plugin)."""
        cmd = ("cc -std=c17 -Wall -Wextra -Werror -shared -fPIC "
               "$(pkg-config --cflags ingestd-plugin) %s '%s' -o '%s'"
               % (" ".join(extra), src, out))
        res = run(["sh", "-c", cmd], env=cls.env)
        assert res.returncode == 0, "%s\n%s" % (cmd, res.stderr)

    def check(self, *args):
        return run([self.ingestd, "plugin", "check"] + list(args), env=self.env)

    def build_tiny(self, name, source):
        folder = tempfile.mkdtemp(prefix="igsdkt", dir=self.work)
        src = os.path.join(folder, name + ".c")
        with open(src, "w", encoding="utf-8") as f:
            f.write(source)
        so = os.path.join(folder, name + ".so")
        self.cc(src, so)
        return so

    # ---- the installed SDK files --------------------------------------------------------

    def test_pkg_config_and_cmake_package(self):
        pc = lambda *a: run(["pkg-config"] + list(a) + ["ingestd-plugin"], env=self.env)
        self.assertEqual(pc("--cflags").stdout.strip(),
                         "-I" + os.path.join(self.prefix, "include"))
        self.assertEqual(pc("--variable=plugindir").stdout.strip(),
                         os.path.join(self.prefix, "lib", "ingestd", "plugins"))
        with open(os.path.join(self.prefix, "include", "ingestd", "plugin.h")) as f:
            header = f.read()
        major = re.search(r"#define INGESTD_ABI_MAJOR (\d+)", header).group(1)
        minor = re.search(r"#define INGESTD_ABI_MINOR (\d+)", header).group(1)
        self.assertEqual(pc("--modversion").stdout.strip(), "%s.%s" % (major, minor))
        self.assertTrue(os.path.isfile(os.path.join(
            self.prefix, "share", "cmake", "IngestdPlugin", "IngestdPluginConfig.cmake")))
        # the CMake package refuses another ABI major
        proj = os.path.join(self.work, "wrong_major")
        os.makedirs(proj, exist_ok=True)
        with open(os.path.join(proj, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\nproject(x LANGUAGES C)\n"
                    "find_package(IngestdPlugin %d.0 REQUIRED)\n" % (int(major) + 1))
        out = run(["cmake", "-S", proj, "-B", os.path.join(proj, "b"),
                   "-DCMAKE_PREFIX_PATH=" + self.prefix], env=self.env)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("IngestdPlugin", out.stderr)

    # ---- ingestd plugin check -----------------------------------------------------------

    def test_plugin_check_reports_both_builds(self):
        for so in (os.path.join(self.pc_dir, "keyword_tagger.so"),
                   self.cmake_so["keyword_tagger"]):
            out = self.check(so, "--config", json.dumps({"tags": {"budget": ["budget"]}}))
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            for want in ("plugin:      keyword_tagger", "version:     1.0.0", "abi:         1.0",
                         "(thread-safe)", "description: tags articles", "init:        ok",
                         "verdict:     ok", 'meta.tags: ["budget"]'):
                self.assertIn(want, out.stdout)
        for so in (os.path.join(self.pc_dir, "drop_rule.so"), self.cmake_so["drop_rule"]):
            out = self.check(so, "--config", json.dumps({"drop_if_title_matches": ["council"]}))
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertIn("plugin:      drop_rule", out.stdout)
            self.assertIn("verdict:     drop", out.stdout)  # the built-in sample's title

    def test_plugin_check_sample_and_exit_codes(self):
        tagger = os.path.join(self.pc_dir, "keyword_tagger.so")
        sample = os.path.join(self.work, "sample_tr.txt")
        with open(sample, "w", encoding="utf-8") as f:
            f.write(ARTICLES["tr_war.txt"])
        out = self.check(tagger, "--config", json.dumps({"tags": TAGS}), "--sample", sample)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('meta.tags: ["war"]', out.stdout)
        self.assertIn("sample:      " + sample, out.stdout)
        # config from a file
        cfg = os.path.join(self.work, "tags.json")
        with open(cfg, "w", encoding="utf-8") as f:
            json.dump({"tags": TAGS}, f)
        self.assertEqual(self.check(tagger, "--config", "@" + cfg, "--sample", sample).returncode,
                         0)
        # init refuses the config: 1, with the plugin's reason
        out = self.check(tagger, "--config", '{"tags": {"war": "war"}}')
        self.assertEqual(out.returncode, 1)
        self.assertIn("init:        FAILED", out.stdout)
        self.assertIn("init failed: config: expected an array of strings", out.stdout)
        out = self.check(os.path.join(self.pc_dir, "drop_rule.so"))
        self.assertEqual(out.returncode, 1)
        self.assertIn("no rule given", out.stdout)
        # a plugin that returns an error: 1
        failing = self.build_tiny("always_fails", FAIL_SRC)
        out = self.check(failing)
        self.assertEqual(out.returncode, 1)
        self.assertIn("verdict:     error: always_fails: broken on purpose", out.stdout)
        # not a plugin / no such file / unknown name: 1
        self.assertEqual(self.check(os.path.join(self.examples, "drop_rule",
                                                 "drop_rule.c")).returncode, 1)
        out = self.check(os.path.join(self.work, "nope.so"))
        self.assertEqual(out.returncode, 1)
        self.assertIn("no such file", out.stdout)
        out = self.check("no_such_plugin")
        self.assertEqual(out.returncode, 1)
        self.assertIn("not found (searched %s" % os.path.join(self.prefix, "lib", "ingestd",
                                                             "plugins"), out.stdout)
        # a built-in plugin by name, found next to the installed binary
        out = self.check("datetime")
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertIn("published_at", out.stdout)
        # usage errors: 2
        self.assertEqual(self.check().returncode, 2)
        self.assertEqual(self.check(tagger, tagger).returncode, 2)
        self.assertEqual(self.check(tagger, "--config", "[1]").returncode, 2)
        self.assertEqual(self.check(tagger, "--bogus").returncode, 2)
        self.assertEqual(run([self.ingestd, "plugin"], env=self.env).returncode, 2)
        self.assertEqual(run([self.ingestd, "plugin", "frobnicate"], env=self.env).returncode, 2)
        self.assertIn("ingestd plugin check", run([self.ingestd, "--help"]).stdout)

    def test_walkthrough_of_installed_plugins_md(self):
        with open(os.path.join(self.prefix, "share", "doc", "ingestd", "PLUGINS.md"),
                  encoding="utf-8") as f:
            doc = f.read()
        walk = doc[doc.index("## Walk-through"):]
        code = re.search(r"```c\n(.*?)```", walk, re.S).group(1)
        name = re.search(r'\.name = "([a-z0-9_-]+)"', code).group(1)
        folder = tempfile.mkdtemp(prefix="igsdkwt", dir=self.work)
        src = os.path.join(folder, name + ".c")
        with open(src, "w", encoding="utf-8") as f:
            f.write(code)
        so = os.path.join(folder, name + ".so")
        self.cc(src, so)
        cfg = re.search(r"ingestd plugin check \./%s\.so --config '(.*?)'" % name, walk).group(1)
        out = self.check(so, "--config", cfg)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("meta.words:", out.stdout)
        out = self.check(so, "--config", '{"min_words": 1000}')
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("verdict:     drop", out.stdout)

    # ---- a running daemon ---------------------------------------------------------------

    def daemon(self, plugins, **settings):
        d = harness.Daemon(plugins=plugins, **settings)
        self.addCleanup(d.cleanup)
        return d

    def use_installed_binaries(self):
        saved = (harness.INGESTD, harness.INGESTCTL)
        harness.INGESTD, harness.INGESTCTL = self.ingestd, self.ingestctl
        self.addCleanup(lambda: setattr(harness, "INGESTD", saved[0]) or
                        setattr(harness, "INGESTCTL", saved[1]))
        saved_env = os.environ.pop("INGESTD_PLUGIN_DIR", None)
        if saved_env is not None:
            self.addCleanup(os.environ.__setitem__, "INGESTD_PLUGIN_DIR", saved_env)

    def test_daemon_loads_examples_and_shows_their_effect(self):
        self.use_installed_binaries()
        d = self.daemon(["datetime", "cleanup", "langdetect"])
        d.start()
        d.drop("before.txt", ("War museum opens in the old town\n\n" + LONG_EN).encode())
        d.wait_settled(1)
        # the user adds the plugins to the configuration of the RUNNING daemon: one by name
        # (plugin_dirs), one by path (the CMake build), checks it, then reloads
        d.config["plugin_dirs"] = [self.pc_dir]
        d.config["plugins"] = ["datetime", "cleanup", "langdetect",
                               {"name": "keyword_tagger", "config": {"tags": TAGS}},
                               {"name": self.cmake_so["drop_rule"], "config": DROP}]
        d.write_config()
        out = run([self.ingestd, "check", "-c", d.config_path], env=self.env)
        self.assertEqual(out.returncode, 0, out.stderr)
        out = d.ctl("reload")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        for name, text in sorted(ARTICLES.items()):
            d.drop(name, text.encode())
        s = d.wait_settled(1 + len(ARTICLES))  # counters span the reload: 1 article before it
        self.assertEqual(s["dropped"], 2, s)
        self.assertEqual(s["committed"], 1 + 3, s)
        self.assertEqual(s["failed"], 0, s)
        plugins = {p["name"]: p for p in s["plugins"]}
        self.assertEqual(plugins["keyword_tagger"]["path"],
                         os.path.join(self.pc_dir, "keyword_tagger.so"))
        self.assertEqual(plugins["drop_rule"]["path"], self.cmake_so["drop_rule"])
        self.assertEqual(plugins["drop_rule"]["drops"], 2)
        self.assertEqual(plugins["drop_rule"]["calls"], 5)
        self.assertEqual(plugins["keyword_tagger"]["error_rate"], 0)
        self.assertFalse(plugins["keyword_tagger"]["failing"])

        def tags_of(name):
            rows = d.query("SELECT uid FROM articles WHERE source LIKE ?", ("%/" + name,))
            self.assertEqual(len(rows), 1, name)
            art = d.ctl_json("get", rows[0]["uid"])
            art = art.get("article", art)
            return (art.get("meta") or {}).get("tags")
        self.assertEqual(tags_of("tr_war.txt"), ["war"])
        self.assertEqual(tags_of("el_war.txt"), ["war"])
        self.assertIsNone(tags_of("en_plain.txt"))
        self.assertIsNone(tags_of("before.txt"))  # ingested before the plugin was added
        for name in ("en_horoscope.txt", "short.txt"):
            self.assertEqual(d.scalar("SELECT count(*) FROM articles WHERE source LIKE ?",
                                      ("%/" + name,)), 0, name)
        # the human-readable get shows the tags too
        uid = d.query("SELECT uid FROM articles WHERE source LIKE ?", ("%/el_war.txt",))[0]["uid"]
        out = d.ctl("get", uid)
        self.assertEqual(out.returncode, 0)
        self.assertIn("war", out.stdout.decode())
        d.stop()

    def test_misbehaving_plugins_are_reported_not_fatal(self):
        self.use_installed_binaries()
        failing = self.build_tiny("always_fails", FAIL_SRC)
        slow = self.build_tiny("slowpoke", SLOW_SRC)
        d = self.daemon([slow, failing], plugin_timeout_ms=5, workers=2)
        d.start()
        n = 22  # more than the window of 20 consecutive errors
        for i in range(n):
            d.drop("a%02d.txt" % i, ("Title %d\n\n" % i + LONG_EN).encode())
        s = d.wait_settled(n, timeout=60)
        self.assertEqual(s["failed"], n)
        p = {x["name"]: x for x in s["plugins"]}
        self.assertEqual(p["always_fails"]["errors"], n)
        self.assertEqual(p["always_fails"]["error_rate"], 1)
        self.assertTrue(p["always_fails"]["failing"])
        self.assertEqual(p["slowpoke"]["error_rate"], 0)
        self.assertFalse(p["slowpoke"]["failing"])
        self.assertEqual(p["slowpoke"]["slow_calls"], n)
        self.assertGreaterEqual(p["slowpoke"]["max_us"], 40000)
        log = d.log()
        self.assertIn("plugin always_fails: returned an error for each of the last 20 articles",
                      log)
        self.assertIn("always_fails: broken on purpose", log)
        # the slow call is reported with the plugin and the article's source (rate-limited:
        # one warning per plugin per 10 s)
        m = re.search(r"plugin slowpoke: took (\d+) ms on article (\S+), over the time limit of "
                      r"5 ms", log)
        self.assertTrue(m, log)
        self.assertGreaterEqual(int(m.group(1)), 40)
        self.assertTrue(os.path.basename(m.group(2)).startswith("a"), m.group(2))
        self.assertEqual(log.count("plugin always_fails: returned an error for each"), 1)
        self.assertTrue(d.running())
        d.stop()

    def test_hung_call_is_reported_while_it_hangs(self):
        self.use_installed_binaries()
        hang = self.build_tiny("hangs", HANG_SRC)
        d = self.daemon([hang], plugin_timeout_ms=200, workers=2)
        d.start()
        path = d.drop("stuck.txt", ("Stuck article\n\nHANG " + LONG_EN).encode())
        t0 = time.monotonic()
        harness.wait_until(lambda: "still running" in d.log(), 10, "the watchdog's warning")
        # reported while the call still runs (it sleeps 2 s), naming plugin, source and limit
        self.assertLess(time.monotonic() - t0, 1.9)
        self.assertEqual(d.stats()["committed"], 0)
        m = re.search(r"plugin hangs: still running after (\d+) ms on article (\S+), over the "
                      r"time limit of 200 ms", d.log())
        self.assertTrue(m, d.log())
        self.assertGreaterEqual(int(m.group(1)), 200)
        self.assertEqual(m.group(2), path)
        # the other worker goes on meanwhile, and the hung call ends normally
        d.drop("fine.txt", ("Fine article\n\n" + LONG_EN).encode())
        s = d.wait_settled(2)
        self.assertEqual(s["committed"], 2)
        p = s["plugins"][0]
        self.assertEqual(p["slow_calls"], 1)
        self.assertEqual(d.log().count("still running"), 1)  # once per call
        self.assertRegex(d.log(), r"plugin hangs: took \d+ ms on article %s, over the time limit "
                         r"of 200 ms \(plugin_timeout_ms; the call was not aborted\)\n"
                         % re.escape(path))
        d.stop()

    # ---- search path and trust ----------------------------------------------------------

    def test_name_provided_by_two_folders_is_refused(self):
        # cmake --install puts the CMake build into the installation's plugin folder, and
        # plugin_dirs has another keyword_tagger.so
        build = os.path.dirname(self.cmake_so["keyword_tagger"])
        out = run(["cmake", "--install", build], env=self.env)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        installed = os.path.join(self.prefix, "lib", "ingestd", "plugins", "keyword_tagger.so")
        self.addCleanup(os.unlink, installed)
        self.assertTrue(os.path.isfile(installed))
        other = os.path.join(self.pc_dir, "keyword_tagger.so")
        cfgjson = json.dumps({"tags": TAGS})
        out = self.check("keyword_tagger", "--plugin-dir", self.pc_dir, "--config", cfgjson)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn('plugin "keyword_tagger": provided by two folders: %s and %s'
                      % (installed, other), out.stdout)
        # alone in the built-in folder it loads by name
        self.assertEqual(self.check("keyword_tagger", "--config", cfgjson).returncode, 0)
        # the daemon refuses the chain with the same message (exit 78)
        root = tempfile.mkdtemp(prefix="igsdkd", dir=self.work)
        os.mkdir(os.path.join(root, "inbox"))
        cfg = {"watch": [{"path": "inbox"}], "database": "db", "control_socket": "sock",
               "plugin_dirs": [self.pc_dir],
               "plugins": [{"name": "keyword_tagger", "config": {"tags": TAGS}}]}
        path = os.path.join(root, "ingestd.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        out = run([self.ingestd, "check", "-c", path], env=self.env)
        self.assertEqual(out.returncode, harness.EXIT_CONFIG)
        self.assertIn(installed, out.stderr)
        self.assertIn(other, out.stderr)
        # naming it by path picks one file explicitly
        cfg["plugins"] = [{"name": other, "config": {"tags": TAGS}}]
        with open(path, "w") as f:
            json.dump(cfg, f)
        out = run([self.ingestd, "check", "-c", path], env=self.env)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_trust_refuses_writable_or_foreign_plugins(self):
        folder = tempfile.mkdtemp(prefix="igsdktr", dir=self.work)
        so = os.path.join(folder, "drop_rule.so")
        shutil.copy(os.path.join(self.pc_dir, "drop_rule.so"), so)
        os.chmod(so, 0o755)
        cfgjson = json.dumps(DROP)
        self.assertEqual(self.check(so, "--config", cfgjson).returncode, 0)

        def refused(needle):
            out = self.check(so, "--config", cfgjson)
            self.assertEqual(out.returncode, 1, out.stdout)
            self.assertIn(needle, out.stdout)
            self.assertIn("refused", out.stdout)
            relaxed = self.check(so, "--config", cfgjson, "--relaxed")
            self.assertEqual(relaxed.returncode, 0, relaxed.stdout)

        os.chmod(folder, 0o775)
        refused("folder %s is writable by group (mode 0775)" % folder)
        os.chmod(folder, 0o1777)  # sticky, like /tmp: others cannot replace our file
        self.assertEqual(self.check(so, "--config", cfgjson).returncode, 0)
        os.chmod(folder, 0o700)
        os.chmod(so, 0o757)
        refused("file %s is writable by others (mode 0757)" % so)
        os.chmod(so, 0o755)
        if os.geteuid() == 0:
            os.chown(so, 65534, -1)
            refused("file %s is owned by uid 65534" % so)
            os.chown(so, 0, -1)
            os.chown(folder, 65534, -1)
            refused("folder %s is owned by uid 65534" % folder)
            os.chown(folder, 0, -1)
        # a symlink from a writable folder to a trusted file: the link's folder counts too
        links = tempfile.mkdtemp(prefix="igsdktl", dir=self.work)
        link = os.path.join(links, "drop_rule.so")
        os.symlink(so, link)
        os.chmod(links, 0o777)
        out = self.check(link, "--config", cfgjson)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("folder %s is writable by group and others" % links, out.stdout)
        os.chmod(links, 0o755)
        self.assertEqual(self.check(link, "--config", cfgjson).returncode, 0)

        # the daemon: plugin_trust strict refuses (exit 78), relaxed loads
        os.chmod(folder, 0o777)
        root = tempfile.mkdtemp(prefix="igsdkd", dir=self.work)
        os.mkdir(os.path.join(root, "inbox"))
        cfg = {"watch": [{"path": "inbox"}], "database": "db", "control_socket": "sock",
               "plugins": [{"name": so, "config": DROP}]}
        path = os.path.join(root, "ingestd.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        out = run([self.ingestd, "check", "-c", path], env=self.env)
        self.assertEqual(out.returncode, harness.EXIT_CONFIG)
        self.assertIn("folder %s is writable by group and others (mode 0777)" % folder,
                      out.stderr)
        cfg["plugin_trust"] = "relaxed"
        with open(path, "w") as f:
            json.dump(cfg, f)
        out = run([self.ingestd, "check", "-c", path], env=self.env)
        self.assertEqual(out.returncode, 0, out.stderr)
        os.chmod(folder, 0o700)


if __name__ == "__main__":
    unittest.main()
