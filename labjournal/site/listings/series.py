"""One page per series (``series: name`` in a note's front matter), its entries in order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from labjournal.markup import slug

from .base import JournalView, ListedPage, ListingPage, NavPlacement, PublishedNote


class SeriesPages(ListingPage):
    name = "series"
    uri = "series/{slug}.md"
    title = "Series: {series}"
    nav = NavPlacement(order=30, section="Series")
    template = "series.md.j2"

    def pages(self, view: JournalView) -> Iterator[ListedPage]:
        by_series: dict[str, list[PublishedNote]] = defaultdict(list)
        for item in view.notes:
            if item.note.meta.series:
                by_series[item.note.meta.series].append(item)
        pages, taken = [], set()
        for series, entries in sorted(by_series.items()):
            name = base = slug(series, "series")
            count = 1
            while name in taken:  # two names, one slug ("A b", "a-b"): both keep a page
                count += 1
                name = f"{base}-{count}"
            taken.add(name)
            context = {"series": series, "entries": entries}
            pages.append(ListedPage(self.uri.format(slug=name), self.title.format(series=series), context))
        yield from sorted(pages, key=lambda page: page.uri)
