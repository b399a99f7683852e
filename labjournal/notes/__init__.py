"""Notes: discovery under ``notes/``, formats (Jupytext Markdown and MyST, py:percent, notebooks), metadata.

A note's metadata lives in YAML front matter (``.md``/``.py``) or in the notebook's
``metadata.labjournal`` (``.ipynb``); a notebook without it may still say its title and date
(``adoption``). Files and folders whose name starts with ``_`` or ``.`` are not notes, nor is what
``notes/.labjournalignore`` lists (``ignore``).
"""

from __future__ import annotations

from .discovery import check_unique_ids, discover, duplicate_ids, iter_note_paths, warn_duplicate_days
from .facts import CodeFacts, FactsCache
from .formats import NoteFormat, format_for, formats, note_suffixes, register_format, unregister_format
from .ignore import IGNORE_FILE, IgnoreRules
from .metadata import DEVICES, KINDS, FieldSyntax, NoteMeta, validate_meta
from .model import Note, read_note

__all__ = [
    "DEVICES",
    "IGNORE_FILE",
    "KINDS",
    "CodeFacts",
    "FactsCache",
    "FieldSyntax",
    "IgnoreRules",
    "Note",
    "NoteFormat",
    "NoteMeta",
    "check_unique_ids",
    "discover",
    "duplicate_ids",
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
