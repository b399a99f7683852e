"""What the store holds for a note, decided in one place for ``run``, ``status``, the pages and the report."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from labjournal.executors.devices import gpu_available
from labjournal.notes import Note
from labjournal.notes.facts import CodeFacts
from labjournal.states import State
from labjournal.store import INJECTED_TAG, Entry, Store

from .keys import execution_key


@dataclass
class NoteStatus:
    """A note, the key of its canonical run, its state, and its stored entry (if any)."""

    note: Note
    key: str
    state: State
    entry: Entry | None

    @property
    def outputs_current(self) -> bool:
        """The entry was made from the note's current code: its outputs may be shown."""
        return self.entry is not None and self.entry.provenance.key == self.key

    @cached_property
    def current_cells(self) -> int:
        """How many of the note's first code cells have current outputs in the entry: all of them when
        the entry was made from the current code; after a code edit, the cells above the first one
        whose code changed (their code and everything above it ran as it is now); else none."""
        if self.entry is None:
            return 0
        if self.outputs_current:
            return len(self.note.code_cells)
        return unchanged_cells(self.note, self.entry)


def canonical_key(note: Note, overrides: dict[str, Any] | None = None) -> str:
    """The key of the note's canonical entry: its execution key, and for an ``execute: false``
    notebook also the outputs it was saved with (re-saving it with new outputs republishes them)."""
    key = execution_key(note, overrides)
    if note.meta.execute:
        return key
    return hashlib.sha256(f"{key}\0saved\0{note.saved_outputs_digest}".encode()).hexdigest()


def stored_code_cells(entry: Entry) -> list[Any]:
    """The note's code cells as the entry ran them (papermill's injected parameters left out)."""
    cells = entry.notebook.cells
    return [c for c in cells if c.cell_type == "code" and INJECTED_TAG not in c.metadata.get("tags", [])]


def unchanged_cells(note: Note, entry: Entry) -> int:
    """The number of leading code cells whose code is as the entry ran it, when only the code changed
    (same kernel, parameters and dependencies: the entry's key, computed with the code it ran)."""
    prov = entry.provenance
    if prov.saved or not note.meta.execute:
        return 0
    stored = stored_code_cells(entry)
    same = 0
    for current, ran in zip(note.code_cells, stored, strict=False):
        if current.source.strip() != ran.source.strip():
            break
        same += 1
    if same == 0 or canonical_key(_with_code(note, stored), prov.overrides) != prov.key:
        return 0
    return same


def _with_code(note: Note, cells: list[Any]) -> Note:
    """``note`` as if its code cells were ``cells`` (for the key of the code an entry ran)."""
    other = copy.copy(note)
    other.__dict__["facts"] = CodeFacts.of(cells, note.kernel_name)
    return other


def stored_state(note: Note, store: Store) -> NoteStatus:
    """The note against its stored entry, whatever this host can run.

    The key is computed with the overrides the stored run was made with: a run promoted with
    ``--promote`` stays fresh until the code changes. An entry that exists but fails its checksum
    is stale (and was logged), never used. A note whose current code was run and failed is
    ``failed`` (the entry keeps the last good outputs), not stale.
    """
    entry = store.load(note.id)
    key = canonical_key(note, entry.provenance.overrides if entry else {})
    if entry is None:
        return NoteStatus(note, key, State.STALE if store.path_for(note.id).exists() else State.NEVER_RUN, None)
    failure = entry.provenance.last_failure
    if entry.provenance.key != key:
        failed_here = failure is not None and failure.key == key
        return NoteStatus(note, key, State.FAILED if failed_here else State.STALE, entry)
    if not entry.provenance.ok or failure is not None:
        return NoteStatus(note, key, State.FAILED, entry)
    return NoteStatus(note, key, State.FRESH, entry)


def needs_gpu_here(note: Note) -> bool:
    """A ``device: cuda`` note on a host without a GPU: it cannot run here (an ``execute: false``
    notebook never runs, so it needs none)."""
    return note.meta.execute and note.meta.device == "cuda" and not gpu_available()


def assess(note: Note, store: Store) -> NoteStatus:
    """The state of ``note``: prose-only notes are fresh; a note that would have to run but needs a
    GPU this host lacks is ``needs GPU`` (its stored outputs, if current, are still shown)."""
    if not note.has_code:
        return NoteStatus(note, canonical_key(note), State.FRESH, None)  # nothing to execute
    status = stored_state(note, store)
    if status.state is not State.FRESH and needs_gpu_here(note):
        status.state = State.NEEDS_GPU
    return status
