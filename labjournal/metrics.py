"""``labjournal.record``: metrics that travel inside the executed notebook.

A recorded value is a display output of its own MIME type, so it needs no side file and no
network, and the store keeps it with the rest of the note's outputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

METRIC_MIME = "application/vnd.labjournal.metric+json"


def record(name: str, value: float, step: int | None = None) -> None:
    """Record ``value`` of metric ``name`` (optionally at ``step``) in the running notebook."""
    from IPython.display import display

    value = float(value)
    payload = {"name": str(name), "value": value if math.isfinite(value) else str(value), "step": step}
    display(
        {METRIC_MIME: payload, "text/plain": f"{name} = {value:g}" + ("" if step is None else f" (step {step})")},
        raw=True,
    )


@dataclass
class Series:
    """All values of one metric in one run, in the order they were recorded."""

    name: str
    steps: list[int | None] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def last(self) -> float:
        return self.values[-1]


def collect(cells: Iterable[dict[str, Any]]) -> dict[str, Series]:
    """Every metric recorded in the outputs of ``cells``, by name."""
    found: dict[str, Series] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(METRIC_MIME)
            if not payload:
                continue
            series = found.setdefault(payload["name"], Series(payload["name"]))
            series.steps.append(payload.get("step"))
            series.values.append(float(payload["value"]))
    return found
