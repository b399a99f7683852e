"""``--mlflow``: log runs to an MLflow tracking store, for authors who already track experiments there.

One MLflow experiment per note (named by its id), one MLflow run per labjournal run, with its
parameters, every recorded metric step and a few tags (code hash, device, status). Optional:
needs ``pip install labjournal[mlflow]``. The default is a local file store; MLflow 3 keeps
that backend in maintenance mode behind ``MLFLOW_ALLOW_FILE_STORE``, which is set for ``file:`` URIs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from labjournal.errors import UsageError
from labjournal.store import RunLog


def log_runs(uri: str, log: RunLog, reports: Iterable[Any]) -> int:
    """Log the runs behind ``reports`` (each with ``.note.id`` and ``.run_id``); return how many."""
    if uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    try:
        from mlflow.entities import Metric, Param, RunTag
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise UsageError("--mlflow needs MLflow: pip install 'labjournal[mlflow]'") from None
    client = MlflowClient(tracking_uri=uri)
    count = 0
    for report in reports:
        record = log.get(report.note.id, report.run_id)
        name = f"labjournal/{record.note}"
        experiment = client.get_experiment_by_name(name)
        experiment_id = experiment.experiment_id if experiment else client.create_experiment(name)
        run = client.create_run(experiment_id, run_name=record.id)
        timestamp = run.info.start_time
        metrics = [
            Metric(key, float(value), timestamp, int(step) if step is not None else index)
            for key, series in record.metrics.items()
            for index, (step, value) in enumerate(zip(series["steps"], series["values"], strict=True))
        ]
        params = [Param(key, str(value)) for key, value in sorted(record.parameters.items())]
        tags = [
            RunTag("labjournal.code_hash", record.code_hash),
            RunTag("labjournal.device", record.where),
            RunTag("labjournal.status", record.status),
            RunTag("labjournal.run_id", record.id),
        ]
        client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)
        client.set_terminated(run.info.run_id, status="FINISHED" if record.status == "ok" else "FAILED")
        count += 1
    return count
