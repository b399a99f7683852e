"""Jobs, outcomes and the executor interface.

An executor takes :class:`Job` values (a note's notebook, its parameters, where to run it) and
yields :class:`Outcome` values as they finish. It never touches the store: the driver
(``labjournal.execute``) alone writes results, so a backend can run jobs anywhere (other processes,
a Ray cluster) as long as jobs and outcomes pickle.

:func:`run_job` is the one place where a notebook is executed with papermill; every backend calls
it. Success is decided from what really ran, not from papermill's bookkeeping (which marks every
cell completed once the run ends, however it ended): every code cell must have executed and none may
carry an error output (except cells tagged ``raises-exception``). A failed run gets one of
:class:`~labjournal.states.RunStatus` and a message naming the cell.
"""

from __future__ import annotations

import abc
import contextlib
import itertools
import multiprocessing
import os
import platform
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

# papermill, nbclient, jupyter_client and nbformat are imported where a note runs: a build that
# executes nothing should not pay for them.
from labjournal.states import RunStatus
from labjournal.store import INJECTED_TAG

if TYPE_CHECKING:
    from nbformat import NotebookNode

ERROR_MARKER_TAG = "papermill-error-cell-tag"
EXPECTED_ERROR_TAG = "raises-exception"

STOP_GRACE = 15.0  # seconds a run whose kernel was killed gets to unwind before it is abandoned
INTERRUPT_GRACE = 3.0  # seconds an interrupted kernel (past --note-timeout) gets before it is killed
# A note's kernel keeps no IPython history: the user's history database is not the journal's to
# fill, and kernels ending together would queue for its lock (seconds each, measured).
IPYKERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)
CANCEL_POLL = 0.1  # seconds between looks at a run's cancel event
SHUTDOWN_POLL = 0.01  # seconds between looks at whether a kernel asked to shut down has exited


@dataclass(frozen=True)
class Job:
    """One execution of one note. Pickles, so it can travel to worker processes and Ray tasks."""

    note_id: str
    notebook: dict[str, Any]
    parameters: dict[str, Any]
    key: str
    kernel_name: str = "python3"
    cwd: str = "."
    cell_timeout: float | None = None
    device: str = "cpu"
    needs_gpu: bool = False
    note_timeout: float | None = None  # seconds for the whole note, kernel start included
    gpu: str | None = None  # CUDA_VISIBLE_DEVICES for this job, when an executor places it on one GPU

    @property
    def uses_gpu(self) -> bool:
        """The note needs a GPU, or was given CUDA: it takes a GPU wherever it runs."""
        return self.needs_gpu or self.device.startswith("cuda")


@dataclass
class Outcome:
    """What a job produced: the executed notebook and how the run went."""

    job: Job
    status: RunStatus
    notebook: dict[str, Any] | None  # None when no cell ran (the kernel did not start)
    seconds: float
    cells_seconds: list[float] = field(default_factory=list)
    message: str = ""
    traceback: str = ""
    gpu: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    finished: str = ""

    @property
    def ok(self) -> bool:
        return self.status == RunStatus.OK


# --- judging what ran ------------------------------------------------------------------------


