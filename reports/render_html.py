"""Self-contained HTML: inline CSS and JavaScript, plots as data: URIs, nothing fetched.

Tables sort when a header is clicked (numbers by value, text alphabetically; empty cells stay
last; a direction-aware column sorts best-first on the first click). Every piece of text goes
through `html.escape`, so markup in model names, captions or failure reasons shows as text. A
Content-Security-Policy forbids any network access from the page.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from reports.grid import Cell, Grid

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em 0;
padding:0 1.5em;color:#1b1f24;background:#fff}
header,.notes,.footnotes,h2{max-width:80em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-variant-numeric:tabular-nums}
th,td{padding:.3em .65em;border-bottom:1px solid #d8dee4;vertical-align:top}
thead th{border-bottom:2px solid #1b1f24;text-align:left;white-space:nowrap}
th.num,td.num{text-align:right}th.group{text-align:center;border-bottom:1px solid #8c959f}
th[data-col]{cursor:pointer;user-select:none}th[data-col]:hover{background:#f3f5f7}
th[aria-sort=ascending]::after{content:" \\25B4"}th[aria-sort=descending]::after{content:" \\25BE"}
td.best .v{font-weight:700}.ci{color:#57606a;font-size:.85em}
.notes,.footnotes,.meta{color:#424a53;font-size:.9em}.footnotes li{margin:.2em 0}
#plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1em 1.5em}
#plots h2{grid-column:1/-1}figure{margin:0}figure img{max-width:100%;height:auto}
figcaption{font-size:.85em;color:#57606a}
.pin{position:sticky;left:0;z-index:1;background:#fff;box-shadow:inset -1px 0 0 #d8dee4}
thead th.pin{z-index:2}
code{font-size:.9em}.scroll{overflow-x:auto}td:first-child,td.num{white-space:nowrap}td{max-width:32em}
ol.footnotes{list-style:none;padding-left:1em}
"""

SCRIPT = """
(function () {
  function key(cell) {
    var v = cell.getAttribute('data-sort');
    return v === null || v === '' ? null : parseFloat(v);
  }
  function compare(a, b, idx, sign) {
    var ca = a.cells[idx], cb = b.cells[idx];
    var ka = key(ca), kb = key(cb);
    var ta = ca.textContent.trim(), tb = cb.textContent.trim();
    var emptyA = ka === null && (ta === '' || ta === '\\u2014');
    var emptyB = kb === null && (tb === '' || tb === '\\u2014');
    if (emptyA || emptyB) return emptyA === emptyB ? 0 : (emptyA ? 1 : -1);
    if (ka !== null && kb !== null) return sign * (ka - kb);
    if (ka !== null) return -1;
    if (kb !== null) return 1;
    return sign * ta.localeCompare(tb);
  }
  function sortBy(th) {
    var table = th.closest('table');
    var body = table.tBodies[0];
    var idx = parseInt(th.getAttribute('data-col'), 10);
    var current = th.getAttribute('aria-sort');
    var dir = current ? (current === 'ascending' ? 'descending' : 'ascending')
                      : (th.getAttribute('data-first') || 'ascending');
    table.querySelectorAll('th[data-col]').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    var sign = dir === 'ascending' ? 1 : -1;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) { return compare(a, b, idx, sign); });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll('table.sortable th[data-col]').forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener('click', function () { sortBy(th); });
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); }
    });
  });
})();
"""


def cell(c: Cell, numeric: bool, pinned: bool = False) -> str:
    flags = (("num", numeric), ("best", c.best), ("pin", pinned))
    classes = [name for name, on in flags if on]
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    key = c.sort_key()
    if key is not None:
        attrs += f' data-sort="{key!r}"'
    if c.hint:
        attrs += f' title="{escape(c.hint)}"'
    if not c.is_number:
        return f"<td{attrs}>{escape(c.text)}</td>"
    value = f'<span class="v">{escape(c.value_text())}</span>'
    if c.best:
        value = f"<strong>{value}</strong>"
    ci = c.interval_text()
    ci_html = f' <span class="ci">{escape(ci)}</span>' if ci else ""
    return f"<td{attrs}>{value}{ci_html}</td>"


