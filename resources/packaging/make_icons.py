"""Render resources/icons/lmdojo.svg into the icon files the installers need.

    python resources/packaging/make_icons.py [--if-missing]     (--if-missing: only the absent ones)

    lmdojo.png   256×256: the window icon, Linux (hicolor/256x256/apps)
    lmdojo.ico   16…256 px: the Windows .exe and the Inno Setup installer
    lmdojo.icns  16…1024 px: the macOS .app

Only Qt is needed (QtSvg renders, QImage writes PNG): .ico and .icns are written here by hand
as containers of PNG images, a form Windows (Vista on) and macOS (10.7 on) read, so neither
Pillow nor Qt's optional image-format plugins are required.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
SVG = ICONS / "lmdojo.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (OSType, pixels): the PNG-carrying entry types of the .icns format
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512), ("ic10", 1024))


def render_png(renderer, size: int) -> bytes:
    """The SVG rendered at size×size as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter, Qt

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise SystemExit(f"make_icons: Qt could not encode a {size}px PNG")
    buf.close()
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR, one 16-byte ICONDIRENTRY per size (0 stands for 256), then the PNGs."""
    sizes = sorted(pngs)
    offset = 6 + 16 * len(sizes)
    head, body = struct.pack("<HHH", 0, 1, len(sizes)), b""
    for s in sizes:
        data = pngs[s]
        head += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset + len(body))
        body += data
    return head + body


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """'icns', the total length, then (type, length including its 8-byte header, PNG) per entry."""
    body = b"".join(kind.encode("ascii") + struct.pack(">I", 8 + len(pngs[px])) + pngs[px] for kind, px in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    png, ico, icns = ICONS / "lmdojo.png", ICONS / "lmdojo.ico", ICONS / "lmdojo.icns"
    # the committed files stay byte for byte (another Qt may render a pixel differently)
    wanted = [t for t in (png, ico, icns) if not ("--if-missing" in argv and t.is_file())]
    if not wanted:
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QPainter wants one)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {SVG} is not an SVG that QtSvg can render")
    sizes = sorted(set(ICO_SIZES) | {px for _, px in ICNS_TYPES})
    pngs = {s: render_png(renderer, s) for s in sizes}
    make = {png: lambda: pngs[256], ico: lambda: ico_bytes({s: pngs[s] for s in ICO_SIZES}), icns: lambda: icns_bytes(pngs)}
    for t in wanted:
        t.write_bytes(make[t]())
        print(f"{t}  {t.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
