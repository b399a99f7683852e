"""Front-matter text (titles, series) is text wherever it lands: never markup on any page."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import JournalDir, note_text

pytestmark = pytest.mark.site

TITLE = "</title><img src=x onerror=alert(1)> x < y & <3"


@pytest.fixture(scope="module")
def built(make_journal) -> JournalDir:
    journal = make_journal("titles")
    journal.write("t.md", note_text(json.dumps(TITLE), "2026-01-01", "Body.\n", series='"<i>s</i>"', tags="[t]"))
    # the tags plugin's index lists each tag's pages by title (its listings are made before on_env ends)
    (journal.root / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n")
    journal.write("u.md", note_text("Plain", "2026-01-02", "Body.\n"))  # its page shows t in the navigation
    assert journal.cli("build", "--no-execute", "--strict") == 0
    return journal


def test_no_page_carries_the_title_as_markup(built: JournalDir) -> None:
    assert "x &lt; y" in (built.root / "site" / "tags" / "index.html").read_text()
    for path in (built.root / "site").rglob("*.html"):
        html = path.read_text()
        assert "<img src=x" not in html and "<i>s</i>" not in html, path
        head = html.split("</head>", 1)[0]
        assert head.count("</title>") == 1, path  # the title cannot close <title> early


def test_the_title_reads_as_written_in_the_head_header_and_navigation(built: JournalDir) -> None:
    html = built.page("u")
    escaped = "&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt; x &lt; y &amp; &lt;3"
    assert escaped in html  # the navigation's Recent entries list it as text
    own = built.page("t")
    assert re.search(r"<title>\s*" + re.escape(escaped), own)
    assert "Series: &lt;i&gt;s&lt;/i&gt;" in own


def test_feeds_carry_the_title_as_plain_text(built: JournalDir) -> None:
    feed = json.loads((built.root / "site" / "feed_json_created.json").read_text())
    assert TITLE in [item["title"] for item in feed["items"]]
    rss = (built.root / "site" / "feed_rss_created.xml").read_text()
    assert "<title>&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt; x &lt; y &amp; &lt;3</title>" in rss
