"""Finding the notes of a journal: every note file under ``notes/``, read and checked together.

Every note is read before any error is raised, so one run reports every invalid note (a
:class:`~labjournal.errors.NoteErrors` listing them all, one line each).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from labjournal.errors import DuplicateNoteError, NoteError, NoteErrors, UsageError

from .facts import FactsCache
from .formats import note_suffixes
from .ignore import IGNORE_FILE, IgnoreRules
from .model import Note, read_note

log = logging.getLogger("labjournal.notes")


def iter_note_paths(root: Path, notes_root: Path | None = None) -> Iterator[Path]:
    """Every note file below ``root``, sorted; ``_x`` and ``.x`` files and folders are skipped, and
    so is whatever the ``.labjournalignore`` of ``notes_root`` (default: ``root``) lists."""
    if not root.is_dir():
        return
    notes_root = notes_root or root
    rules = IgnoreRules.of(notes_root)
    suffixes = note_suffixes()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(part.startswith(("_", ".")) for part in rel):
            continue
        if path.suffix in suffixes and path.is_file() and not rules.ignores(path.relative_to(notes_root).as_posix()):
            yield path


def _selected(root: Path, paths: Iterable[Path]) -> list[Path]:
    """The note files of the given files and folders, each of which must be inside ``root``."""
    rules = IgnoreRules.of(root)
    selected: list[Path] = []
    for given in paths:
        given = given.resolve()
        if given != root and root not in given.parents:
            raise NoteError(given, f"not under the notes folder {root.name}/", fix="move it there or give another path")
        if given.is_dir():
            selected.extend(iter_note_paths(given, root))
        elif given.is_file():
            if rules.ignores(given.relative_to(root).as_posix()):
                raise NoteError(
                    given, f"not a note: {root.name}/{IGNORE_FILE} lists it", fix=f"give a note, or edit {IGNORE_FILE}"
                )
            selected.append(given)
        else:
            raise NoteError(given, "no such note", fix="give a path under the notes folder")
    return selected


def discover(root: Path, paths: Iterable[Path] | None = None, facts_cache: FactsCache | None = None) -> list[Note]:
    """Read the notes below ``root`` (or only ``paths``, files or folders inside it).

    Every note is read; invalid ones (and notes that would share a URL) are raised together at
    the end: one error as itself, several as :class:`NoteErrors`.
    """
    root = root.resolve()
    selected = _selected(root, paths) if paths else list(iter_note_paths(root))
    notes: list[Note] = []
    errors: list[UsageError] = []
    for path in selected:
        try:
            notes.append(_read_unless_known(path, root, facts_cache))
        except NoteError as exc:
            errors.append(exc)
    errors.extend(duplicate_ids(notes))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise NoteErrors(errors)
    warn_duplicate_days(notes)
    return sorted(notes, key=lambda n: n.chronological_key)


def _read_unless_known(path: Path, root: Path, facts_cache: FactsCache | None) -> Note:
    """The note, read again only when its file changed since this process last read it: a preview
    (``labjournal serve``) lists every note on each save, and most of them are as they were."""
    st = os.stat(path)
    key = (path, root, st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    note = _KNOWN.get(key)
    if note is None:
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        note = _KNOWN[key] = read_note(path, root, facts_cache)
    elif note.facts_cache is not facts_cache:  # this command's cache learns and keeps the facts
        note = dataclasses.replace(note, facts_cache=facts_cache)
    return note


_KNOWN: dict[tuple[object, ...], Note] = {}
_KNOWN_MAX = 20_000


def duplicate_ids(notes: Iterable[Note]) -> list[DuplicateNoteError]:
    """An error naming both files for every two notes that would share a URL (``x.md`` and ``x.py``)."""
    seen: dict[str, Note] = {}
    errors = []
    for note in notes:
        key = note.id.lower()
        if key in seen:
            errors.append(
                DuplicateNoteError(
                    f"{seen[key].path} and {note.path} would both be published as '{note.id}/': rename one of them"
                )
            )
        else:
            seen[key] = note
    return errors


def check_unique_ids(notes: Iterable[Note]) -> None:
    """Two notes that would share a URL (``x.md`` and ``x.py``) are an error naming both."""
    errors = duplicate_ids(notes)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise NoteErrors(errors)


def warn_duplicate_days(notes: Iterable[Note]) -> list[str]:
    """Log a warning naming the files of every Day number used on more than one date; return the warnings.

    Day numbers count the days of the journal, not its entries: the entries of one date share its Day
    number (``labjournal new`` and ``import`` give a second entry on a date that date's number), and a
    Day number belongs to one date. A number on two dates is usually a copied header that was not
    updated: a warning, not an error, as both notes still build.
    """
    by_day: dict[int, list[Note]] = defaultdict(list)
    for note in notes:
        if note.meta.day is not None:
            by_day[note.meta.day].append(note)
    warnings = []
    for day, same in sorted(by_day.items()):
        if len({note.meta.date for note in same}) > 1:
            files = " and ".join(f"{note.path} ({note.meta.date})" for note in sorted(same, key=lambda n: n.rel))
            warnings.append(f"Day {day} is used on more than one date, by {files}: one Day number per date")
            log.warning("%s", warnings[-1])
    return warnings
