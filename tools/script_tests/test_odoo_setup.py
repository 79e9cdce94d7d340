"""Tests of how tools/_common.sh finds and runs Odoo, on a fake odoo-bin.

No Odoo is needed: the fake odoo-bin is a Python script that records which
interpreter ran it and with which arguments. tools/test runs this file as its
"script tests" stage; by hand:

    python3 -m unittest discover -s tools/script_tests -v
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

TOOLS = Path(__file__).resolve().parent.parent
COMMON = TOOLS / "_common.sh"

FAKE_ODOO_BIN = """\
#!/usr/bin/env python3
# A fake odoo-bin: records who ran it, then behaves as asked.
import json, os, sys, time
record = {
    "executable": sys.executable,
    "fake_python": os.environ.get("FAKE_PYTHON", ""),
    "script": os.path.abspath(__file__),
    "args": sys.argv[1:],
    "pid": os.getpid(),
}
with open(os.environ["FAKE_ODOO_RECORD"], "w") as f:
    json.dump(record, f)
if "--hang" in sys.argv:
    time.sleep(60)
sys.exit(int(os.environ.get("FAKE_ODOO_EXIT", "0")))
"""

# Runs one command of _common.sh the way tools/test and tools/demo do.
HARNESS = """\
set -euo pipefail
source "$COMMON"
setup_odoo || exit 3
printf 'ODOO_CMD=%s\\n' "${ODOO_CMD[*]}"
printf 'ODOO_PYTHON=%s\\n' "$ODOO_PYTHON"
printf 'ODOO_SCRIPT=%s\\n' "$ODOO_SCRIPT"
printf 'ODOO_CORE_ADDONS=%s\\n' "$ODOO_CORE_ADDONS"
case "${HARNESS_MODE:-run}" in
run) odoo_exec "$@" ;;
timeout) rc=0; odoo_exec --timeout 1 "$@" || rc=$?; echo "rc=$rc" ;;
background) odoo_exec --background "$@"; echo "ODOO_PID=$ODOO_PID"; wait "$ODOO_PID" ;;
esac
"""


def write(path, text, mode=0o644):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


class OdooSetupCase(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.mkdtemp(prefix="adc-script-tests.")
        self.addCleanup(shutil.rmtree, tmp)
        self.tmp = Path(tmp)
        self.record = self.tmp / "record.json"
        # A source checkout: odoo-bin (not executable, as a git checkout may
        # leave it) next to odoo/addons/base and addons/web.
        self.src = self.tmp / "src"
        self.odoo_bin = write(self.src / "odoo-bin", FAKE_ODOO_BIN)
        (self.src / "odoo" / "addons" / "base").mkdir(parents=True)
        (self.src / "addons" / "web").mkdir(parents=True)
        # Empty dirs first on PATH hide any real odoo-bin of this machine.
        self.bin = self.tmp / "bin"
        self.bin.mkdir()
        self.fake_python = self.make_python("venv/bin/python")

    def make_python(self, relpath):
        """A `python` that says it was used, then runs the real Python."""
        return write(
            self.tmp / relpath,
            textwrap.dedent(
                f"""\
                #!/bin/sh
                FAKE_PYTHON="$0" exec {sys.executable} "$@"
                """
            ),
            0o755,
        )

    def run_common(self, *args, mode="run", **env):
        full_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ODOO_", "FAKE_"))
        }
        full_env.update(
            PATH=f"{self.bin}:/usr/bin:/bin",
            COMMON=str(COMMON),
            FAKE_ODOO_RECORD=str(self.record),
            HARNESS_MODE=mode,
        )
        full_env.update({key: str(value) for key, value in env.items()})
        proc = subprocess.run(
            ["bash", "-c", HARNESS, "harness", *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        info = dict(re.findall(r"^(ODOO_\w+)=(.*)$", proc.stdout, re.M))
        return proc, info

    def recorded(self):
        self.assertTrue(self.record.exists(), "the fake odoo-bin did not run")
        return json.loads(self.record.read_text())

    def assert_ok(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


class TestOdooPython(OdooSetupCase):
    def test_odoo_python_runs_odoo_bin_with_env_shebang(self):
        """ODOO_PYTHON runs odoo-bin, not the python3 its shebang finds."""
        self.odoo_bin.chmod(0o755)
        proc, info = self.run_common(
            "-d", "db name", "--stop-after-init",
            ODOO_BIN=self.odoo_bin, ODOO_PYTHON=self.fake_python,
        )  # fmt: skip
        self.assert_ok(proc)
        rec = self.recorded()
        self.assertEqual(rec["fake_python"], str(self.fake_python))
        self.assertEqual(rec["script"], str(self.odoo_bin))
        self.assertEqual(rec["args"], ["-d", "db name", "--stop-after-init"])
        self.assertEqual(info["ODOO_CMD"], f"{self.fake_python} {self.odoo_bin}")
        self.assertEqual(
            info["ODOO_CORE_ADDONS"], f"{self.src}/odoo/addons,{self.src}/addons"
        )

    def test_non_executable_odoo_bin_with_odoo_python(self):
        """A checkout's odoo-bin without the execute bit is accepted."""
        self.assertFalse(os.access(self.odoo_bin, os.X_OK))
        proc, _info = self.run_common(
            "--version", ODOO_BIN=self.odoo_bin, ODOO_PYTHON=self.fake_python
        )
        self.assert_ok(proc)
        self.assertEqual(self.recorded()["fake_python"], str(self.fake_python))

    def test_odoo_python_given_by_name(self):
        """ODOO_PYTHON may be a command name found on PATH."""
        shutil.copy(self.fake_python, self.bin / "python-odoo")
        proc, _info = self.run_common(
            "--version", ODOO_BIN=self.odoo_bin, ODOO_PYTHON="python-odoo"
        )
        self.assert_ok(proc)
        self.assertEqual(self.recorded()["fake_python"], str(self.bin / "python-odoo"))

    def test_relative_odoo_bin(self):
        """A relative ODOO_BIN still works once the scripts change directory."""
        proc, info = self.run_common(
            "--version",
            ODOO_BIN=os.path.relpath(self.odoo_bin),
            ODOO_PYTHON=self.fake_python,
        )
        self.assert_ok(proc)
        self.assertEqual(info["ODOO_SCRIPT"], str(self.odoo_bin))

    def test_shebang_python_used_without_odoo_python(self):
        """Without ODOO_PYTHON, the Python of odoo-bin's shebang runs it."""
        write(
            self.odoo_bin,
            FAKE_ODOO_BIN.replace("/usr/bin/env python3", str(self.fake_python)),
            0o755,
        )
        proc, info = self.run_common("--version", ODOO_BIN=self.odoo_bin)
        self.assert_ok(proc)
        self.assertEqual(self.recorded()["fake_python"], str(self.fake_python))
        self.assertEqual(info["ODOO_PYTHON"], str(self.fake_python))

    def test_odoo_python_not_executable(self):
        proc, _info = self.run_common(
            "--version", ODOO_BIN=self.odoo_bin, ODOO_PYTHON=self.tmp / "nope"
        )
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("is not an executable file", proc.stderr)
        self.assertFalse(self.record.exists())

    def test_non_executable_wrapper_without_python(self):
        """A non-executable file that is no Python script is refused."""
        wrapper = write(self.tmp / "odoo-wrapper", "#!/bin/sh\necho hi\n")
        proc, _info = self.run_common("--version", ODOO_BIN=wrapper)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("set ODOO_PYTHON", proc.stderr)


