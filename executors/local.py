"""The local backend: a pool of worker processes, each note in its own kernel."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from . import preload as preloading
from .base import Executor, Job, Outcome, run_job


class LocalExecutor(Executor):
    """Runs up to ``jobs`` notes at once in worker processes on this machine.

    ``preload`` (default: where fork is supported) gives every note a fresh kernel forked from a
    preload server that imported ``preload_modules`` once. The server belongs to this process and is
    shared by the pool's workers and by later executors (the imports are paid once, not once per
    worker or run); it ends with this process. An explicit ``kernel_manager_class`` engine kwarg
    turns preloading off.
    """

    name = "local"

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

    def _server_address(self) -> str | None:
        return preloading.shared_server(self.preload_modules).address if self.preload else None

    def map(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        jobs = list(jobs)
        if not jobs:
            return
        address = self._server_address()
        if self.jobs == 1 or len(jobs) == 1:
            with preloading.using_server(address):
                for job in jobs:
                    yield run_job(job, **self.engine_kwargs)
            return
        context = multiprocessing.get_context("spawn")
        workers = min(self.jobs, len(jobs))
        with cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(address,)) as pool:
            yield from _run_placing_gpus(pool, jobs, self.gpus(), partial(run_job, **self.engine_kwargs))

    def gpus(self) -> list[str]:
        """The GPUs to spread GPU notes over (one note per GPU at a time)."""
        from labjournal.devices import visible_gpus

        return visible_gpus()


def _is_gpu_job(job: Job) -> bool:
    return job.needs_gpu or job.device.startswith("cuda")


def _run_placing_gpus(
    pool: cf.Executor, jobs: list[Job], gpus: Sequence[str], run: Callable[[Job], Outcome]
) -> Iterator[Outcome]:
    """Submit ``jobs``; on a host with several GPUs each GPU job gets a GPU of its own.

    A GPU job waits until a GPU is free (its ``CUDA_VISIBLE_DEVICES`` names that one GPU); other jobs
    go to the pool at once. With one GPU or none, every job is submitted as it is.
    """
    placing = len(gpus) > 1
    waiting = [job for job in jobs if placing and _is_gpu_job(job)]
    running: dict[cf.Future[Outcome], str | None] = {
        pool.submit(run, job): None for job in jobs if not (placing and _is_gpu_job(job))
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


def _init_worker(address: str | None) -> None:
    preloading.use_server(address)
