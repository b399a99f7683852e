"""Finding the notes of a journal: every note file under ``notes/``, read and checked together."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from labjournal.errors import DuplicateNoteError, NoteError

from .facts import FactsCache
from .formats import note_suffixes
from .model import Note, read_note

log = logging.getLogger("labjournal.notes")


def iter_note_paths(root: Path) -> Iterator[Path]:
    """Every note file below ``root``, sorted; ``_x`` and ``.x`` files and folders are skipped."""
    if not root.is_dir():
        return
    suffixes = note_suffixes()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(part.startswith(("_", ".")) for part in rel):
            continue
        if path.suffix in suffixes and path.is_file():
            yield path


def discover(root: Path, paths: Iterable[Path] | None = None, facts_cache: FactsCache | None = None) -> list[Note]:
    """Read the notes below ``root`` (or only ``paths``, files or folders inside it)."""
    root = root.resolve()
    selected: list[Path] = []
    if paths:
        for given in paths:
            given = given.resolve()
            if given != root and root not in given.parents:
                raise NoteError(
                    given, f"not under the notes folder {root.name}/", fix="move it there or give another path"
                )
            if given.is_dir():
                selected.extend(iter_note_paths(given))
            elif given.is_file():
                selected.append(given)
            else:
                raise NoteError(given, "no such note", fix="give a path under the notes folder")
    else:
        selected = list(iter_note_paths(root))
    notes = [read_note(path, root, facts_cache) for path in selected]
    check_unique_ids(notes)
    warn_duplicate_days(notes)
    return sorted(notes, key=lambda n: n.chronological_key)


def check_unique_ids(notes: Iterable[Note]) -> None:
    """Two notes that would share a URL (``x.md`` and ``x.py``) are an error naming both."""
    seen: dict[str, Note] = {}
    for note in notes:
        key = note.id.lower()
        if key in seen:
            raise DuplicateNoteError(
                f"{seen[key].path} and {note.path} would both be published as '{note.id}/': rename one of them"
            )
        seen[key] = note


def warn_duplicate_days(notes: Iterable[Note]) -> list[str]:
    """Log a warning naming the files of every Day number used more than once; return the warnings.

    A warning, not an error: both notes still build, but ``labjournal new`` numbers from the
    highest Day, so a duplicate is usually a copied header that was not updated.
    """
    by_day: dict[int, list[Note]] = defaultdict(list)
    for note in notes:
        if note.meta.day is not None:
            by_day[note.meta.day].append(note)
    warnings = []
    for day, same in sorted(by_day.items()):
        if len(same) > 1:
            files = " and ".join(str(note.path) for note in sorted(same, key=lambda n: n.rel))
            warnings.append(f"Day {day} is used by {files}: give each entry its own day number")
            log.warning("%s", warnings[-1])
    return warnings