class TestWrappers(OdooSetupCase):
    def make_wrapper(self, python=None):
        python = python or self.fake_python
        return write(
            self.bin / "odoo-bin",
            f'#!/bin/sh\nexec "{python}" "{self.odoo_bin}" "$@"\n',
            0o755,
        )

    def test_wrapper_on_path(self):
        """A wrapper on PATH: its Python runs the real odoo-bin."""
        self.make_wrapper()
        proc, info = self.run_common("-i", "account_debtor_collection")
        self.assert_ok(proc)
        rec = self.recorded()
        self.assertEqual(rec["fake_python"], str(self.fake_python))
        self.assertEqual(rec["args"], ["-i", "account_debtor_collection"])
        self.assertEqual(info["ODOO_SCRIPT"], str(self.odoo_bin))
        self.assertEqual(info["ODOO_PYTHON"], str(self.fake_python))
        self.assertEqual(
            info["ODOO_CORE_ADDONS"], f"{self.src}/odoo/addons,{self.src}/addons"
        )

    def test_wrapper_with_odoo_python(self):
        """ODOO_PYTHON wins over the Python the wrapper names."""
        self.make_wrapper()
        other = self.make_python("other/bin/python3")
        proc, _info = self.run_common("--version", ODOO_PYTHON=other)
        self.assert_ok(proc)
        self.assertEqual(self.recorded()["fake_python"], str(other))

    def test_opaque_wrapper_runs_as_is(self):
        """A wrapper that names no Python and odoo-bin runs as it is."""
        wrapper = write(
            self.bin / "odoo",
            textwrap.dedent(
                """\
                #!/bin/sh
                # e.g. a container: docker compose run odoo odoo "$@"
                printf '{"wrapper": true, "args": "%s"}' "$*" >"$FAKE_ODOO_RECORD"
                """
            ),
            0o755,
        )
        proc, info = self.run_common("--version", ODOO_ADDONS_PATH="/x/addons")
        self.assert_ok(proc)
        self.assertEqual(self.recorded(), {"wrapper": True, "args": "--version"})
        self.assertEqual(info["ODOO_CMD"], str(wrapper))


