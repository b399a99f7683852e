"""A calendar heatmap of entries per day (an SVG made at build time: no script, nothing loaded).

Weeks run left to right, Monday to Sunday top to bottom, over the year up to the newest entry.
Each day's colour class says how many entries it has (``lj-heat-0`` .. ``lj-heat-3``; the
stylesheet colours them for light and dark), and its tooltip says the date and the count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from html import escape

CELL = 11
GAP = 2
WEEKS = 53
TOP = 14  # room for month labels


def _level(count: int) -> int:
    return min(count, 3)


def _month_label(day: dt.date, x: int, width: int) -> str:
    """The month's name over its first week; the last weeks' names end at the right edge, not past it."""
    place = f'x="{x}"' if x + 3 * CELL <= width else f'x="{width}" text-anchor="end"'
    return f'<text {place} y="10" class="lj-heat-label">{day.strftime("%b")}</text>'


def heatmap(dates: Iterable[dt.date]) -> str:
    """The SVG for the 53 weeks that end with the week of the newest date ('' without dates)."""
    counts = Counter(dates)
    if not counts:
        return ""
    last = max(counts)
    start = last - dt.timedelta(days=last.weekday() + 7 * (WEEKS - 1))
    width, height = WEEKS * (CELL + GAP), TOP + 7 * (CELL + GAP)
    cells, labels, month = [], [], None
    for offset in range((last - start).days + 1):
        day = start + dt.timedelta(days=offset)
        week, weekday = divmod(offset, 7)
        x, y = week * (CELL + GAP), TOP + weekday * (CELL + GAP)
        count = counts.get(day, 0)
        tip = f"{day.isoformat()}: {count} entr{'y' if count == 1 else 'ies'}"
        cells.append(
            f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" class="lj-heat-{_level(count)}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if day.day <= 7 and weekday == 0 and day.month != month:
            month = day.month
            labels.append(_month_label(day, x, width))
    total = sum(count for day, count in counts.items() if day >= start)
    label = f"Entries per day over the year to {last.isoformat()}: {total} entries"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" class="lj-heatmap">{"".join(labels)}{"".join(cells)}</svg>'
    )
