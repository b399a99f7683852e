"""One ``labjournal run`` or ``build`` at a time per journal.

Two runs on the same journal would execute the same notes twice and race on the store and the
site. ``<cache>/run.lock`` is an OS file lock (filelock): the OS releases it when its holder dies,
so it never goes stale. The side file ``run.lock.json`` says who holds it (pid, host, command,
since when), so that a second run can tell its user whom it waits for.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from labjournal.errors import LabjournalError
from labjournal.store import atomic_write


class JournalBusy(LabjournalError):
    """Another run holds the journal and the caller asked not to wait (exit code 1)."""


@dataclass(frozen=True)
class Holder:
    """Who holds a journal's lock, as written into the side file."""

    pid: int
    host: str
    command: str
    since: str

    def __str__(self) -> str:
        return f"`{self.command}`, pid {self.pid} on {self.host}, since {self.since}"


class JournalLock:
    """The lock of the journal whose cache folder is ``cache``; a context manager."""

    def __init__(self, cache: Path, command: str) -> None:
        self.path = cache / "run.lock"
        self.side = cache / "run.lock.json"
        self.command = command
        self._lock = FileLock(self.path)

    def holder(self) -> Holder | None:
        """The holder named in the side file (None while it is being written, or if unreadable)."""
        try:
            return Holder(**json.loads(self.side.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def acquire(self, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock; if another run has it, say whom we wait for, or raise :class:`JournalBusy`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            who = self.holder() or "another labjournal run"
            if not wait:
                raise JournalBusy(f"{self.path.parent.parent}: the journal is busy: {who} (--no-wait given)") from None
            if on_wait is not None:
                on_wait(f"waiting for {who} to finish (Ctrl-C to give up)")
            self._lock.acquire()
        holder = Holder(os.getpid(), socket.gethostname(), self.command, time.strftime("%Y-%m-%d %H:%M:%S"))
        atomic_write(self.side, json.dumps(asdict(holder), indent=1) + "\n")

    def release(self) -> None:
        self.side.unlink(missing_ok=True)  # before the lock: the next holder's side file must survive
        self._lock.release()

    def __enter__(self) -> JournalLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
