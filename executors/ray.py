"""The Ray backend: every job is a Ray task, on a cluster or on a Ray started here.

The cluster comes from ``address`` (``executor_options: {address: ...}`` in mkdocs.yml, where
``!ENV [RAY_ADDRESS]`` reads it from the environment); without it, a
local Ray with ``jobs`` CPUs is started and shut down again in :meth:`RayExecutor.close`. A task
calls :func:`run_job` with the executor's engine keyword arguments and returns the :class:`Outcome`
to the driver, which alone writes the store. Tasks on other machines need labjournal installed there
and the notes at the same paths (a shared checkout), since a job runs in ``job.cwd``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import ray  # absolute import: the real package, not this module

from labjournal.states import RunStatus

from . import preload as preloading
from .base import Executor, Job, Outcome, run_job


def resources(job: Job) -> dict[str, float]:
    """What a job asks Ray for: one GPU when it needs or was given CUDA, else one CPU."""
    if job.uses_gpu:
        return {"num_gpus": 1}
    return {"num_cpus": 1}


def _execute(job: Job, engine_kwargs: dict[str, Any], preload_modules: tuple[str, ...] | None) -> Outcome:
    """In the Ray worker: run the job, in a kernel forked from this worker's own preload server if asked."""
    if preload_modules is not None and preloading.fork_supported():
        engine_kwargs = {
            **engine_kwargs,
            "kernel_manager_class": preloading.kernel_manager_for_jobs([job], preload_modules),
        }
    return run_job(job, **engine_kwargs)


def _failed(job: Job, error: BaseException) -> Outcome:
    """An outcome for a task that Ray could not finish (worker crash, cancelled, no such resources)."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return Outcome(
        job, RunStatus.ERROR, None, 0.0, message=f"Ray task failed: {type(error).__name__}: {first_line}".strip()
    )


class RayExecutor(Executor):
    """Runs jobs as Ray tasks and yields their outcomes as they finish (``ray.wait``).

    ``preload``: each Ray worker forks its notes' kernels from a preload server of its own, started
    by its first task and kept as long as the worker lives (off by default: a cluster's workers
    are shared, and each server holds torch in memory).
    """

    def __init__(
        self,
        jobs: int | None = None,
        *,
        address: str | None = None,
        preload: bool = False,
        preload_modules: Sequence[str] | None = None,
        **engine_kwargs: Any,
    ) -> None:
        super().__init__(jobs, **engine_kwargs)
        modules = tuple(preload_modules) if preload_modules is not None else preloading.DEFAULT_MODULES
        self.preload_modules = modules if preload else None
        self.address = address or None
        self._started = False  # whether close() must shut down (local) or disconnect from (cluster) a Ray

    def _connect(self) -> None:
        if ray.is_initialized():
            return  # a Ray the caller set up (e.g. in a notebook): use it and leave it running
        if self.address:
            ray.init(address=self.address, logging_level=logging.WARNING, log_to_driver=False)
        else:  # errors only: its start-up notices (token auth, resources) are ours to worry about, not the user's
            ray.init(num_cpus=self.jobs, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
        self._started = True

    def _unschedulable(self, job: Job) -> str:
        """Why ``job`` can never run on this Ray (a GPU job where there is none), else ''."""
        if self.address or "num_gpus" not in resources(job):
            return ""  # a remote cluster may scale up GPU nodes; leave the decision to Ray
        if ray.cluster_resources().get("GPU", 0) < 1:
            return f"{job.note_id} needs a GPU, and the local Ray has none"
        return ""

    def map(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        jobs = list(jobs)
        if not jobs:
            return
        self._connect()
        task = ray.remote(_execute)
        pending: dict[ray.ObjectRef, Job] = {}
        for job in jobs:
            reason = self._unschedulable(job)
            if reason:
                yield Outcome(job, RunStatus.ERROR, None, 0.0, message=reason)
                continue
            pending[task.options(**resources(job)).remote(job, self.engine_kwargs, self.preload_modules)] = job
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    job = pending.pop(ref)
                    try:
                        outcome = ray.get(ref)
                    except ray.exceptions.RayError as exc:
                        outcome = _failed(job, exc)
                    yield outcome
        finally:
            for ref in pending:  # interrupted or abandoned: stop what still runs
                ray.cancel(ref, force=True)

    def close(self) -> None:
        if self._started and ray.is_initialized():
            ray.shutdown()
        self._started = False