class TestOdooExec(OdooSetupCase):
    def test_background_pid_is_odoo(self):
        """--background: ODOO_PID is Odoo's own pid (signals reach Odoo)."""
        proc, info = self.run_common(
            "--version", mode="background",
            ODOO_BIN=self.odoo_bin, ODOO_PYTHON=self.fake_python,
        )  # fmt: skip
        self.assert_ok(proc)
        self.assertEqual(str(self.recorded()["pid"]), info["ODOO_PID"])

    def test_timeout_stops_a_hung_odoo(self):
        proc, _info = self.run_common(
            "--hang", mode="timeout",
            ODOO_BIN=self.odoo_bin, ODOO_PYTHON=self.fake_python,
        )  # fmt: skip
        self.assert_ok(proc)
        self.assertIn("rc=124", proc.stdout)

    def test_exit_status_passes_through(self):
        proc, _info = self.run_common(
            "--version",
            ODOO_BIN=self.odoo_bin, ODOO_PYTHON=self.fake_python, FAKE_ODOO_EXIT=7,
        )  # fmt: skip
        self.assertEqual(proc.returncode, 7)


class TestScripts(unittest.TestCase):
    def test_scripts_run_odoo_through_odoo_exec(self):
        """No script runs "$ODOO_BIN" itself: that would skip ODOO_PYTHON."""
        for name in ("test", "demo", "benchmark"):
            text = (TOOLS / name).read_text()
            with self.subTest(script=name):
                self.assertIn("odoo_exec ", text)
                self.assertNotRegex(text, r'(^|[\s;|&(])"\$ODOO_BIN"')

    def test_howto_names_no_git_host(self):
        proc = subprocess.run(
            ["bash", "-c", 'source "$0"; odoo_howto', str(COMMON)],
            capture_output=True,
            text=True,
            check=True,
        )
        self.assertIn("checkout of Odoo 18.0 Community source", proc.stderr)
        self.assertIn("ODOO_PYTHON=", proc.stderr)
        self.assertNotIn("://", proc.stderr)
        self.assertNotIn("git clone", proc.stderr)


if __name__ == "__main__":
    unittest.main()
