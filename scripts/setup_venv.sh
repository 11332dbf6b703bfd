#!/usr/bin/env bash
# Create or reuse .venv at the repo root and install the project into it.
#   bash scripts/setup_venv.sh [extras]     e.g. bash scripts/setup_venv.sh dev,build
# torch is pinned first (torch==2.13.0, the CPU build on this machine's disk): installed later, as a
# dependency, pip would pull the newest multi-GB CUDA build instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
extras="${1:-}"
py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$py" -m venv .venv
vpy=.venv/bin/python
stamp=.venv/.installed-$(echo "$extras" | tr ',' '-')
# Reinstall only when pyproject.toml changed since the last install of these extras.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$vpy" -m pip install -q "torch==2.13.0"
    if [ -n "$extras" ]; then spec=".[$extras]"; else spec="."; fi
    "$vpy" -m pip install -q -e "$spec"
    touch "$stamp"
fi
# Compiled translations are build outputs of desktop/i18n/*.ts (kept out of git).
"$vpy" -m desktop.i18n.compile >/dev/null
