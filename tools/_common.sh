# shellcheck shell=bash
# Helpers shared by tools/test and tools/demo. Source it; do not run it.
#
# Environment overrides understood here:
#   ADDON_DIR         addon to work on (default: the repository root)
#   ODOO_BIN          odoo-bin (or `odoo`) to run (default: found on PATH)
#   ODOO_PYTHON       the Python that runs Odoo (default: read from ODOO_BIN)
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
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git /opt/odoo18/src
    python3.12 -m venv /opt/odoo18/venv
    /opt/odoo18/venv/bin/pip install -r /opt/odoo18/src/requirements.txt websocket-client
then either put a wrapper named odoo-bin on PATH or export
    ODOO_BIN=/opt/odoo18/src/odoo-bin ODOO_PYTHON=/opt/odoo18/venv/bin/python
EOF
}

# Sets ODOO_BIN; returns 1 when Odoo cannot be found.
find_odoo() {
    if [[ -n "${ODOO_BIN:-}" ]]; then
        [[ -x "$ODOO_BIN" ]] || ODOO_BIN="$(command -v "$ODOO_BIN" || true)"
        [[ -n "$ODOO_BIN" && -x "$ODOO_BIN" ]] && return 0
        log "ODOO_BIN is set but is not an executable file"
        return 1
    fi
    ODOO_BIN="$(command -v odoo-bin || command -v odoo || true)"
    [[ -n "$ODOO_BIN" ]]
}

# Sets ODOO_PYTHON (the interpreter that runs Odoo) and ODOO_SCRIPT (the real
# odoo-bin Python script when ODOO_BIN is a shell wrapper around it).
find_odoo_python() {
    local first_line word wrapper_python="" words=()
    ODOO_SCRIPT="$ODOO_BIN"
    first_line="$(head -n 1 "$ODOO_BIN" 2>/dev/null || true)"
    if [[ "$first_line" == '#!'*python* ]]; then
        # A Python script: its shebang names the interpreter.
        read -r -a words <<<"${first_line#\#!}"
        if [[ "${words[0]}" == */env ]]; then
            [[ "${words[1]:-}" == -* ]] && words=("${words[@]:1}")  # env -S
            : "${ODOO_PYTHON:=$(command -v "${words[1]}" || true)}"
        else
            : "${ODOO_PYTHON:=${words[0]}}"
        fi
    else
        # A shell wrapper such as `exec /venv/bin/python /src/odoo-bin "$@"`.
        for word in $(grep -E '^[[:space:]]*exec[[:space:]]' "$ODOO_BIN" 2>/dev/null | head -n 1); do
            word="${word//[\"\']/}"
            if [[ -z "$wrapper_python" && "$word" == *python* && -x "$word" ]]; then
                wrapper_python="$word"
            elif [[ "$word" == *odoo-bin || "$word" == */odoo ]] && [[ -f "$word" ]]; then
                ODOO_SCRIPT="$word"
            fi
        done
        : "${ODOO_PYTHON:=$wrapper_python}"
    fi
    : "${ODOO_PYTHON:=$(command -v python3)}"
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
    find_odoo_python
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
