"""Documentation stays true: every configuration key the daemon knows (from its own key table,
via --help-config) is documented in the README and shown in etc/ingestd.json, and the README
gives exactly the two set-up commands that .ci/run runs."""
import json
import os
import re
import subprocess
import unittest

import harness


class DocsTest(unittest.TestCase):
    def setUp(self):
        out = subprocess.run([harness.INGESTD, "--help-config"], capture_output=True, text=True,
                             check=True)
        self.keys = re.findall(r"^  ([a-z_]+) \(", out.stdout, re.M)
        self.assertGreater(len(self.keys), 10)
        with open(os.path.join(harness.SOURCE_DIR, "README.md"), encoding="utf-8") as f:
            self.readme = f.read()

    def test_every_key_in_readme(self):
        for key in self.keys:
            self.assertIn("| `%s` |" % key, self.readme, key)

    def test_every_key_in_example_config(self):
        with open(os.path.join(harness.SOURCE_DIR, "etc", "ingestd.json"), encoding="utf-8") as f:
            example = json.load(f)
        self.assertEqual(sorted(k for k in example if not k.startswith("_")), sorted(self.keys))

    def test_setup_commands(self):
        block = re.search(r"## Quick start.*?```sh\n(.*?)```", self.readme, re.S).group(1)
        commands = [l.split("#")[0].strip() for l in block.splitlines() if l.strip()]
        self.assertEqual(commands, ["./bootstrap demo", "./bootstrap test"])
        with open(os.path.join(harness.SOURCE_DIR, ".ci", "run"), encoding="utf-8") as f:
            self.assertIn("./bootstrap test\n", f.read())


if __name__ == "__main__":
    unittest.main()
