"""The words labjournal uses for how a run ended and for what the store holds for a note.

One vocabulary for the CLI, the run summary, the store, the pages and the execution report. What
state a note is in is decided in one place: :func:`labjournal.execution.freshness.assess`.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """How one execution of a note ended (``Outcome.status``, ``Provenance.status``, run records)."""

    OK = "ok"
    ERROR = "error"  # a cell raised, or the kernel never started
    EXITED_EARLY = "exited early"  # sys.exit(), or cells left without running
    INTERRUPTED = "interrupted"  # KeyboardInterrupt in the kernel: nothing is stored
    DEAD_KERNEL = "dead kernel"  # a crash, os._exit(), killed
    TIMEOUT = "timeout"  # a cell ran past --timeout
    NOTE_TIMEOUT = "note timeout"  # the whole note ran past --note-timeout

    def __str__(self) -> str:
        return self.value


class State(StrEnum):
    """What the store holds for a note, against its current code and this host."""

    FRESH = "fresh"
    STALE = "stale"
    FAILED = "failed"
    NEVER_RUN = "never run"
    NEEDS_GPU = "needs GPU"

    def __str__(self) -> str:
        return self.value


class Action(StrEnum):
    """What ``labjournal run`` did with a note (the last column of its summary)."""

    EXECUTED = "executed"
    REUSED = "reused"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return self.value
