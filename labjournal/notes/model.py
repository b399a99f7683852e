"""A note: one journal entry, its validated metadata and (read when needed) its cells."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from labjournal.errors import NoteError

from .adoption import adopt, drop_raw_header, strip_title_heading
from .facts import CodeFacts, FactsCache
from .formats import NoteFormat, format_for
from .metadata import LABJOURNAL_FIELDS, NoteMeta, validate_meta

if TYPE_CHECKING:  # nbformat is imported where a notebook is read: a no-op build reads none
    from nbformat import NotebookNode

DEFAULT_KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise NoteError(path, "not UTF-8 text", line=line, fix="save the file as UTF-8") from None


def _normalise(notebook: NotebookNode) -> NotebookNode:
    """Every cell has a tag list and the notebook a kernel (papermill relies on both)."""
    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
    notebook.metadata.setdefault("kernelspec", dict(DEFAULT_KERNELSPEC))
    notebook.metadata.setdefault("language_info", {"name": "python"})
    return notebook


@dataclass(frozen=True)
class Note:
    """One journal entry: its file, metadata and cells (front matter removed).

    Text notes are parsed by jupytext only when their cells are needed: a build whose notes did
    not change reads their front matter and takes the facts about their code from ``facts``.
    """

    path: Path
    root: Path
    meta: NoteMeta
    format: NoteFormat = field(compare=False, repr=False)
    text: str = field(compare=False, repr=False)
    parsed: NotebookNode | None = field(default=None, compare=False, repr=False)
    facts_cache: FactsCache | None = field(default=None, compare=False, repr=False)
    title_from_heading: bool = field(default=False, compare=False, repr=False)
    """The title is the note's first heading, which the page then leaves out (it shows the title)."""

    @cached_property
    def rel(self) -> str:
        """Path relative to the notes folder, e.g. ``2026/2026-01-31-day-131.md``."""
        return self.path.relative_to(self.root).as_posix()

    @cached_property
    def id(self) -> str:
        """Stable identifier: the relative path without suffix. URLs and store entries use it."""
        return self.rel.rsplit(".", 1)[0]

    @cached_property
    def chronological_key(self) -> tuple[dt.date, int, str]:
        """Journal order: by date, then Day number, then path (listings, previous/next, metrics)."""
        return (self.meta.date, self.meta.day or 0, self.id)

    @property
    def display_title(self) -> str:
        return f"Day {self.meta.day}: {self.meta.title}" if self.meta.day is not None else self.meta.title

    @cached_property
    def notebook(self) -> NotebookNode:
        """The note's cells, without its metadata header, a YAML raw cell or the heading that is its title."""
        notebook = self.parsed if self.parsed is not None else self.format.read_cells(self.path, self.text)
        # MyST copies the front matter into the notebook's metadata; it is ours (and a YAML date is no JSON)
        for key in (*LABJOURNAL_FIELDS, *self.meta.extra):
            notebook.metadata.pop(key, None)
        drop_raw_header(notebook)
        if self.title_from_heading:
            strip_title_heading(notebook)
        return _normalise(notebook)

    @cached_property
    def code_cells(self) -> list[NotebookNode]:
        return [cell for cell in self.notebook.cells if cell.cell_type == "code"]

    @cached_property
    def facts(self) -> CodeFacts:
        """Hash of the code cells, kernel name, number of code cells: cached by the note's text."""
        digest = FactsCache.digest(self.path.suffix, self.text)
        cached = self.facts_cache.get(digest) if self.facts_cache else None
        if cached is not None:
            return cached
        facts = CodeFacts.of(self.code_cells, self.notebook.metadata["kernelspec"].get("name", "python3"))
        if self.facts_cache is not None:
            self.facts_cache.put(digest, facts)
        return facts

    @cached_property
    def saved_outputs_digest(self) -> str:
        """sha256 of the outputs the note's code cells were saved with (a notebook's own outputs)."""
        outputs = [cell.get("outputs", []) for cell in self.code_cells]
        return hashlib.sha256(json.dumps(outputs, sort_keys=True, default=str).encode()).hexdigest()

    @property
    def kernel_name(self) -> str:
        return self.facts.kernel_name

    @property
    def has_code(self) -> bool:
        return self.facts.code_cells > 0


def read_note(path: Path, root: Path, facts_cache: FactsCache | None = None) -> Note:
    """Read and validate one note; raise :class:`NoteError` naming the file on bad input.

    A missing title or date is taken from the notebook itself where it says them
    (:mod:`labjournal.notes.adoption`); errors give their fix in the note's own syntax.
    """
    fmt = format_for(path)
    if fmt is None:
        raise NoteError(path, f"no note format reads '{path.suffix}' files")
    text = _read_text(path)
    data, lines, first, parsed = fmt.read_metadata(path, text)
    adopted = adopt(path, data, parsed, lambda: fmt.read_cells(path, text))
    meta = validate_meta(path, adopted.data, lines, first, fmt, header=fmt.has_header(text))
    return Note(
        path=path,
        root=root,
        meta=meta,
        format=fmt,
        text=text,
        parsed=adopted.notebook,
        facts_cache=facts_cache,
        title_from_heading=adopted.title_from_heading,
    )
