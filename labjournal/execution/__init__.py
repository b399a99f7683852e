"""Execution: which notes must run (keys, freshness, plans), running them through an executor
backend (``labjournal.executors``), and committing outcomes to the store."""

from __future__ import annotations

from .commit import Report
from .freshness import NoteStatus, assess
from .journal import CONFIG_FILE, Journal, find_root
from .plan import Planned, plan
from .runner import ExecutorSettings, Progress, RunRequest, run_notes

__all__ = [
    "CONFIG_FILE",
    "ExecutorSettings",
    "Journal",
    "NoteStatus",
    "Planned",
    "Progress",
    "Report",
    "RunRequest",
    "assess",
    "find_root",
    "plan",
    "run_notes",
]
