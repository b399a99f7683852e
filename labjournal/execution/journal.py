"""A journal on disk: where its notes, store and caches are, and the state of every note.

Where the folders are comes from the ``labjournal`` plugin's options in ``mkdocs.yml``
(``labjournal.site.config``, the one definition of the options); this class takes them as given.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from labjournal.errors import UsageError
from labjournal.limits import OutputLimits
from labjournal.notes import FactsCache, Note, discover
from labjournal.store import Store

from .freshness import NoteStatus, assess

CONFIG_FILE = "mkdocs.yml"


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``mkdocs.yml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise UsageError(f"no {CONFIG_FILE} found in {start} or above: run labjournal inside a journal")


class Journal:
    """The notes folder, the store and the caches of one journal."""

    def __init__(
        self, root: Path, *, notes_dir: str, store_dir: str, cache_dir: str, limits: OutputLimits | None = None
    ) -> None:
        self.root = root.resolve()
        self.limits = limits or OutputLimits()
        self.notes_root = self.root / notes_dir
        self.cache = self.root / cache_dir
        self.store = Store(self.root / store_dir, index=self.cache / "store-index.json")
        self.facts = FactsCache(self.cache / "facts.json")

    def notes(self, paths: Iterable[Path] | None = None) -> list[Note]:
        return discover(self.notes_root, paths, self.facts)

    def save_caches(self) -> None:
        """Keep what this command learnt about unchanged notes and store entries for the next one."""
        self.facts.save()
        self.store.save_index()

    def status(self, note: Note) -> NoteStatus:
        return assess(note, self.store)
