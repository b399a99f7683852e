"""The committed store: executed notebooks (entries) with their provenance, and run records.

The store knows nothing of notes or of how keys are made: entries are addressed by note id and
carry the execution key they were made with; the execution layer decides what is fresh.
"""

from __future__ import annotations

from .entries import INJECTED_TAG, Entry, Failure, Provenance, Store
from .io import JsonCache, atomic_write, cached_text, content_digest, dumps_deterministic, read_json_object
from .runs import (
    RunLog,
    RunRecord,
    device_label,
    make_run_id,
    metric_names,
    metrics_of,
    short_time,
    varying_parameters,
)

__all__ = [
    "INJECTED_TAG",
    "Entry",
    "Failure",
    "JsonCache",
    "Provenance",
    "RunLog",
    "RunRecord",
    "Store",
    "atomic_write",
    "cached_text",
    "content_digest",
    "device_label",
    "dumps_deterministic",
    "make_run_id",
    "metric_names",
    "metrics_of",
    "read_json_object",
    "short_time",
    "varying_parameters",
]
