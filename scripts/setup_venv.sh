#!/usr/bin/env bash
# Create or reuse .venv at the repo root and install the project into it.
#   bash scripts/setup_venv.sh [extras]     e.g. bash scripts/setup_venv.sh dev,build
# Every package is installed at the version in constraints.txt (a reproducible build). torch is installed first
# (torch==2.13.0, the CPU build on this machine's disk): installed later, as a dependency, pip would pull the
# newest multi-GB CUDA build instead.
# One install serves every command: an install of a larger set of extras (run_tests.sh's "dev") also serves a
# smaller one (run_app.sh's none), so the app command after the test command installs nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
extras="${1:-}"
py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$py" -m venv .venv
vpy=.venv/bin/python

# The extras an install of $1 brings, "dev" expanded to what pyproject.toml's dev extra includes.
expand() {
    local out=() e
    IFS=',' read -r -a list <<<"$1"
    for e in "${list[@]}"; do
        [ -z "$e" ] && continue
        out+=("$e")
        [ "$e" = dev ] && out+=(train api bench serve)
    done
    echo " ${out[*]:-} "
}

# A stamp (.venv/.installed-<extras>) newer than pyproject.toml and constraints.txt whose extras include every
# requested one means nothing needs installing.
installed() {
    local wanted stamp have e
    wanted="$(expand "$extras")"
    for stamp in .venv/.installed-*; do
        [ -f "$stamp" ] || continue
        [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ] && continue
        have="$(expand "$(echo "${stamp#.venv/.installed-}" | tr '-' ',')")"
        for e in $wanted; do
            [[ "$have" == *" $e "* ]] || continue 2
        done
        return 0
    done
    return 1
}

if ! installed; then
    "$vpy" -m pip install -q -c constraints.txt "torch==2.13.0"
    if [ -n "$extras" ]; then spec=".[$extras]"; else spec="."; fi
    "$vpy" -m pip install -q -c constraints.txt -e "$spec"
    touch ".venv/.installed-$(echo "$extras" | tr ',' '-')"
fi
# The global shortcut is optional (pyproject.toml, extra "shortcut"): tried once, never fatal.
if [ ! -f .venv/.tried-shortcut ] || [ pyproject.toml -nt .venv/.tried-shortcut ]; then
    "$vpy" -m pip install -q -c constraints.txt -e ".[shortcut]" >/dev/null 2>&1 \
        || echo "note: the global shortcut library (pynput) did not install; the app runs without it." >&2
    touch .venv/.tried-shortcut
fi
# Compiled translations are build outputs of desktop/i18n/*.ts (kept out of git).
"$vpy" -m desktop.i18n.compile >/dev/null
