"""A lab's report: Markdown with PNG plots, written into WS/labs/NAME-TIMESTAMP/ in English and in
Traditional Chinese.

    rep = Report.create(ws, "chinchilla", tr("Chinchilla", "Chinchilla 定律"))
    rep.text(tr("## Iso-FLOP curves\n…", "## 等算力曲線\n…"))
    rep.plot("isoflop", {"1e12 FLOPs": (params, losses)}, xlabel=tr("parameters", "參數量"), ylabel="loss")
    path = rep.write()          # report.md and report.zh_TW.md, next to isoflop.png and isoflop.zh_TW.png

Every piece of text is either a `tr(english, chinese)` pair or a plain string that reads the same in
both (numbers, names, code); each language's report takes its half of every pair. A lab writes its
sentences once, both languages side by side, so a number or a verdict cannot differ between them.

Plots are drawn with matplotlib's Agg backend (no display, no Qt: the engine never imports Qt). A
Chinese plot needs a font with CJK glyphs; without one installed, the Chinese report shows the
English plot rather than boxes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.io.fsutil import atomic_write_text

LANGS = ("en", "zh_TW")
FILES = {"en": "report.md", "zh_TW": "report.zh_TW.md"}


@dataclass(frozen=True)
class Bi:
    """One text in both of the reports' languages."""

    en: str
    zh_TW: str

    def __str__(self) -> str:  # where one language is needed without a choice (logs): English
        return self.en


def tr(en: str, zh_TW: str) -> Bi:
    return Bi(en, zh_TW)


def in_lang(text, lang: str) -> str:
    """`text`'s `lang` half when it is a `tr` pair, else the text itself (numbers formatted as tables do)."""
    if isinstance(text, Bi):
        return getattr(text, lang)
    return f"{text:.4g}" if isinstance(text, float) else str(text)


def report_in(path: Path, lang: str) -> Path:
    """The report beside `path` (a report.md) in `lang`, when it was written (reports before there were
    two languages have only English)."""
    other = path.with_name(FILES.get(lang, FILES["en"]))
    return other if other.is_file() else path


CJK_FONTS = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Source Han Sans TC",
    "Microsoft JhengHei",
    "PingFang TC",
    "Heiti TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing TW",
    "Droid Sans Fallback",
)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font with Traditional Chinese glyphs that matplotlib can use, if any.
    matplotlib's font list is cached from its first run: a font installed since is looked for on disk."""
    from matplotlib import font_manager

    fm = font_manager.fontManager

    def found():
        names = {f.name for f in fm.ttflist}
        return next((n for n in CJK_FONTS if n in names), None)

    if (name := found()) is None:
        for path in font_manager.findSystemFonts():
            if any(k in Path(path).name.lower() for k in ("cjk", "jhenghei", "pingfang", "wqy", "fallback", "ukai")):
                try:
                    fm.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a font file matplotlib cannot read
                    continue
        name = found()
    return name


class Report:
    def __init__(self, folder: Path, title):
        self.folder, self.title = folder, title
        self.parts: dict[str, list[str]] = {lang: [f"# {in_lang(title, lang)}\n"] for lang in LANGS}

    @classmethod
    def create(cls, ws, name: str, title) -> "Report":
        base = ws.root / "labs" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
        folder, n = base, 1
        while folder.exists():
            n += 1
            folder = base.with_name(f"{base.name}-{n}")
        folder.mkdir(parents=True)
        return cls(folder, title)

    def text(self, markdown) -> None:
        """A paragraph (or heading, list, code block): a `tr` pair, or a string the same in both languages."""
        for lang in LANGS:
            self.parts[lang].append(in_lang(markdown, lang).rstrip() + "\n")

    def table(self, header: list, rows: list[list]) -> None:
        """A Markdown table; cells and headers may be `tr` pairs; floats shown with 4 significant digits."""
        for lang in LANGS:
            lines = ["| " + " | ".join(in_lang(h, lang) for h in header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(in_lang(v, lang) for v in row) + " |" for row in rows]
            self.parts[lang].append("\n".join(lines) + "\n")

    def plot(
        self,
        name: str,
        series: dict,
        xlabel,
        ylabel,
        title="",
        logx: bool = False,
        logy: bool = False,
        markers: dict | None = None,
        kind: str = "line",
    ) -> Path:
        """Save `name`.png (and `name`.zh_TW.png): one line (or bar group, kind="bar") per series
        {label: (xs, ys)}; `markers` {label: (x, y)} are drawn as stars (an optimum, a spike), each in its
        series' colour when there is one per series. Labels, axes and title may be `tr` pairs. Returns the
        English PNG's path."""
        paths = {}
        for lang in LANGS:
            font = cjk_font() if lang != "en" else None
            if lang != "en" and font is None:  # boxes for every character would help nobody
                paths[lang] = paths["en"]
            else:
                paths[lang] = self.folder / (f"{name}.png" if lang == "en" else f"{name}.{lang}.png")
                self._draw(paths[lang], lang, font, series, xlabel, ylabel, title, logx, logy, markers or {}, kind)
            self.parts[lang].append(f"![{in_lang(title or name, lang)}]({paths[lang].name})\n")
        return paths["en"]

    @staticmethod
    def _draw(path, lang, font, series, xlabel, ylabel, title, logx, logy, markers, kind) -> None:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        rc = {"font.sans-serif": [font, "DejaVu Sans"], "font.family": "sans-serif"} if font else {}
        with plt.rc_context(rc):
            fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
            try:
                colors = []
                for label, (xs, ys) in series.items():
                    label = in_lang(label, lang)
                    if kind == "bar":
                        bars = ax.bar([in_lang(x, lang) for x in xs], ys, label=label, alpha=0.8)
                        colors.append(bars.patches[0].get_facecolor())
                    else:
                        colors.append(ax.plot(xs, ys, marker="o", markersize=3, label=label)[0].get_color())
                paired = len(markers) == len(series)  # one marker per series: in that series' colour
                for i, (label, (x, y)) in enumerate(markers.items()):
                    ax.plot(
                        [x],
                        [y],
                        marker="*",
                        markersize=14,
                        linestyle="none",
                        label=in_lang(label, lang),
                        **({"color": colors[i]} if paired else {}),
                    )
                ax.set_xlabel(in_lang(xlabel, lang))
                ax.set_ylabel(in_lang(ylabel, lang))
                if title:
                    ax.set_title(in_lang(title, lang))
                if logx:
                    ax.set_xscale("log")
                if logy:
                    ax.set_yscale("log")
                ax.grid(True, alpha=0.3)
                if len(series) + len(markers) > 1:
                    ax.legend(fontsize=8)
                fig.tight_layout()
                fig.savefig(path)
            finally:
                plt.close(fig)

    def write(self, numbers: dict | None = None) -> Path:
        """report.md and report.zh_TW.md (and numbers.json with the lab's main numbers); returns
        report.md's path."""
        if numbers is not None:
            atomic_write_text(self.folder / "numbers.json", json.dumps(numbers, indent=1, ensure_ascii=False))
        for lang in LANGS:
            atomic_write_text(self.folder / FILES[lang], "\n".join(self.parts[lang]))
        return self.folder / FILES["en"]
