#!/usr/bin/env bash
# Run the bundle's CUDA graph on this machine's GPU and compare it with the CPU graph (scripts/gpu_check.py).
#   bash scripts/gpu_check.sh [--bundle resources/model] [--run runs/default]
# Needs the project's .venv with a CUDA build of torch (the CPU build says "no CUDA GPU" and exits 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py=.venv/bin/python
[ -x "$py" ] || py=python3
exec "$py" -m scripts.gpu_check "$@"
