"""Errors that labjournal reports to the user.

Every error names the file it is about (and the line where that makes sense) and, where one exists,
the fix. The CLI turns :class:`UsageError` and :class:`StoreWriteError` into exit code 2; execution
failures of notes are not exceptions at this level but statuses of a run (``labjournal.states``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class LabjournalError(Exception):
    """Base class of the errors labjournal raises on purpose."""


class UsageError(LabjournalError):
    """Bad input from the user: a malformed note, an unknown parameter, a bad option. Exit code 2."""


class NoteError(UsageError):
    """A note that cannot be read: names the file, the line (if known) and the field (if any)."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        what = f"field '{self.field}': {self.message}" if self.field else self.message
        text = f"{where}: {what}"
        return f"{text} ({self.fix})" if self.fix else text


class NoteErrors(UsageError):
    """Every invalid note of a journal, reported together: one line per error (``path:line: message (fix)``).

    Discovery reads every note before it fails, so one run lists every note to fix.
    """

    def __init__(self, errors: Iterable[UsageError]) -> None:
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class ParameterError(UsageError):
    """A ``-p`` override that the note does not accept."""


class DuplicateNoteError(UsageError):
    """Two notes that would be published at the same URL."""


class ConfigError(UsageError):
    """An invalid option of the ``labjournal`` plugin in ``mkdocs.yml``: names the file and the key."""


class StoreWriteError(LabjournalError):
    """The store (or a cache) could not be written: read-only, full, or a path taken. Exit code 2."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path = Path(path)
        self.reason = error.strerror or type(error).__name__
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: cannot write ({self.reason}); nothing was stored: make it writable and run again"
