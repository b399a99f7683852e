"""A note's summary: the first paragraph of its prose as plain text, for feeds and ``<meta name="description">``.

Feeds take a page's ``description`` when it has one; without it the RSS plugin cut the page's
Markdown source (``<h1>`` leftovers, ``:material-calendar:``, attribute lists). The summary is
taken from the rendered page's Markdown, skipping the header the renderer writes, converted to
text, once per render (the entry's excerpt, kept beside it); the plugin escapes it, so it is safe
as HTML and in an attribute.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_CHARS = 300
_SKIP = re.compile(r"^\s*(#|\{|!!!|\?\?\?|```|~~~|<|\[:material-|\||-{3,}|\*\*Day \d+\*\*|:material-)")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def first_paragraph(markdown: str) -> str | None:
    """The first block of prose in a page's Markdown (not a heading, code, HTML, admonition or table)."""
    for block in re.split(r"\n\s*\n", markdown):
        if block.strip() and not _SKIP.match(block) and "{ .lj-" not in block:
            return block
    return None


def plain_summary(markdown: str, max_chars: int = MAX_CHARS) -> str | None:
    """The first paragraph as plain text, cut at a word under ``max_chars``."""
    block = first_paragraph(markdown)
    if block is None:
        return None
    from markdown import markdown as to_html

    parser = _Text()
    parser.feed(to_html(block))
    text = " ".join("".join(parser.parts).split())
    if len(text) > max_chars:
        text = text[: text.rfind(" ", 0, max_chars) if " " in text[:max_chars] else max_chars] + " …"
    return text or None
