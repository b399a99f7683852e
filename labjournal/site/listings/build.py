"""Every listing's pages, their URLs checked against the site's other pages and each other's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .base import JournalView, ListedPage, ListingError, ListingPage
from .templating import render_listing


@dataclass(frozen=True)
class BuiltPage:
    """One listing page, ready to be added to the site."""

    listing: ListingPage
    page: ListedPage
    src_uri: str
    url: str
    markdown: str

    @property
    def title(self) -> str:
        return self.page.title


def build_listings(view: JournalView, listings: Iterable[ListingPage], taken: Mapping[str, str]) -> list[BuiltPage]:
    """The pages of ``listings``, rendered; a :class:`ListingError` when one's URL is in ``taken``
    (URL -> the file published there: the notes, the documentation pages) or another listing page's."""
    located = []
    for listing in listings:
        for page in listing.pages(view):
            src_uri = view.src_uri(page.uri)
            located.append((listing, page, src_uri, view.url(src_uri)))
    check_urls([(page.title, url) for _, page, _, url in located], taken)
    return [
        BuiltPage(listing, page, src_uri, url, render_listing(listing, page, view))
        for listing, page, src_uri, url in located
    ]


def url_key(url: str) -> str:
    """URLs that a server may take for the same page (case-insensitive file systems, encodings)."""
    return unquote(url).casefold()


def check_urls(pages: list[tuple[str, str]], taken: Mapping[str, str]) -> None:
    """No listing page (title, URL) at the URL of a file in ``taken`` or of another listing page."""
    by_key = {url_key(url): (url, path) for url, path in taken.items()}
    listed: dict[str, tuple[str, str]] = {}
    problems = []
    for title, url in pages:
        key = url_key(url)
        if key in by_key:
            other_url, path = by_key[key]
            problems.append(
                f"{path} is published at {unquote(other_url)}, the URL of the listing page '{title}' "
                f"({unquote(url)}): rename {path} or move it to another folder"
            )
        elif key in listed:
            first, first_url = listed[key]
            problems.append(
                f"the listing pages '{first}' ({unquote(first_url)}) and '{title}' ({unquote(url)}) have the same URL"
            )
        listed.setdefault(key, (title, url))
    if problems:
        raise ListingError("; ".join(problems))


def shown_path(path: str | Path | None, root: Path, fallback: str) -> str:
    """A file as a message names it: relative to the journal's root where it can be."""
    if path is None:
        return fallback
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)
