"""What makes a stored result fresh.

The key hashes only what changes the outputs: the code cells in order, the parameter overrides,
the kernel name and the content of the files the note declares in ``depends``. Prose, titles, tags
and the injected device are not part of it, so editing them never re-executes a note.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from labjournal.errors import NoteError
from labjournal.notes import Note

KEY_VERSION = 1


def _file_digest(note: Note, relpath: str) -> str:
    path = (note.path.parent / relpath).resolve()
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        raise NoteError(
            note.path, f"declared dependency '{relpath}' cannot be read", field="depends", fix="fix the path"
        ) from None


def execution_key(note: Note, overrides: dict[str, Any] | None = None) -> str:
    """The content address of a run of ``note`` with ``overrides``."""
    payload = {
        "v": KEY_VERSION,
        "code": note.facts.code_hash,
        "parameters": {k: v for k, v in sorted((overrides or {}).items()) if k != "device"},
        "kernel": note.kernel_name,
        "depends": {rel: _file_digest(note, rel) for rel in sorted(note.meta.depends)},
    }
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()
