"""The committed store of executed notes.

``store/notes/<note id>.ipynb`` holds one executed notebook per note, with its provenance in
``metadata.labjournal``: the execution key it was made with, status, timings, device, versions and
origin (``executed`` by labjournal, or the outputs a notebook was ``saved`` with by its author), and
a checksum over the whole entry so that a hand-edited or truncated file is never rendered as if
valid. Files are written deterministically (sorted keys, fixed indent) and atomically (temporary
file + rename), so the store diffs well in git and a crash never leaves half an entry.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labjournal.states import RunStatus

from .io import JsonCache, atomic_write, dumps_deterministic
from .runs import RunLog, device_label

if TYPE_CHECKING:  # nbformat is imported where an entry's notebook is read: a no-op build reads none
    from nbformat import NotebookNode

log = logging.getLogger("labjournal.store")

ENTRY_FORMAT = 1
INJECTED_TAG = "injected-parameters"
"""papermill's tag of the parameters cell it injects: in stored notebooks, never one of the note's cells."""


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
    parameters: dict[str, Any] = field(default_factory=dict)  # every parameter (older entries: those injected)
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
    origin: str = "executed"  # "saved": a notebook's own outputs (``execute: false``), never run by labjournal
    run_id: str = ""  # the run record of these outputs ("" in entries stored before runs were named here)
    format: int = ENTRY_FORMAT

    @property
    def ok(self) -> bool:
        return self.status == RunStatus.OK

    @property
    def saved(self) -> bool:
        """The outputs are those the author's notebook was saved with: labjournal did not run it."""
        return self.origin == "saved"

    @property
    def where(self) -> str:
        return device_label(self.device, self.gpu)

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


def _checksum(notebook: dict[str, Any]) -> str:
    """sha256 of the entry as written, without its checksum field (left in place)."""
    meta = notebook.get("metadata", {}).get("labjournal", {})
    saved = meta.pop("checksum", None)
    try:
        return hashlib.sha256(dumps_deterministic(notebook).encode()).hexdigest()
    finally:
        if saved is not None:
            meta["checksum"] = saved


class Store:
    """Executed notebooks under ``<root>/notes``, one entry per note id.

    ``index`` (optional, outside the committed store) remembers the entries that passed their
    checksum, by file size and modification time, so an unchanged entry is not read and re-hashed
    on every build; any change to the file makes it checked again.
    """

    def __init__(self, root: Path, index: Path | None = None) -> None:
        self.root = root
        self.index: JsonCache[dict[str, Any]] = JsonCache(index, version=1)
        self.runs = RunLog(root / "runs", page=self._page_run)

    def _page_run(self, note_id: str) -> tuple[str, str, str] | None:
        """(run id, key, finished) of the run whose outputs the note's entry holds, for :class:`RunLog`."""
        entry = self.load(note_id)
        if entry is None or entry.provenance.saved:
            return None
        prov = entry.provenance
        return prov.run_id, prov.key, prov.finished

    def save_index(self) -> None:
        self.index.save()

    def _remember(self, path: Path, meta: dict[str, Any] | None) -> None:
        rel = path.relative_to(self.root).as_posix()
        if meta is None:
            self.index.drop(rel)
            return
        stat = path.stat()
        self.index.put(rel, {"stat": [stat.st_mtime_ns, stat.st_size], "provenance": meta})

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
        known = self.index.get(path.relative_to(self.root).as_posix())
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

    def save(self, notebook: NotebookNode | dict[str, Any], provenance: Provenance) -> Path:
        notebook = copy.deepcopy(notebook)
        meta = notebook.setdefault("metadata", {})
        meta["labjournal"] = provenance.to_dict()
        meta["labjournal"]["checksum"] = _checksum(notebook)
        path = self.path_for(provenance.note)
        atomic_write(path, dumps_deterministic(notebook))
        self._remember(path, meta["labjournal"])
        return path

    def record_failure(self, entry: Entry, failure: Failure) -> Path:
        """Keep ``entry``'s good outputs and note that a later re-run failed."""
        entry.provenance.last_failure = failure
        return self.save(entry.notebook, entry.provenance)
