"""Entries tied together on their pages: who links here, and what happened on this day in earlier years."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from .conftest import JournalDir, note_text

pytestmark = pytest.mark.site


def _text(page: str) -> str:
    article = page[page.index("<article") : page.index("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", "", article))


def test_backlinks_and_on_this_day(journal: JournalDir) -> None:
    journal.write("2025/target.md", note_text("Target", "2025-03-14", "Pi day.\n"))
    journal.write("2024/old.md", note_text("Last year", "2024-03-14", "Also pi day.\n"))
    journal.write("2025/citing.md", note_text("Citing", "2025-04-01", "See [the target](target.md).\n"))
    journal.write("2025/other.md", note_text("Other", "2025-04-02", "Nothing links.\n"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    target = _text(journal.page("2025/target"))
    assert "Linked from: Citing" in target and "On this day: Last year (2024)" in target
    page = journal.page("2025/target")
    assert 'href="../citing/"' in page and 'href="../../2024/old/"' in page
    other = _text(journal.page("2025/other"))
    assert "Linked from" not in other and "On this day" not in other


def test_the_journal_page_has_a_heatmap_of_entries_per_day(journal: JournalDir) -> None:
    journal.write("a.md", note_text("One", "2025-03-14", "Words.\n"))
    journal.write("b.md", note_text("Two", "2025-03-14", "Words.\n"))
    journal.write("c.md", note_text("Three", "2025-03-20", "Words.\n"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    page = (journal.root / "site" / "journal" / "index.html").read_text()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'class="lj-heatmap"' in page
    assert 'class="lj-heat-2"><title>2025-03-14: 2 entries</title>' in page
    assert 'class="lj-heat-1"><title>2025-03-20: 1 entry</title>' in page
    assert page.count("<rect") >= 365


def test_the_heatmaps_month_names_stay_inside_it() -> None:
    """The sample journal's newest entry (2024-05-11) starts May in the last weeks: "May" ended clipped."""
    from labjournal.site.listings.heatmap import heatmap

    svg = heatmap([dt.date(2024, 5, 11), dt.date(2024, 1, 20)])
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    labels = re.findall(r'<text x="(\d+)"( text-anchor="end")? y="10" class="lj-heat-label">(\w+)</text>', svg)
    assert [name for *_, name in labels][-1] == "May"
    for x, anchored_end, _ in labels:
        assert int(x) <= width and (anchored_end or int(x) + 30 <= width)
