"""The committed store of executed notes.

``store/notes/<note id>.ipynb`` holds one executed notebook per note, with its provenance in
``metadata.labjournal``: the execution key it was made with, status, timings, device and versions,
and a checksum over the whole entry so that a hand-edited or truncated file is never rendered as if
valid. Files are written deterministically (sorted keys, fixed indent) and atomically (temporary
file + rename), so the store diffs well in git and a crash never leaves half an entry.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .keys import execution_key
from .notes import Note

if TYPE_CHECKING:  # nbformat is imported where an entry's notebook is read: a no-op build reads none
    from nbformat import NotebookNode

log = logging.getLogger("labjournal.store")

ENTRY_FORMAT = 1


class State(StrEnum):
    """Freshness of a note's stored result against its current code."""

    FRESH = "fresh"
    STALE = "stale"
    FAILED = "failed"
    NEVER_RUN = "never run"
    NEEDS_GPU = "needs GPU"

    def __str__(self) -> str:
        return self.value


@dataclass
class Failure:
    """The last failed re-run of a note whose good outputs are kept."""

    finished: str
    status: str
    message: str
    traceback: str = ""
    key: str = ""  # the key of the failed run: the code it failed with


@dataclass
class Provenance:
    """Where and how a stored result was made."""

    key: str
    note: str
    status: str  # "ok" or a failure status ("error", "timeout", "dead kernel", ...)
    parameters: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)  # non-default parameters of a promoted run
    device: str = "cpu"
    gpu: str | None = None
    seconds: float = 0.0
    cells_seconds: list[float] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    finished: str = ""
    message: str = ""
    last_failure: Failure | None = None
    metrics: dict[str, float] = field(default_factory=dict)  # final value of each recorded metric
    format: int = ENTRY_FORMAT

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        data = dict(data)
        failure = data.pop("last_failure", None)
        data.pop("checksum", None)
        known = {f for f in cls.__dataclass_fields__}
        prov = cls(**{k: v for k, v in data.items() if k in known})
        prov.last_failure = Failure(**failure) if failure else None
        return prov

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Entry:
    """A stored executed notebook with its provenance; the notebook is read when first used."""

    def __init__(self, provenance: Provenance, path: Path, notebook: NotebookNode | None = None) -> None:
        self.provenance = provenance
        self.path = path
        self._notebook = notebook

    @property
    def notebook(self) -> NotebookNode:
        if self._notebook is None:
            import nbformat

            self._notebook = nbformat.from_dict(json.loads(self.path.read_text(encoding="utf-8")))
        return self._notebook


def dumps_deterministic(notebook: NotebookNode | dict[str, Any]) -> str:
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _checksum(notebook: dict[str, Any]) -> str:
    """sha256 of the entry as written, without its checksum field (left in place)."""
    meta = notebook.get("metadata", {}).get("labjournal", {})
    saved = meta.pop("checksum", None)
    try:
        return hashlib.sha256(dumps_deterministic(notebook).encode()).hexdigest()
    finally:
        if saved is not None:
            meta["checksum"] = saved


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    """Executed notebooks under ``<root>/notes``, one entry per note id.

    ``index`` (optional, outside the committed store) remembers the entries that passed their
    checksum, by file size and modification time, so an unchanged entry is not read and re-hashed
    on every build; any change to the file makes it checked again.
    """

    def __init__(self, root: Path, index: Path | None = None) -> None:
        self.root = root
        self.index_path = index
        self._index: dict[str, Any] | None = None
        self._index_dirty = False

    def _known(self) -> dict[str, Any]:
        if self._index is None:
            self._index = {}
            if self.index_path is not None and self.index_path.exists():
                try:
                    self._index = json.loads(self.index_path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    self._index = {}
        return self._index

    def save_index(self) -> None:
        if self.index_path is not None and self._index_dirty:
            atomic_write(self.index_path, json.dumps(self._known(), sort_keys=True))
            self._index_dirty = False

    def _remember(self, path: Path, meta: dict[str, Any] | None) -> None:
        if self.index_path is None:
            return
        rel = path.relative_to(self.root).as_posix()
        if meta is None:
            self._index_dirty |= self._known().pop(rel, None) is not None
            return
        stat = path.stat()
        self._known()[rel] = {"stat": [stat.st_mtime_ns, stat.st_size], "provenance": meta}
        self._index_dirty = True

    def path_for(self, note_id: str) -> Path:
        return self.root / "notes" / f"{note_id}.ipynb"

    def is_empty(self) -> bool:
        """No entry at all (a journal's first run: every note with code will execute)."""
        return next((self.root / "notes").rglob("*.ipynb"), None) is None

    def load(self, note_id: str) -> Entry | None:
        """The entry of ``note_id``, or None when missing or not trustworthy (logged as a warning)."""
        path = self.path_for(note_id)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        known = self._known().get(path.relative_to(self.root).as_posix()) if self.index_path else None
        if known and known["stat"] == [stat.st_mtime_ns, stat.st_size]:
            return Entry(Provenance.from_dict(known["provenance"]), path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            meta = raw["metadata"]["labjournal"]
            if meta.get("checksum") != _checksum(raw):
                log.warning("%s: checksum mismatch (edited by hand or corrupted); treated as stale", path)
                self._remember(path, None)
                return None
            from nbformat import from_dict

            entry = Entry(Provenance.from_dict(meta), path, from_dict(raw))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: unreadable store entry (%s); treated as stale", path, exc)
            self._remember(path, None)
            return None
        self._remember(path, meta)
        return entry

    def save(self, notebook: NotebookNode, provenance: Provenance) -> Path:
        notebook = copy.deepcopy(notebook)
        notebook.metadata["labjournal"] = provenance.to_dict()
        notebook.metadata["labjournal"]["checksum"] = _checksum(notebook)
        path = self.path_for(provenance.note)
        atomic_write(path, dumps_deterministic(notebook))
        self._remember(path, notebook.metadata["labjournal"])
        return path

    def record_failure(self, entry: Entry, failure: Failure) -> Path:
        """Keep ``entry``'s good outputs and note that a later re-run failed."""
        entry.provenance.last_failure = failure
        return self.save(entry.notebook, entry.provenance)

    def freshness(self, note: Note) -> tuple[str, State, Entry | None]:
        """(key, state, entry) of ``note``'s canonical result.

        The key is computed with the overrides the stored run was made with: a run promoted with
        ``--promote`` stays fresh until the code changes, and says on its page which parameters it used.
        An entry that exists but fails its checksum is stale (and was logged), never used.
        """
        entry = self.load(note.id)
        key = execution_key(note, entry.provenance.overrides if entry else {})
        if entry is None:
            return key, State.STALE if self.path_for(note.id).exists() else State.NEVER_RUN, None
        if entry.provenance.key != key:
            return key, State.STALE, entry
        if not entry.provenance.ok or entry.provenance.last_failure is not None:
            return key, State.FAILED, entry
        return key, State.FRESH, entry
