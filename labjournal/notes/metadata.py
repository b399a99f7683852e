"""Front matter: a note's YAML header (or notebook metadata) validated into :class:`NoteMeta`.

Errors name the file and the line of the offending key, and say how to fix it in the note's own
syntax: each format gives its way to write a field (:class:`FieldSyntax`, see ``formats.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any, ClassVar, Protocol

import yaml

from labjournal.errors import NoteError

from .ignore import IGNORE_FILE

_URL_BREAKERS = re.compile(r"[\s<>()\[\]{}\"'`\\]|[\x00-\x1f\x7f]")
KINDS = ("daily", "lecture", "meeting", "note")
DEVICES = ("cpu", "cuda", "any")
_FRONT_MATTER = re.compile(r"\A(?P<prefix>(?:# )?)---[ \t]*\n(?P<body>.*?\n)?(?P=prefix)---[ \t]*\n", re.S)


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 5x faster


class _FrontMatterLoader(_BaseLoader):
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
    execute: bool = True  # False: a notebook published with the outputs it was saved with, never run
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def inline_yaml(value: object) -> str:
    """``value`` as one line of YAML flow style (for fixes: ``tags: [pytorch, cnn]``, ``draft: true``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline_yaml(item) for item in value) + "]"
    return str(value)


class FieldSyntax(Protocol):
    """How a note format writes its metadata: the fix of every missing or invalid field uses it."""

    header_name: ClassVar[str]
    carries_outputs: ClassVar[bool]

    def field_syntax(self, key: str, value: object) -> str: ...

    def field_fix(self, fields: Mapping[str, object], *, header: bool = True) -> str: ...


class _FrontMatterSyntax:
    """Plain front matter (``key: value`` lines), for callers that give no format."""

    header_name: ClassVar[str] = "front matter"
    carries_outputs: ClassVar[bool] = False

    def field_syntax(self, key: str, value: object) -> str:
        return f"{key}: {inline_yaml(value)}"

    def field_fix(self, fields: Mapping[str, object], *, header: bool = True) -> str:
        written = ", ".join(f"'{self.field_syntax(key, value)}'" for key, value in fields.items())
        return f"add {written} to the front matter"


EXAMPLES: dict[str, object] = {"title": "...", "date": "YYYY-MM-DD"}
"""How a missing required field is shown in its fix."""
NOT_FOUND = {"title": "no '# Title' heading", "date": "no date in the file name"}
"""Where labjournal looked for a required field the metadata does not give."""


def _alternative(key: str, path: Path) -> str:
    if key == "title":
        return "or begin the note with a Markdown heading '# Title'"
    return f"or begin the file name with the date, e.g. YYYY-MM-DD-{path.name}"


