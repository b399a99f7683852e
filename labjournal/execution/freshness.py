"""What the store holds for a note, decided in one place for ``run``, ``status``, the pages and the report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from labjournal.executors.devices import gpu_available
from labjournal.notes import Note
from labjournal.states import State
from labjournal.store import Entry, Store

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


def canonical_key(note: Note, overrides: dict[str, Any] | None = None) -> str:
    """The key of the note's canonical entry: its execution key, and for an ``execute: false``
    notebook also the outputs it was saved with (re-saving it with new outputs republishes them)."""
    key = execution_key(note, overrides)
    if note.meta.execute:
        return key
    return hashlib.sha256(f"{key}\0saved\0{note.saved_outputs_digest}".encode()).hexdigest()


def stored_state(note: Note, store: Store) -> NoteStatus:
    """The note against its stored entry, whatever this host can run.

    The key is computed with the overrides the stored run was made with: a run promoted with
    ``--promote`` stays fresh until the code changes. An entry that exists but fails its checksum
    is stale (and was logged), never used.
    """
    entry = store.load(note.id)
    key = canonical_key(note, entry.provenance.overrides if entry else {})
    if entry is None:
        return NoteStatus(note, key, State.STALE if store.path_for(note.id).exists() else State.NEVER_RUN, None)
    if entry.provenance.key != key:
        return NoteStatus(note, key, State.STALE, entry)
    if not entry.provenance.ok or entry.provenance.last_failure is not None:
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
