"""Note formats: how a file becomes a note's metadata and cells, one class per format.

The registry works like the executor registry: the built-ins below, then any installed package
that declares an entry point in the ``labjournal.note_formats`` group (a :class:`NoteFormat`
subclass), or a call to :func:`register_format`. A format is found by the file's suffix.
"""

from __future__ import annotations

import abc
import json
import re
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from labjournal.errors import NoteError

from .metadata import parse_front_matter

if TYPE_CHECKING:  # nbformat and jupytext are imported where a notebook is read: a no-op build reads none
    from nbformat import NotebookNode

ENTRY_POINT_GROUP = "labjournal.note_formats"
_MYST_CELL = re.compile(r"^```\{code-cell\}", re.M)


class NoteFormat(abc.ABC):
    """One kind of note file: how its metadata is read, how its cells are read, how ``new`` writes it."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    @abc.abstractmethod
    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        """(metadata mapping, line of each key, first line, the parsed notebook if reading made one)."""

    @abc.abstractmethod
    def read_cells(self, path: Path, text: str) -> NotebookNode:
        """The note as a notebook, its metadata header removed."""

    @abc.abstractmethod
    def write_front_matter(self, yaml_text: str) -> str:
        """The header that holds ``yaml_text`` (YAML lines) at the top of a new note of this format."""


def _jupytext_cells(path: Path, text: str, fmt: str) -> NotebookNode:
    import jupytext

    try:
        notebook = jupytext.reads(text, fmt=fmt)
    except Exception as exc:  # jupytext has no common exception base class
        raise NoteError(path, f"cannot be read as a Jupytext note: {exc}") from None
    if notebook.cells and notebook.cells[0].cell_type == "raw" and notebook.cells[0].source.startswith("---"):
        notebook.cells.pop(0)
    return notebook


class MarkdownFormat(NoteFormat):
    """Jupytext Markdown: fenced ``python`` cells, or MyST ``{code-cell}`` directives; YAML front matter."""

    name = "md"
    suffixes = (".md",)

    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        fix = "start the file with '---', 'title: ...', 'date: YYYY-MM-DD', '---'"
        return (*parse_front_matter(path, text, fix), None)

    def read_cells(self, path: Path, text: str) -> NotebookNode:
        return _jupytext_cells(path, text, "md:myst" if _MYST_CELL.search(text) else "md")

    def write_front_matter(self, yaml_text: str) -> str:
        return f"---\n{yaml_text}---\n"


class PercentFormat(NoteFormat):
    """A py:percent script: ``# %%`` cells, front matter as ``# ---`` comment lines."""

    name = "py:percent"
    suffixes = (".py",)

    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        fix = "start the file with '# ---', '# title: ...', '# date: YYYY-MM-DD', '# ---'"
        return (*parse_front_matter(path, text, fix), None)

    def read_cells(self, path: Path, text: str) -> NotebookNode:
        return _jupytext_cells(path, text, "py:percent")

    def write_front_matter(self, yaml_text: str) -> str:
        return "".join(f"# {line}\n" if line else "#\n" for line in ["---", *yaml_text.splitlines(), "---"])


class NotebookFormat(NoteFormat):
    """A Jupyter notebook; its metadata lives in ``metadata.labjournal``."""

    name = "ipynb"
    suffixes = (".ipynb",)

    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        notebook = self.read_cells(path, text)
        return dict(notebook.metadata.get("labjournal", {})), {}, 1, notebook

    def read_cells(self, path: Path, text: str) -> NotebookNode:
        import nbformat

        try:
            return nbformat.reads(text, as_version=4)
        except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
            line = getattr(exc, "lineno", None)
            raise NoteError(path, "invalid notebook JSON", line=line, fix="open and re-save it in Jupyter") from None
        except Exception as exc:  # nbformat raises several unrelated types for broken notebooks
            raise NoteError(path, f"invalid notebook: {exc}") from None

    def write_front_matter(self, yaml_text: str) -> str:
        raise NotImplementedError("new notes are text notes; a notebook keeps its metadata in metadata.labjournal")


BUILTIN: tuple[type[NoteFormat], ...] = (MarkdownFormat, PercentFormat, NotebookFormat)
_registered: dict[str, NoteFormat] = {}


def register_format(fmt: NoteFormat) -> None:
    """Read files with ``fmt``'s suffixes as notes of that format (a later registration wins)."""
    for suffix in fmt.suffixes:
        _registered[suffix] = fmt


def unregister_format(fmt: NoteFormat) -> None:
    for suffix in fmt.suffixes:
        if _registered.get(suffix) is fmt:
            del _registered[suffix]


@cache
def _installed() -> dict[str, NoteFormat]:
    formats: dict[str, NoteFormat] = {}
    for cls in BUILTIN:
        formats.update(dict.fromkeys(cls.suffixes, cls()))
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        fmt = ep.load()()
        formats.update(dict.fromkeys(fmt.suffixes, fmt))
    return formats


def formats() -> dict[str, NoteFormat]:
    """Every known format by suffix: built-ins, then entry points, then :func:`register_format`."""
    return {**_installed(), **_registered}


def format_for(path: Path) -> NoteFormat | None:
    return formats().get(path.suffix)


def note_suffixes() -> tuple[str, ...]:
    return tuple(formats())
