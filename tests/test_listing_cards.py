"""Listings read like a journal: each entry with its Day, kind, tags, an excerpt and a thumbnail."""

from __future__ import annotations

import html
import re

import pytest

from .conftest import JournalDir, code, note_text

pytestmark = [pytest.mark.site, pytest.mark.kernel]

FIGURE = code(
    """
    import matplotlib.pyplot as plt
    plt.plot([1, 3, 2]); plt.title("a curve"); plt.show()
    """
)


def test_an_entry_in_the_listing_has_its_facts_excerpt_and_thumbnail(journal: JournalDir) -> None:
    prose = "First *paragraph* of the entry: x < y.\n\nSecond paragraph.\n\n"
    journal.write(
        "2026/plot.md", note_text("Plotted", "2026-02-03", prose + FIGURE, day=7, kind="daily", tags="[a, b]")
    )
    journal.write("2026/words.md", note_text("Only words", "2026-02-04", "Nothing to plot.\n", kind="meeting"))
    assert journal.cli("build") == 0
    listing = (journal.root / "site" / "journal" / "index.html").read_text()
    items = re.findall(r"<li>(.*?)</li>", listing, re.S)
    plotted = next(item for item in items if "Plotted" in item)
    text = html.unescape(re.sub(r"<[^>]+>", "", plotted))
    assert "2026-02-03 · Day 7 · daily · #a · #b" in text and "First paragraph of the entry: x < y." in text
    thumbnail = re.search(r'<img[^>]*class="lj-thumb"[^>]*src="([^"]+)"', plotted) or re.search(
        r'<img[^>]*src="([^"]+)"[^>]*class="lj-thumb"', plotted
    )
    assert thumbnail and (journal.root / "site" / "journal" / thumbnail.group(1)).is_file()
    words = html.unescape(re.sub(r"<[^>]+>", "", next(item for item in items if "Only words" in item)))
    assert "meeting" in words and "Nothing to plot." in words
    assert "lj-thumb" not in next(item for item in items if "Only words" in item)
