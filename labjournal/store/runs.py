"""The experiment log: every execution of a note kept as a run record.

``store/runs/<note id>/<run id>.json`` holds one record per run: its parameters, code hash, status,
timings, device, versions and every recorded metric with its steps. Records are written once and
never changed; the canonical page outputs live in the store entry, the history lives here.

Which run is the page's is decided by the entry, not by the records: the entry names the run its
outputs come from (``run_id``; older entries: the run with its key and finish time), and
:meth:`RunLog.list` marks that one run ``canonical``, so a promoted run is the page's and a forced
re-run replaces the mark instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from labjournal.errors import ParameterError
from labjournal.metrics import collect

from .io import atomic_write, dumps_deterministic

log = logging.getLogger("labjournal.runs")


def device_label(device: str, gpu: str | None) -> str:
    """``cuda (NVIDIA H200)`` or ``cpu``: where a run ran, as pages, reports and the CLI show it."""
    return device + (f" ({gpu})" if gpu else "")


def short_time(finished: str) -> str:
    """``2026-01-31 09:30`` from an ISO timestamp."""
    return finished.replace("T", " ")[:16]


def short_run_id(run_id: str) -> str:
    """The random tail of a run id (``1a2b3c`` of ``20260102-093000-123-1a2b3c``): what a table shows
    and what ``labjournal runs --compare`` accepts."""
    return run_id.rsplit("-", 1)[-1]


PageRun = tuple[str, str, str]
"""(run id, key, finished) of the run whose outputs a note's entry holds."""


def page_run_index(records: Sequence[RunRecord], page: PageRun | None) -> int | None:
    """The index of the one record whose outputs the page shows: the run the entry names, or (an entry
    stored before it named its run) the last run with the entry's key and finish time."""
    if page is None:
        return None
    run_id, key, finished = page
    matches = [
        i for i, r in enumerate(records) if (r.id == run_id if run_id else r.key == key and r.finished == finished)
    ]
    return matches[-1] if matches else None


@dataclass
class RunRecord:
    """One execution of one note."""

    id: str
    note: str
    parameters: dict[str, Any]
    overrides: dict[str, Any]
    code_hash: str
    key: str
    status: str
    seconds: float
    device: str
    gpu: str | None
    versions: dict[str, str]
    finished: str
    canonical: bool
    metrics: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    message: str = ""

    @property
    def where(self) -> str:
        return device_label(self.device, self.gpu)

    def final(self, metric: str) -> float | None:
        values = self.metrics.get(metric, {}).get("values") or []
        return values[-1] if values else None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def metrics_of(notebook: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """Every ``labjournal.record`` value in an executed notebook, by metric name."""
    return {
        name: {"steps": series.steps, "values": series.values}
        for name, series in collect(notebook.get("cells", [])).items()
    }


def make_run_id(now: float | None = None) -> str:
    """Sortable by time to the millisecond, unique even for runs recorded in the same one:
    ``20260102-093000-123-1a2b3c`` (local time; milliseconds, since runs now finish within one second)."""
    now = time.time() if now is None else now
    return f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{int(now * 1000) % 1000:03d}-{secrets.token_hex(3)}"


class RunLog:
    """Run records of every note, under ``<store>/runs``."""

    def __init__(self, root: Path, page: Callable[[str], PageRun | None] | None = None) -> None:
        self.root = root
        self.page = page  # the run a note's entry holds (the store's entries know)

    def folder(self, note_id: str) -> Path:
        return self.root / note_id

    def add(self, record: RunRecord) -> Path:
        path = self.folder(record.note) / f"{record.id}.json"
        if path.exists():  # records are never overwritten
            raise FileExistsError(path)
        atomic_write(path, dumps_deterministic(asdict(record)))
        return path

    def list(self, note_id: str) -> list[RunRecord]:
        """The note's runs, oldest first; exactly the run whose outputs its entry holds is ``canonical``."""
        records = []
        for path in sorted(self.folder(note_id).glob("*.json")):
            try:
                records.append(RunRecord.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, TypeError) as exc:
                log.warning("%s: unreadable run record (%s); skipped", path, exc)
        if self.page is None or not records:
            return records
        index = page_run_index(records, self.page(note_id))
        return [replace(r, canonical=i == index) for i, r in enumerate(records)]

    def digest(self, note_id: str) -> str:
        """Changes whenever a run of the note is added (part of the page's render key)."""
        names = sorted(p.name for p in self.folder(note_id).glob("*.json"))
        return hashlib.sha256("\n".join(names).encode()).hexdigest()

    def get(self, note_id: str, run_id: str) -> RunRecord:
        for record in self.list(note_id):
            if record.id == run_id or record.id.endswith(run_id):
                return record
        known = ", ".join(r.id for r in self.list(note_id)) or "none"
        raise ParameterError(f"{note_id}: no run '{run_id}'; runs: {known}")


def varying_parameters(records: Iterable[RunRecord]) -> list[str]:
    """Parameters whose value differs between runs (the columns worth showing)."""
    records = list(records)
    names = sorted({name for r in records for name in r.parameters})
    return [n for n in names if len({json.dumps(r.parameters.get(n), sort_keys=True) for r in records}) > 1]


def metric_names(records: Iterable[RunRecord]) -> list[str]:
    return sorted({name for r in records for name in r.metrics})
