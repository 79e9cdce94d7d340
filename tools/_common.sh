# shellcheck shell=bash
# Helpers shared by tools/test, tools/demo and tools/benchmark. Source it; do
# not run it.
#
# Environment overrides understood here:
#   ADDON_DIR         addon to work on (default: the repository root)
#   ODOO_BIN          odoo-bin (or `odoo`, or a wrapper) to run (default: found
#                     on PATH); need not be executable when a Python is known
#   ODOO_PYTHON       the Python that runs Odoo (default: read from ODOO_BIN's
#                     shebang or from the wrapper's exec line)
#   ODOO_ADDONS_PATH  Odoo's own addons dirs, comma separated (default: guessed)
#   PG_BINDIR         dir holding initdb/pg_ctl (default: newest PostgreSQL found)

# shellcheck disable=SC2034  # globals for the scripts that source this file
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON_NAME=account_debtor_collection
ADDON_DIR="$(cd "${ADDON_DIR:-$REPO_ROOT}" && pwd)"

# Odoo and PostgreSQL both want a UTF-8 locale; C.UTF-8 exists everywhere.
export LC_ALL=C.UTF-8 LANG=C.UTF-8

log() { printf '%s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

odoo_howto() {
    cat >&2 <<'EOF'
Odoo 18 Community is needed but was not found (neither $ODOO_BIN nor
`odoo-bin`/`odoo` on PATH). To get it, for example:
  1. put a checkout of Odoo 18.0 Community source in /opt/odoo18/src;
  2. give it a Python of its own (3.10 to 3.12) with its requirements:
       python3 -m venv /opt/odoo18/venv
       /opt/odoo18/venv/bin/pip install -r /opt/odoo18/src/requirements.txt websocket-client
     (some of them build from source; on Debian install first:
       apt-get install build-essential python3-dev libpq-dev libldap2-dev libsasl2-dev)
  3. then either export both (odoo-bin need not be executable then):
       export ODOO_BIN=/opt/odoo18/src/odoo-bin ODOO_PYTHON=/opt/odoo18/venv/bin/python
     or put a wrapper named odoo-bin on PATH:
       #!/bin/sh
       exec /opt/odoo18/venv/bin/python /opt/odoo18/src/odoo-bin "$@"
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

# All of the above, or the how-to and return 1.
setup_odoo() {
    find_odoo || return 1
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
