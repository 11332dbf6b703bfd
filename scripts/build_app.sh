#!/usr/bin/env bash
# Build the double-clickable app (PyInstaller onedir) into dist/offline-assistant/.
#   bash scripts/build_app.sh            # build
#   bash scripts/build_app.sh --deb      # build, then package it as dist/offline-assistant_<version>_<arch>.deb
#   bash scripts/build_app.sh --smoke    # build, the .deb too (where dpkg-deb exists), then run the frozen
#                                        # self-test (read-only copy, no network) and check the menu entries
# The folder holds install-desktop-entry.sh, which adds a menu entry pointing at wherever the folder was copied.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smoke="" want_deb=""
for arg in "$@"; do
    case "$arg" in
        --smoke) smoke=1 ;;
        --deb) want_deb=1 ;;
        *) echo "usage: $0 [--deb] [--smoke]" >&2; exit 2 ;;
    esac
done
bash "$root/scripts/setup_venv.sh" "dev,build"
cd "$root"
.venv/bin/pyinstaller packaging/assistant.spec --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller
# Linux menu entry for a copied folder: the installer, the entry it fills in, and the icon it installs.
cp packaging/install-desktop-entry.sh packaging/offline-assistant.desktop dist/offline-assistant/
cp resources/icons/assistant.svg dist/offline-assistant/offline-assistant.svg
deb=""
if [ -n "$want_deb" ] || { [ -n "$smoke" ] && command -v dpkg-deb >/dev/null; }; then
    deb="$(bash packaging/build_deb.sh dist/offline-assistant dist | tail -1)"
    echo "deb: $deb ($(du -m "$deb" | cut -f1) MB)"
elif [ -n "$smoke" ]; then
    echo "note: dpkg-deb not found, so the .deb is neither built nor checked (Debian/Ubuntu ship it in dpkg)"
fi
if [ -n "$smoke" ]; then
    .venv/bin/python -m scripts.smoke_frozen dist/offline-assistant ${deb:+--deb "$deb"}
fi
