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


def _valid(payload: Any) -> tuple[str, float, int | None] | None:
    """(name, value, step) of a metric output, or None when it is not one ``record`` could write:
    the output comes from a kernel, so anything may be there (a forged name, a list, null)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("name"), str):
        return None
    value, step = payload.get("value"), payload.get("step")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)  # "nan" and "inf" are written as text
    except ValueError:
        return None
    if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
        return None
    return payload["name"], number, step


def collect(cells: Iterable[dict[str, Any]]) -> dict[str, Series]:
    """Every metric recorded in the outputs of ``cells``, by name (malformed ones are left out)."""
    found: dict[str, Series] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            metric = _valid(output.get("data", {}).get(METRIC_MIME))
            if metric is None:
                continue
            name, value, step = metric
            series = found.setdefault(name, Series(name))
            series.steps.append(step)
            series.values.append(value)
    return found
