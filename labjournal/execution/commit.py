"""From outcomes to store entries and run records: the only code that writes executed results.

Every backend (local pool, Ray) yields outcomes; :func:`run_jobs` commits each as it arrives. A
result is stored before its run record is written, and a record says ``canonical`` only when its
entry was stored: a store that cannot be written ends the run with :class:`StoreWriteError`.

An ``execute: false`` notebook is stored here too, from the outputs it was saved with
(:func:`store_saved`): scrubbed like executed outputs, with ``origin: saved`` and no run record.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labjournal.executors import Executor, Outcome
from labjournal.notes import Note
from labjournal.notes.params import default_parameters
from labjournal.states import Action, RunStatus, State
from labjournal.store import Failure, Provenance, RunRecord, Store, make_run_id, metrics_of

from .plan import Planned
from .scrub import scrub_notebook, scrub_text

SAVED_STATUS = "saved outputs"
"""The status of a note whose saved outputs were stored (``execute: false``): it did not run."""
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # as executors stamp ``Outcome.finished``


@dataclass
class Report:
    """One line of the summary table."""

    note: Note
    status: str  # a RunStatus, or State.NEEDS_GPU / Action.REUSED / SAVED_STATUS for notes that did not run
    action: Action
    seconds: float = 0.0
    message: str = ""
    outcome: Outcome | None = None
    planned: Planned | None = None
    run_id: str | None = None

    @property
    def failed(self) -> bool:
        return self.action is Action.EXECUTED and self.status != RunStatus.OK


def run_versions(outcome: Outcome) -> dict[str, str]:
    """The versions a run was made with: the executor's (torch, labjournal, papermill), with the
    Python of the kernel that ran the cells (it can differ from the one running labjournal)."""
    versions = dict(outcome.versions)
    kernel = (outcome.notebook or {}).get("metadata", {}).get("language_info", {})
    if kernel.get("name") == "python" and kernel.get("version"):
        versions["python"] = str(kernel["version"])
    return versions


def _provenance(planned: Planned, outcome: Outcome, run_id: str) -> Provenance:
    return Provenance(
        key=planned.key,
        note=planned.note.id,
        status=outcome.status,
        parameters={**default_parameters(planned.note), **outcome.job.parameters},
        overrides=dict(planned.overrides),
        device=outcome.job.device,
        gpu=outcome.gpu,
        seconds=round(outcome.seconds, 3),
        cells_seconds=outcome.cells_seconds,
        versions=run_versions(outcome),
        finished=outcome.finished,
        message=outcome.message,
        metrics={name: series["values"][-1] for name, series in metrics_of(outcome.notebook or {}).items()},
        run_id=run_id,
    )


def _store_result(store: Store, planned: Planned, outcome: Outcome, run_id: str) -> bool:
    """Write a canonical outcome into the note's entry; True when the entry now holds this run's outputs.

    A failed re-run of a note with good outputs keeps them and notes the failure.
    """
    previous = store.load(planned.note.id)
    if not outcome.ok and previous is not None and previous.provenance.ok:
        failure = Failure(outcome.finished, outcome.status, outcome.message, outcome.traceback, planned.key)
        store.record_failure(previous, failure)
        return False
    if outcome.notebook is None:
        return False
    store.save(outcome.notebook, _provenance(planned, outcome, run_id))
    return True


def _run_record(planned: Planned, outcome: Outcome, run_id: str, on_page: bool) -> RunRecord:
    assert outcome.notebook is not None
    return RunRecord(
        id=run_id,
        note=planned.note.id,
        parameters={**default_parameters(planned.note), **outcome.job.parameters},
        overrides=dict(planned.overrides),
        code_hash=planned.note.facts.code_hash,
        key=planned.key,
        status=outcome.status,
        seconds=round(outcome.seconds, 3),
        device=outcome.job.device,
        gpu=outcome.gpu,
        versions=run_versions(outcome),
        finished=outcome.finished,
        canonical=on_page,  # a promoted run is the page's too
        metrics=metrics_of(outcome.notebook),
        message=outcome.message,
    )


def _saved_at(note: Note, notebook: dict[str, Any]) -> str:
    """When the notebook's outputs were made: the latest time its metadata records (papermill's
    end time, JupyterLab's cell timings), else when the file was last modified."""
    stamps = [notebook.get("metadata", {}).get("papermill", {}).get("end_time")]
    for cell in notebook.get("cells", []):
        timing = cell.get("metadata", {}).get("execution", {})
        stamps += [timing.get("shell.execute_reply"), timing.get("iopub.status.idle")]
    parsed = []
    for stamp in stamps:
        try:
            when = dt.datetime.fromisoformat(str(stamp))
        except ValueError:
            continue
        parsed.append(when if when.tzinfo else when.replace(tzinfo=dt.UTC))
    if parsed:
        return max(parsed).strftime(TIME_FORMAT)
    return time.strftime(TIME_FORMAT, time.localtime(note.path.stat().st_mtime))


