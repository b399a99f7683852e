"""Notes: discovery under ``notes/``, reading through jupytext, front matter validated.

A note is a Jupytext Markdown file (fenced ``python`` cells, or MyST ``{code-cell}``), a py:percent
script or a notebook. Its metadata lives in YAML front matter (``.md``/``.py``) or in the
notebook's ``metadata.labjournal`` (``.ipynb``). Files and folders whose name starts with ``_`` or
``.`` are not notes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import DuplicateNoteError, NoteError
from .facts import CodeFacts, FactsCache

if TYPE_CHECKING:  # nbformat is imported where a notebook is read: a no-op build reads none
    from nbformat import NotebookNode

log = logging.getLogger("labjournal.notes")

NOTE_SUFFIXES = (".md", ".py", ".ipynb")
KINDS = ("daily", "lecture", "meeting", "note")
DEVICES = ("cpu", "cuda", "any")
_FRONT_MATTER = re.compile(r"\A(?P<prefix>(?:# )?)---[ \t]*\n(?P<body>.*?\n)?(?P=prefix)---[ \t]*\n", re.S)
DEFAULT_KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
_MYST_CELL = re.compile(r"^```\{code-cell\}", re.M)


class _FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available: 5x faster
    """Safe YAML without implicit timestamps: dates stay text, so a bad date gets our error, not YAML's."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class NoteMeta:
    """The validated front matter of a note."""

    title: str
    date: dt.date
    day: int | None = None
    kind: str = "note"
    tags: tuple[str, ...] = ()
    series: str | None = None
    device: str = "any"
    draft: bool = False
    depends: tuple[str, ...] = ()
    trusted: bool = False
    video: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class _FieldChecker:
    """Validates one front-matter mapping, reporting the line of the offending field."""

    def __init__(self, path: Path, data: dict[str, Any], lines: dict[str, int], first_line: int):
        self.path, self.data, self.lines, self.first_line = path, data, lines, first_line

    def fail(self, key: str, message: str, fix: str | None = None) -> NoteError:
        return NoteError(self.path, message, line=self.lines.get(key, self.first_line), field=key, fix=fix)

    def required(self, key: str) -> Any:
        if self.data.get(key) in (None, ""):
            raise NoteError(
                self.path,
                "missing",
                line=self.first_line,
                field=key,
                fix=f"add '{key}: ...' to the front matter",
            )
        return self.data[key]

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, str | int | float):
            raise self.fail(key, f"expected text, got {type(value).__name__}")
        return None if value is None else str(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.data.get(key, default)
        if value not in choices:
            raise self.fail(key, f"'{value}' is not one of {', '.join(choices)}")
        return value

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got '{value}'")
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.fail(key, "expected a list of words, e.g. [pytorch, cnn]")
        return tuple(str(v) for v in value)

    def date(self, key: str) -> dt.date:
        value = self.required(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"'{value}' is not an ISO date", fix="write it as YYYY-MM-DD") from None

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got '{value}'")
        return value


KNOWN_FIELDS = {
    "title", "date", "day", "kind", "tags", "series", "device", "draft", "depends", "trusted", "video",
    "jupyter", "jupytext", "kernelspec",
}  # fmt: skip
_LABJOURNAL_FIELDS = KNOWN_FIELDS - {"jupyter", "jupytext", "kernelspec"}


def validate_meta(path: Path, data: Any, lines: dict[str, int], first_line: int) -> NoteMeta:
    """Turn a front-matter mapping into :class:`NoteMeta`, or raise :class:`NoteError`."""
    if not isinstance(data, dict):
        raise NoteError(path, "front matter must be a mapping of 'key: value' lines", line=first_line)
    check = _FieldChecker(path, data, lines, first_line)
    title = check.required("title")
    if not isinstance(title, str | int | float):
        raise check.fail("title", "expected text")
    return NoteMeta(
        title=str(title),
        date=check.date("date"),
        day=check.integer("day"),
        kind=check.choice("kind", KINDS, "note"),
        tags=check.string_list("tags"),
        series=check.string("series"),
        device=check.choice("device", DEVICES, "any"),
        draft=check.boolean("draft"),
        depends=check.string_list("depends"),
        trusted=check.boolean("trusted"),
        video=check.string("video"),
        extra={k: v for k, v in data.items() if k not in KNOWN_FIELDS},
    )


def _parse_front_matter(path: Path, text: str) -> tuple[Any, dict[str, int], int]:
    """Return (mapping, line of each top-level key, first line) of a text note's YAML header."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise NoteError(
            path,
            "no front matter",
            line=1,
            fix="start the file with '---', 'title: ...', 'date: YYYY-MM-DD', '---'",
        )
    prefix = match.group("prefix")
    body = match.group("body") or ""
    if prefix:
        body = "\n".join(
            line[len(prefix) :] if line.startswith(prefix) else line.lstrip("#") for line in body.splitlines()
        )
    try:
        loader = _FrontMatterLoader(body)  # one parse: the node gives line numbers, then the values
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise NoteError(path, f"malformed YAML front matter: {problem}", line=line) from None
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 2
    return data if data is not None else {}, lines, 1


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise NoteError(path, "not UTF-8 text", line=line, fix="save the file as UTF-8") from None


def _text_format(path: Path, text: str) -> str:
    if path.suffix == ".py":
        return "py:percent"
    return "md:myst" if _MYST_CELL.search(text) else "md"


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
    text: str = field(compare=False, repr=False)
    parsed: NotebookNode | None = field(default=None, compare=False, repr=False)
    facts_cache: FactsCache | None = field(default=None, compare=False, repr=False)

    @property
    def rel(self) -> str:
        """Path relative to the notes folder, e.g. ``2026/2026-01-31-day-131.md``."""
        return self.path.relative_to(self.root).as_posix()

    @property
    def id(self) -> str:
        """Stable identifier: the relative path without suffix. URLs and store entries use it."""
        return self.rel.rsplit(".", 1)[0]

    @property
    def display_title(self) -> str:
        return f"Day {self.meta.day}: {self.meta.title}" if self.meta.day is not None else self.meta.title

    @cached_property
    def notebook(self) -> NotebookNode:
        """The note's cells (a fresh copy each time the note is read)."""
        if self.parsed is not None:
            return _normalise(self.parsed)
        import jupytext

        try:
            notebook = jupytext.reads(self.text, fmt=_text_format(self.path, self.text))
        except Exception as exc:  # jupytext has no common exception base class
            raise NoteError(self.path, f"cannot be read as a Jupytext note: {exc}") from None
        if notebook.cells and notebook.cells[0].cell_type == "raw" and notebook.cells[0].source.startswith("---"):
            notebook.cells.pop(0)
        # MyST copies the front matter into the notebook's metadata; it is ours (and a YAML date is no JSON)
        for key in (*_LABJOURNAL_FIELDS, *self.meta.extra):
            notebook.metadata.pop(key, None)
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

    @property
    def kernel_name(self) -> str:
        return self.facts.kernel_name

    @property
    def has_code(self) -> bool:
        return self.facts.code_cells > 0


def read_note(path: Path, root: Path, facts_cache: FactsCache | None = None) -> Note:
    """Read and validate one note; raise :class:`NoteError` naming the file on bad input."""
    text = _read_text(path)
    parsed = None
    if path.suffix == ".ipynb":
        import nbformat

        try:
            parsed = nbformat.reads(text, as_version=4)
        except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
            line = getattr(exc, "lineno", None)
            raise NoteError(path, "invalid notebook JSON", line=line, fix="open and re-save it in Jupyter") from None
        except Exception as exc:  # nbformat raises several unrelated types for broken notebooks
            raise NoteError(path, f"invalid notebook: {exc}") from None
        meta = validate_meta(path, dict(parsed.metadata.get("labjournal", {})), {}, 1)
    else:
        data, lines, first = _parse_front_matter(path, text)
        meta = validate_meta(path, data, lines, first)
    return Note(path=path, root=root, meta=meta, text=text, parsed=parsed, facts_cache=facts_cache)


def iter_note_paths(root: Path) -> Iterator[Path]:
    """Every note file below ``root``, sorted; ``_x`` and ``.x`` files and folders are skipped."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(part.startswith(("_", ".")) for part in rel):
            continue
        if path.suffix in NOTE_SUFFIXES and path.is_file():
            yield path


def discover(root: Path, paths: Iterable[Path] | None = None, facts_cache: FactsCache | None = None) -> list[Note]:
    """Read the notes below ``root`` (or only ``paths``, files or folders inside it)."""
    root = root.resolve()
    selected: list[Path] = []
    if paths:
        for given in paths:
            given = given.resolve()
            if given != root and root not in given.parents:
                raise NoteError(
                    given, f"not under the notes folder {root.name}/", fix="move it there or give another path"
                )
            if given.is_dir():
                selected.extend(iter_note_paths(given))
            elif given.is_file():
                selected.append(given)
            else:
                raise NoteError(given, "no such note", fix="give a path under the notes folder")
    else:
        selected = list(iter_note_paths(root))
    notes = [read_note(path, root, facts_cache) for path in selected]
    check_unique_ids(notes)
    warn_duplicate_days(notes)
    return sorted(notes, key=lambda n: (n.meta.date, n.meta.day or 0, n.id))


def check_unique_ids(notes: Iterable[Note]) -> None:
    """Two notes that would share a URL (``x.md`` and ``x.py``) are an error naming both."""
    seen: dict[str, Note] = {}
    for note in notes:
        key = note.id.lower()
        if key in seen:
            raise DuplicateNoteError(
                f"{seen[key].path} and {note.path} would both be published as '{note.id}/': rename one of them"
            )
        seen[key] = note


def warn_duplicate_days(notes: Iterable[Note]) -> list[str]:
    """Log a warning naming the files of every Day number used more than once; return the warnings.

    A warning, not an error: both notes still build, but ``labjournal new`` numbers from the
    highest Day, so a duplicate is usually a copied header that was not updated.
    """
    by_day: dict[int, list[Note]] = defaultdict(list)
    for note in notes:
        if note.meta.day is not None:
            by_day[note.meta.day].append(note)
    warnings = []
    for day, same in sorted(by_day.items()):
        if len(same) > 1:
            files = " and ".join(str(note.path) for note in sorted(same, key=lambda n: n.rel))
            warnings.append(f"Day {day} is used by {files}: give each entry its own day number")
            log.warning("%s", warnings[-1])
    return warnings
