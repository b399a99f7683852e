"""Writing entries: ``labjournal new`` from templates, and lecture transcripts with ``labjournal import``."""

from __future__ import annotations

from .new import new_note, parse_date
from .transcripts import import_transcript

__all__ = ["import_transcript", "new_note", "parse_date"]
