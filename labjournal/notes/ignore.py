"""``notes/.labjournalignore``: files under ``notes/`` that are not notes (helper modules, data, drafts).

One gitignore-style pattern a line, relative to the notes folder: blank lines and ``#`` comments
are skipped; ``*``, ``?`` and ``[abc]`` match within a name, ``**`` across folders; a pattern with a
``/`` (other than at its end) is anchored to the notes folder, one without matches a name at any
depth; a trailing ``/`` matches only folders; ``!`` re-includes what an earlier line excluded (not
inside an excluded folder). Files and folders whose name starts with ``_`` or ``.`` are never notes,
whatever the file says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".labjournalignore"


def _translate(pattern: str) -> str:
    """The regular expression of one gitignore glob (without its ``!``, leading and trailing ``/``)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool


class IgnoreRules:
    """The patterns of a notes folder's ``.labjournalignore`` (none when it has no such file)."""

    def __init__(self, lines: list[str] | tuple[str, ...] = ()) -> None:
        self.rules: list[_Rule] = []
        for raw in lines:
            line = raw.rstrip("\n").rstrip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            line = line[1:] if negated else line
            folders_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            regex = _translate(line.lstrip("/"))
            prefix = "" if anchored else "(?:.*/)?"
            self.rules.append(_Rule(re.compile(f"^{prefix}{regex}$"), negated, folders_only))

    @classmethod
    def of(cls, notes_root: Path) -> IgnoreRules:
        path = notes_root / IGNORE_FILE
        try:
            return cls(path.read_text(encoding="utf-8").splitlines())
        except (FileNotFoundError, NotADirectoryError):
            return cls()

    def _matches(self, rel: str, is_dir: bool) -> bool:
        ignored = False
        for rule in self.rules:
            if (not rule.folders_only or is_dir) and rule.regex.match(rel):
                ignored = not rule.negated
        return ignored

    def ignores(self, rel: str, is_dir: bool = False) -> bool:
        """Whether ``rel`` (a path relative to the notes folder, with ``/``) or a folder above it is ignored."""
        if not self.rules:
            return False
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            if self._matches("/".join(parts[:depth]), True):
                return True
        return self._matches(rel, is_dir)