def header_html(grid: Grid) -> list[str]:
    rows = []
    if grid.grouped:
        cells = []
        for group, span in grid.groups():
            cls = ' class="group"' if group else ""
            colspan = f' colspan="{span}"' if span > 1 else ""
            cells.append(f'<th scope="colgroup"{colspan}{cls}>{escape(group)}</th>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cells = []
    pin = pinned_column(grid)
    for i, h in enumerate(grid.headers):
        attrs = f' scope="col" data-col="{i}"'
        classes = [name for name, on in (("num", h.numeric), ("pin", i == pin)) if on]
        if classes:
            attrs += f' class="{" ".join(classes)}"'
        if h.arrow == "↑":
            attrs += ' data-first="descending"'
        text = escape(h.text) + (f" {h.arrow}" if h.arrow else "")
        if h.mark:
            text += f'<sup><a href="#fn-{escape(grid.label)}-{h.mark}">{h.mark}</a></sup>'
        cells.append(f"<th{attrs}>{text}</th>")
    rows.append("<tr>" + "".join(cells) + "</tr>")
    return rows


def pinned_column(grid: Grid) -> int:
    """The column that stays in view when a wide table scrolls: the system names."""
    return next((i for i, h in enumerate(grid.headers) if h.text == "system"), 0)


def grid_html(grid: Grid) -> str:
    out = [f'<section id="{escape(grid.label)}">'] if grid.label else ["<section>"]
    if grid.title:
        out.append(f"<h2>{escape(grid.title)}</h2>")
    out.append('<div class="scroll"><table class="sortable">')
    out += ["<thead>", *header_html(grid), "</thead>", "<tbody>"]
    numeric = [h.numeric for h in grid.headers]
    pin = pinned_column(grid)
    for row in grid.rows:
        cells = (cell(c, n, i == pin) for i, (c, n) in enumerate(zip(row, numeric)))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table></div>"]
    if grid.notes:
        out.append('<ul class="notes">')
        out += [f"<li>{escape(n)}</li>" for n in grid.notes]
        out.append("</ul>")
    if grid.footnotes:
        out.append('<ol class="footnotes">')
        out += [
            f'<li id="fn-{escape(grid.label)}-{f.mark}"><sup>{f.mark}</sup> {escape(f.text)}</li>'
            for f in grid.footnotes
        ]
        out.append("</ol>")
    out.append("</section>")
    return "\n".join(out)


def figures_html(figures: Sequence[tuple[str, bytes]]) -> str:
    """PNG figures as data: URIs, each with its caption."""
    out = ['<section id="plots">', "<h2>Plots</h2>"]
    for caption, png in figures:
        data = base64.b64encode(png).decode("ascii")
        out.append(
            f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    out.append("</section>")
    return "\n".join(out)


def page(title: str, sections: Sequence[str], intro: Sequence[str] = ()) -> str:
    """A whole HTML document from rendered sections."""
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    body = [f"<header><h1>{escape(title)}</h1>"]
    body += [f'<p class="meta">{escape(p)}</p>' for p in intro]
    body.append("</header>")
    body += ["<main>", *sections, "</main>"]
    return head + "\n".join(body) + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"


def document_html(
    title: str,
    grids: Sequence[Grid],
    intro: Sequence[str] = (),
    figures: Sequence[tuple[str, bytes]] = (),
) -> str:
    from reports.paths import scrub, scrub_grid

    grids = [scrub_grid(g) for g in grids]
    intro = [scrub(p) for p in intro]
    sections = [grid_html(g) for g in grids]
    if figures:
        sections.append(figures_html(figures))
    return page(title, sections, intro)
