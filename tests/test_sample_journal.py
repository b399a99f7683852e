"""The repository's own journal stays healthy: its store is current, every note runs and renders."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from labjournal.api import open_project
from labjournal.states import State
from labjournal.store.entries import ENTRY_FORMAT, Provenance

from .conftest import REPO, JournalDir, copy_repo_journal

SEARCH_WORDS = {
    "Glaswegian": "2024-05-11-day-131-scottish-dataset-cs109",  # the under-represented accent
    "margin": "2024-03-09-deep-learning-lecture-2",  # the loss with a margin
    "Gram": "2024-03-09-deep-learning-lecture-2",  # the style matrix
    "two lines": "2024-01-27-fastai-lesson-3",  # the activation made of two lines
    "residual": "2023-02-16-cs-441-lecture-mlps-optimizers-and-residual-networks",
    "분산": "2024-01-01-basic-statistics-review",
}


def test_the_committed_store_is_current_for_every_note() -> None:
    journal = open_project(REPO).journal
    states = {status.note.rel: status.state for status in map(journal.status, journal.notes())}
    assert len(states) >= 6
    assert all(state is State.FRESH for state in states.values()), states


def test_the_committed_store_has_every_field_the_renderer_reads() -> None:
    """Entries stored by older code read with defaults (no Metrics page, no *page* run, no drift note):
    the sample store is regenerated when the entry gains a field (``labjournal run --force``)."""
    fields = {field.name for field in dataclasses.fields(Provenance)}
    entries = sorted((REPO / "store" / "notes").rglob("*.ipynb"))
    assert len(entries) >= 6
    for path in entries:
        stored = json.loads(path.read_text(encoding="utf-8"))["metadata"]["labjournal"]
        assert fields <= set(stored), f"{path.relative_to(REPO)} lacks {sorted(fields - set(stored))}"
        assert stored["format"] == ENTRY_FORMAT and stored["run_id"], path
    recorded = [p for p in (REPO / "store" / "runs").rglob("*.json")]
    with_metrics = [p for p in recorded if json.loads(p.read_text(encoding="utf-8")).get("metrics")]
    assert len(with_metrics) >= 4  # the experiment notes record metrics: the Metrics page has them


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> JournalDir:
    root = copy_repo_journal(tmp_path_factory.mktemp("sample") / "journal")
    journal = JournalDir.existing(root)
    assert journal.cli("build", "--no-execute", "--strict") == 0
    return journal


@pytest.mark.site
def test_pages_have_outputs_figures_and_are_found_by_their_topic(built: JournalDir) -> None:
    index = json.loads((built.root / "site/search/search_index.json").read_text())
    for word, page in SEARCH_WORDS.items():
        assert any(word in doc["text"] and page in doc["location"] for doc in index["docs"]), word
    for note in (REPO / "notes").rglob("*.md"):
        if note.parts[-2].startswith("_"):
            continue
        folder = built.root / "site/journal" / note.relative_to(REPO / "notes").with_suffix("")
        html = (folder / "index.html").read_text()
        assert "Outputs are stale" not in html and "not been executed" not in html
        figures = [p.name for p in folder.glob("figure-*.png")]
        assert all(f'src="{name}"' in html for name in figures)
    assert any((built.root / "site/journal/2024").glob("*/runs-loss.svg"))  # the experiment notes show runs


@pytest.mark.slow  # test_the_committed_store_is_current_for_every_note proves the code ran as stored
@pytest.mark.kernel
def test_every_note_executes_without_error(tmp_path: Path) -> None:
    root = copy_repo_journal(tmp_path / "journal")
    journal = JournalDir.existing(root)
    assert journal.cli("run", "--force") == 0
    for status in map(open_project(root).journal.status, open_project(root).journal.notes()):
        assert status.state is State.FRESH, status.note.rel


@pytest.mark.site
def test_the_feeds_are_plain_text_excerpts_without_xslt(built: JournalDir) -> None:
    """Chromium shows an "XSLT is being removed" banner over a styled feed; summaries are text."""
    rss = (built.root / "site/feed_rss_created.xml").read_text(encoding="utf-8")
    assert "<?xml-stylesheet" not in rss and not (built.root / "site/rss.xsl").exists()
    items = json.loads((built.root / "site/feed_json_created.json").read_text())["items"]
    assert len(items) >= 6
    for item in items:
        text = item["content_html"]
        assert text and "<" not in text and "{" not in text and ":material-" not in text, (item["url"], text)
        assert "None" not in (item.get("image") or "")


@pytest.mark.site
def test_search_results_read_as_prose_and_find_entries_before_the_tag_index(built: JournalDir) -> None:
    """A snippet shows ``n-1``, not the formula's source ``\\(n-1\\)``; the tag index (titles
    only) is not a result of its own, so a word of an entry finds the entry."""
    docs = json.loads((built.root / "site/search/search_index.json").read_text())["docs"]
    statistics = [doc["text"] for doc in docs if "2024-01-01-basic-statistics-review" in doc["location"]]
    assert any("n-1" in text for text in statistics)
    prose = [re.sub(r"<code>.*?</code>", "", doc["text"]) for doc in docs]
    assert not [text for text in prose if "\\(" in text or "\\[" in text]
    assert not [doc["location"] for doc in docs if doc["location"].startswith("tags/")]


@pytest.mark.site
def test_the_sample_site_has_a_metrics_page(built: JournalDir) -> None:
    """The README advertises it: the committed store carries the metrics the experiment notes record."""
    page = (built.root / "site/journal/metrics/index.html").read_text(encoding="utf-8")
    assert "<svg" in page or "<img" in page
