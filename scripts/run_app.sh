#!/usr/bin/env bash
# Set up .venv (first run only) and launch the desktop assistant with the bundled model.
#   bash scripts/run_app.sh [app options, e.g. --self-test]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup_venv.sh" ""
cd "$root"
exec .venv/bin/python -m desktop "$@"
