"""From notes to jobs, and from outcomes to store entries and run records.

``plan`` decides which runs to make (stale notes, or the runs asked for with ``-p``/``--sweep``);
``run_notes`` hands their jobs to an executor and commits each outcome as it arrives. Only this
module writes executed results into the store, which keeps every backend (local pool, Ray) free of
store logic.

A run with the note's own default parameters is canonical: its outputs are what the page shows.
A run with other parameters is an experiment: it is kept as a run record and leaves the page
alone, unless it is promoted.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from labjournal.executors import Executor, Job, Outcome

from .devices import gpu_available
from .errors import ParameterError
from .keys import code_hash, execution_key
from .notes import Note
from .params import DEVICE_PARAMETER, check_overrides, declared
from .runs import RunLog, RunRecord, default_parameters, make_run_id, metrics_of
from .scrub import scrub_notebook, scrub_text
from .store import Failure, Provenance, State, Store


@dataclass
class Planned:
    """One run to make (or a note that needs none), with its key and freshness."""

    note: Note
    key: str
    state: State
    job: Job | None
    canonical: bool
    overrides: dict[str, Any] = field(default_factory=dict)
    promote: bool = False


@dataclass
class Report:
    """One line of the summary table."""

    note: Note
    status: str  # "ok", "reused", "needs GPU", or a failure status
    action: str  # "executed", "reused", "skipped"
    seconds: float = 0.0
    message: str = ""
    outcome: Outcome | None = None
    planned: Planned | None = None
    run_id: str | None = None

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
    if not overrides:
        return {}
    defaults = declared(note)
    return {k: v for k, v in overrides.items() if k != DEVICE_PARAMETER and _literal(defaults[k]) != v}


def resolve_device(note: Note, requested: str = "auto") -> tuple[str, bool]:
    """Return (device, runnable). ``device: cuda`` on a host without GPU is not runnable."""
    if requested == "cpu" or note.meta.device == "cpu":
        return "cpu", True
    has_gpu = gpu_available()
    if requested == "cuda" or note.meta.device == "cuda":
        return ("cuda", True) if has_gpu else ("cpu", note.meta.device != "cuda")
    return ("cuda" if has_gpu else "cpu"), True


def _job(
    note: Note,
    key: str,
    overrides: dict[str, Any],
    device: str,
    cell_timeout: float | None,
    note_timeout: float | None = None,
) -> Job:
    parameters = dict(overrides)
    if DEVICE_PARAMETER in declared(note):
        parameters[DEVICE_PARAMETER] = device
    return Job(
        note_id=note.id,
        note_path=str(note.path),
        notebook=note.notebook,
        parameters=parameters,
        key=key,
        kernel_name=note.kernel_name,
        cwd=str(note.path.parent),
        cell_timeout=cell_timeout,
        device=device,
        needs_gpu=note.meta.device == "cuda",
        note_timeout=note_timeout,
    )


def plan(
    notes: Iterable[Note],
    store: Store,
    overrides: dict[str, Any] | None = None,
    *,
    force: bool = False,
    device: str = "auto",
    cell_timeout: float | None = None,
    note_timeout: float | None = None,
    sweep: list[dict[str, Any]] | None = None,
    promote: bool = False,
) -> list[Planned]:
    """Check parameters, compute keys and build a job for every run to make."""
    overrides = dict(overrides or {})
    if DEVICE_PARAMETER in overrides:
        device = str(overrides.pop(DEVICE_PARAMETER))
    if promote and sweep:
        raise ParameterError("--promote takes one run: give -p overrides, not --sweep")
    planned = []
    for note in notes:
        resolved, runnable = resolve_device(note, device)
        combos = [{**overrides, **combo} for combo in sweep] if sweep else [overrides]
        for combo in combos:
            check_overrides(note, combo)
            extra = effective_overrides(note, combo)
            key = execution_key(note, extra)
            if not note.has_code:
                planned.append(Planned(note, key, State.FRESH, None, True))  # prose only: nothing to run
                continue
            if not runnable:
                planned.append(Planned(note, key, State.NEEDS_GPU, None, not extra))
                continue
            if extra and not promote:
                job = _job(note, key, extra, resolved, cell_timeout, note_timeout)
                planned.append(Planned(note, key, State.NEVER_RUN, job, False, extra))
                continue
            stored_key, state, _ = store.freshness(note)
            fresh = state is State.FRESH and stored_key == key
            job = None if fresh and not force else _job(note, key, extra, resolved, cell_timeout, note_timeout)
            planned.append(Planned(note, key, state if stored_key == key else State.STALE, job, True, extra, promote))
    return planned


def _provenance(planned: Planned, outcome: Outcome) -> Provenance:
    return Provenance(
        key=planned.key,
        note=planned.note.id,
        status=outcome.status,
        parameters=dict(outcome.job.parameters),
        overrides=dict(planned.overrides),
        device=outcome.job.device,
        gpu=outcome.gpu,
        seconds=round(outcome.seconds, 3),
        cells_seconds=outcome.cells_seconds,
        versions=outcome.versions,
        finished=outcome.finished,
        message=outcome.message,
        metrics={name: series["values"][-1] for name, series in metrics_of(outcome.notebook or {}).items()},
    )


def commit(store: Store, runs: RunLog, planned: Planned, outcome: Outcome) -> str | None:
    """Record the run; write a canonical (or promoted) outcome into the store entry.

    A failed re-run of a note with good outputs keeps them and notes the failure. A run that
    did not finish (the kernel never started, or it was interrupted) leaves no entry and no run
    record. Returns the run id.
    """
    run_id = None
    if outcome.status == "interrupted":
        return None
    if outcome.notebook is not None:
        outcome.notebook = scrub_notebook(outcome.notebook)  # no secret value ever reaches the store
        outcome.message, outcome.traceback = scrub_text(outcome.message), scrub_text(outcome.traceback)
        run_id = make_run_id()
        parameters = {**default_parameters(planned.note), **outcome.job.parameters}
        runs.add(
            RunRecord(
                id=run_id,
                note=planned.note.id,
                parameters=parameters,
                overrides=dict(planned.overrides),
                code_hash=code_hash(planned.note),
                key=planned.key,
                status=outcome.status,
                seconds=round(outcome.seconds, 3),
                device=outcome.job.device,
                gpu=outcome.gpu,
                versions=outcome.versions,
                finished=outcome.finished,
                canonical=planned.canonical and not planned.overrides,
                metrics=metrics_of(outcome.notebook),
                message=outcome.message,
            )
        )
    if not planned.canonical:
        return run_id
    previous = store.load(planned.note.id)
    if not outcome.ok and previous is not None and previous.provenance.ok:
        failure = Failure(outcome.finished, outcome.status, outcome.message, outcome.traceback, planned.key)
        store.record_failure(previous, failure)
    elif outcome.notebook is not None:
        store.save(outcome.notebook, _provenance(planned, outcome))
    return run_id


def run_notes(
    planned: list[Planned],
    store: Store,
    executor: Executor | None,
    *,
    on_start: Callable[[Planned], None] | None = None,
    on_done: Callable[[Report], None] | None = None,
) -> list[Report]:
    """Execute the planned jobs through ``executor``; commit and report each as it finishes."""
    runs = RunLog(store.root / "runs")
    reports: dict[int, Report] = {}
    by_job: dict[int, int] = {}
    for index, item in enumerate(planned):
        if item.job is None:
            status = "needs GPU" if item.state is State.NEEDS_GPU else "reused"
            reports[index] = Report(item.note, status, "skipped" if status == "needs GPU" else "reused", planned=item)
            if on_done:
                on_done(reports[index])
        else:
            by_job[id(item.job)] = index
            if on_start:
                on_start(item)
    jobs = {(j.note_id, j.key): j for j in (p.job for p in planned) if j is not None}
    for outcome in executor.map(list(jobs.values())) if jobs and executor is not None else ():
        index = by_job[id(jobs[(outcome.job.note_id, outcome.job.key)])]
        item = planned[index]
        run_id = commit(store, runs, item, outcome)
        report = Report(item.note, outcome.status, "executed", outcome.seconds, outcome.message, outcome, item, run_id)
        reports[index] = report
        if on_done:
            on_done(report)
    return [reports[i] for i in range(len(planned)) if i in reports]
