"""Data and code outputs: JSON (a readable, collapsible view), labjournal's metrics, JavaScript (a notice)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from labjournal.metrics import METRIC_MIME

from .base import OutputHandler, fence, mime_name, notice

OPEN_JSON_LINES = 30
"""A JSON view of at most this many lines starts open; a longer one starts folded."""


def json_text(value: Any) -> str:
    """``value`` as indented JSON (a string stored by an older kernel is parsed first)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


def _summary(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"JSON object, {len(value)} {'key' if len(value) == 1 else 'keys'}"
    if isinstance(value, list):
        return f"JSON array, {len(value)} {'item' if len(value) == 1 else 'items'}"
    return "JSON value"


class JsonHandler(OutputHandler):
    """``application/json`` (``IPython.display.JSON``): a collapsible block of indented JSON, as
    JupyterLab's JSON viewer (rank 0: preferred to the other types, as there). Every string scrubbed."""

    mime = "application/json"
    priority = 750

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        text = json_text(value)
        f = fence(text)
        marker = "???+" if text.count("\n") < OPEN_JSON_LINES else "???"
        body = "\n".join(f"    {line}" if line else "" for line in f"{f} json\n{text}\n{f}".splitlines())
        return f'{marker} abstract lj-json "{_summary(value)}"\n\n{body}'


class MetricHandler(OutputHandler):
    """``labjournal.record`` values. The page shows one table per cell instead of each value: the
    renderer's ``MetricsPanelPreprocessor`` gathers them before the outputs are rendered."""

    mime = METRIC_MIME


class JavaScriptHandler(OutputHandler):
    """Code: never run on the site. Dropped from untrusted notes; never shown, always noticed."""

    mime = "application/javascript"

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else None

    def notice(self, value: Any, output: Mapping[str, Any]) -> str:
        return notice(
            f"This output is JavaScript ({mime_name(self.mime)}), which is never run on this site. "
            "Run the note in Jupyter to see what it draws."
        )
