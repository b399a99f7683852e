"""What a listing page is, and what it sees of the journal.

A listing is a small class (after mkdocs-material's blog views): a name, the URI of its page under
the journal's ``url_prefix``, a title, where it sits in the Journal section of the navigation, the
Jinja template its pages are made from, and :meth:`ListingPage.pages`, which yields its pages
from a read-only :class:`JournalView` of the published notes (none, one, or one per series).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from labjournal.errors import LabjournalError

if TYPE_CHECKING:
    from jinja2 import Environment, Template

    from labjournal.execution import NoteStatus
    from labjournal.notes import Note
    from labjournal.states import State
    from labjournal.store import Provenance


class ListingError(LabjournalError):
    """A listing cannot be loaded or rendered, or its URL is taken by a note or another listing."""


@dataclass(frozen=True)
class NavPlacement:
    """Where a listing's pages sit in the navigation's Journal section.

    ``order`` places them among the section's items (All entries 10, Recent 20, Series 30,
    Metrics 40, Execution report 50); ``title`` is the title in the navigation (default: the
    page's); ``section`` gathers the pages in a sub-section of that name (the Series pages).
    """

    order: int
    title: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class PublishedNote:
    """A published note as listings see it: its status and the page it is published as."""

    status: NoteStatus
    src_uri: str
    """The page's path among the site's files, e.g. ``journal/2024/x/index.md``."""
    url: str
    """The page's final URL, e.g. ``journal/2024/x/``."""
    excerpt: str | None = None
    """The first paragraph of its prose, as plain text (listings show it)."""
    thumbnail: str | None = None
    """Its first figure's path among the site's files, e.g. ``journal/2024/x/figure-3-0.png``."""

    @property
    def note(self) -> Note:
        return self.status.note

    @property
    def title(self) -> str:
        return self.status.note.display_title

    @property
    def date(self) -> dt.date:
        return self.status.note.meta.date

    @property
    def state(self) -> State:
        return self.status.state

    @property
    def provenance(self) -> Provenance | None:
        return self.status.entry.provenance if self.status.entry else None


@dataclass(frozen=True)
class JournalView:
    """The published notes, oldest first, and what a listing needs to know of the site."""

    notes: tuple[PublishedNote, ...]
    prefix: str
    """The folder of the site the journal is published under (``url_prefix``), e.g. ``journal``."""
    use_directory_urls: bool
    cache: Path
    """A folder listings may keep expensive parts of their pages in (charts)."""

    def with_notes(self, notes: Iterable[PublishedNote]) -> JournalView:
        """The same view with these notes (e.g. with their excerpts), in the order given."""
        return dataclasses.replace(self, notes=tuple(notes))

    @cached_property
    def newest_first(self) -> tuple[PublishedNote, ...]:
        return tuple(reversed(self.notes))

    def src_uri(self, uri: str) -> str:
        """A listing page's path among the site's files: ``report.md`` -> ``journal/report.md``."""
        return f"{self.prefix}/{uri}" if self.prefix else uri

    def url(self, src_uri: str) -> str:
        """The final URL of the page at ``src_uri`` (``journal/report.md`` -> ``journal/report/``)."""
        return page_url(src_uri, self.use_directory_urls)


@dataclass(frozen=True)
class ListedPage:
    """One page a listing yields: its URI under the journal's prefix, its title, and the variables
    its template is given besides ``title``, ``page``, ``view`` and ``notes``."""

    uri: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)


class ListingPage:
    """A kind of listing page; subclass it, then register it (``labjournal.site.listings``)."""

    name: ClassVar[str]
    """The listing's name in the registry."""
    uri: ClassVar[str] = ""
    """The page's URI under the journal's prefix (``report.md``); a pattern for listings of
    several pages (``series/{slug}.md``)."""
    title: ClassVar[str] = ""
    """The page's title; a pattern for listings of several pages (``Series: {series}``)."""
    nav: ClassVar[NavPlacement | None] = None
    """Where its pages sit in the navigation; ``None``: not in it (reached through links)."""
    template: ClassVar[str] = ""
    """A template of ``labjournal/site/templates``, e.g. ``report.md.j2``."""
    template_source: ClassVar[str | None] = None
    """The template itself, instead of ``template``: a listing in a single file."""

    def pages(self, view: JournalView) -> Iterable[ListedPage]:
        """This listing's pages: by default one, at ``uri``, with :meth:`context`."""
        yield ListedPage(self.uri, self.title, self.context(view))

    def context(self, view: JournalView) -> Mapping[str, Any]:
        """Template variables of the single page (the notes are there already as ``notes``)."""
        return {}

    def load_template(self, env: Environment) -> Template:
        if self.template_source is not None:
            return env.from_string(self.template_source)
        return env.get_template(self.template)


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives the page at ``src_uri``."""
    from mkdocs.structure.files import File

    return File(src_uri, None, "", use_directory_urls).url


def chronological(notes: Iterable[PublishedNote]) -> Iterator[PublishedNote]:
    yield from sorted(notes, key=lambda item: item.note.chronological_key)
