"""The navigation's Journal section, and previous/next links between entries.

The section holds the listing pages that ask for a place (:class:`~.listings.NavPlacement`) and
the most recent entries, never every note: every page of a mkdocs-material site carries the whole
navigation, so a nav of all notes would make the site grow with notes x notes. Entries link to the
previous and next entry by date instead, and sit in the Journal section (its tab is highlighted).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page

from .listings import BuiltPage, PublishedNote

JOURNAL = "Journal"
RECENT = "Recent"
RECENT_ORDER = 20  # between All entries (10) and Series (30)


def journal_section(
    listing_pages: Sequence[BuiltPage], recent: Sequence[PublishedNote], files: Files, config: MkDocsConfig
) -> Section | None:
    """Listing pages by their placement's order (gathered in sub-sections where they ask), and a
    Recent sub-section of the newest entries; ``None`` when there is nothing to show."""
    slots: list[tuple[int, int, str | Page | Link]] = []  # (order, arrival, a page or a sub-section's name)
    sections: dict[str, list[Page | Link | None]] = {}

    def place(order: int, section: str | None, page: Page | Link | None) -> None:
        if section is None:
            if page is not None:
                slots.append((order, len(slots), page))
            return
        if section not in sections:
            sections[section] = []
            slots.append((order, len(slots), section))
        sections[section].append(page)

    for built in listing_pages:
        nav = built.listing.nav
        if nav is not None:
            page = _page(nav.title or built.title, files.get_file_from_path(built.src_uri), config)
            place(nav.order, nav.section, page)
    for item in recent:
        place(RECENT_ORDER, RECENT, _entry_link(item))
    children = [
        _section(item, sections[item]) if isinstance(item, str) else item
        for _, _, item in sorted(slots, key=lambda slot: slot[:2])
    ]
    return _section(JOURNAL, children)


def add_section(nav: Navigation, section: Section | None) -> None:
    """The section after the first item of the site's own navigation (its home page)."""
    if section is not None:
        nav.items.insert(1 if nav.items else 0, section)
    nav.pages = [item for item in _walk(nav.items) if isinstance(item, Page)]
    _link_previous_and_next(nav.pages)


class EntryNeighbours:
    """Each entry's previous and next entry by date (most entries are not in the nav)."""

    def __init__(self, chronological: Sequence[PublishedNote], files: Files, section: Section | None) -> None:
        self.order = {item.src_uri: index for index, item in enumerate(chronological)}
        self.files = [files.get_file_from_path(item.src_uri) for item in chronological]
        self.section = section

    def link(self, page: Page) -> None:
        index = self.order.get(page.file.src_uri)
        if index is None:
            return
        before = self.files[index - 1] if index > 0 else None
        after = self.files[index + 1] if index + 1 < len(self.files) else None
        page.previous_page = before.page if before else None
        page.next_page = after.page if after else None
        if page.parent is None and self.section is not None:
            page.parent = self.section


def _entry_link(item: PublishedNote) -> Link:
    """A recent entry as a link, not a page: an entry's page is an ``index.md``, and with
    mkdocs-material's ``navigation.indexes`` the first index page of a section becomes the
    section's own link, hiding the newest entry from the list. The title is text (escaped)."""
    return Link(Markup.escape(item.title), item.url)


def _page(title: str | None, file: File | None, config: MkDocsConfig) -> Page | None:
    if file is None:
        return None
    return file.page if file.page is not None else Page(title, file, config)


def _section(title: str, children: Sequence[Any]) -> Section | None:
    """A nav section of the children that exist, each knowing its parent (the theme needs that)."""
    present = [child for child in children if child is not None]
    if not present:
        return None
    section = Section(title, present)
    for child in present:
        child.parent = section
    return section


def _link_previous_and_next(pages: list[Page]) -> None:
    """What MkDocs does for the nav it reads, redone after the Journal section was added."""
    for before, after in itertools.pairwise(pages):
        before.next_page, after.previous_page = after, before
    if pages:
        pages[0].previous_page = pages[-1].next_page = None


def _walk(items: list[Any]) -> list[Any]:
    found: list[Any] = []
    for item in items:
        found.append(item)
        if isinstance(item, Section):
            found.extend(_walk(item.children))
    return found
