"""Charts drawn at build time with matplotlib (Agg, SVG): no CDN, no JavaScript, no network.

matplotlib is imported only when a chart is drawn, so a build without runs never pays for it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from labjournal.store import RunRecord


@dataclass(frozen=True)
class Point:
    """One note's final value of a metric, for the cross-journal metrics chart."""

    date: str
    value: float
    label: str
    url: str


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "labjournal"  # stable element ids: identical input, identical file
    return plt


def _text(text: str) -> str:
    """``text`` as literal text in a chart: matplotlib reads ``$...$`` as mathtext, which can fail to
    parse (a metric named ``$$x$$``) or mean something else than the name says."""
    return text.replace("$", r"\$")


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(figure)
    return buffer.getvalue()


LOG_SPAN = 100.0
"""Values whose largest is at least this many times their smallest (all positive) get a log axis."""


def wants_log_axis(values: Sequence[float]) -> bool:
    """Whether ``values`` span orders of magnitude (a learning-rate sweep's losses): on a linear axis
    all but the largest curves would lie flat along the bottom."""
    finite = [v for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return bool(finite) and min(finite) > 0 and max(finite) / min(finite) >= LOG_SPAN


def run_curves(metric: str, records: Sequence[RunRecord], labels: Sequence[str]) -> str:
    """One line per run: ``metric`` against its steps, on a log axis when the values span orders of
    magnitude (the axes' SVG group says which: ``lj-axis-log`` or ``lj-axis-linear``)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 3.2))
    values: list[float] = []
    for record, label in zip(records, labels, strict=True):
        series = record.metrics.get(metric, {})
        steps = [s if s is not None else i for i, s in enumerate(series.get("steps", []))]
        axes.plot(steps, series.get("values", []), marker=".", label=_text(label))
        values += series.get("values", [])
    log_axis = wants_log_axis(values)
    if log_axis:
        axes.set_yscale("log")
    axes.set_gid("lj-axis-log" if log_axis else "lj-axis-linear")
    axes.set_xlabel("step")
    axes.set_ylabel(_text(metric))
    axes.set_title(_text(f"{metric} across runs"))
    axes.grid(alpha=0.3)
    if len(records) > 1:
        axes.legend(fontsize="small")
    return _svg(figure)


def metric_by_date(metric: str, points: Sequence[Point]) -> str:
    """The final value of ``metric`` in each note, by date; each point links to its note."""
    import datetime as dt

    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 3.2))
    dates = [dt.date.fromisoformat(p.date) for p in points]
    axes.plot(dates, [p.value for p in points], color="0.6", linewidth=1)
    markers = axes.scatter(dates, [p.value for p in points], s=40, zorder=3)
    markers.set_urls([p.url for p in points])
    axes.set_ylabel(_text(metric))
    axes.set_title(_text(f"{metric} by date"))
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    return _svg(figure)
