"""Markdown (GitHub-flavoured): tables with bold best values, notes and protocol footnotes.

Free text (system names, reasons) is escaped so that markup in it shows as text, also in pull
request comments, where GitHub would otherwise render raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reports.grid import Cell, Grid

_SPECIAL = re.compile(r"([\\`*\[\]|])")


def escape(text: str) -> str:
    """Markdown-safe text: HTML specials as entities, inline markup characters backslashed (`_` is literal inside words in GFM)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def cell(c: Cell) -> str:
    if not c.is_number:
        return escape(c.text)
    value = f"**{c.value_text()}**" if c.best else c.value_text()
    ci = c.interval_text()
    return f"{value} {ci}" if ci else value


def header(grid: Grid) -> list[str]:
    names = []
    for h in grid.headers:
        parts = [h.group, h.text, h.arrow]
        text = escape(" ".join(p for p in parts if p))
        names.append(text + (f" ({h.mark})" if h.mark else ""))
    align = ["---:" if h.numeric else "---" for h in grid.headers]
    return ["| " + " | ".join(names) + " |", "|" + "|".join(align) + "|"]


def grid_markdown(grid: Grid, level: int = 2) -> str:
    lines = [f"{'#' * level} {escape(grid.title)}", ""] if grid.title else []
    lines += header(grid)
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in grid.rows]
    if grid.notes:
        lines.append("")
        lines += [f"- {escape(n)}" for n in grid.notes]
    if grid.footnotes:
        lines.append("")
        lines += [f"({f.mark}) {escape(f.text)}" for f in grid.footnotes]
    return "\n".join(lines)


def document_markdown(title: str, grids: Sequence[Grid], intro: Sequence[str] = ()) -> str:
    """A Markdown document: `# title`, intro paragraphs, then each table."""
    from reports.paths import scrub, scrub_grid

    grids = [scrub_grid(g) for g in grids]
    intro = [scrub(p) for p in intro]
    parts = [f"# {escape(title)}"] if title else []
    parts += [escape(p) for p in intro]
    parts += [grid_markdown(g) for g in grids]
    return "\n\n".join(parts) + "\n"
