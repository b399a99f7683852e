"""Jobs, outcomes and the executor interface.

An executor takes :class:`Job` values (a note's notebook, its parameters, where to run it) and
yields :class:`Outcome` values as they finish. It never touches the store: the driver
(``labjournal.execute``) alone writes results, so a backend can run jobs anywhere (other processes,
a Ray cluster) as long as jobs and outcomes pickle.

:func:`run_job` is the one place where a notebook is executed with papermill; every backend calls
it. Success is decided from what really ran, not from papermill's bookkeeping: every code cell must
have executed and none may carry an error output (except cells tagged ``raises-exception``).
"""

from __future__ import annotations

import abc
import contextlib
import os
import platform
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbformat import NotebookNode
from papermill.exceptions import PapermillExecutionError

ERROR_MARKER_TAG = "papermill-error-cell-tag"
EXPECTED_ERROR_TAG = "raises-exception"


@dataclass(frozen=True)
class Job:
    """One execution of one note. Pickles, so it can travel to worker processes and Ray tasks."""

    note_id: str
    note_path: str
    notebook: dict[str, Any]
    parameters: dict[str, Any]
    key: str
    kernel_name: str = "python3"
    cwd: str = "."
    cell_timeout: float | None = None
    device: str = "cpu"
    needs_gpu: bool = False


@dataclass
class Outcome:
    """What a job produced: the executed notebook and how the run went."""

    job: Job
    status: str  # "ok", "error", "timeout", "dead kernel", "interrupted", "incomplete"
    notebook: dict[str, Any] | None
    seconds: float
    cells_seconds: list[float] = field(default_factory=list)
    message: str = ""
    traceback: str = ""
    gpu: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    finished: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _cell_errors(cell: NotebookNode) -> list[NotebookNode]:
    return [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def judge(notebook: NotebookNode) -> tuple[str, str, str]:
    """Return (status, message, traceback) from the cells that really ran."""
    code_cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    for index, cell in enumerate(code_cells):
        expected = EXPECTED_ERROR_TAG in cell.metadata.get("tags", [])
        errors = _cell_errors(cell)
        if errors and not expected:
            err = errors[0]
            tb = "\n".join(err.get("traceback", []))
            return "error", f"cell {index + 1}: {err.get('ename')}: {err.get('evalue')}", tb
        if cell.get("execution_count") is None and not errors:
            return "incomplete", f"cell {index + 1} never ran (the run ended early)", ""
    return "ok", "", ""


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for dist in ("torch", "labjournal", "papermill"):
        with contextlib.suppress(PackageNotFoundError):
            found[dist] = version(dist)
    return found


def _clean(notebook: NotebookNode) -> tuple[NotebookNode, list[float]]:
    """Drop papermill's error marker and per-cell volatile metadata; return per-cell seconds."""
    notebook.cells = [c for c in notebook.cells if ERROR_MARKER_TAG not in c.metadata.get("tags", [])]
    seconds: list[float] = []
    for cell in notebook.cells:
        pm = cell.metadata.pop("papermill", {}) or {}
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            seconds.append(round(float(pm.get("duration") or 0.0), 3))
    notebook.metadata.pop("papermill", None)
    return notebook, seconds


def run_job(job: Job, **engine_kwargs: Any) -> Outcome:
    """Execute ``job`` with papermill in a fresh kernel and judge the result.

    ``engine_kwargs`` go to papermill's nbclient engine (e.g. ``kernel_manager_class`` for kernels
    started by a preloaded parent).
    """
    started = time.perf_counter()
    notebook = nbformat.from_dict(job.notebook)
    message = traceback = ""
    with tempfile.TemporaryDirectory(prefix="labjournal-") as tmp:
        output = Path(tmp) / "executed.ipynb"
        try:
            papermill.execute_notebook(
                notebook,
                str(output),
                parameters=job.parameters,
                kernel_name=job.kernel_name,
                cwd=job.cwd,
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=job.cell_timeout,
                **engine_kwargs,
            )
        except PapermillExecutionError:
            pass  # the executed notebook was written; judge() reads the error from it
        except Exception as exc:  # kernel death, timeout, failed start: papermill wraps none of them
            message = f"{type(exc).__name__}: {exc}".strip()
        executed = nbformat.read(output, as_version=4) if output.exists() else None
    seconds = time.perf_counter() - started
    if executed is None:
        return Outcome(job, "error", None, seconds, message=message or "the kernel did not start")
    executed, cells_seconds = _clean(executed)
    status, judged, traceback = judge(executed)
    if message and status == "ok":
        status = "incomplete"
    if "timed out" in message.lower() or "timeout" in message.lower():
        status = "timeout"
    elif "dead" in message.lower():
        status = "dead kernel"
    return Outcome(
        job=job,
        status=status,
        notebook=executed,
        seconds=seconds,
        cells_seconds=cells_seconds,
        message=message or judged,
        traceback=traceback,
        versions=_versions(),
        gpu=_gpu_name(job.device),
        finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )


def _gpu_name(device: str) -> str | None:
    if not device.startswith("cuda"):
        return None
    try:
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        return None


class Executor(abc.ABC):
    """Runs jobs somewhere and yields their outcomes as they finish.

    Subclasses implement :meth:`map`. ``jobs`` is the parallelism a backend may use; ``launcher``
    is passed to :func:`run_job` as engine keyword arguments, so how kernels start (plain, or
    forked from a preloaded parent) is the executor's business and works for every backend.
    """

    name: str = ""

    def __init__(self, jobs: int | None = None, **engine_kwargs: Any) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.engine_kwargs = engine_kwargs

    @abc.abstractmethod
    def map(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        """Run ``jobs`` and yield each outcome as soon as it is known."""

    def close(self) -> None:
        """Release workers; called once the driver is done."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
