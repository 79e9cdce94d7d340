"""PEP 517 build backend: whool, minus the files that are not the addon.

whool packages every file under git control. This repository is the addon
itself, so its git files also hold the development tools (tools/, .ci/, lint
configs, BENCHMARKS.md ...), and whool has no setting to leave files out. This
backend lets whool build the wheel as usual, then rewrites it without the
paths listed in pyproject.toml:

    [tool.addon_wheel]
    exclude = ["tools/", ".pylintrc", "*.orig"]

A pattern ending in "/" drops that directory; any other is matched with
fnmatch against the path relative to the addon. The wheel's RECORD is written
anew. Source distributions and editable installs are whool's, unchanged (a
source distribution must keep this backend to be built again).
"""

import base64
import fnmatch
import hashlib
import os
import sys
import zipfile
from pathlib import Path

from whool import buildapi as _whool

if sys.version_info >= (3, 11):
    import tomllib
else:  # whool itself requires tomli there
    import tomli as tomllib

build_sdist = _whool.build_sdist
build_editable = _whool.build_editable
prepare_metadata_for_build_wheel = _whool.prepare_metadata_for_build_wheel
prepare_metadata_for_build_editable = _whool.prepare_metadata_for_build_editable


def _exclude_patterns(source_dir):
    pyproject = Path(source_dir) / "pyproject.toml"
    if not pyproject.is_file():
        return []
    with pyproject.open("rb") as f:
        options = tomllib.load(f).get("tool", {}).get("addon_wheel", {})
    patterns = options.get("exclude", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ValueError("[tool.addon_wheel] exclude must be a list of strings")
    return patterns


def is_excluded(relpath, patterns):
    """Whether relpath (relative to the addon, "/"-separated) is left out."""
    for pattern in patterns:
        if pattern.endswith("/"):
            if relpath.startswith(pattern) or fnmatch.fnmatch(
                relpath.split("/", 1)[0] + "/", pattern
            ):
                return True
        elif fnmatch.fnmatch(relpath, pattern):
            return True
    return False


def _record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def strip_wheel(wheel_path, patterns):
    """Rewrites the wheel without the addon files that match patterns.

    Returns the paths removed, relative to the addon.
    """
    wheel_path = Path(wheel_path)
    removed = []
    tmp_path = wheel_path.with_name(wheel_path.name + ".tmp")
    with zipfile.ZipFile(wheel_path) as src:
        infos = src.infolist()
        record_name = next(
            i.filename for i in infos if i.filename.endswith(".dist-info/RECORD")
        )
        records = []
        with zipfile.ZipFile(tmp_path, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in infos:
                name = info.filename
                if name == record_name:
                    continue
                parts = name.split("/", 3)
                if parts[:2] == ["odoo", "addons"] and len(parts) == 4:
                    if is_excluded(parts[3], patterns):
                        removed.append(parts[3])
                        continue
                data = src.read(info)
                dst.writestr(info, data)
                if not name.endswith("/"):
                    records.append(f"{name},{_record_hash(data)},{len(data)}")
            records.append(f"{record_name},,")
            record_info = zipfile.ZipInfo(record_name, date_time=infos[0].date_time)
            record_info.external_attr = 0o644 << 16
            dst.writestr(record_info, "\n".join(records) + "\n", zipfile.ZIP_DEFLATED)
    os.replace(tmp_path, wheel_path)
    return removed


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = _whool.build_wheel(wheel_directory, config_settings, metadata_directory)
    patterns = _exclude_patterns(Path.cwd())
    if patterns:
        removed = strip_wheel(Path(wheel_directory) / name, patterns)
        print(f"addon_wheel: left {len(removed)} non-addon files out of {name}")
    return name
