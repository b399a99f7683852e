"""What a build needs to know about a note's code, remembered across builds.

Parsing a text note with jupytext costs tens of milliseconds; a journal of a thousand notes would
pay that on every build just to learn that nothing changed. The facts about a note's code (the hash
of its code cells, its kernel, how many code cells it has) depend only on its text, so they are
kept in ``.labjournal/cache/facts.json`` under a digest of the text and reused while it is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from labjournal.store.io import JsonCache


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


class FactsCache(JsonCache[CodeFacts]):
    """A text digest -> :class:`CodeFacts` map in ``.labjournal/facts.json``."""

    VERSION = 2

    def __init__(self, path: Path | None) -> None:
        super().__init__(path, self.VERSION, decode=lambda data: CodeFacts(**data), encode=asdict)

    @staticmethod
    def digest(suffix: str, text: str) -> str:
        return hashlib.sha256(suffix.encode() + b"\x00" + text.encode()).hexdigest()
