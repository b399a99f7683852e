"""Front matter: a note's YAML header (or notebook metadata) validated into :class:`NoteMeta`.

Errors name the file and the line of the offending key, and say how to fix it in the note's own
syntax (each format gives its way to write a field, see ``formats.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labjournal.errors import NoteError

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
LABJOURNAL_FIELDS = KNOWN_FIELDS - {"jupyter", "jupytext", "kernelspec"}


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


def parse_front_matter(path: Path, text: str, missing_fix: str) -> tuple[Any, dict[str, int], int]:
    """Return (mapping, line of each top-level key, first line) of a text note's YAML header.

    The header is ``---`` lines around YAML, each line prefixed with ``# `` in a script;
    ``missing_fix`` says how to add one in the note's own syntax.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
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


