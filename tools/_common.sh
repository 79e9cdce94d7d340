# shellcheck shell=bash
# Helpers shared by tools/test, tools/demo and tools/benchmark. Source it; do
# not run it.
#
# Environment overrides understood here:
#   ADDON_DIR         addon to work on (default: the repository root)
#   ODOO_BIN          odoo-bin (or `odoo`, or a wrapper) to run (default: found
#                     on PATH, else the one set up in ODOO_SETUP_DIR); need not
#                     be executable when a Python is known
#   ODOO_PYTHON       the Python that runs Odoo (default: read from ODOO_BIN's
#                     shebang or from the wrapper's exec line)
#   ODOO_ADDONS_PATH  Odoo's own addons dirs, comma separated (default: guessed)
#   ODOO_SOURCE       where to set Odoo 18 up from when none is found: an
#                     address, an archive file (.tar.gz, .tar.xz, .zip) or a
#                     source folder (default: ODOO_SOURCE_DEFAULT below)
#   ODOO_SETUP_DIR    where it is set up (default: .local/odoo)
#   ODOO_APT_GET      the apt-get that installs Odoo's system packages (default:
#                     apt-get, used only as root); "none": never install them
#   PG_BINDIR         dir holding initdb/pg_ctl (default: newest PostgreSQL found)

# shellcheck disable=SC2034  # globals for the scripts that source this file
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON_NAME=account_debtor_collection
ADDON_DIR="$(cd "${ADDON_DIR:-$REPO_ROOT}" && pwd)"

# Odoo and PostgreSQL both want a UTF-8 locale; C.UTF-8 exists everywhere.
export LC_ALL=C.UTF-8 LANG=C.UTF-8

