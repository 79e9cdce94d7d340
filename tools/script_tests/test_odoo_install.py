"""Tests of how tools/_common.sh sets Odoo 18 up when none is found.

The set-up takes Odoo's source from ODOO_SOURCE (an address, an archive file
or a source folder) into ODOO_SETUP_DIR and makes a venv there with its
requirements.txt. Here the source is a small fake Odoo 18.0 the test makes,
the address a file:// one or a closed local port: no network. `python3 -m
venv`, pip, dpkg-query and apt-get are fakes that record what they were
asked, so nothing is installed on this machine.
"""

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import unittest
import zipfile
from pathlib import Path

from test_odoo_setup import COMMON, FAKE_ODOO_BIN, TOOLS, write

# Runs setup_odoo as tools/test and tools/demo do, then Odoo.
HARNESS = """\
set -euo pipefail
source "$COMMON"
setup_odoo || exit 3
printf 'ODOO_BIN=%s\\n' "$ODOO_BIN"
printf 'ODOO_PYTHON=%s\\n' "$ODOO_PYTHON"
printf 'ODOO_CORE_ADDONS=%s\\n' "$ODOO_CORE_ADDONS"
odoo_exec "$@"
"""

# `python3 -m venv DIR` makes DIR/bin/python: a Python that records
# `-m pip ...` instead of installing, and runs anything else as the real one.
FAKE_PYTHON3 = f"""\
#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    mkdir -p "$3/bin"
    echo "$3" >>"$FAKE_RECORD_DIR/venv"
    cat >"$3/bin/python" <<'EOF'
#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
    echo "$*" >>"$FAKE_RECORD_DIR/pip"
    cat "$PIP_CONSTRAINT" >"$FAKE_RECORD_DIR/pip-constraint"
    exit "${{FAKE_PIP_EXIT:-0}}"
fi
FAKE_PYTHON="$0" exec {sys.executable} "$@"
EOF
    chmod +x "$3/bin/python"
    exit 0
fi
exec {sys.executable} "$@"
"""

# Every system package is missing; apt-get records what it is asked.
FAKE_DPKG_QUERY = """\
#!/bin/sh
echo "dpkg-query: no packages found matching $*" >&2
exit 1
"""
FAKE_APT_GET = """\
#!/bin/sh
echo "$*" >>"$FAKE_RECORD_DIR/apt-get"
"""


