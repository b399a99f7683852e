"""Titles are text: a title ``x < y`` or ``<img onerror=...>`` shows as written, never as markup.

mkdocs-material's templates put ``page.title`` into the page as HTML (the header, the navigation on
every page, previous/next links, the search index) and into ``<title>`` through ``striptags``.
Once every page has been read (and the feeds have taken their plain-text titles), each title from
front matter becomes escaped ``Markup``, and ``striptags`` escapes what it returns, so the same
title is safe in both places.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from mkdocs.structure.files import Files


def escape_titles(files: Files) -> None:
    """Every page's front-matter title as escaped HTML (once: ``Markup`` is left as it is)."""
    for file in files.documentation_pages():
        page = file.page
        title = page.meta.get("title") if page is not None else None
        if page is not None and title is not None and not isinstance(title, Markup):
            page.meta["title"] = Markup.escape(str(title))


def striptags(value: Any) -> Markup:
    """Jinja's ``striptags``, escaping its result (Jinja's returns the text unescaped, as raw HTML)."""
    return Markup.escape(Markup(str(value)).striptags())
