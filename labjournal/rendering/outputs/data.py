"""Data and code outputs that the page does not show: JSON, labjournal's metrics, JavaScript."""

from __future__ import annotations

from typing import Any

from labjournal.metrics import METRIC_MIME

from .base import OutputHandler


class JsonHandler(OutputHandler):
    """``application/json``: kept in the published notebook, every string in it scrubbed."""

    mime = "application/json"


class MetricHandler(OutputHandler):
    """``labjournal.record`` values. The page shows one table per cell instead of each value: the
    renderer's ``MetricsPanelPreprocessor`` gathers them before the outputs are rendered."""

    mime = METRIC_MIME


class JavaScriptHandler(OutputHandler):
    """Code: never run on the site. Dropped from untrusted notes, never shown."""

    mime = "application/javascript"

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else None
