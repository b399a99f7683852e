"""Finding entries on the built site: archive, series, tags, feed, drafts, Korean search, URLs.

Prose-only notes need no kernel, so these tests run a real `mkdocs build` without executing anything.
"""

from __future__ import annotations

import json
import re
from html import unescape

import feedparser
import pytest

from .conftest import JournalDir, note_text

pytestmark = pytest.mark.site

DRAFT_WORD = "platypusdraft"


def article(html: str) -> str:
    """The page's content as a reader sees it (character references resolved: listings write note
    titles with `md_literal`), without the navigation (which lists recent entries on every page)."""
    return unescape(html[html.index("<article") : html.index("</article>")])


@pytest.fixture(scope="module")
def site(make_journal) -> JournalDir:
    journal = make_journal("site")
    meeting = {"kind": "daily", "series": "scottish-dataset"}
    journal.write(
        "2024/2024-05-11-day-131.md",
        note_text(
            "Scottish dataset meeting",
            "2024-05-11",
            "Glaswegian accents.\n",
            day=131,
            tags="[meeting, speech]",
            **meeting,
        ),
    )
    journal.write(
        "2024/2024-05-18-day-138.md",
        note_text("Second meeting", "2024-05-18", "Transcriptions.\n", day=138, tags="[meeting]", **meeting),
    )
    journal.write("2024/2024-05-18-cs109.md", note_text("CS109 deep learning", "2024-05-18", "Chain rule.\n", day=138))
    journal.write(
        "2024/2024-06-01-통계.md", note_text("기초 통계 복습", "2024-06-01", "오늘은 분산을 공부했다.\n", day=152)
    )
    draft = note_text("Unfinished", "2024-06-02", f"{DRAFT_WORD} text.\n", draft="true", tags="[meeting]")
    journal.write("2024/2024-06-02-secret.md", draft)
    assert journal.cli("build", "--no-execute", "--strict") == 0
    return journal


def test_archive_lists_entries_by_year_and_month_newest_first(site: JournalDir) -> None:
    html = article((site.root / "site/journal/index.html").read_text())
    assert "June 2024" in html and "May 2024" in html and html.index("June 2024") < html.index("May 2024")
    assert html.index("기초 통계 복습") < html.index("Day 131: Scottish dataset meeting")


def test_series_page_lists_its_notes_in_order(site: JournalDir) -> None:
    html = article((site.root / "site/journal/series/scottish-dataset/index.html").read_text())
    first, second = html.index("Day 131: Scottish dataset meeting"), html.index("Day 138: Second meeting")
    assert first < second and "CS109" not in html


def test_tags_page_links_the_right_notes(site: JournalDir) -> None:
    html = article((site.root / "site/tags/index.html").read_text())
    meeting = html[html.index('id="tag:meeting"') : html.index('id="tag:speech"')]
    assert "Scottish dataset meeting" in meeting and "Second meeting" in meeting and "CS109" not in meeting


def test_note_header_has_day_and_date_and_previous_next_links(site: JournalDir) -> None:
    html = site.page("2024/2024-05-18-cs109")
    assert "Day 138" in html and "2024-05-18" in html
    footer = html[html.index('class="md-footer"') :]
    assert 'aria-label="Previous: Day 131: Scottish dataset meeting"' in footer  # previous entry by date
    assert 'aria-label="Next: Day 138: Second meeting"' in footer  # same date: ordered by file name


def test_feed_parses_and_lists_newest_first_without_drafts(site: JournalDir) -> None:
    feed = feedparser.parse((site.root / "site/feed_rss_created.xml").read_bytes())
    assert not feed.bozo
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "Day 152: 기초 통계 복습" and set(titles) >= {"Day 131: Scottish dataset meeting"}
    assert "Unfinished" not in titles and all("journal/" in entry.link for entry in feed.entries)
    assert not any(link.link.endswith("/journal/") for link in feed.entries)  # listings are not entries


def test_drafts_are_absent_from_every_built_file(site: JournalDir) -> None:
    for path in (site.root / "site").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".txt", ".md", ".ipynb"}:
            text = path.read_text(errors="ignore")
            assert DRAFT_WORD not in text and "Unfinished" not in text and "2024-06-02-secret" not in text, path


def test_drafts_show_in_serve_builds(site: JournalDir, tmp_path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(site.root / "mkdocs.yml"), site_dir=str(tmp_path / "preview"))
    config.plugins.on_startup(command="serve", dirty=False)  # as `mkdocs serve` starts, minus the server
    build(config)
    assert DRAFT_WORD in (tmp_path / "preview/journal/2024/2024-06-02-secret/index.html").read_text()


def test_korean_words_are_in_the_search_index(site: JournalDir) -> None:
    index = json.loads((site.root / "site/search/search_index.json").read_text())
    assert "ko" in index["config"]["lang"]
    assert any("분산을" in doc["text"] for doc in index["docs"])


def test_urls_come_from_file_names_not_titles(site: JournalDir) -> None:
    assert (site.root / "site/journal/2024/2024-06-01-통계/index.html").exists()
    sitemap = (site.root / "site/sitemap.xml").read_text()
    assert len(re.findall(r"<loc>", sitemap)) == len(set(re.findall(r"<loc>(.*?)</loc>", sitemap)))
