"""Each metric that several notes record (``labjournal.record``), charted by date.

Only fresh entries count. Every point of a chart links to its note. Charts are drawn with
matplotlib, which costs a second to import, so each is kept under ``<cache>/charts`` by a hash of
its data and of the rendering code, and drawn again only when either changes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labjournal.rendering.fingerprint import renderer_fingerprint
from labjournal.states import State
from labjournal.store import cached_text, content_digest

from .base import JournalView, ListedPage, ListingPage, NavPlacement, PublishedNote

if TYPE_CHECKING:
    from labjournal.rendering.charts import Point

log = logging.getLogger("mkdocs.plugins.labjournal")


@dataclass(frozen=True)
class Row:
    item: PublishedNote
    value: float


@dataclass(frozen=True)
class Metric:
    name: str
    svg: str
    rows: list[Row]


class Metrics(ListingPage):
    name = "metrics"
    uri = "metrics.md"
    title = "Metrics"
    nav = NavPlacement(order=40)
    template = "metrics.md.j2"

    def pages(self, view: JournalView) -> Iterator[ListedPage]:
        by_metric: dict[str, list[Row]] = defaultdict(list)
        for item in view.notes:
            entry = item.status.entry
            if entry is None or item.state is not State.FRESH:
                continue
            for name, value in entry.provenance.metrics.items():  # final values, kept in the store's index
                by_metric[name].append(Row(item, value))
        shared = {name: rows for name, rows in sorted(by_metric.items()) if len({r.item.url for r in rows}) > 1}
        if not shared:
            return
        page_url = view.url(view.src_uri(self.uri))
        metrics = [Metric(name, _safe_chart(view, name, rows, page_url), rows) for name, rows in shared.items()]
        yield ListedPage(self.uri, self.title, {"metrics": metrics})


def _safe_chart(view: JournalView, name: str, rows: list[Row], page_url: str) -> str:
    """The chart, or a notice: a metric name matplotlib cannot draw must not stop the site build."""
    try:
        return _chart(view, name, rows, page_url)
    except Exception as exc:  # matplotlib raises many types (mathtext ParseException, ValueError, ...)
        log.warning(
            "Metrics page: the chart of a metric could not be drawn (%s); its table is shown", type(exc).__name__
        )
        return '<p class="lj-notice">This chart could not be drawn; the table below has its values.</p>'


def _chart(view: JournalView, name: str, rows: list[Row], page_url: str) -> str:
    """The SVG of one metric by date (from the cache when its data was charted before)."""
    from mkdocs.utils import get_relative_url

    from labjournal.rendering.charts import Point, metric_by_date

    points: list[Point] = [
        Point(row.item.date.isoformat(), row.value, row.item.title, get_relative_url(row.item.url, page_url))
        for row in rows
    ]
    digest = content_digest(renderer_fingerprint(), name, [repr(point) for point in points])[:20]
    svg = cached_text(view.cache / "charts" / f"{digest}.svg", lambda: metric_by_date(name, points))
    return svg[svg.index("<svg") :]
