"""From notes to jobs, and from outcomes to store entries.

``plan`` decides which notes are stale; ``run_notes`` hands their jobs to an executor and commits
each outcome as it arrives. Only this module writes executed results into the store, which keeps
every backend (local pool, Ray) free of store logic.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labjournal.executors import Executor, Job, Outcome

from .devices import gpu_available
from .keys import execution_key
from .notes import Note
from .params import DEVICE_PARAMETER, check_overrides, declared
from .store import Failure, Provenance, State, Store


@dataclass
class Planned:
    """A note with its key, freshness and (when it runs) the job for it."""

    note: Note
    key: str
    state: State
    job: Job | None
    canonical: bool


@dataclass
class Report:
    """One line of the summary table."""

    note: Note
    status: str  # "ok", "reused", "needs GPU", or a failure status
    action: str  # "executed", "reused", "skipped"
    seconds: float = 0.0
    message: str = ""
    outcome: Outcome | None = None

    @property
    def failed(self) -> bool:
        return self.status not in ("ok", "reused", "needs GPU")


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return object()  # a default that is an expression never equals an override


def effective_overrides(note: Note, overrides: dict[str, Any]) -> dict[str, Any]:
    """Overrides that differ from the note's defaults (equal ones describe the canonical run)."""
    defaults = declared(note)
    return {k: v for k, v in overrides.items() if k == DEVICE_PARAMETER or _literal(defaults[k]) != v}


def resolve_device(note: Note, requested: str = "auto") -> tuple[str, bool]:
    """Return (device, runnable). ``device: cuda`` on a host without GPU is not runnable."""
    if requested == "cpu" or note.meta.device == "cpu":
        return "cpu", True
    has_gpu = gpu_available()
    if requested == "cuda" or note.meta.device == "cuda":
        return ("cuda", True) if has_gpu else ("cpu", note.meta.device != "cuda")
    return ("cuda" if has_gpu else "cpu"), True


def plan(
    notes: Iterable[Note],
    store: Store,
    overrides: dict[str, Any] | None = None,
    *,
    force: bool = False,
    device: str = "auto",
    cell_timeout: float | None = None,
) -> list[Planned]:
    """Check overrides, compute keys and build a job for every note that must run."""
    planned = []
    for note in notes:
        check_overrides(note, overrides or {})
        extra = effective_overrides(note, overrides or {})
        key = execution_key(note, extra)
        canonical = not {k for k in extra if k != DEVICE_PARAMETER}
        if not note.code_cells:
            planned.append(Planned(note, key, State.FRESH, None, canonical))  # prose only
            continue
        state, _ = store.state(note.id, key) if canonical else (State.NEVER_RUN, None)
        resolved, runnable = resolve_device(note, device)
        job = None
        if not runnable:
            state = State.NEEDS_GPU
        elif force or state is not State.FRESH:
            parameters = dict(extra)
            if DEVICE_PARAMETER in declared(note) and DEVICE_PARAMETER not in parameters:
                parameters[DEVICE_PARAMETER] = resolved
            job = Job(
                note_id=note.id,
                note_path=str(note.path),
                notebook=note.notebook,
                parameters=parameters,
                key=key,
                kernel_name=note.kernel_name,
                cwd=str(note.path.parent),
                cell_timeout=cell_timeout,
                device=parameters.get(DEVICE_PARAMETER, resolved),
                needs_gpu=note.meta.device == "cuda",
            )
        planned.append(Planned(note, key, state, job, canonical))
    return planned


def commit(store: Store, planned: Planned, outcome: Outcome) -> None:
    """Write a canonical outcome into the store, keeping the last good result on failure."""
    if not planned.canonical or (outcome.notebook is None and outcome.ok):
        return
    previous = store.load(planned.note.id)
    if not outcome.ok and previous is not None and previous.provenance.ok:
        failure = Failure(outcome.finished, outcome.status, outcome.message, outcome.traceback)
        store.record_failure(previous, failure)
        return
    if outcome.notebook is None:
        return  # nothing ran at all (the kernel did not start): no partial entry
    provenance = Provenance(
        key=planned.key,
        note=planned.note.id,
        status=outcome.status,
        parameters=dict(outcome.job.parameters),
        device=outcome.job.device,
        gpu=outcome.gpu,
        seconds=round(outcome.seconds, 3),
        cells_seconds=outcome.cells_seconds,
        versions=outcome.versions,
        finished=outcome.finished,
        message=outcome.message,
    )
    store.save(outcome.notebook, provenance)


def run_notes(
    planned: list[Planned],
    store: Store,
    executor: Executor,
    *,
    on_start: Callable[[Planned], None] | None = None,
    on_done: Callable[[Report], None] | None = None,
) -> list[Report]:
    """Execute the planned jobs through ``executor``; commit and report each as it finishes."""
    reports: dict[str, Report] = {}
    by_id = {p.note.id: p for p in planned}
    for item in planned:
        if item.job is None:
            status = "needs GPU" if item.state is State.NEEDS_GPU else "reused"
            reports[item.note.id] = Report(item.note, status, "skipped" if status == "needs GPU" else "reused")
            if on_done:
                on_done(reports[item.note.id])
        elif on_start:
            on_start(item)
    jobs = [p.job for p in planned if p.job is not None]
    for outcome in executor.map(jobs):
        item = by_id[outcome.job.note_id]
        commit(store, item, outcome)
        report = Report(item.note, outcome.status, "executed", outcome.seconds, outcome.message, outcome)
        reports[item.note.id] = report
        if on_done:
            on_done(report)
    return [reports[p.note.id] for p in planned]


def notes_root_relative(path: Path, root: Path) -> str:
    """``notes/...`` as the user would type it in a command."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
