"""What ties entries together on their pages: backlinks (the entries that link to this one) and
"on this day" (entries of the same day in earlier years).

Links are found in each note's source text (a link to another note's file, as ``links`` rewrites
them), so no note has to be parsed or rendered to know who links to whom.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from .links import NoteLinks
from .listings import PublishedNote
from .listings.templating import render

_LINK = re.compile(r"\]\(\s*<?([^)\s>#]+)")


class Connections:
    """Backlinks and same-day entries of every published note, by page."""

    def __init__(self, notes: Iterable[PublishedNote], links: NoteLinks) -> None:
        self.notes = tuple(notes)
        self.by_page = {item.src_uri: item for item in self.notes}
        self.backlinks: dict[str, list[PublishedNote]] = defaultdict(list)
        for source in self.notes:
            targets = {
                t.src_uri for t in map(partial(links.resolve, source=source), _LINK.findall(source.note.text)) if t
            }
            for target in sorted(targets - {source.src_uri}):
                self.backlinks[target].append(source)
        self.same_day: dict[tuple[int, int], list[PublishedNote]] = defaultdict(list)
        for item in self.notes:
            self.same_day[(item.date.month, item.date.day)].append(item)

    def on_this_day(self, item: PublishedNote) -> list[PublishedNote]:
        """Entries of the same month and day in earlier years, newest first."""
        earlier = [
            other for other in self.same_day[(item.date.month, item.date.day)] if other.date.year < item.date.year
        ]
        return sorted(earlier, key=lambda other: other.date, reverse=True)

    def block(self, page_uri: str) -> str:
        """The Markdown to add at the end of a note's page (empty when there is nothing to say)."""
        item = self.by_page.get(page_uri)
        if item is None:
            return ""
        linking = sorted(self.backlinks.get(page_uri, []), key=lambda n: n.note.chronological_key)
        same_day = self.on_this_day(item)
        if not linking and not same_day:
            return ""
        return render("connections.md.j2", page_uri=page_uri, linking=linking, same_day=same_day)
