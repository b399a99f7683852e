"""The 404 page offers a way on: home, the journal, search."""

from __future__ import annotations

import pytest

from .conftest import JournalDir

pytestmark = pytest.mark.site


def test_the_404_page_links_home_and_to_the_journal(journal: JournalDir) -> None:
    config = journal.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("site_url: https://example.org/", "site_url: https://example.org/blog/")
    )
    assert journal.cli("build", "--no-execute", "--strict") == 0
    page = (journal.root / "site" / "404.html").read_text()
    assert "404 - Not found" not in page and "Page not found" in page
    assert '<a href="/blog/">The home page</a>' in page and '<a href="/blog/journal/">' in page
    assert "search box" in page