class _FieldChecker:
    """Validates one front-matter mapping, reporting the line of the offending field and its fix."""

    def __init__(
        self, path: Path, data: dict[str, Any], lines: dict[str, int], first_line: int, syntax: FieldSyntax
    ) -> None:
        self.path, self.data, self.lines, self.first_line = path, data, lines, first_line
        self.syntax = syntax

    def fail(self, key: str, message: str, example: object = None) -> NoteError:
        fix = None if example is None else f"write it as '{self.syntax.field_syntax(key, example)}'"
        return NoteError(self.path, message, line=self.lines.get(key, self.first_line), field=key, fix=fix)

    def missing(self, header: bool) -> NoteError | None:
        """The required fields that are missing, as one error whose fix adds them in the note's syntax."""
        missing = [key for key in EXAMPLES if self.data.get(key) in (None, "")]
        if not missing:
            return None
        fix = self.syntax.field_fix({key: EXAMPLES[key] for key in missing}, header=header)
        fix = ", ".join([fix, *(_alternative(key, self.path) for key in missing)])
        if not header:  # nothing written yet: say where labjournal looked, and how to keep a file that is no note
            found = " and ".join(NOT_FOUND[key] for key in missing)
            fix += f"; if it is not a note, rename it _{self.path.name} or list it in {IGNORE_FILE}"
            return NoteError(self.path, f"no {self.syntax.header_name}, and {found}", line=self.first_line, fix=fix)
        field = missing[0] if len(missing) == 1 else None
        message = "missing" if field else f"fields {' and '.join(repr(key) for key in missing)} missing"
        return NoteError(self.path, message, line=self.first_line, field=field, fix=fix)

    def web_url(self, key: str) -> str | None:
        """An http(s) URL with a host and nothing that could end a Markdown link or an attribute."""
        value = self.string(key)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _URL_BREAKERS.search(value):
            raise self.fail(key, f"'{value}' is not an http(s) web address", example="https://...")
        return value

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, str | int | float):
            raise self.fail(key, f"expected text, got {type(value).__name__}", "...")
        return None if value is None else str(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.data.get(key, default)
        if value not in choices:
            raise self.fail(key, f"'{value}' is not one of {', '.join(choices)}", choices[0])
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got '{value}'", not default)
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.fail(key, "expected a list of words, e.g. [pytorch, cnn]", ["pytorch", "cnn"])
        return tuple(str(v) for v in value)

    def date(self, key: str) -> dt.date:
        value = self.data[key]
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"'{value}' is not an ISO date", "YYYY-MM-DD") from None

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got '{value}'", 3)
        return value


KNOWN_FIELDS = {
    "title", "date", "day", "kind", "tags", "series", "device", "draft", "depends", "trusted", "video",
    "execute", "jupyter", "jupytext", "kernelspec",
}  # fmt: skip
LABJOURNAL_FIELDS = KNOWN_FIELDS - {"jupyter", "jupytext", "kernelspec"}


def validate_meta(
    path: Path,
    data: Any,
    lines: dict[str, int],
    first_line: int,
    syntax: FieldSyntax | None = None,
    *,
    header: bool = True,
) -> NoteMeta:
    """Turn a front-matter mapping into :class:`NoteMeta`, or raise :class:`NoteError`.

    ``syntax`` (the note's format) writes the fix of each error in the note's own syntax;
    ``header`` says whether the note has a metadata header at all (else the fix starts one).
    """
    syntax = syntax or _FrontMatterSyntax()
    if not isinstance(data, dict):
        raise NoteError(path, "front matter must be a mapping of 'key: value' lines", line=first_line)
    check = _FieldChecker(path, data, lines, first_line, syntax)
    if (error := check.missing(header)) is not None:
        raise error
    title = data["title"]
    if not isinstance(title, str | int | float):
        raise check.fail("title", "expected text", "...")
    execute = check.boolean("execute", default=True)
    if not execute and not syntax.carries_outputs:
        raise NoteError(
            path,
            "'false' keeps the outputs a notebook was saved with, and this note has none",
            line=lines.get("execute", first_line),
            field="execute",
            fix="remove the line, or publish the notebook (.ipynb) it comes from",
        )
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
        video=check.web_url("video"),
        execute=execute,
        extra={k: v for k, v in data.items() if k not in KNOWN_FIELDS},
    )


def has_front_matter(text: str, prefix: str = "") -> bool:
    """Whether ``text`` starts with a ``---`` header (each line prefixed with ``prefix``)."""
    match = _FRONT_MATTER.match(text)
    return match is not None and match.group("prefix") == prefix


def parse_front_matter(path: Path, text: str, missing_fix: str | None = None) -> tuple[Any, dict[str, int], int]:
    """Return (mapping, line of each top-level key, first line) of a text note's YAML header.

    The header is ``---`` lines around YAML, each line prefixed with ``# `` in a script. Without
    one: an empty mapping (the fields may have defaults), or an error with ``missing_fix`` if given.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        if missing_fix is None:
            return {}, {}, 1
        raise NoteError(path, "no front matter", line=1, fix=missing_fix)
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
