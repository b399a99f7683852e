"""The local backend: a pool of worker processes, each note in its own kernel."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Iterable, Iterator
from functools import partial

from .base import Executor, Job, Outcome, run_job


class LocalExecutor(Executor):
    """Runs up to ``jobs`` notes at once in worker processes on this machine."""

    name = "local"

    def map(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        jobs = list(jobs)
        if not jobs:
            return
        if self.jobs == 1 or len(jobs) == 1:
            for job in jobs:
                yield run_job(job, **self.engine_kwargs)
            return
        context = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=min(self.jobs, len(jobs)), mp_context=context) as pool:
            futures = [pool.submit(partial(run_job, job, **self.engine_kwargs)) for job in jobs]
            for future in cf.as_completed(futures):
                yield future.result()
