"""A journal on disk: where its notes, store and caches are, and the state of every note.

Settings come from the ``labjournal`` entry of ``plugins`` in ``mkdocs.yml`` (one place for the
CLI and the MkDocs plugin), read with a YAML loader that tolerates mkdocs' ``!!python/name`` tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError
from .facts import FactsCache
from .keys import execution_key
from .notes import Note, discover
from .store import Entry, State, Store

CONFIG_FILE = "mkdocs.yml"


@dataclass
class Settings:
    """Options of the ``labjournal`` plugin (see ``plugin.LabjournalConfig`` for their meaning)."""

    notes_dir: str = "notes"
    store_dir: str = "store"
    cache_dir: str = ".labjournal"
    url_prefix: str = "journal"
    recent: int = 8
    executor: str = "local"
    jobs: int | None = None
    preload: bool | None = None
    preload_modules: list[str] | None = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> Settings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that reads ``!!python/name:...`` and other tags as plain values."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_settings(config_file: Path) -> Settings:
    """The plugin options in ``config_file`` (defaults when the plugin has none)."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{config_file}: malformed YAML: {exc}") from None
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and "labjournal" in plugin:
            return Settings.from_mapping(plugin["labjournal"])
    return Settings()


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``mkdocs.yml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise UsageError(f"no {CONFIG_FILE} found in {start} or above: run labjournal inside a journal")


@dataclass
class NoteStatus:
    """A note with the key of its canonical run and what the store holds for it."""

    note: Note
    key: str
    state: State
    entry: Entry | None


class Journal:
    """The notes folder, the store and the cache of one journal."""

    def __init__(self, root: Path, settings: Settings | None = None) -> None:
        self.root = root.resolve()
        self.settings = settings or read_settings(self.root / CONFIG_FILE)
        self.notes_root = self.root / self.settings.notes_dir
        self.cache = self.root / self.settings.cache_dir
        self.store = Store(self.root / self.settings.store_dir, index=self.cache / "store-index.json")
        self.facts = FactsCache(self.cache / "facts.json")

    @classmethod
    def find(cls, start: Path | None = None) -> Journal:
        return cls(find_root(start or Path.cwd()))

    def notes(self, paths: Iterable[Path] | None = None) -> list[Note]:
        return discover(self.notes_root, paths, self.facts)

    def save_caches(self) -> None:
        """Keep what this command learnt about unchanged notes and store entries for the next one."""
        self.facts.save()
        self.store.save_index()

    def status(self, note: Note) -> NoteStatus:
        if not note.has_code:
            return NoteStatus(note, execution_key(note), State.FRESH, None)  # prose only: nothing to execute
        key, state, entry = self.store.freshness(note)
        return NoteStatus(note, key, state, entry)