def closed_port():
    """A local TCP port nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooInstallCase(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.mkdtemp(prefix="adc-install-tests.")
        self.addCleanup(shutil.rmtree, tmp)
        self.tmp = Path(tmp)
        self.records = self.tmp / "records"
        self.records.mkdir()
        self.setup_dir = self.tmp / "setup"
        # Only the fakes and the system's tools on PATH: no odoo-bin.
        self.bin = self.tmp / "bin"
        write(self.bin / "python3", FAKE_PYTHON3, 0o755)
        write(self.bin / "dpkg-query", FAKE_DPKG_QUERY, 0o755)
        write(self.bin / "apt-get", FAKE_APT_GET, 0o755)

    def make_source(self, root, series=(18, 0)):
        """A fake Odoo source as in its repository's archive."""
        write(root / "odoo-bin", FAKE_ODOO_BIN)
        write(
            root / "odoo" / "release.py",
            f"version_info = ({series[0]}, {series[1]}, 0, FINAL, 0, '')\n",
        )
        write(root / "odoo" / "addons" / "base" / "__manifest__.py", "{}\n")
        write(root / "addons" / "web" / "__manifest__.py", "{}\n")
        write(root / "requirements.txt", "psycopg2==2.9.9\nWerkzeug==3.0.1\n")
        return root

    def make_tar(self, series=(18, 0)):
        """odoo-18.0.tar.gz with one top folder, as GitHub serves it."""
        source = self.make_source(self.tmp / "build" / "odoo-18.0", series)
        archive = self.tmp / "odoo-18.0.tar.gz"
        with tarfile.open(archive, "w:gz") as tf:
            tf.add(source, arcname="odoo-18.0")
        shutil.rmtree(source)
        return archive

    def make_zip(self):
        source = self.make_source(self.tmp / "build" / "odoo-18.0")
        archive = self.tmp / "odoo-18.0.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for path in sorted(source.rglob("*")):
                zf.write(path, Path("odoo-18.0") / path.relative_to(source))
        shutil.rmtree(source)
        return archive

    def env(self, **env):
        full_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ODOO_", "FAKE_", "SKIP_", "DEMO_"))
        }
        full_env.update(
            PATH=f"{self.bin}:/usr/bin:/bin",
            COMMON=str(COMMON),
            FAKE_ODOO_RECORD=str(self.records / "odoo.json"),
            FAKE_RECORD_DIR=str(self.records),
            ODOO_SETUP_DIR=str(self.setup_dir),
        )
        full_env.update({key: str(value) for key, value in env.items()})
        return full_env

    def run_setup(self, *args, **env):
        proc = subprocess.run(
            ["bash", "-c", HARNESS, "harness", *(args or ["--version"])],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        info = dict(re.findall(r"^(ODOO_\w+)=(.*)$", proc.stdout, re.M))
        return proc, info

    def record(self, name):
        path = self.records / name
        return path.read_text().splitlines() if path.exists() else []

    def assert_set_up(self, proc, info, addons_in=None):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        src, venv = self.setup_dir / "src", self.setup_dir / "venv"
        self.assertEqual(info["ODOO_BIN"], f"{src}/odoo-bin")
        self.assertEqual(info["ODOO_PYTHON"], f"{venv}/bin/python")
        addons_in = addons_in or src
        self.assertEqual(
            info["ODOO_CORE_ADDONS"], f"{addons_in}/odoo/addons,{addons_in}/addons"
        )
        # Odoo ran with the venv's Python.
        odoo_run = (self.records / "odoo.json").read_text()
        self.assertIn(f'"fake_python": "{venv}/bin/python"', odoo_run)
        # The venv holds Odoo's requirements.txt and websocket-client.
        self.assertEqual(
            self.record("pip"),
            [
                f"-m pip install --disable-pip-version-check"
                f" -r {src}/requirements.txt websocket-client"
            ],
        )
        # sdists that import pkg_resources still build
        self.assertEqual(self.record("pip-constraint"), ["setuptools<81"])


class TestSetupFromSource(OdooInstallCase):
    def test_from_archive_file(self):
        archive = self.make_tar()
        proc, info = self.run_setup("-d", "x", ODOO_SOURCE=archive)
        self.assert_set_up(proc, info)
        self.assertIn(f"setting it up in {self.setup_dir} from {archive}", proc.stderr)
        self.assertTrue((self.setup_dir / "src" / "odoo" / "addons" / "base").is_dir())
        self.assertFalse((self.setup_dir / "src").is_symlink())

    def test_from_address(self):
        """An address is downloaded (here a file:// one: no network)."""
        archive = self.make_zip()
        proc, info = self.run_setup(ODOO_SOURCE=archive.as_uri())
        self.assert_set_up(proc, info)
        self.assertEqual(
            (self.setup_dir / "source").read_text().strip(), archive.as_uri()
        )

    def test_from_source_folder(self):
        """A folder is used where it is; only the venv is made."""
        source = self.make_source(self.tmp / "odoo-src")
        proc, info = self.run_setup(ODOO_SOURCE=source)
        self.assert_set_up(proc, info, addons_in=source.resolve())
        self.assertTrue((self.setup_dir / "src").is_symlink())
        self.assertEqual((self.setup_dir / "src").resolve(), source.resolve())

    def test_default_address_is_odoo_18_source(self):
        """Without ODOO_SOURCE: the one address, Odoo's 18.0 source archive."""
        text = COMMON.read_text()
        addresses = re.findall(r"https?://[^\s\"']+", text)
        self.assertEqual(
            addresses, ["https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"]
        )
        for name in ("test", "demo", "benchmark"):
            with self.subTest(script=name):
                self.assertNotRegex(
                    (TOOLS / name).read_text(), r"https?://[^\s]*odoo/odoo"
                )

    def test_second_run_reuses_the_set_up(self):
        archive = self.make_tar()
        proc, _info = self.run_setup(ODOO_SOURCE=archive)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        archive.unlink()
        (self.records / "odoo.json").unlink()
        proc, info = self.run_setup()  # no ODOO_SOURCE: the default address
        self.assert_set_up(proc, info)  # one pip run in all
        self.assertNotIn("setting it up", proc.stderr)
        self.assertEqual(len(self.record("venv")), 1)

    def test_changed_requirements_refresh_the_venv(self):
        source = self.make_source(self.tmp / "odoo-src")
        self.run_setup(ODOO_SOURCE=source)
        with (source / "requirements.txt").open("a") as f:
            f.write("lxml==5.2.1\n")
        proc, _info = self.run_setup(ODOO_SOURCE=source)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(self.record("pip")), 2)

    def test_system_packages(self):
        """Installed with apt-get as root; named in one line otherwise."""
        proc, _info = self.run_setup(ODOO_SOURCE=self.make_tar())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        if os.geteuid() == 0:
            self.assertEqual(self.record("apt-get")[0], "update -qq")
            self.assertEqual(
                self.record("apt-get")[1],
                "install -y -qq --no-install-recommends build-essential"
                " python3-dev python3-venv libpq-dev libldap2-dev libsasl2-dev"
                " postgresql wkhtmltopdf",
            )
        else:
            self.assertIn(
                "Odoo needs these system packages, missing here:", proc.stderr
            )

    def test_system_packages_named_when_apt_get_is_not_wanted(self):
        proc, _info = self.run_setup(ODOO_SOURCE=self.make_tar(), ODOO_APT_GET="none")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.record("apt-get"), [])
        lines = [line for line in proc.stderr.splitlines() if "system packages" in line]
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn("libpq-dev", lines[0])
        self.assertIn("apt-get install", lines[0])

    def test_pip_failure_stops(self):
        proc, _info = self.run_setup(ODOO_SOURCE=self.make_tar(), FAKE_PIP_EXIT=1)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("pip could not install Odoo's requirements.txt", proc.stderr)
        # Not marked done: the next run tries again.
        self.assertFalse((self.setup_dir / "venv" / ".odoo-requirements").exists())


