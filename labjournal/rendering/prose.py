"""A note's own cells on its page: prose (MyST directives, one H1), raw cells, cells' titles, options.

- Markdown cells: MyST directives become admonitions (:mod:`labjournal.rendering.myst`) and
  headings move so that the page's title is its one H1 (:mod:`labjournal.rendering.headings`).
- Raw cells, as nbconvert's Markdown exporter and JupyterLab's raw cell: a ``raw_mimetype`` of
  Markdown is Markdown, of HTML is HTML (sanitised unless the note is trusted); any other is shown
  as preformatted text.
- A cell's ``title`` (``# %% Title`` in py:percent, ``title="..."`` on a Jupytext Markdown fence)
  is a small caption above it.
- Code-cell options that labjournal does not act on (MyST's ``:load:``, ``:emphasize-lines:``, ...)
  are warnings naming the note: ignoring them silently would show code the author did not mean.

Warnings go to the ``labjournal.rendering`` logger; a page is rendered again only when it changes,
so each is said once per change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from labjournal.markup import md_literal

from .cleaners import sanitize_html
from .headings import one_h1
from .myst import convert_directives
from .outputs import fenced

log = logging.getLogger("labjournal.rendering")

MARKDOWN_RAW = frozenset({"text/markdown", "text/x-markdown", "markdown", "md"})
HTML_RAW = frozenset({"text/html", "html"})
# cell metadata that labjournal acts on, or that is only bookkeeping (Jupyter's, jupytext's, papermill's)
KNOWN_CELL_KEYS = frozenset(
    {"tags", "title", "jupyter", "collapsed", "scrolled", "editable", "deletable", "execution", "id"}
    | {"papermill", "trusted", "slideshow", "vscode", "lines_to_next_cell", "lines_to_end_of_cell_marker"}
)


def prepare_cells(notebook: Any, where: str, titles: Iterable[str], myst: bool) -> None:
    """Rewrites ``notebook``'s Markdown cells for the page (in place); warns about what it cannot
    show as written (naming ``where``, the note's path)."""
    prose = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
    for cell in prose:
        cell.source, problems = convert_directives(cell.source)
        for problem in problems:
            log.warning("%s: %s", where, problem)
    for cell, source in zip(prose, one_h1([cell.source for cell in prose], titles), strict=True):
        cell.source = source
    if myst:
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        for number, cell in enumerate(code, start=1):
            for key in cell.metadata:
                if key not in KNOWN_CELL_KEYS:
                    log.warning(
                        "%s: code cell %d: the option ':%s:' is not supported by labjournal (ignored)",
                        where,
                        number,
                        key,
                    )


def raw_cell(cell: Mapping[str, Any], trusted: bool) -> str:
    """The page's Markdown for a raw cell."""
    source = str(cell.get("source", ""))
    if not source.strip():
        return ""
    metadata = cell.get("metadata", {})
    mimetype = str(metadata.get("raw_mimetype") or metadata.get("format") or "").lower()
    if mimetype in MARKDOWN_RAW:
        return source
    if mimetype in HTML_RAW:
        html = source if trusted else sanitize_html(source)
        return f'<div class="lj-raw lj-raw-html" markdown="0">\n{html}\n</div>'
    return f'<div class="lj-raw" markdown="1">\n\n{fenced(source.strip(chr(10)))}\n\n</div>'


def cell_title(cell: Mapping[str, Any]) -> str:
    """A caption for a cell that has a title, as literal text; else ``""``."""
    title = cell.get("metadata", {}).get("title")
    if not isinstance(title, str) or not title.strip():
        return ""
    return f"{md_literal(title)}\n{{ .lj-cell-title }}"
