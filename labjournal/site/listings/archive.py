"""All entries, by year and month, newest first: the journal's front page."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby
from typing import Any

from markupsafe import Markup

from .base import JournalView, ListingPage, NavPlacement
from .heatmap import heatmap


class Archive(ListingPage):
    name = "archive"
    uri = "index.md"
    title = "Journal"
    nav = NavPlacement(order=10, title="All entries")
    template = "archive.md.j2"

    def context(self, view: JournalView) -> Mapping[str, Any]:
        years = []
        for year, in_year in groupby(view.newest_first, key=lambda item: item.date.year):
            months = []
            for _, in_month in groupby(in_year, key=lambda item: item.date.month):
                entries = list(in_month)
                months.append((entries[0].date.strftime("%B %Y"), entries))
            years.append((year, months))
        return {"years": years, "heatmap": Markup(heatmap(item.date for item in view.notes))}
