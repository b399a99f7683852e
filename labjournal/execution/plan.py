"""From notes to jobs: which runs to make (stale notes, or the runs asked for with ``-p``/``--sweep``).

A run with the note's own default parameters is canonical: its outputs are what the page shows.
A run with other parameters is an experiment: it is kept as a run record and leaves the page
alone, unless it is promoted. A notebook with ``execute: false`` is never run: when its entry is
not current, the plan says to store the outputs it was saved with (``Planned.saved``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from labjournal.errors import ParameterError
from labjournal.executors import Job
from labjournal.executors.devices import gpu_available
from labjournal.notes import Note
from labjournal.notes.params import declared
from labjournal.states import State
from labjournal.store import Store

from .freshness import assess, canonical_key
from .keys import execution_key
from .params import DEVICE_PARAMETER, check_overrides, effective_overrides


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
    saved: bool = False  # store the outputs the notebook was saved with (``execute: false``): no job, no kernel


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


def _plan_saved(note: Note, store: Store, combos: list[dict[str, Any]], force: bool) -> Planned:
    """An ``execute: false`` notebook: its saved outputs are stored when its entry is not current (or ``force``)."""
    for combo in combos:
        check_overrides(note, combo)
        if effective_overrides(note, combo):
            raise ParameterError(
                f"{note.path}: 'execute: false' publishes the outputs the notebook was saved with and never runs it, "
                "so it takes no -p or --sweep: remove 'execute: false' to run it"
            )
    key = canonical_key(note)
    status = assess(note, store)
    state = status.state if status.key == key else State.STALE
    if not note.has_code or (state is State.FRESH and not force):
        return Planned(note, key, State.FRESH if not note.has_code else state, None, True)
    return Planned(note, key, state, None, True, saved=True)


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
        combos = [{**overrides, **combo} for combo in sweep] if sweep else [overrides]
        if not note.meta.execute:
            planned.append(_plan_saved(note, store, combos, force))
            continue
        resolved, runnable = resolve_device(note, device)
        for combo in combos:
            check_overrides(note, combo)
            extra = effective_overrides(note, combo)
            key = execution_key(note, extra)  # == canonical_key: the note executes
            if not note.has_code:
                planned.append(Planned(note, key, State.FRESH, None, True))  # prose only: nothing to run
                continue
            canonical = not extra or promote
            if canonical:
                status = assess(note, store)
                state = status.state if status.key == key else State.STALE
            else:
                state = State.NEVER_RUN  # an experiment: a run record, never the page's outputs
            if (state is State.FRESH and not force) or not runnable:
                planned.append(Planned(note, key, State.NEEDS_GPU if not runnable else state, None, canonical, extra))
                continue
            job = _job(note, key, extra, resolved, cell_timeout, note_timeout)
            planned.append(Planned(note, key, state, job, canonical, extra, promote and bool(extra)))
    return planned