class TestSetupRefused(OdooInstallCase):
    def assert_one_line(self, proc, text):
        self.assertEqual(proc.returncode, 3, proc.stderr)
        lines = [
            line for line in proc.stderr.splitlines() if "could not be set up" in line
        ]
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn(text, lines[0])
        self.assertFalse((self.records / "odoo.json").exists())
        self.assertFalse((self.setup_dir / "src").exists())

    def test_no_network(self):
        url = f"http://127.0.0.1:{closed_port()}/odoo-18.0.tar.gz"
        proc, _info = self.run_setup(ODOO_SOURCE=url)
        self.assert_one_line(proc, f"cannot download {url}")
        self.assertEqual(self.record("pip"), [])

    def test_missing_archive_file(self):
        proc, _info = self.run_setup(ODOO_SOURCE=self.tmp / "nope.tar.gz")
        self.assert_one_line(proc, "nope.tar.gz: no such file or folder")

    def test_archive_without_odoo(self):
        archive = self.tmp / "other.tar.gz"
        with tarfile.open(archive, "w:gz") as tf:
            data = b"hello\n"
            member = tarfile.TarInfo("other-1.0/README")
            member.size = len(data)
            tf.addfile(member, io.BytesIO(data))
        proc, _info = self.run_setup(ODOO_SOURCE=archive)
        self.assert_one_line(proc, "does not hold Odoo's source")

    def test_broken_archive(self):
        archive = write(self.tmp / "odoo.tar.gz", "not an archive\n")
        proc, _info = self.run_setup(ODOO_SOURCE=archive)
        self.assert_one_line(proc, "cannot extract")

    def test_other_series(self):
        proc, _info = self.run_setup(ODOO_SOURCE=self.make_tar(series=(17, 0)))
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("holds Odoo 17.0, not 18.0", proc.stderr)
        self.assertEqual(self.record("pip"), [])

    def test_found_odoo_downloads_nothing(self):
        """odoo-bin on PATH: ODOO_SOURCE is not even looked at."""
        source = self.make_source(self.tmp / "elsewhere")
        write(
            self.bin / "odoo-bin",
            textwrap.dedent(
                f"""\
                #!/bin/sh
                exec {sys.executable} "{source}/odoo-bin" "$@"
                """
            ),
            0o755,
        )
        url = f"http://127.0.0.1:{closed_port()}/odoo-18.0.tar.gz"
        proc, info = self.run_setup(ODOO_SOURCE=url)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(info["ODOO_BIN"], str(self.bin / "odoo-bin"))
        self.assertFalse(self.setup_dir.exists())
        self.assertEqual(self.record("pip"), [])

    def test_given_odoo_bin_is_not_replaced(self):
        """A wrong ODOO_BIN is an error, not a reason to download."""
        proc, _info = self.run_setup(
            ODOO_BIN=self.tmp / "nope", ODOO_SOURCE=self.make_tar()
        )
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("is not a file", proc.stderr)
        self.assertFalse(self.setup_dir.exists())


class TestScriptsWithoutOdoo(OdooInstallCase):
    """Where Odoo cannot be had, the scripts say so and go on as before."""

    def run_script(self, *args, **env):
        return subprocess.run(
            [str(TOOLS / args[0]), *args[1:]],
            env=self.env(
                ODOO_SOURCE=f"http://127.0.0.1:{closed_port()}/odoo-18.0.tar.gz", **env
            ),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    def test_tools_test_reports_odoo_suites_not_run(self):
        proc = self.run_script(
            "test",
            SKIP_SCRIPTS=1, SKIP_LINT=1, SKIP_WHEEL=1,
            TEST_LOG_DIR=self.tmp / "logs",
        )  # fmt: skip
        output = proc.stdout + proc.stderr
        self.assertEqual(proc.returncode, 0, output)
        self.assertIn("Odoo 18 could not be set up: cannot download", output)
        self.assertIn("Odoo tests not run", proc.stdout)
        self.assertEqual(proc.stdout.strip().splitlines()[-1], "0 passed, 0 failed")

    def test_tools_demo_says_why_and_how(self):
        proc = self.run_script("demo", "--init-only", DEMO_DB="adc_no_odoo")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("Odoo 18 could not be set up: cannot download", proc.stderr)
        self.assertIn("export ODOO_SOURCE=", proc.stderr)


if __name__ == "__main__":
    unittest.main()
