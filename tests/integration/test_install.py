"""Installation: `cmake --install` into a temporary prefix gives an ingestd that finds its
built-in plugins relative to its own location, with no configuration, and the header, example
configuration and systemd unit land where the README says."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import harness

BUILD_DIR = os.path.abspath(os.path.join(harness.BIN_DIR, ".."))


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.prefix = tempfile.mkdtemp(prefix="igi")
        self.addCleanup(shutil.rmtree, self.prefix, ignore_errors=True)
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", self.prefix],
                       check=True, stdout=subprocess.DEVNULL)

    def test_layout(self):
        for rel in ["bin/ingestd", "bin/ingestctl", "include/ingestd/plugin.h",
                    "etc/ingestd/ingestd.json"]:
            self.assertTrue(os.path.exists(os.path.join(self.prefix, rel)), rel)
        plugdir = os.path.join(self.prefix, "lib", "ingestd", "plugins")
        self.assertEqual(sorted(os.listdir(plugdir)),
                         ["cleanup.so", "datetime.so", "langdetect.so"])
        units = [os.path.join(r, f) for r, _, fs in os.walk(self.prefix) for f in fs
                 if f == "ingestd.service"]
        self.assertEqual(len(units), 1)
        with open(units[0], encoding="utf-8") as f:
            unit = f.read()
        # the unit points at this prefix, not at /usr/bin
        self.assertIn(os.path.join(self.prefix, "bin", "ingestd") + " run", unit)
        self.assertIn("Type=notify", unit)

    def test_installed_binary_finds_its_plugins(self):
        env = dict(os.environ)
        env.pop("INGESTD_PLUGIN_DIR", None)
        text = "05.09.2025\nBaşlık burada\n\nBu bir Türkçe haber metnidir ve yeterince uzun " \
               "bir paragraf içerir; dil tespiti için birkaç cümle yazıyoruz.\n"
        out = subprocess.run([os.path.join(self.prefix, "bin", "ingestd"), "process", "-"],
                             input=text.encode(), capture_output=True, env=env, cwd=self.prefix)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        rec = json.loads(out.stdout.decode().strip())
        self.assertEqual(rec["outcome"], "ok")
        self.assertEqual(rec["published_at"], "2025-09-05")
        self.assertEqual(rec["lang"], "tr")
        self.assertNotIn("05.09.2025", rec["body"])

    def test_installed_example_config_is_valid(self):
        # the example config watches /srv/ingestd/inbox: point it at a temp folder and check it
        with open(os.path.join(self.prefix, "etc", "ingestd", "ingestd.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        inbox = os.path.join(self.prefix, "inbox")
        os.mkdir(inbox)
        cfg["watch"][0]["path"] = inbox
        path = os.path.join(self.prefix, "test.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        out = subprocess.run([os.path.join(self.prefix, "bin", "ingestd"), "check", "-c", path],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("ok", out.stdout)


if __name__ == "__main__":
    unittest.main()
