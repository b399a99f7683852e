"""The registry of listing pages: a listing added from a test module, and URLs no note may take.

The notes are prose only, so the real `mkdocs build`s below start no kernel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from html import unescape
from importlib.metadata import EntryPoint
from typing import Any

import pytest

import labjournal.site.listings as registry
from labjournal.site.listings import (
    JournalView,
    ListingError,
    ListingPage,
    NavPlacement,
    available,
    check_urls,
    register_listing,
    unregister_listing,
)

from .conftest import JournalDir, note_text


class Words(ListingPage):
    """Every entry's title with the number of words in its text: one file, and its registration."""

    name = "words"
    uri = "words.md"
    title = "Words"
    nav = NavPlacement(order=45)  # after Metrics (40), before the Execution report (50)
    template_source = """---
title: {{ title|yaml }}
---

# {{ title }}

{% for item, words in counts %}
- [{{ item.title }}]({{ item|link }}): {{ words }} words
{% endfor %}
"""

    def context(self, view: JournalView) -> Mapping[str, Any]:
        return {"counts": [(item, len(item.note.text.split("\n---\n", 1)[1].split())) for item in view.notes]}


@pytest.fixture
def words() -> Iterator[type[Words]]:
    register_listing(Words)
    try:
        yield Words
    finally:
        unregister_listing("words")


def nav_titles(html: str) -> list[str]:
    """The titles of the primary navigation, in order."""
    nav = html[html.index("md-nav--primary") : html.index("md-content")]
    return [unescape(title) for title in re.findall(r'md-ellipsis">\s*(.*?)\s*<', nav)]


def article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


@pytest.mark.site
def test_a_listing_registered_from_a_test_module_is_built_and_placed_in_the_nav(
    journal: JournalDir, words: type[Words]
) -> None:
    journal.write("2024/first.md", note_text("First steps", "2024-03-01", "One two three.\n", series="basics"))
    journal.write("2024/second.md", note_text("Stars *not em* and [x]", "2024-03-02", "Four five six seven.\n"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    html = (journal.root / "site/journal/words/index.html").read_text(encoding="utf-8")
    content = article(html)
    assert 'href="../2024/first/"' in content and 'href="../2024/second/"' in content
    assert "First steps</a>: 3 words" in content
    text = unescape(content)
    assert "Stars *not em* and [x]</a>: 4 words" in text  # note text is shown literally
    assert "<em>" not in content
    titles = nav_titles(html)
    journal_section = titles[titles.index("Recent") - 2 :]  # the section's title, then All entries
    assert journal_section[0] == "Journal"
    order = [t for t in journal_section if t in {"Recent", "Series", "Words", "Execution report", "Tags"}]
    assert order == ["Recent", "Series", "Words", "Execution report", "Tags"]  # no Metrics: nothing recorded


@pytest.mark.site
def test_after_unregistering_the_listing_is_gone(journal: JournalDir) -> None:
    journal.write("2024/first.md", note_text("First steps", "2024-03-01", "One two three.\n"))
    register_listing(Words)
    assert unregister_listing("words") is Words and "words" not in available()
    assert journal.cli("build", "--no-execute", "--strict") == 0
    assert not (journal.root / "site/journal/words").exists()
    assert (journal.root / "site/journal/report/index.html").exists()


@pytest.mark.site
@pytest.mark.parametrize(
    ("path", "meta", "listing", "url"),
    [
        ("report.md", {}, "'Execution report'", "journal/report/"),
        ("Index.md", {}, None, None),  # journal/Index/ is not the archive's journal/: no clash
        ("Series/Lab-Notes.md", {"series": "Lab notes"}, "'Series: Lab notes'", "journal/series/lab-notes/"),
    ],
)
def test_a_note_at_a_listing_url_fails_the_build_naming_both(
    journal: JournalDir, capsys: pytest.CaptureFixture[str], path: str, meta: dict[str, str], listing: str, url: str
) -> None:
    journal.write(path, note_text("Clashing", "2024-03-01", "Prose only.\n", **meta))
    journal.write("2024/other.md", note_text("Other", "2024-03-02", "More prose.\n"))
    code = journal.cli("build", "--no-execute")
    output = capsys.readouterr()
    if listing is None:
        assert code == 0
        return
    message = " ".join((output.out + output.err).split())
    assert code != 0, message
    assert f"notes/{path}" in message and listing in message and url in message
    assert not (journal.root / "site").exists()


def test_two_listing_pages_at_one_url_are_an_error() -> None:
    with pytest.raises(
        ListingError, match=r"'Execution report' \(journal/report/\) and 'Report' \(journal/Report/\) have the same URL"
    ):
        check_urls([("Execution report", "journal/report/"), ("Report", "journal/Report/")], {})
    with pytest.raises(
        ListingError, match=r"notes/a\.md is published at journal/A/, the URL of the listing page .A. \(journal/a/\)"
    ):
        check_urls([("A", "journal/a/")], {"journal/A/": "notes/a.md"})


def test_registry_holds_builtins_then_entry_points_then_registered(
    monkeypatch: pytest.MonkeyPatch, words: type[Words]
) -> None:
    point = EntryPoint(name="words-ep", value=f"{__name__}:Words", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [point] if group == registry.ENTRY_POINT_GROUP else [])
    assert list(available()) == ["archive", "series", "metrics", "report", "words-ep", "words"]
    assert [type(listing).__name__ for listing in registry.listings()][-2:] == ["Words", "Words"]
    with pytest.raises(ValueError, match="'words' is registered already"):
        register_listing(Words)


def test_a_registered_listing_may_replace_a_builtin_until_it_is_unregistered() -> None:
    class Report(ListingPage):
        name = "report"
        uri = "report.md"
        title = "My report"
        template_source = "# {{ title }}\n"

    register_listing(Report, replace=True)
    try:
        assert list(available()).index("report") == 3 and available()["report"].endswith(".Report")
        assert [listing.title for listing in registry.listings()][3] == "My report"
    finally:
        unregister_listing("report")
    assert available()["report"] == registry.BUILTIN["report"]


def test_only_listing_page_classes_register() -> None:
    with pytest.raises(TypeError):
        register_listing(dict)  # type: ignore[arg-type]
