#!/usr/bin/env bash
# Add (or remove) the Offline Assistant's menu entry and icon for the current user, pointing at the folder this
# script is in, wherever that folder was copied (/opt/offline-assistant, ~/Applications/offline-assistant, ...).
#   ./install-desktop-entry.sh              # writes ~/.local/share/applications/offline-assistant.desktop
#                                           # and ~/.local/share/icons/hicolor/scalable/apps/offline-assistant.svg
#   ./install-desktop-entry.sh --uninstall  # removes both
# Run it again after moving the folder: the entry holds the folder's absolute path. $XDG_DATA_HOME is honoured
# (default ~/.local/share). The build copies this script, offline-assistant.desktop and offline-assistant.svg
# into the built folder (scripts/build_app.sh); the .deb installs its own system-wide entry instead.
set -euo pipefail
NAME=offline-assistant
here="$(cd "$(dirname "$0")" && pwd -P)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
entry="$data/applications/$NAME.desktop"
icon="$data/icons/hicolor/scalable/apps/$NAME.svg"

# Menus re-read entries by themselves; these refresh the caches some desktops keep (absent tools are fine).
refresh() {
    if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$data/applications" || true; fi
    touch "$data/icons/hicolor" 2>/dev/null || true  # a newer folder time makes icon caches rescan
}

case "${1:-}" in
    --uninstall)
        rm -f "$entry" "$icon"
        [ -d "$data/applications" ] && refresh
        echo "Removed / Eliminado: $entry, $icon"
        exit 0 ;;
    "") ;;
    *)
        echo "usage: $0 [--uninstall]" >&2
        exit 2 ;;
esac

exe="$here/$NAME"
for need in "$exe" "$here/$NAME.desktop" "$here/$NAME.svg"; do
    if [ ! -e "$need" ]; then
        echo "Expected $need next to this script; found nothing. Run the script from inside the built folder" \
             "(dist/$NAME/ made by scripts/build_app.sh). / Falta $need junto a este script." >&2
        exit 1
    fi
done
if [ ! -x "$exe" ]; then
    echo "Expected $exe to be executable; it is not. Fix: chmod +x '$exe'. / $exe no es ejecutable." >&2
    exit 1
fi
# The Exec key is double-quoted so spaces are fine; the characters the desktop-entry spec makes special inside
# quotes (" \` \$ \\) or that would break the file (newline) are refused rather than escaped by hand.
case "$here" in
    *[\"\`\$\\]* | *$'\n'*)
        echo "The folder path $here contains one of \" \` \$ \\ or a newline, which a menu entry cannot hold" \
             "safely. Fix: move the folder to a plain path (e.g. ~/Applications/$NAME) and run this again." \
             "/ Mueva la carpeta a una ruta sin esos caracteres." >&2
        exit 1 ;;
esac
exec_path="${exe//%/%%}"  # a literal % is written %% in Exec (field codes start with %)

mkdir -p "$data/applications" "$(dirname "$icon")"
cp "$here/$NAME.svg" "$icon"
tmp="$(mktemp "$data/applications/.$NAME.XXXXXX")"
# The template's Exec/TryExec name the command on PATH (what the .deb installs); here they name this folder.
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
        Exec=*) printf 'Exec="%s"\n' "$exec_path" ;;
        TryExec=*) printf 'TryExec=%s\n' "$exe" ;;
        *) printf '%s\n' "$line" ;;
    esac
done <"$here/$NAME.desktop" >"$tmp"
chmod 644 "$tmp"
mv "$tmp" "$entry"  # atomic: a menu never reads a half-written entry
refresh
echo "Installed / Instalado: $entry -> $exe"
