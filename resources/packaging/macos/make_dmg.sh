#!/usr/bin/env bash
# macOS: build "dist/LM Dojo.app" (build.spec's BUNDLE step), smoke-test it, and wrap it in a disk
# image dist/lmdojo-<version>-macos-<arch>.dmg with an Applications link to drag it onto.
#
#     resources/packaging/macos/make_dmg.sh         (on a Mac, in the project's environment)
#
# See README.md here for signing and notarization, which this script does not do.
set -euo pipefail
cd "$(dirname "$0")/../../.."
fail() { echo "make_dmg: $*" >&2; exit 1; }
[ "$(uname)" = Darwin ] || fail "hdiutil and the .app bundle need macOS"

VERSION="$(sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1)"
APP="dist/LM Dojo.app"
DMG="dist/lmdojo-$VERSION-macos-$(uname -m).dmg"

python -m pip show -q pyinstaller >/dev/null 2>&1 || python -m pip install -q "pyinstaller>=6"
python resources/packaging/make_icons.py --if-missing >/dev/null
mkdir -p build
pyinstaller build.spec --noconfirm >build/pyinstaller.log 2>&1 || { tail -20 build/pyinstaller.log >&2; fail "pyinstaller failed"; }
"$APP/Contents/MacOS/lmdojo" --smoke-test || fail "the app's smoke test failed"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "LM Dojo $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG" >/dev/null
echo "$DMG: $(du -sm "$DMG" | cut -f1) MB (app: $(du -sm "$APP" | cut -f1) MB)"
