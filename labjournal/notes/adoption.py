"""Notes people already have: the title and date a notebook gives without labjournal's metadata.

A notebook (or a Jupytext ``.md``/``.py`` notebook) copied into ``notes/`` is a note without
editing when labjournal can find what it needs:

* the title: a Quarto-style YAML raw cell at the top (``---``, ``title: ...``, ``---``), else the
  notebook's ``metadata.title``, else its first Markdown heading;
* the date: that raw cell's ``date`` (``YYYY-MM-DD``), else a ``YYYY-MM-DD`` in the file name.

What the note's own metadata gives always wins. Only ``title`` and ``date`` are taken from a raw
cell: Quarto's other options (``execute``, ``format``...) mean something else there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labjournal.errors import NoteError

from .metadata import parse_front_matter

if TYPE_CHECKING:
    from nbformat import NotebookNode

_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def date_from_name(path: Path) -> str | None:
    """The first valid ``YYYY-MM-DD`` in the file's name, e.g. ``2026-03-01-something.ipynb``."""
    for match in _DATE_IN_NAME.finditer(path.stem):
        try:
            return dt.date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            continue
    return None


def raw_header(notebook: NotebookNode) -> dict[str, Any]:
    """The YAML of a raw cell at the top of the notebook (Quarto's document options), or {}."""
    if not notebook.cells or notebook.cells[0].cell_type != "raw":
        return {}
    source = notebook.cells[0].source
    if not source.startswith("---"):
        return {}
    try:
        data, _, _ = parse_front_matter(Path("raw cell"), source if source.endswith("\n") else source + "\n")
    except NoteError:
        return {}  # Quarto's business: the note's own metadata or the defaults below apply
    return data if isinstance(data, dict) else {}


def drop_raw_header(notebook: NotebookNode) -> NotebookNode:
    """Remove a YAML raw cell at the top: it holds document options, never content."""
    if notebook.cells and notebook.cells[0].cell_type == "raw" and notebook.cells[0].source.startswith("---"):
        notebook.cells.pop(0)
    return notebook


@dataclass(frozen=True)
class Heading:
    """A Markdown heading: its text and level, and where it is (cell, line in the cell)."""

    text: str
    level: int
    cell: int
    line: int


def first_heading(notebook: NotebookNode) -> Heading | None:
    """The first ATX heading (``# Title``) of the notebook's Markdown cells, outside code blocks."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for number, line in enumerate(cell.source.splitlines()):
            if _FENCE.match(line):
                fenced = not fenced
            elif not fenced and (match := _HEADING.match(line)):
                return Heading(match.group(2).strip(), len(match.group(1)), index, number)
    return None


def strip_title_heading(notebook: NotebookNode) -> NotebookNode:
    """Remove the first heading when it is a level-1 heading (the page shows the title as its own)."""
    heading = first_heading(notebook)
    if heading is None or heading.level != 1:
        return notebook
    cell = notebook.cells[heading.cell]
    lines = cell.source.splitlines()
    del lines[heading.line]
    cell.source = "\n".join(lines).strip("\n")
    if not cell.source.strip():
        notebook.cells.pop(heading.cell)
    return notebook


@dataclass
class Adopted:
    """A note's metadata with its defaults filled in, the notebook read to find them, and where the title came from."""

    data: Any
    notebook: NotebookNode | None
    title_from_heading: bool = False


def _missing(data: dict[str, Any], key: str) -> bool:
    return data.get(key) in (None, "")


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return None  # "today", "last-modified": Quarto's words, not a date of this entry


def adopt(path: Path, data: Any, notebook: NotebookNode | None, read_cells: Callable[[], NotebookNode]) -> Adopted:
    """Fill in a missing ``title``/``date`` from what the notebook itself says (see the module).

    ``notebook`` is the parsed notebook when reading the metadata made one; ``read_cells`` parses
    a text note, which is done only when its title must be found in its cells.
    """
    if not isinstance(data, dict) or not (_missing(data, "title") or _missing(data, "date")):
        return Adopted(data, notebook)
    data = dict(data)
    if _missing(data, "title") and notebook is None:
        notebook = read_cells()
    header = raw_header(notebook) if notebook is not None else {}
    from_heading = False
    if _missing(data, "title") and notebook is not None:
        candidates = [header.get("title"), notebook.metadata.get("title")]
        title = next((c for c in candidates if isinstance(c, str) and c.strip()), None)
        if title is None and (heading := first_heading(notebook)) is not None:
            title, from_heading = heading.text, heading.level == 1
        if title is not None:
            data["title"] = title.strip()
    if _missing(data, "date"):
        date = _iso(header["date"]) if "date" in header else None
        date = date or date_from_name(path)
        if date is not None:
            data["date"] = date
    return Adopted(data, notebook, from_heading)
