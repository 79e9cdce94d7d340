"""The pre-commit hooks run the linters of tools/test, at the same versions.

Read as text (no PyYAML needed): the pins of .pre-commit-config.yaml against
LINT_REQUIREMENTS and OCA_DISABLE of tools/test.
"""

import re
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLS_TEST = (REPO / "tools" / "test").read_text()
PRE_COMMIT = (REPO / ".pre-commit-config.yaml").read_text()
PYPROJECT = (REPO / "pyproject.toml").read_text()


def lint_requirements():
    block = re.search(r"^LINT_REQUIREMENTS=\((.*?)^\)", TOOLS_TEST, re.S | re.M)
    return dict(re.findall(r'"([\w.-]+)==([\w.]+)"', block.group(1)))


class TestPreCommitConfig(unittest.TestCase):
    def test_same_pins_as_tools_test(self):
        pins = lint_requirements()
        hooks = dict(re.findall(r'"([\w.-]+)==([\w.]+)"', PRE_COMMIT))
        for package in ("ruff", "pylint-odoo", "oca-odoo-pre-commit-hooks"):
            with self.subTest(package=package):
                self.assertIn(package, pins)
                self.assertEqual(hooks.get(package), pins[package])

    def test_one_version_per_package(self):
        pins = re.findall(r'"([\w.-]+)==([\w.]+)"', PRE_COMMIT)
        versions = {}
        for package, version in pins:
            versions.setdefault(package, set()).add(version)
        self.assertEqual({p: v for p, v in versions.items() if len(v) > 1}, {})

    def test_same_oca_checks_disabled(self):
        disabled = re.search(r'^OCA_DISABLE="([^"]*)"', TOOLS_TEST, re.M).group(1)
        self.assertIn(f"args: [--disable={disabled}, .]", PRE_COMMIT)

    def test_same_linter_configs(self):
        self.assertIn("ruff check --config .ruff.toml", PRE_COMMIT)
        self.assertIn("pylint --rcfile=.pylintrc --disable=import-error", PRE_COMMIT)


class TestWheelConfig(unittest.TestCase):
    def test_whool_pin_fits_build_requirement(self):
        """The whool of the "wheel contents" stage is one pip would build with."""
        pinned = lint_requirements()["whool"]
        low, high = re.search(
            r'requires = \["whool>=([\d.]+),<([\d.]+)"\]', PYPROJECT
        ).groups()

        def as_tuple(version):
            return tuple(int(x) for x in version.split("."))

        self.assertTrue(as_tuple(low) <= as_tuple(pinned) < as_tuple(high))

    def test_development_files_excluded(self):
        for path in ("tools/", ".ci/", ".pre-commit-config.yaml", "BENCHMARKS.md"):
            with self.subTest(path=path):
                self.assertIn(f'"{path}"', PYPROJECT)


if __name__ == "__main__":
    unittest.main()