log() { printf '%s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Odoo 18.0 Community as Odoo S.A. publishes its source: the archive of the
# 18.0 branch of its repository (odoo-bin, odoo/addons, addons,
# requirements.txt). The one address the scripts fetch Odoo from, only when
# no Odoo is found; ODOO_SOURCE overrides it.
ODOO_SOURCE_DEFAULT="https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"
ODOO_SETUP_DIR="${ODOO_SETUP_DIR:-$REPO_ROOT/.local/odoo}"
# The Debian/Ubuntu packages Odoo's requirements.txt builds against (psycopg2
# and python-ldap have no wheels), the venv module, and what Odoo runs with:
# the PostgreSQL server and wkhtmltopdf for PDF reports.
ODOO_SYSTEM_PACKAGES=(
    build-essential python3-dev python3-venv libpq-dev libldap2-dev libsasl2-dev
    postgresql wkhtmltopdf
)
# Python modules Odoo's tests need beyond requirements.txt (browser tests).
ODOO_EXTRA_PYTHON_PACKAGES=(websocket-client)

odoo_howto() {
    cat >&2 <<EOF
Odoo 18 Community is needed but was not found (neither \$ODOO_BIN nor
\`odoo-bin\`/\`odoo\` on PATH), and it could not be set up in
$ODOO_SETUP_DIR. Either:
  - give the scripts Odoo's source to set it up from, as an archive file or a
    folder (a checkout of Odoo 18.0 Community source), then run them again:
       export ODOO_SOURCE=/path/to/odoo-18.0.tar.gz   # or /path/to/odoo-src
    They make a venv there with Odoo's requirements.txt; Debian packages
    needed first: ${ODOO_SYSTEM_PACKAGES[*]}
  - or use an Odoo 18 you have: export both (odoo-bin need not be executable)
       export ODOO_BIN=/path/to/odoo-src/odoo-bin ODOO_PYTHON=/path/to/venv/bin/python
    or put a wrapper named odoo-bin on PATH:
       #!/bin/sh
       exec /path/to/venv/bin/python /path/to/odoo-src/odoo-bin "\$@"
EOF
}

# shebang_python FILE: prints the interpreter that FILE's `#!` line names when
# it is a Python (looked up on PATH for `#!/usr/bin/env python3`), else nothing.
shebang_python() {
    local first_line words=()
    first_line="$(head -n 1 "$1" 2>/dev/null | tr -d '\r' || true)"
    [[ "$first_line" == '#!'*python* ]] || return 0
    read -r -a words <<<"${first_line#\#!}"
    if [[ "${words[0]}" == */env ]]; then
        [[ "${words[1]:-}" == -* ]] && words=("${words[@]:1}")  # env -S
        command -v "${words[1]:-}" 2>/dev/null || true
    else
        printf '%s\n' "${words[0]}"
    fi
}

# Sets ODOO_BIN (made absolute); returns 1 when Odoo cannot be found.
# ODOO_BIN may name a file that is not executable (odoo-bin in a source
# checkout often is not) when a Python is known to run it: ODOO_PYTHON, or
# the Python its shebang names.
find_odoo() {
    local found
    if [[ -n "${ODOO_BIN:-}" ]]; then
        if [[ "$ODOO_BIN" != */* ]]; then
            found="$(command -v "$ODOO_BIN" || true)"
            [[ -n "$found" ]] || { log "ODOO_BIN=$ODOO_BIN is not on PATH"; return 1; }
            ODOO_BIN="$found"
        fi
        if [[ ! -f "$ODOO_BIN" ]]; then
            log "ODOO_BIN=$ODOO_BIN is not a file"
            return 1
        fi
        ODOO_BIN="$(cd "$(dirname "$ODOO_BIN")" && pwd)/$(basename "$ODOO_BIN")"
        if [[ ! -x "$ODOO_BIN" && -z "${ODOO_PYTHON:-}" && -z "$(shebang_python "$ODOO_BIN")" ]]; then
            log "ODOO_BIN=$ODOO_BIN is not executable: set ODOO_PYTHON to the Python that runs it"
            return 1
        fi
        return 0
    fi
    ODOO_BIN="$(command -v odoo-bin || command -v odoo || true)"
    [[ -n "$ODOO_BIN" ]]
}

# Sets ODOO_PYTHON (the interpreter that runs Odoo), ODOO_SCRIPT (the real
# odoo-bin Python script, also when ODOO_BIN is a shell wrapper around it) and
# ODOO_CMD, the command that odoo_exec runs:
#   - ODOO_BIN is a Python script (odoo-bin, a pip-installed `odoo`), or any
#     file that is not executable while ODOO_PYTHON is set:
#     "$ODOO_PYTHON" "$ODOO_BIN", ODOO_PYTHON defaulting to its shebang's;
#   - ODOO_BIN is a wrapper such as `exec /venv/bin/python /src/odoo-bin "$@"`:
#     "$ODOO_PYTHON" /src/odoo-bin, ODOO_PYTHON defaulting to the wrapper's;
#   - any other wrapper (its exec line names no odoo-bin and Python):
#     "$ODOO_BIN" as it is; ODOO_PYTHON then only runs the scripts' helpers.
# Returns 1 when ODOO_PYTHON is set but is not an executable.
find_odoo_python() {
    local line word wrapper_python="" wrapper_script="" words=()
    if [[ -n "${ODOO_PYTHON:-}" ]]; then
        if [[ "$ODOO_PYTHON" != */* ]]; then
            ODOO_PYTHON="$(command -v "$ODOO_PYTHON" || echo "$ODOO_PYTHON")"
        fi
        if [[ ! -f "$ODOO_PYTHON" || ! -x "$ODOO_PYTHON" ]]; then
            log "ODOO_PYTHON=$ODOO_PYTHON is not an executable file"
            return 1
        fi
    fi
    ODOO_SCRIPT="$ODOO_BIN"
    if [[ -n "$(shebang_python "$ODOO_BIN")" || (! -x "$ODOO_BIN" && -n "${ODOO_PYTHON:-}") ]]; then
        # A Python script: run by ODOO_PYTHON, whatever its shebang says.
        : "${ODOO_PYTHON:=$(shebang_python "$ODOO_BIN")}"
        ODOO_CMD=("$ODOO_PYTHON" "$ODOO_BIN")
    else
        # A shell wrapper: its first exec line may name the Python and odoo-bin.
        line="$(grep -E -m 1 '^[[:space:]]*exec[[:space:]]' "$ODOO_BIN" 2>/dev/null || true)"
        read -r -a words <<<"$line"
        for word in "${words[@]}"; do
            word="${word//[\"\']/}"
            if [[ -z "$wrapper_python" && "$word" == *python* && -x "$word" ]]; then
                wrapper_python="$word"
            elif [[ -z "$wrapper_script" && ("$word" == *odoo-bin || "$word" == */odoo) && -f "$word" ]]; then
                wrapper_script="$word"
            fi
        done
        if [[ -n "$wrapper_script" && -z "$wrapper_python" ]]; then
            wrapper_python="$(shebang_python "$wrapper_script")"
        fi
        if [[ -n "$wrapper_script" && -n "${ODOO_PYTHON:-$wrapper_python}" ]]; then
            ODOO_SCRIPT="$wrapper_script"
            : "${ODOO_PYTHON:=$wrapper_python}"
            ODOO_CMD=("$ODOO_PYTHON" "$ODOO_SCRIPT")
        else
            ODOO_CMD=("$ODOO_BIN")
            if [[ -n "$wrapper_script" ]]; then ODOO_SCRIPT="$wrapper_script"; fi
        fi
    fi
    : "${ODOO_PYTHON:=$(command -v python3)}"
}

# odoo_exec [--timeout SECONDS] [--background] ODOO_ARGS...
# Runs Odoo (ODOO_CMD, see find_odoo_python) with ODOO_ARGS in the current
# directory. --timeout: stop it after SECONDS (SIGTERM, SIGKILL 30 s later;
# Ctrl-C still reaches it). --background: start it in the background and set
# ODOO_PID to its pid (Odoo's own, so that a signal reaches Odoo itself).
odoo_exec() {
    local prefix=() background=""
    while (($#)); do
        case "$1" in
        --timeout) prefix=(timeout --foreground -k 30 "$2"); shift 2 ;;
        --background) background=1; shift ;;
        *) break ;;
        esac
    done
    if [[ -n "$background" ]]; then
        "${prefix[@]}" "${ODOO_CMD[@]}" "$@" &
        ODOO_PID=$!
    else
        "${prefix[@]}" "${ODOO_CMD[@]}" "$@"
    fi
}

# Runs Odoo's Python from / so that no odoo/http.py in the cwd shadows stdlib.
odoo_python() { (cd / && "$ODOO_PYTHON" "$@"); }

# Sets ODOO_CORE_ADDONS: Odoo's own addons dirs, comma separated.
find_odoo_addons() {
    local src dirs=()
    if [[ -n "${ODOO_ADDONS_PATH:-}" ]]; then
        ODOO_CORE_ADDONS="$ODOO_ADDONS_PATH"
        return 0
    fi
    src="$(cd "$(dirname "$(readlink -f "$ODOO_SCRIPT")")" && pwd)"
    # A source checkout has odoo/addons (base, account, ...) and maybe addons/.
    [[ -d "$src/odoo/addons/base" ]] && dirs+=("$src/odoo/addons")
    [[ -d "$src/addons/web" ]] && dirs+=("$src/addons")
    if ((${#dirs[@]} == 0)); then
        # A pip-installed Odoo: ask it where its addons are.
        src="$(odoo_python -c 'import os, odoo; print(os.path.dirname(odoo.__file__))' 2>/dev/null || true)"
        [[ -n "$src" && -d "$src/addons" ]] && dirs+=("$src/addons")
    fi
    ((${#dirs[@]})) || return 1
    # shellcheck disable=SC2034  # used by the sourcing scripts
    ODOO_CORE_ADDONS="$(IFS=,; echo "${dirs[*]}")"
}

# is_odoo_source DIR: DIR holds Odoo's source laid out as in its repository.
is_odoo_source() {
    [[ -f "$1/odoo-bin" && -f "$1/odoo/release.py" && -d "$1/odoo/addons/base" && -f "$1/requirements.txt" ]]
}

# odoo_source_series DIR: prints the series of the Odoo source in DIR (18.0).
odoo_source_series() {
    sed -n -E 's/^version_info = \(([0-9]+), *([0-9]+),.*/\1.\2/p' "$1/odoo/release.py" | head -n 1
}

# fetch_odoo_source SOURCE DEST: puts Odoo's source at DEST. A folder is
# linked as it is; an archive file or an address (http(s)://, file://) is
# extracted into DEST, its one top folder (odoo-18.0/) stripped. Returns 1
# with one line on stderr saying why when it cannot.
fetch_odoo_source() {
    local source="$1" dest="$2"
    rm -rf "$dest" "$dest.partial"
    if [[ -d "$source" ]]; then
        source="$(cd "$source" && pwd)"
        if ! is_odoo_source "$source"; then
            log "$source is not Odoo's source (no odoo-bin, odoo/release.py, odoo/addons/base, requirements.txt)"
            return 1
        fi
        ln -s "$source" "$dest"
        return 0
    fi
    python3 - "$source" "$dest.partial" <<'PY' || { rm -rf "$dest.partial"; return 1; }
import os
import shutil
import sys
import tarfile
import urllib.request
import zipfile

source, dest = sys.argv[1:3]
os.makedirs(dest)
archive = source
if "://" in source:
    archive = dest + ".download"
    try:
        with urllib.request.urlopen(source, timeout=30) as response, open(archive, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors
        sys.exit(f"cannot download {source}: {getattr(exc, 'reason', None) or exc}")
elif not os.path.isfile(source):
    sys.exit(f"{source}: no such file or folder")
try:
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)  # ZipFile drops absolute and ".." parts
    else:
        with tarfile.open(archive) as tf:
            # "data": nothing outside dest, no devices, no setuid bits
            if hasattr(tarfile, "data_filter"):
                tf.extractall(dest, filter="data")
            else:
                tf.extractall(dest)
except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
    sys.exit(f"cannot extract {source}: {exc}")
finally:
    if archive != source:
        os.remove(archive)
entries = os.listdir(dest)
if len(entries) == 1 and os.path.isdir(os.path.join(dest, entries[0])):
    top = os.path.join(dest, entries[0])
    for name in os.listdir(top):
        os.rename(os.path.join(top, name), os.path.join(dest, name))
    os.rmdir(top)
PY
    if ! is_odoo_source "$dest.partial"; then
        log "$source does not hold Odoo's source (no odoo-bin, odoo/release.py, odoo/addons/base, requirements.txt at its top)"
        rm -rf "$dest.partial"
        return 1
    fi
    mv "$dest.partial" "$dest"
}

# install_odoo_system_packages: installs the missing ODOO_SYSTEM_PACKAGES with
# apt-get where we may (root), else names them in one line. Never fails: pip
# says what it could not build.
install_odoo_system_packages() {
    local apt="${ODOO_APT_GET:-apt-get}" missing=() package
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log "Odoo needs these system packages (Debian names): ${ODOO_SYSTEM_PACKAGES[*]}"
        return 0
    fi
    for package in "${ODOO_SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q ' installed$' ||
            missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    if [[ "$apt" != none && "$(id -u)" == 0 ]] && command -v "$apt" >/dev/null 2>&1; then
        log "Installing the system packages Odoo needs: ${missing[*]} (log: $ODOO_SETUP_DIR/apt.log) ..."
        { DEBIAN_FRONTEND=noninteractive "$apt" update -qq &&
            DEBIAN_FRONTEND=noninteractive "$apt" install -y -qq --no-install-recommends "${missing[@]}"; } \
            >>"$ODOO_SETUP_DIR/apt.log" 2>&1 ||
            log "WARNING: $apt install ${missing[*]} failed (see $ODOO_SETUP_DIR/apt.log)"
    else
        log "Odoo needs these system packages, missing here: ${missing[*]} (as root: apt-get install ${missing[*]})"
    fi
}

# ensure_odoo_venv SRC VENV: a venv for this machine's python3 holding
# SRC/requirements.txt and ODOO_EXTRA_PYTHON_PACKAGES; made again when they
# change.
ensure_odoo_venv() {
    local src="$1" venv="$2" want stamp
    stamp="$venv/.odoo-requirements"
    want="$(cksum <"$src/requirements.txt") ${ODOO_EXTRA_PYTHON_PACKAGES[*]}"
    if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    log "Installing Odoo's requirements.txt into $venv for $(python3 --version 2>&1) (a few minutes; log: $ODOO_SETUP_DIR/pip.log) ..."
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >>"$ODOO_SETUP_DIR/pip.log" 2>&1; then
        log "python3 -m venv failed (apt-get install python3-venv; see $ODOO_SETUP_DIR/pip.log)"
        return 1
    fi
    # Odoo 18 pins, for Python 3.10 and 3.11, sdists whose setup.py imports
    # pkg_resources (cbor2 5.4.2), which setuptools 81 dropped: pip builds
    # them with an older one (PIP_CONSTRAINT reaches its build environments).
    echo "setuptools<81" >"$ODOO_SETUP_DIR/build-constraints.txt"
    if ! PIP_CONSTRAINT="$ODOO_SETUP_DIR/build-constraints.txt" "$venv/bin/python" -m pip install \
        --disable-pip-version-check -r "$src/requirements.txt" "${ODOO_EXTRA_PYTHON_PACKAGES[@]}" \
        >>"$ODOO_SETUP_DIR/pip.log" 2>&1; then
        log "pip could not install Odoo's requirements.txt (see $ODOO_SETUP_DIR/pip.log; system packages: ${ODOO_SYSTEM_PACKAGES[*]})"
        return 1
    fi
    echo "$want" >"$stamp"
}

# setup_local_odoo: the Odoo of ODOO_SETUP_DIR, set up first from ODOO_SOURCE
# (default ODOO_SOURCE_DEFAULT) when it is not there yet or ODOO_SOURCE
# names another source. Sets ODOO_BIN and ODOO_PYTHON; returns 1 after one
# line saying why it could not.
setup_local_odoo() {
    local dir="$ODOO_SETUP_DIR" source="${ODOO_SOURCE:-$ODOO_SOURCE_DEFAULT}" series reason
    # a source given as a relative path is relative to where the user is
    if [[ "$source" != *://* && -e "$source" ]]; then
        source="$(cd "$(dirname "$source")" && pwd)/$(basename "$source")"
    fi
    if ! is_odoo_source "$dir/src" ||
        [[ -n "${ODOO_SOURCE:-}" && "$(cat "$dir/source" 2>/dev/null)" != "$source" ]]; then
        log "Odoo 18 not found: setting it up in $dir from $source ..."
        mkdir -p "$dir"
        if ! reason="$(fetch_odoo_source "$source" "$dir/src" 2>&1)"; then
            log "Odoo 18 could not be set up: ${reason//$'\n'/; }"
            return 1
        fi
        echo "$source" >"$dir/source"
    fi
    series="$(odoo_source_series "$dir/src")"
    if [[ "$series" != 18.0 ]]; then
        log "$(cat "$dir/source" 2>/dev/null || echo "$dir/src") holds Odoo ${series:-of an unknown version}, not 18.0"
        return 1
    fi
    install_odoo_system_packages
    ensure_odoo_venv "$dir/src" "$dir/venv" || return 1
    ODOO_BIN="$dir/src/odoo-bin" ODOO_PYTHON="$dir/venv/bin/python"
}

# All of the above, or return 1 (the callers then print odoo_howto). Odoo
# is ODOO_BIN, else odoo-bin/odoo on PATH, else the one in ODOO_SETUP_DIR,
# set up from ODOO_SOURCE the first time: nothing is downloaded when an Odoo
# is found.
setup_odoo() {
    if [[ -n "${ODOO_BIN:-}" ]]; then
        find_odoo || return 1
    elif ! find_odoo; then
        setup_local_odoo || return 1
        find_odoo || return 1
    fi
    find_odoo_python || return 1
    # The scripts' own helpers need Odoo's requirements too (psycopg2).
    if ! odoo_python -c 'import psycopg2, werkzeug' 2>/dev/null; then
        log "WARNING: $ODOO_PYTHON cannot import psycopg2 and werkzeug: if it is not"
        log "  the Python Odoo runs with, set ODOO_PYTHON (Odoo runs as: ${ODOO_CMD[*]})"
    fi
    find_odoo_addons || {
        log "Cannot tell where Odoo's own addons are: set ODOO_ADDONS_PATH"
        return 1
    }
}

# Sets PG_BINDIR to a directory holding initdb and pg_ctl.
find_pg_bindir() {
    local d
    if [[ -n "${PG_BINDIR:-}" ]]; then
        [[ -x "$PG_BINDIR/initdb" ]] && return 0
        log "PG_BINDIR=$PG_BINDIR has no initdb"
        return 1
    fi
    # Debian keeps the server binaries off PATH, one dir per major version.
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        [[ -x "$d/initdb" ]] && { PG_BINDIR="$d"; return 0; }
    done
    d="$(command -v initdb || true)"
    [[ -n "$d" ]] && { PG_BINDIR="$(dirname "$d")"; return 0; }
    return 1
}

# PostgreSQL refuses to run as root: run its server tools as `postgres` then.
# `cd /` because postgres may not be allowed into the caller's cwd.
as_pg_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# The database role Odoo connects as: ourselves (Odoo refuses `postgres`).
pg_superuser() { if [[ "$(id -u)" == 0 ]]; then echo postgres; else id -un; fi; }

# Prints a TCP port that is free on 127.0.0.1 right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Returns 0 when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
    python3 -c 'import socket, sys; s = socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$1"
}

# ------------------------------------------------------------ demo data --
# The demo database, as tools/demo builds it and as tools/test's "demo data
# loads" stage installs it: a Latvian company (SIA in Rīga, EUR, the chart of
# accounts of l10n_lv) with the addon and its demo data. The addon depends on
# no localization; the demo makes the main company Latvian before `account`
# is installed, so that its chart is Latvia's, not the generic US one.
DEMO_LANGS_DEFAULT="lv_LV,lt_LT,et_EE,ru_RU,de_DE"
DEMO_CHART_MODULE=l10n_lv

# demo_build RUNNER DB LANGS: builds the demo database DB in four Odoo runs,
# each as `RUNNER [shell] ODOO_ARGS...` (RUNNER adds its connection options
# after the optional `shell` subcommand; step 2 feeds its script on stdin).
# Returns the status of the first run that fails.
demo_build() {
    local run="$1" db="$2" langs="$3"
    log "Demo 1/4: database $db with base's demo data and the languages en_US,$langs ..."
    "$run" -d "$db" -i base --load-language="en_US,$langs" || return
    log "Demo 2/4: the main company becomes a Latvian SIA in Rīga, in EUR (tools/demo_company.py) ..."
    "$run" shell -d "$db" --no-http <"$REPO_ROOT/tools/demo_company.py" || return
    log "Demo 3/4: accounting with Latvia's chart of accounts ($DEMO_CHART_MODULE) ..."
    "$run" -d "$db" -i "$DEMO_CHART_MODULE" || return
    log "Demo 4/4: $ADDON_NAME and its demo data ..."
    "$run" -d "$db" -i "$ADDON_NAME" || return
}
