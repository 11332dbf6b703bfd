#!/usr/bin/env bash
# Set up .venv (first run only) with the development extras and run every check: ruff, mypy, pytest.
#   bash scripts/run_tests.sh [pytest options, e.g. -m "not slow"]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup_venv.sh" "dev"
cd "$root"
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
