#!/usr/bin/env bash
# Set up .venv (first run only) and launch the desktop assistant with the bundled model.
#   bash scripts/run_app.sh [app options, e.g. --self-test]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# Qt's X11/Wayland platform plugin needs these system libraries on Linux; pip cannot install them, and
# without them Qt only says "could not load the Qt platform plugin xcb". Say exactly what to install.
check_qt_libraries() {
  [[ "$(uname -s)" == "Linux" ]] || return 0
  [[ "${QT_QPA_PLATFORM:-}" == "offscreen" || " $* " == *" --self-test "* ]] && return 0
  command -v ldconfig >/dev/null 2>&1 || return 0
  local libs=(libxcb-cursor.so.0 libxkbcommon-x11.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0
              libxcb-render-util.so.0 libxcb-shape.so.0 libxcb-xinerama.so.0 libEGL.so.1 libfontconfig.so.1)
  local pkgs=(libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
              libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libegl1 libfontconfig1)
  local cache missing=() i
  cache="$(ldconfig -p 2>/dev/null)"
  for i in "${!libs[@]}"; do
    grep -q "${libs[$i]}" <<<"$cache" || missing+=("${pkgs[$i]}")
  done
  if ((${#missing[@]})); then
    echo "The window needs system libraries that are not installed: ${missing[*]}" >&2
    echo "On Debian/Ubuntu install them with:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    echo "(Fedora: sudo dnf install xcb-util-cursor libxkbcommon-x11 xcb-util-wm xcb-util-keysyms xcb-util-image xcb-util-renderutil)" >&2
    exit 3
  fi
}
check_qt_libraries "$@"
bash "$root/scripts/setup_venv.sh" ""
cd "$root"
exec .venv/bin/python -m desktop "$@"
