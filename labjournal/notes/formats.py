"""Note formats: how a file becomes a note's metadata and cells, one class per format.

The registry works like the executor registry: the built-ins below, then any installed package
that declares an entry point in the ``labjournal.note_formats`` group (a :class:`NoteFormat`
subclass), or a call to :func:`register_format`. A format is found by the file's suffix.
"""

from __future__ import annotations

import abc
import json
import re
import warnings
from collections.abc import Mapping
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from labjournal.errors import NoteError

from .ignore import IGNORE_FILE
from .metadata import has_front_matter, inline_yaml, parse_front_matter

if TYPE_CHECKING:  # nbformat and jupytext are imported where a notebook is read: a no-op build reads none
    from nbformat import NotebookNode

ENTRY_POINT_GROUP = "labjournal.note_formats"
_MYST_CELL = re.compile(r"^```\{code-cell\}", re.M)
_PERCENT_CELL = re.compile(r"^# ?%%", re.M)
_BARE_FENCE = re.compile(r"---[ \t]*\n")


class NoteFormat(abc.ABC):
    """One kind of note file: how its metadata is read, how its cells are read, how ``new`` writes it.

    Errors about a note's metadata give their fix in the note's own syntax, written by
    :meth:`field_syntax` and :meth:`field_fix` (override both for a format whose metadata is not
    YAML front matter).
    """

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    header_name: ClassVar[str] = "front matter"
    """What the note's metadata is called in errors ("no front matter, and ...")."""
    carries_outputs: ClassVar[bool] = False
    """Its files keep the outputs they were saved with, which ``execute: false`` publishes."""

    @abc.abstractmethod
    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        """(metadata mapping, line of each key, first line, the parsed notebook if reading made one)."""

    @abc.abstractmethod
    def read_cells(self, path: Path, text: str) -> NotebookNode:
        """The note as a notebook, its metadata header removed."""

    @abc.abstractmethod
    def write_front_matter(self, yaml_text: str) -> str:
        """The header that holds ``yaml_text`` (YAML lines) at the top of a new note of this format."""

    def has_header(self, text: str) -> bool:
        """Whether the note has a metadata header at all (else the fix of a missing field starts one)."""
        return True

    def field_syntax(self, key: str, value: object) -> str:
        """``key: value`` as this format writes it, e.g. ``date: 2026-03-01``."""
        return f"{key}: {inline_yaml(value)}"

    def field_fix(self, fields: Mapping[str, object], *, header: bool = True) -> str:
        """How to add ``fields`` to a note of this format, in its own syntax (the fix of an error)."""
        written = ", ".join(f"'{self.field_syntax(key, value)}'" for key, value in fields.items())
        return f"add {written} to the {self.header_name}"


def _jupytext_cells(path: Path, text: str, fmt: str) -> NotebookNode:
    import jupytext

    try:
        notebook = jupytext.reads(text, fmt=fmt)
    except Exception as exc:  # jupytext has no common exception base class
        raise NoteError(path, f"cannot be read as a Jupytext note: {exc}") from None
    if notebook.cells and notebook.cells[0].cell_type == "raw" and notebook.cells[0].source.startswith("---"):
        notebook.cells.pop(0)
    return notebook


class _TextFormat(NoteFormat):
    """A text note whose front matter is ``---`` lines around YAML, each line prefixed by ``prefix``."""

    prefix: ClassVar[str] = ""

    def has_header(self, text: str) -> bool:
        return has_front_matter(text, self.prefix)

    def field_syntax(self, key: str, value: object) -> str:
        return f"{self.prefix}{key}: {inline_yaml(value)}"

    def field_fix(self, fields: Mapping[str, object], *, header: bool = True) -> str:
        written = [f"'{self.field_syntax(key, value)}'" for key, value in fields.items()]
        if header:
            return f"add {', '.join(written)} to the front matter"
        fence = f"'{self.prefix}---'"
        return "start the file with " + ", ".join([fence, *written, fence])


class MarkdownFormat(_TextFormat):
    """Jupytext Markdown: fenced ``python`` cells, or MyST ``{code-cell}`` directives; YAML front matter."""

    name = "md"
    suffixes = (".md",)

    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        return (*parse_front_matter(path, text), None)

    def read_cells(self, path: Path, text: str) -> NotebookNode:
        return _jupytext_cells(path, text, "md:myst" if _MYST_CELL.search(text) else "md")

    def write_front_matter(self, yaml_text: str) -> str:
        return f"---\n{yaml_text}---\n"