def _cell_errors(cell: NotebookNode) -> list[NotebookNode]:
    return [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def _numbered(notebook: NotebookNode) -> list[tuple[int, NotebookNode]]:
    """Code cells numbered as the note's author counts them (from 1); the injected parameters cell is 0."""
    numbered, number = [], 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if INJECTED_TAG in cell.metadata.get("tags", []):
            numbered.append((0, cell))
        else:
            number += 1
            numbered.append((number, cell))
    return numbered


def _where(number: int | None) -> str:
    return "the injected parameters cell" if number == 0 else f"cell {number}"


def judge(notebook: NotebookNode) -> tuple[RunStatus, str, str]:
    """Return (status, message, traceback) from the cells that really ran.

    A cell that raised is an ``error`` (``SystemExit``: ``exited early``; ``KeyboardInterrupt``:
    ``interrupted``); a non-empty cell without an execution count after a clean one means the run
    stopped early without an error output (``exited early``).
    """
    cells = [(n, c) for n, c in _numbered(notebook) if c.source.strip()]
    for position, (number, cell) in enumerate(cells):
        errors = [] if EXPECTED_ERROR_TAG in cell.metadata.get("tags", []) else _cell_errors(cell)
        if errors:
            err = errors[0]
            ename, evalue = err.get("ename", ""), err.get("evalue", "")
            traceback = "\n".join(err.get("traceback", []))
            if ename == "SystemExit":
                after = len(cells) - position - 1
                rest = f"; the {after} cell(s) after it never ran" if after else ""
                return RunStatus.EXITED_EARLY, f"{_where(number)} called sys.exit({evalue}){rest}", traceback
            status = RunStatus.INTERRUPTED if ename == "KeyboardInterrupt" else RunStatus.ERROR
            return status, f"{_where(number)}: {ename}" + (f": {evalue}" if evalue else ""), traceback
        if cell.get("execution_count") is None and not _cell_errors(cell):
            return RunStatus.EXITED_EARLY, f"{_where(number)} never ran: the run ended before it", ""
    return RunStatus.OK, "", ""


def _last_started(notebook: NotebookNode) -> int | None:
    """Number of the last code cell papermill started (None: none did, the kernel never ran a cell)."""
    started = [n for n, c in _numbered(notebook) if (c.metadata.get("papermill") or {}).get("start_time")]
    return started[-1] if started else None


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


# --- running one notebook --------------------------------------------------------------------


def _tracking(base: type, managers: list[Any], env: dict[str, str], cwd: str) -> type:
    """``base`` (a kernel manager class) recording each instance, so that its kernel can be killed,
    and starting its kernel in ``cwd`` with ``env`` added to the environment. Per kernel, not per
    process (papermill's ``cwd`` changes the process's folder, and jobs may share a process).

    An asynchronous manager also gets a client that sees a fresh kernel ready 0.2 s sooner
    (``kernel_client.py``).
    """
    from jupyter_client import AsyncKernelClient, AsyncKernelManager
    from traitlets import DottedObjectName, Type

    from .kernel_client import ReadyKernelClient

    class TrackedKernelManager(base):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

        async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
            kw.setdefault("cwd", cwd)
            if env:
                kw["env"] = {**(kw.get("env") or os.environ), **env}
            cmd, kw = await super()._async_pre_start_kernel(**kw)
            return ([*cmd, *IPYKERNEL_ARGUMENTS] if _runs_ipykernel(cmd) else cmd), kw

        async def _async_finish_shutdown(self, *args: Any, **kwargs: Any) -> None:
            # jupyter_client looks whether the kernel has exited every 0.1 s: on average 50 ms per note
            kwargs["pollinterval"] = SHUTDOWN_POLL
            await super()._async_finish_shutdown(*args, **kwargs)

    if issubclass(base, AsyncKernelManager):
        ready = {
            "client_class": DottedObjectName(f"{ReadyKernelClient.__module__}.{ReadyKernelClient.__name__}"),
            "client_factory": Type(ReadyKernelClient, klass=AsyncKernelClient),
        }
        return type("TrackedKernelManager", (TrackedKernelManager,), ready)
    return TrackedKernelManager


def _runs_ipykernel(cmd: list[str]) -> bool:
    return any(a == "-m" and b in ("ipykernel_launcher", "ipykernel") for a, b in itertools.pairwise(cmd))


def _kernel_process(manager: Any) -> Any:
    return getattr(getattr(manager, "provisioner", None), "process", None)


def _signal(manager: Any, signum: int) -> None:
    """Signal a kernel (its whole session when it leads one) unless it has exited already."""
    process = _kernel_process(manager)
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg") and getattr(manager.provisioner, "pgid", None) == process.pid:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)


def _exit_reason(managers: list[Any]) -> str:
    """How the (last) kernel ended, e.g. "killed by SIGKILL", from its exit status if known."""
    process = _kernel_process(managers[-1]) if managers else None
    code = getattr(process, "returncode", None)
    if not isinstance(code, int) or code == 0:
        return ""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f" (killed by {signal.Signals(-code).name})"
        return f" (killed by signal {-code})"
    return f" (exit code {code})"


def _close_thread_loop() -> None:
    """Close the event loop that nbclient opened for this helper thread (one per run otherwise leaks)."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running():
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


class _Run:
    """One papermill execution in a helper thread.

    The calling thread only waits, so it can enforce the whole-note limit and answer Ctrl-C by
    killing the kernel. (In the main thread nbclient would take SIGINT for itself: it shuts the
    kernel down and the run ends as a dead kernel, and the driver would go on with the next note.)
    The wait is on an Event, not ``Thread.join``: a join interrupted by Ctrl-C marks a thread that
    still runs as stopped (Python 3.11), and the kernel would be left behind.
    """

    def __init__(self, job: Job, engine_kwargs: dict[str, Any]) -> None:
        self.job = job
        self.execution: Any = None  # papermill's NotebookExecutionManager: its notebook, however the run ends
        self.managers: list[Any] = []
        self.error: BaseException | None = None
        self.note_timed_out = False
        self.done = threading.Event()
        kwargs = dict(engine_kwargs)
        base = kwargs.pop("kernel_manager_class", None)
        if base is None:
            from jupyter_client import AsyncKernelManager as base
        elif isinstance(base, str):  # nbclient also takes "package.module.Class"
            from traitlets.utils.importstring import import_item

            base = import_item(base)
        env = {"CUDA_VISIBLE_DEVICES": job.gpu} if job.gpu is not None else {}
        kwargs["kernel_manager_class"] = _tracking(base, self.managers, env, os.path.abspath(job.cwd))
        self.engine_kwargs = kwargs

    def executed(self) -> NotebookNode | None:
        """The notebook as far as it ran (None: papermill never started executing it)."""
        return self.execution.nb if self.execution is not None else None

    def _execute(self) -> None:
        import nbformat
        import papermill
        from papermill.exceptions import PapermillExecutionError

        from .engine import registered

        def on_start(execution: Any) -> None:
            self.execution = execution

        try:
            papermill.execute_notebook(
                nbformat.from_dict(self.job.notebook),
                None,  # no output file: the engine hands the notebook over (engine.py)
                parameters=self.job.parameters,
                kernel_name=self.job.kernel_name,
                engine_name=registered(),
                on_start=on_start,
                progress_bar=False,
                execution_timeout=self.job.cell_timeout,
                **self.engine_kwargs,
            )
        except PapermillExecutionError:
            pass  # a cell raised: the executed notebook holds the error and judge() reads it
        except BaseException as exc:  # dead kernel, timeout, failed start: judged by run_job
            self.error = exc
        finally:
            _close_thread_loop()
            self.done.set()

    def run(self, started: float, cancel: threading.Event | None = None) -> None:
        """Execute and wait; past the note's limit kill the kernel; on Ctrl-C kill it and re-raise.

        ``cancel`` (set by another thread, e.g. the driver on Ctrl-C) also kills the kernel and
        raises ``KeyboardInterrupt`` here: a run in a worker thread cannot receive the signal itself.
        """
        threading.Thread(target=self._execute, name=f"labjournal {self.job.note_id}", daemon=True).start()
        limit = self.job.note_timeout
        deadline = None if limit is None else started + limit
        try:
            while not self.done.is_set():
                if cancel is not None and cancel.is_set():
                    raise KeyboardInterrupt
                waits = [CANCEL_POLL] if cancel is not None else []
                if deadline is not None:
                    waits.append(max(0.0, deadline - time.monotonic()))
                if self.done.wait(min(waits) if waits else None):
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    self.note_timed_out = True
                    self._stop(interrupt_first=True)
                    break
        except BaseException:  # KeyboardInterrupt or SystemExit here: no kernel may outlive us
            self._stop()
            raise

    def _stop(self, interrupt_first: bool = False) -> None:
        """Kill the kernel until the run unwinds. ``interrupt_first``: SIGINT and a moment to stop
        (the cell then ends with a traceback showing where it was), for a kernel that can answer."""
        if interrupt_first and hasattr(signal, "SIGINT"):
            for manager in self.managers:
                _signal(manager, signal.SIGINT)
            self.done.wait(INTERRUPT_GRACE)
        deadline = time.monotonic() + STOP_GRACE
        while not self.done.is_set() and time.monotonic() < deadline:
            for manager in self.managers:
                _signal(manager, signal.SIGKILL)
            self.done.wait(0.2)


class _Verdict(NamedTuple):
    status: RunStatus
    message: str
    traceback: str = ""
    ran: bool = True  # False: no cell ran (the kernel did not start), so the run leaves no entry


def _verdict(run: _Run, executed: NotebookNode | None) -> _Verdict:
    """How a run went, from its executed notebook and how papermill ended."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    job, error = run.job, run.error
    last = _last_started(executed) if executed is not None else None
    if executed is None or (last is None and (error is not None or run.note_timed_out)):
        if run.note_timed_out:
            return _Verdict(
                RunStatus.NOTE_TIMEOUT,
                f"the kernel did not start within {job.note_timeout:g} s (--note-timeout)",
                ran=False,
            )
        why = f"{type(error).__name__}: {error}".strip() if error is not None else "no cell ran"
        return _Verdict(RunStatus.ERROR, f"the kernel did not start: {why}", ran=False)
    status, message, traceback = judge(executed)
    where = _where(last)
    if run.note_timed_out:
        return _Verdict(
            RunStatus.NOTE_TIMEOUT,
            f"the note ran past its limit of {job.note_timeout:g} s (--note-timeout) in {where}",
            traceback,
        )
    if isinstance(error, CellTimeoutError):
        limit = f" of {job.cell_timeout:g} s" if job.cell_timeout else ""
        return _Verdict(
            RunStatus.TIMEOUT, f"{where} ran past the cell limit{limit} (--timeout): CellTimeoutError", traceback
        )
    if isinstance(error, DeadKernelError):
        how = "a crash, os._exit(), or killed (e.g. out of memory)"
        return _Verdict(RunStatus.DEAD_KERNEL, f"the kernel died in {where}{_exit_reason(run.managers)}: {how}")
    if error is not None:
        return _Verdict(RunStatus.ERROR, f"{where}: {type(error).__name__}: {error}".strip(), traceback)
    return _Verdict(status, message, traceback)


def run_job(job: Job, cancel: threading.Event | None = None, **engine_kwargs: Any) -> Outcome:
    """Execute ``job`` with papermill in a fresh kernel and judge the result.

    ``engine_kwargs`` go to papermill's nbclient engine (e.g. ``kernel_manager_class`` for kernels
    started by a preloaded parent). A ``KeyboardInterrupt`` while the note runs, or ``cancel`` set
    by another thread, kills its kernel and raises ``KeyboardInterrupt``: an interrupted run has no
    outcome. No kernel outlives this call. Safe to call from several threads at once.
    """
    started = time.monotonic()
    for attempt in (1, 2):
        run = _Run(job, engine_kwargs)
        run.run(started, cancel)
        executed = run.executed()
        verdict = _verdict(run, executed)
        if attempt == 1 and _died_at_start(run, verdict):
            continue  # e.g. two kernels started at once by two processes picked the same port: once more
        break
    seconds = time.monotonic() - started
    cells_seconds: list[float] = []
    if executed is not None and verdict.ran:
        executed, cells_seconds = _clean(executed)
    return Outcome(
        job=job,
        status=verdict.status,
        notebook=executed if verdict.ran else None,
        seconds=seconds,
        cells_seconds=cells_seconds,
        message=verdict.message,
        traceback=verdict.traceback,
        versions=_versions(),
        gpu=_gpu_name(job.device),
        finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )


def _died_at_start(run: _Run, verdict: _Verdict) -> bool:
    """The kernel process died before it answered: worth one more start (not a missing kernel)."""
    return not verdict.ran and not run.note_timed_out and "Kernel died before replying" in str(run.error)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for dist in ("torch", "labjournal", "papermill"):
        with contextlib.suppress(PackageNotFoundError):
            found[dist] = version(dist)
    return found


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

    def __init__(self, jobs: int | None = None, **engine_kwargs: Any) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.engine_kwargs = engine_kwargs

    @abc.abstractmethod
    def map(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        """Run ``jobs`` and yield each outcome as soon as it is known."""

    def start(self) -> None:  # noqa: B027 - optional: most backends need nothing ahead of the jobs
        """Start getting ready while the driver plans (e.g. a local preload server's imports)."""

    def abort(self) -> None:
        """Stop at once (Ctrl-C): called from a signal handler, before the driver unwinds.

        The default kills this process's worker processes, for a backend that runs jobs in a
        process pool: a worker waiting on a kernel would otherwise hold the pool's shutdown until its
        note finished. The local backend overrides it (its workers are threads); backends with
        remote work stop it when ``map`` is closed.
        """
        for child in multiprocessing.active_children():
            child.kill()

    def close(self) -> None:  # noqa: B027 - optional: most backends have nothing to release
        """Release workers; called once the driver is done."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
