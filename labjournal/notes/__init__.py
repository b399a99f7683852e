"""Notes: discovery under ``notes/``, formats (Jupytext Markdown and MyST, py:percent, notebooks), metadata.

A note's metadata lives in YAML front matter (``.md``/``.py``) or in the notebook's
``metadata.labjournal`` (``.ipynb``). Files and folders whose name starts with ``_`` or ``.`` are
not notes.
"""

from __future__ import annotations

from .discovery import check_unique_ids, discover, iter_note_paths, warn_duplicate_days
from .facts import CodeFacts, FactsCache
from .formats import NoteFormat, format_for, formats, note_suffixes, register_format, unregister_format
from .metadata import DEVICES, KINDS, NoteMeta, validate_meta
from .model import Note, read_note

__all__ = [
    "DEVICES",
    "KINDS",
    "CodeFacts",
    "FactsCache",
    "Note",
    "NoteFormat",
    "NoteMeta",
    "check_unique_ids",
    "discover",
    "format_for",
    "formats",
    "iter_note_paths",
    "note_suffixes",
    "read_note",
    "register_format",
    "unregister_format",
    "validate_meta",
    "warn_duplicate_days",
]
