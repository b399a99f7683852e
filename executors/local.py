"""The local backend: up to ``jobs`` notes at once on this machine, each in its own kernel.

The notes' work happens in their kernels, which are processes of their own; what stays here is
papermill waiting on each kernel's messages. So the pool is a pool of *threads* in the driver, not
of worker processes: no interpreter to start and no papermill to import per worker (seconds on a
small machine, more than a small note's own work), and nothing to pickle.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from . import preload as preloading
from .base import Executor, Job, Outcome, run_job


class LocalExecutor(Executor):
    """Runs up to ``jobs`` notes at once, each in a fresh kernel on this machine.

    ``preload`` (default: where fork is supported) gives every note a fresh kernel forked from a
    preload server that imported the heavy modules once (see ``preload.py``). Of ``preload_modules``
    the server imports those the run's notes use (:func:`~.preload.modules_for`); the server belongs
    to this process and is shared by later runs, which have it import what they need more. An
    explicit ``kernel_manager_class`` engine kwarg turns preloading off.
    """

    def __init__(
        self,
        jobs: int | None = None,
        *,
        preload: bool | None = None,
        preload_modules: Sequence[str] | None = None,
        **engine_kwargs: Any,
    ) -> None:
        super().__init__(jobs, **engine_kwargs)
        if "kernel_manager_class" not in engine_kwargs:
            self.engine_kwargs.update(preloading.engine_kwargs(preload))
        self.preload = self.engine_kwargs.get("kernel_manager_class") is preloading.PreloadedKernelManager
        self.preload_modules = tuple(preload_modules) if preload_modules is not None else preloading.DEFAULT_MODULES
        self._cancel = threading.Event()

    def map(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        jobs = list(jobs)
        if not jobs:
            return
        self._cancel.clear()
        engine_kwargs = dict(self.engine_kwargs)
        if self.preload:
            engine_kwargs["kernel_manager_class"] = preloading.kernel_manager_for_jobs(jobs, self.preload_modules)
        run = partial(run_job, cancel=self._cancel, **engine_kwargs)
        pool = cf.ThreadPoolExecutor(min(self.jobs, len(jobs)), thread_name_prefix="labjournal-job")
        try:
            yield from _run_placing_gpus(pool, jobs, self.gpus(), run)
        finally:  # done, interrupted, or the caller stopped listening: no kernel may outlive map
            self._cancel.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def start(self) -> None:
        """Start the preload server now: it imports the kernel's modules while the driver plans."""
        if self.preload:
            preloading.shared_server(())

    def abort(self) -> None:
        """Kill the running notes' kernels (Ctrl-C): each worker thread stops its run at once."""
        self._cancel.set()

    def gpus(self) -> list[str]:
        """The GPUs to spread GPU notes over (one note per GPU at a time)."""
        from .devices import visible_gpus

        return visible_gpus()


def _run_placing_gpus(
    pool: cf.Executor, jobs: list[Job], gpus: Sequence[str], run: Callable[[Job], Outcome]
) -> Iterator[Outcome]:
    """Submit ``jobs``; on a host with several GPUs each GPU job gets a GPU of its own.

    A GPU job waits until a GPU is free (its ``CUDA_VISIBLE_DEVICES`` names that one GPU); other jobs
    go to the pool at once. With one GPU or none, every job is submitted as it is.
    """
    placing = len(gpus) > 1
    waiting = [job for job in jobs if placing and job.uses_gpu]
    running: dict[cf.Future[Outcome], str | None] = {
        pool.submit(run, job): None for job in jobs if not (placing and job.uses_gpu)
    }
    free = list(gpus)

    def place() -> None:
        while waiting and free:
            gpu = free.pop(0)
            running[pool.submit(run, replace(waiting.pop(0), gpu=gpu))] = gpu

    place()
    while running:
        done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
        for future in done:
            gpu = running.pop(future)
            if gpu is not None:
                free.append(gpu)
            yield future.result()
        place()
