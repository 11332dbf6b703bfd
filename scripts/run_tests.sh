#!/usr/bin/env bash
# Set up .venv (first run only) with the development extras and run every check: ruff, mypy, pytest.
#   bash scripts/run_tests.sh                 # everything (what CI runs)
#   bash scripts/run_tests.sh -m "not slow"   # the fast tier: nothing trains, no CLI subprocesses (tests/conftest.py)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup_venv.sh" "dev"
cd "$root"
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
