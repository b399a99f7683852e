"""Running notes, as a function: plan, start the executor, execute, commit, stop it whatever happens.

This is what ``labjournal run`` calls, and what a Python user calls to run a journal's notes. It
prints nothing: progress reaches the caller through :class:`Progress` callbacks. The journal's
lock is taken by the caller (``labjournal.api``), which may hold it across a run and a site build.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labjournal.executors import Executor, check_name, get_executor

from .commit import Report, run_jobs
from .journal import Journal
from .plan import Planned, plan


@dataclass(frozen=True)
class ExecutorSettings:
    """Which backend runs the notes and its options (from ``mkdocs.yml``, overridden on the command line)."""

    name: str = "local"
    jobs: int | None = None
    preload: bool | None = None
    preload_modules: Sequence[str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)  # the backend's own (e.g. Ray's address)

    def create(self) -> Executor:
        """The backend, given only the options that are set: a third-party backend need not know them."""
        options = dict(self.options)
        if self.preload is not None:
            options["preload"] = self.preload
        if self.preload_modules is not None:
            options["preload_modules"] = list(self.preload_modules)
        return get_executor(self.name)(jobs=self.jobs, **options)


@dataclass(frozen=True)
class RunRequest:
    """What to run: which notes, with which parameters, under which limits."""

    paths: Sequence[Path] = ()
    overrides: Mapping[str, Any] = field(default_factory=dict)
    sweep: Sequence[Mapping[str, Any]] = ()
    force: bool = False
    promote: bool = False
    device: str = "auto"
    cell_timeout: float | None = None
    note_timeout: float | None = None


@dataclass
class Progress:
    """Callbacks while notes run: a job was queued, a note finished (or was reused or skipped)."""

    on_start: Callable[[Planned], None] | None = None
    on_done: Callable[[Report], None] | None = None
    running: Callable[[int], contextlib.AbstractContextManager[Any]] = lambda total: contextlib.nullcontext()
    """Entered around the execution of ``total`` jobs (a progress bar), only when there are any."""


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_on_interrupt(executor: Executor) -> Iterator[None]:
    """Ctrl-C (or SIGTERM) stops the executor's workers at once, then unwinds (finished results are committed).

    Without this a local pool would wait for its running notes before the interrupt got through.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    previous: dict[int, Any] = {signum: signal.getsignal(signum) for signum in _STOP_SIGNALS}

    def stop(signum: int, frame: object) -> None:
        executor.abort()
        handler = previous.get(signum)
        if callable(handler) and handler is not signal.default_int_handler:
            handler(signum, frame)  # the command line's records SIGTERM (exit code), then raises
        raise KeyboardInterrupt

    for signum in _STOP_SIGNALS:
        signal.signal(signum, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_notes(
    journal: Journal,
    request: RunRequest,
    settings: ExecutorSettings,
    progress: Progress | None = None,
    *,
    start_early: bool = True,
) -> list[Report]:
    """Plan and execute; return a report per planned run. ``start_early``: the backend gets ready
    while we plan (``labjournal run`` is there to execute; a build that finds nothing stale should
    start nothing). No kernel outlives this call, however it ends."""
    progress = progress or Progress()
    check_name(settings.name)  # an unknown executor is an error even when nothing is stale
    with contextlib.ExitStack() as stack:
        notes = journal.notes(request.paths)  # front matter only: cells are read when planned
        start_early = start_early and any(note.meta.execute for note in notes)  # execute: false never runs
        executor = stack.enter_context(settings.create()) if start_early else None
        if executor is not None:
            executor.start()
        planned = plan(
            notes,
            journal.store,
            dict(request.overrides),
            force=request.force,
            device=request.device,
            cell_timeout=request.cell_timeout,
            note_timeout=request.note_timeout,
            sweep=[dict(combo) for combo in request.sweep],
            promote=request.promote,
        )
        to_run = sum(1 for p in planned if p.job is not None)
        if not to_run:  # nothing to execute: no executor, no kernels, no progress display
            reports = run_jobs(planned, journal.store, None, on_done=progress.on_done)
        else:
            executor = executor or stack.enter_context(settings.create())
            with stop_on_interrupt(executor), progress.running(to_run):
                reports = run_jobs(
                    planned, journal.store, executor, on_start=progress.on_start, on_done=progress.on_done
                )
        journal.save_caches()
        return reports