def store_saved(store: Store, planned: Planned) -> None:
    """Store the outputs an ``execute: false`` notebook was saved with, as its entry (never run)."""
    notebook = scrub_notebook(planned.note.notebook)  # a copy: no secret value ever reaches the store
    language = notebook.get("metadata", {}).get("language_info", {})
    provenance = Provenance(
        key=planned.key,
        note=planned.note.id,
        status=RunStatus.OK,
        versions={"python": str(language["version"])} if language.get("version") else {},
        finished=_saved_at(planned.note, notebook),
        metrics={name: series["values"][-1] for name, series in metrics_of(notebook).items()},
        origin="saved",
    )
    store.save(notebook, provenance)


def commit(store: Store, planned: Planned, outcome: Outcome) -> str | None:
    """Store a canonical (or promoted) outcome, then record the run; return the run id.

    A run that did not finish (the kernel never started, or it was interrupted) leaves no entry
    and no run record. The entry is written first: if that fails, :class:`StoreWriteError`
    propagates and no record claims a stored result.
    """
    if outcome.status == RunStatus.INTERRUPTED:
        return None
    if outcome.notebook is not None:
        outcome.notebook = scrub_notebook(outcome.notebook)  # no secret value ever reaches the store
    outcome.message, outcome.traceback = scrub_text(outcome.message), scrub_text(outcome.traceback)
    run_id = make_run_id()  # named before the entry is stored: the entry says which run it holds
    on_page = _store_result(store, planned, outcome, run_id) if planned.canonical else False
    if outcome.notebook is None:
        return None
    store.runs.add(_run_record(planned, outcome, run_id, on_page))
    return run_id


def run_jobs(
    planned: list[Planned],
    store: Store,
    executor: Executor | None,
    *,
    on_start: Callable[[Planned], None] | None = None,
    on_done: Callable[[Report], None] | None = None,
) -> list[Report]:
    """Execute the planned jobs through ``executor``; commit and report each as it finishes."""
    reports: dict[int, Report] = {}
    by_job: dict[int, int] = {}
    for index, item in enumerate(planned):
        if item.saved:
            store_saved(store, item)
            reports[index] = Report(item.note, SAVED_STATUS, Action.SKIPPED, planned=item)
            if on_done:
                on_done(reports[index])
        elif item.job is None:
            skipped = item.state is State.NEEDS_GPU
            status = State.NEEDS_GPU if skipped else Action.REUSED
            reports[index] = Report(item.note, status, Action.SKIPPED if skipped else Action.REUSED, planned=item)
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
        run_id = commit(store, item, outcome)
        report = Report(
            item.note, outcome.status, Action.EXECUTED, outcome.seconds, outcome.message, outcome, item, run_id
        )
        reports[index] = report
        if on_done:
            on_done(report)
    return [reports[i] for i in range(len(planned)) if i in reports]