class PercentFormat(_TextFormat):
    """A py:percent script: ``# %%`` cells, front matter as ``# ---`` comment lines.

    A ``.py`` file with neither is a Python module, not a note: the error says how to keep it
    under ``notes/`` (a leading ``_``, or a line in ``notes/.labjournalignore``).
    """

    name = "py:percent"
    suffixes = (".py",)
    prefix = "# "

    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        header = self.field_fix({"title": "...", "date": "YYYY-MM-DD"}, header=False)
        if _BARE_FENCE.match(text):  # Markdown's front matter: a syntax error in Python
            fix = "write each line as a comment: " + header.removeprefix("start the file with ")
            raise NoteError(path, "front matter in a script starts with '# ---', not '---'", line=1, fix=fix)
        if not self.has_header(text) and not _PERCENT_CELL.search(text):
            raise NoteError(
                path,
                "a Python file with neither '# ---' front matter nor '# %%' cells: not a note",
                line=1,
                fix=f"if it is a helper module, rename it _{path.name} or list it in {IGNORE_FILE} "
                f"in the notes folder; if it is a note, {header}",
            )
        return (*parse_front_matter(path, text), None)

    def read_cells(self, path: Path, text: str) -> NotebookNode:
        return _jupytext_cells(path, text, "py:percent")

    def write_front_matter(self, yaml_text: str) -> str:
        return "".join(f"# {line}\n" if line else "#\n" for line in ["---", *yaml_text.splitlines(), "---"])


_JSON_KEY = '"{}"\\s*:'


def _json_lines(text: str, keys: list[str]) -> tuple[dict[str, int], int]:
    """(line of each key of ``metadata.labjournal``, line of that mapping or of ``metadata``) in a notebook's JSON.

    Found in the text (``json`` keeps no positions): the notebook's own ``metadata`` is its last
    ``"metadata":`` key, as Jupyter writes keys sorted and cells come first.
    """
    starts = [m.start() for m in re.finditer(_JSON_KEY.format("metadata"), text)]
    if not starts:
        return {}, 1
    position = starts[-1]
    labjournal = re.compile(_JSON_KEY.format("labjournal")).search(text, position)
    labjournal = labjournal or re.compile(_JSON_KEY.format("labjournal")).search(text)  # keys not sorted
    if labjournal is not None:
        position = labjournal.start()
    lines = {}
    for key in keys:
        found = re.compile(_JSON_KEY.format(re.escape(key))).search(text, position)
        if found is not None and labjournal is not None:
            lines[key] = text.count("\n", 0, found.start()) + 1
    return lines, text.count("\n", 0, position) + 1


def _repair(notebook: NotebookNode) -> None:
    """What Jupyter tolerates and fills in: a kernelspec without ``display_name``, language info without a name."""
    kernelspec = notebook.metadata.get("kernelspec")
    if isinstance(kernelspec, dict):
        name = kernelspec.setdefault("name", "python3")
        kernelspec.setdefault("display_name", "Python 3" if name == "python3" else str(name))
    if isinstance(notebook.metadata.get("language_info"), dict):
        notebook.metadata.language_info.setdefault("name", "python")


class NotebookFormat(NoteFormat):
    """A Jupyter notebook; its metadata lives in ``metadata.labjournal``."""

    name = "ipynb"
    suffixes = (".ipynb",)
    header_name = "labjournal metadata"
    carries_outputs = True

    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, NotebookNode | None]:
        notebook = self.read_cells(path, text)
        data = notebook.metadata.get("labjournal", {})
        if not isinstance(data, dict):
            raise NoteError(path, "metadata.labjournal must be a mapping", fix='write it as {"title": "...", ...}')
        lines, first = _json_lines(text, list(data))
        return dict(data), lines, first, notebook

    def read_cells(self, path: Path, text: str) -> NotebookNode:
        """The notebook, repaired where Jupyter would open it anyway; else one line saying what is wrong.

        ``nbformat.reads`` would log the whole JSON schema of a small defect (a kernelspec
        without ``display_name``): the notebook is read, converted and validated here instead.
        """
        import nbformat

        try:
            notebook = nbformat.convert(nbformat.reader.reads(text), 4)
        except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
            line = getattr(exc, "lineno", None)
            raise NoteError(path, "invalid notebook JSON", line=line, fix="open and re-save it in Jupyter") from None
        except Exception as exc:  # nbformat raises several unrelated types for broken notebooks
            raise NoteError(path, f"invalid notebook: {str(exc).splitlines()[0]}") from None
        _repair(notebook)
        try:
            with warnings.catch_warnings():  # missing or duplicate cell ids: repaired, as Jupyter does
                warnings.simplefilter("ignore", nbformat.warnings.MissingIDFieldWarning)
                warnings.simplefilter("ignore", nbformat.warnings.DuplicateCellId)
                nbformat.validate(notebook)
        except nbformat.ValidationError as exc:  # one line, not the schema
            where = ".".join(str(part) for part in exc.absolute_path) or "the notebook"
            raise NoteError(
                path, f"invalid notebook: {exc.message} (in {where})", fix="open and re-save it in Jupyter"
            ) from None
        return notebook

    def has_header(self, text: str) -> bool:
        return re.search(_JSON_KEY.format("labjournal"), text) is not None

    def field_syntax(self, key: str, value: object) -> str:
        return f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"

    def field_fix(self, fields: Mapping[str, object], *, header: bool = True) -> str:
        written = ", ".join(self.field_syntax(key, value) for key, value in fields.items())
        if header:
            return f'add {written} to the notebook\'s "metadata": {{"labjournal": {{...}}}}'
        return f'set "metadata": {{"labjournal": {{{written}}}}} in the notebook'

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
