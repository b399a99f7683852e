"""The feeds read like a journal: each entry's first paragraph as its summary, dated by the entry."""

from __future__ import annotations

import json

import pytest

from .conftest import JournalDir, note_text

pytestmark = pytest.mark.site


def test_summaries_are_the_prose_and_dates_are_the_entries(journal: JournalDir) -> None:
    config = journal.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("as_creation: date", "as_creation: date\n        as_update: date"))
    body = (
        "!!! note\n    An admonition first.\n\nThe *first* paragraph: x < y & [a link](https://example.org).\n\nMore.\n"
    )
    journal.write("a.md", note_text("Entry", "2024-05-11", body, day=3, series="s", video="https://example.org/v"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    for name in ("feed_json_created.json", "feed_json_updated.json"):
        (item,) = json.loads((journal.root / "site" / name).read_text())["items"]
        assert item["content_html"] == "The first paragraph: x &lt; y &amp; a link.", item["content_html"]
        assert item["date_modified"].startswith("2024-05-11")
    page = journal.page("a")
    assert '<meta name="description" content="The first paragraph: x &lt; y &amp; a link.">' in page
