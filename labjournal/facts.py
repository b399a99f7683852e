"""What a build needs to know about a note's code, remembered across builds.

Parsing a text note with jupytext costs tens of milliseconds; a journal of a thousand notes would
pay that on every build just to learn that nothing changed. The facts about a note's code (the hash
of its code cells, its kernel, how many code cells it has) depend only on its text, so they are
kept in ``.labjournal/cache/facts.json`` under a digest of the text and reused while it is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("labjournal.facts")


@dataclass(frozen=True)
class CodeFacts:
    """The parts of a note that decide whether it must run again."""

    code_hash: str
    kernel_name: str
    code_cells: int

    @classmethod
    def of(cls, cells: Iterable[Any], kernel_name: str) -> CodeFacts:
        digest = hashlib.sha256()
        count = 0
        for cell in cells:
            digest.update(cell.source.strip().encode())
            digest.update(b"\x00")
            count += 1
        return cls(digest.hexdigest(), kernel_name, count)


class FactsCache:
    """A text digest -> :class:`CodeFacts` map, loaded once and written back when it grew."""

    VERSION = 1

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, CodeFacts] = {}
        self.dirty = False
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == self.VERSION:
                    self.entries = {k: CodeFacts(**v) for k, v in data["facts"].items()}
            except (OSError, ValueError, TypeError, KeyError) as exc:
                log.warning("%s: unreadable cache (%s); starting afresh", path, exc)

    @staticmethod
    def digest(suffix: str, text: str) -> str:
        return hashlib.sha256(suffix.encode() + b"\x00" + text.encode()).hexdigest()

    def get(self, digest: str) -> CodeFacts | None:
        return self.entries.get(digest)

    def put(self, digest: str, facts: CodeFacts) -> None:
        self.entries[digest] = facts
        self.dirty = True

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache (only the digests in ``keep``, when given, so it does not grow forever)."""
        if self.path is None or not self.dirty:
            return
        from .store import atomic_write

        entries = self.entries if keep is None else {k: v for k, v in self.entries.items() if k in set(keep)}
        body = {"version": self.VERSION, "facts": {k: asdict(v) for k, v in sorted(entries.items())}}
        atomic_write(self.path, json.dumps(body, sort_keys=True))
        self.dirty = False
