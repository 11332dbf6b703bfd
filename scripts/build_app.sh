#!/usr/bin/env bash
# Build the double-clickable app (PyInstaller onedir) into dist/offline-assistant/.
#   bash scripts/build_app.sh            # build
#   bash scripts/build_app.sh --smoke    # build, then run the frozen self-test (read-only copy, no network)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup_venv.sh" "dev,build"
cd "$root"
.venv/bin/pyinstaller packaging/assistant.spec --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller
if [ "${1:-}" = "--smoke" ]; then
    .venv/bin/python -m scripts.smoke_frozen dist/offline-assistant
fi
