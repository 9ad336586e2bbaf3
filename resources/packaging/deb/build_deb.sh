#!/usr/bin/env bash
# Package the PyInstaller folder (dist/lmdojo) as a Debian package: dist/lmdojo_<version>_<arch>.deb
#
#     resources/packaging/deb/build_deb.sh [ONEDIR] [OUTDIR]      (defaults: dist/lmdojo dist)
#
# Installs /opt/lmdojo/ (the folder as built), /usr/bin/lmdojo (a link to it: the PyInstaller
# bootloader resolves links, so it finds /opt/lmdojo/_internal), the menu entry
# /usr/share/applications/lmdojo.desktop and the icon in /usr/share/icons/hicolor. Needs only
# dpkg-deb (dpkg ≥ 1.19 for --root-owner-group, so no fakeroot); objdump (binutils), if present,
# sets the lowest glibc the bundle runs on.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
SRC="${1:-$ROOT/dist/lmdojo}"
OUT="${2:-$ROOT/dist}"
HERE="$ROOT/resources/packaging/deb"
ICONS="$ROOT/resources/icons"

[ -x "$SRC/lmdojo" ] || { echo "build_deb: no PyInstaller build at $SRC (run: pyinstaller build.spec --noconfirm)" >&2; exit 1; }
[ -f "$ICONS/lmdojo.png" ] || { echo "build_deb: $ICONS/lmdojo.png is missing (run: python resources/packaging/make_icons.py)" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "build_deb: dpkg-deb not found (apt-get install dpkg)" >&2; exit 1; }

VERSION="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
[ -n "$VERSION" ] || { echo "build_deb: no version = \"...\" in pyproject.toml" >&2; exit 1; }
ARCH="$(dpkg --print-architecture)"

# The newest glibc symbol any bundled file asks for: the package must not install on an older one.
LIBC="libc6"
if command -v objdump >/dev/null; then
    GLIBC="$(find "$SRC" -type f \( -name '*.so*' -o -name lmdojo \) -exec objdump -T {} + 2>/dev/null \
             | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -1 | cut -d_ -f2)"
    [ -n "$GLIBC" ] && LIBC="libc6 (>= $GLIBC)"
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/lmdojo"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
         "$PKG/usr/share/icons/hicolor/256x256/apps" "$PKG/usr/share/icons/hicolor/scalable/apps"
cp -a "$SRC" "$PKG/opt/lmdojo"
ln -s /opt/lmdojo/lmdojo "$PKG/usr/bin/lmdojo"
install -m 644 "$HERE/lmdojo.desktop" "$PKG/usr/share/applications/lmdojo.desktop"
install -m 644 "$ICONS/lmdojo.png" "$PKG/usr/share/icons/hicolor/256x256/apps/lmdojo.png"
install -m 644 "$ICONS/lmdojo.svg" "$PKG/usr/share/icons/hicolor/scalable/apps/lmdojo.svg"
chmod -R u+rwX,go+rX,go-w "$PKG/opt/lmdojo"

# Depends: what PyInstaller leaves to the system (GL, EGL, libxcb, libdrm, Wayland: they must match
# the machine's drivers) and the xcb helpers Qt's xcb plugin needs that the build host may lack
# (libxcb-cursor0: since Qt 6.5 the plugin does not load without it).
# The menu entry and icon caches are refreshed by dpkg triggers: no maintainer scripts.
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@LIBC@/$LIBC/" \
    -e "s/@SIZE@/$(du -sk "$PKG" | cut -f1)/" -e "s/@MAINTAINER@/${DEB_MAINTAINER:-LM Dojo maintainers <lmdojo@localhost>}/" \
    "$HERE/control.in" > "$PKG/DEBIAN/control"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"  # the printed path works from anywhere (apt-get wants ./ or /)
DEB="$OUT/lmdojo_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group --build "$PKG" "$DEB" >/dev/null
echo "$DEB"
