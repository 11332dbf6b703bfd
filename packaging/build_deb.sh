#!/usr/bin/env bash
# Package the built folder as a .deb (dpkg-deb only: no network, no root, no fakeroot needed).
#   bash packaging/build_deb.sh [dist/offline-assistant] [dist]     (scripts/build_app.sh --deb runs this)
# Installs: /opt/offline-assistant/ (the folder), /usr/bin/offline-assistant (a symlink; the frozen app follows
# it to its folder), /usr/share/applications/offline-assistant.desktop (Exec: the absolute /opt path) and
# /usr/share/icons/hicolor/scalable/apps/offline-assistant.svg. Debian's desktop-file-utils and
# hicolor-icon-theme refresh their caches through dpkg triggers, so the package needs no maintainer scripts.
# Prints the path of the .deb it wrote on its last line.
set -euo pipefail
NAME=offline-assistant
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$(cd "${1:-$root/dist/$NAME}" && pwd)"
out="$(mkdir -p "${2:-$root/dist}" && cd "${2:-$root/dist}" && pwd)"
command -v dpkg-deb >/dev/null || { echo "dpkg-deb not found: install dpkg (Debian/Ubuntu ship it)" >&2; exit 1; }
[ -x "$src/$NAME" ] || { echo "Expected the built app at $src/$NAME; run scripts/build_app.sh first" >&2; exit 1; }

version="$(sed -n '0,/^version = /s/^version = "\(.*\)"/\1/p' "$root/pyproject.toml")"
arch="$(dpkg --print-architecture)"
# The frozen interpreter and libraries were linked here: older C libraries may lack symbols they use.
glibc="$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)"
stage="$(mktemp -d "$out/.deb-stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"  # mktemp makes it 0700: it becomes the package's root folder

mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/icons/hicolor/scalable/apps"
# Hard links when the stage is on the same disk (no 670 MB copy); a plain copy otherwise.
cp -al "$src" "$stage/opt/$NAME" 2>/dev/null || cp -a "$src" "$stage/opt/$NAME"
# The per-user menu installer and its inputs are for copied folders; the package installs its own entry.
rm -f "$stage/opt/$NAME/install-desktop-entry.sh" "$stage/opt/$NAME/$NAME.desktop" "$stage/opt/$NAME/$NAME.svg"
ln -s "/opt/$NAME/$NAME" "$stage/usr/bin/$NAME"
sed -e "s|^Exec=.*|Exec=/opt/$NAME/$NAME|" -e "s|^TryExec=.*|TryExec=/opt/$NAME/$NAME|" \
    "$root/packaging/$NAME.desktop" >"$stage/usr/share/applications/$NAME.desktop"
cp "$root/resources/icons/assistant.svg" "$stage/usr/share/icons/hicolor/scalable/apps/$NAME.svg"

# Qt's X11 libraries pip cannot install (README, "Two commands"): apt installs them with the package.
cat >"$stage/DEBIAN/control" <<EOF
Package: $NAME
Version: $version
Architecture: $arch
Maintainer: Offline Assistant maintainers <offline-assistant@example.org>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: libc6 (>= $glibc), libxcb-cursor0, libxkbcommon-x11-0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0,
 libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libegl1, libfontconfig1
Section: utils
Priority: optional
Description: Offline desktop assistant for news, business hours, shipping, profile and help
 Ask in English or Spanish about the news, a business's hours and contact
 details, shipping, your profile, or for help; a small intent model runs on
 this computer and nothing is sent over the network.
 .
 Asistente de escritorio sin conexión: noticias, horarios y datos del negocio,
 envíos, perfil y ayuda, en español o inglés.
EOF
chmod 0755 "$stage/DEBIAN"
chmod 0644 "$stage/DEBIAN/control"
deb="$out/${NAME}_${version}_${arch}.deb"
# gzip -1: the libraries are already dense, so stronger levels save little and xz takes minutes on 2 cores.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage" "$deb" >/dev/null
echo "$deb"
