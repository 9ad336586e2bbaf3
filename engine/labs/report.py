"""A lab's report: Markdown with PNG plots, written into WS/labs/NAME-TIMESTAMP/.

    rep = Report.create(ws, "chinchilla")
    rep.text("## Iso-FLOP curves\n…")
    rep.plot("isoflop", {"1e12 FLOPs": (params, losses)}, xlabel="parameters", ylabel="loss", logx=True)
    path = rep.write()          # report.md, next to isoflop.png

Plots are drawn with matplotlib's Agg backend (no display, no Qt: the engine never imports Qt).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from engine.io.fsutil import atomic_write_text


class Report:
    def __init__(self, folder: Path, title: str):
        self.folder, self.title = folder, title
        self.parts: list[str] = [f"# {title}\n"]
        self.plots: list[str] = []

    @classmethod
    def create(cls, ws, name: str, title: str) -> "Report":
        base = ws.root / "labs" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
        folder, n = base, 1
        while folder.exists():
            n += 1
            folder = base.with_name(f"{base.name}-{n}")
        folder.mkdir(parents=True)
        return cls(folder, title)

    def text(self, markdown: str) -> None:
        self.parts.append(markdown.rstrip() + "\n")

    def table(self, header: list[str], rows: list[list]) -> None:
        """A Markdown table; floats shown with 4 significant digits."""

        def cell(v):
            return f"{v:.4g}" if isinstance(v, float) else str(v)

        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
        self.text("\n".join(lines))

    def plot(
        self,
        name: str,
        series: dict,
        xlabel: str,
        ylabel: str,
        title: str = "",
        logx: bool = False,
        logy: bool = False,
        markers: dict | None = None,
        kind: str = "line",
    ) -> Path:
        """Save `name`.png: one line (or bar group, kind="bar") per series {label: (xs, ys)}; `markers`
        {label: (x, y)} are drawn as stars (an optimum, a spike), each in its series' colour when there is one
        per series. Returns the PNG's path."""
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
        try:
            colors = []
            for label, (xs, ys) in series.items():
                if kind == "bar":
                    colors.append(ax.bar([str(x) for x in xs], ys, label=label, alpha=0.8).patches[0].get_facecolor())
                else:
                    colors.append(ax.plot(xs, ys, marker="o", markersize=3, label=label)[0].get_color())
            paired = len(markers or {}) == len(series)  # one marker per series: in that series' colour
            for i, (label, (x, y)) in enumerate((markers or {}).items()):
                ax.plot(
                    [x],
                    [y],
                    marker="*",
                    markersize=14,
                    linestyle="none",
                    label=label,
                    **({"color": colors[i]} if paired else {}),
                )
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            if title:
                ax.set_title(title)
            if logx:
                ax.set_xscale("log")
            if logy:
                ax.set_yscale("log")
            ax.grid(True, alpha=0.3)
            if len(series) + len(markers or {}) > 1:
                ax.legend(fontsize=8)
            fig.tight_layout()
            path = self.folder / f"{name}.png"
            fig.savefig(path)
        finally:
            plt.close(fig)
        self.plots.append(path.name)
        self.parts.append(f"![{title or name}]({path.name})\n")
        return path

    def write(self, numbers: dict | None = None) -> Path:
        """report.md (and numbers.json with the lab's main numbers); returns report.md's path."""
        if numbers is not None:
            atomic_write_text(self.folder / "numbers.json", json.dumps(numbers, indent=1, ensure_ascii=False))
        path = self.folder / "report.md"
        atomic_write_text(path, "\n".join(self.parts))
        return path
