"""The built sample journal in a real browser: search, figures, math, copy buttons, palette, listings, feed.

A session fixture copies this repository's journal into a temporary folder, adds a draft entry, builds the
site from the committed store (`labjournal build --no-execute --strict`), serves `site/` on 127.0.0.1 and
drives Debian's headless Chromium through Playwright. Every page a test opens is watched: a console error,
an uncaught exception or a request to any host but the local server fails the test (the site must work
offline: MathJax is vendored, no web fonts, no API calls).

Screenshots land in `$LABJOURNAL_ARTIFACTS` if set, else in a temporary folder printed at the start.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import defusedxml.ElementTree as ElementTree
import pytest

from labjournal.cli import main
from labjournal.notes import Note, discover

from .conftest import CHROMIUM_ARGS, copy_repo_journal, note_text, serve_folder

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, Route, expect, sync_playwright
except ImportError:
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium executable on PATH (Debian: apt-get install chromium)", allow_module_level=True)

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 20_000  # the search worker builds its index (with the Korean pipeline) on a busy machine

# The notes the scenarios rely on, and words checked against their sources before they are searched for.
DAY_131 = "2024/2024-05-11-day-131-scottish-dataset-cs109"
PROSE_WORD = "Glaswegian"  # in the Day 131 note's prose
LECTURE_2 = "2024/2024-03-09-deep-learning-lecture-2"
OUTPUT_WORD = "embedding_length_no_margin"  # printed by a run of lecture 2; its code builds the name from parts
STATISTICS = "2024/2024-01-01-basic-statistics-review"
KOREAN_WORD = "분산"  # variance, in the Korean statistics review
FIGURE_NOTE = "2024/2024-01-20-fastai-lesson-1"
TAG = "pytorch"
SERIES = "fastai"

DRAFT_ID = "2025/2025-01-04-unfinished-thoughts"
DRAFT_TITLE = "Unfinished thoughts on quokkas"
DRAFT_WORD = "quokkadraft"

COPY_BUTTONS = 'button.md-clipboard, button.md-code__button[data-md-type="copy"]'  # Material < 9.7, >= 9.7


@dataclass
class Site:
    """The built journal: its folder, the notes it publishes, and where it is served."""

    root: Path
    notes: list[Note]  # published notes, oldest first
    base: str = ""

    def note(self, note_id: str) -> Note:
        return next(note for note in self.notes if note.id == note_id)

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def path_of(self, url: str) -> str:
        """`journal/2024/x/` for a URL of this site (no query, no fragment, percent-decoded)."""
        assert url.startswith(self.base), url
        return unquote(urlsplit(url).path).lstrip("/")


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright, for the length of the block."""
    playwright: Playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


# module scope: Playwright's sync API keeps an event loop running in this thread while it is
# started, which would break asyncio.run() in the test modules that come after this one
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = copy_repo_journal(tmp_path_factory.mktemp("browser") / "journal")
    draft = note_text(DRAFT_TITLE, "2025-01-04", f"{DRAFT_WORD}: not ready to be read.\n", draft="true",
                      tags=f"[{TAG}]", series=SERIES)  # fmt: skip
    (root / "notes" / f"{DRAFT_ID}.md").parent.mkdir(parents=True, exist_ok=True)
    (root / "notes" / f"{DRAFT_ID}.md").write_text(draft, encoding="utf-8")
    assert main(["-C", str(root), "build", "--no-execute", "--strict"]) == 0
    notes = [note for note in discover(root / "notes") if not note.meta.draft]
    assert DRAFT_ID not in {note.id for note in notes} and len(notes) >= 5

    with serve_folder(root / "site") as base:
        yield Site(root, notes, base)


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    folder = Path(os.environ["LABJOURNAL_ARTIFACTS"]) if os.environ.get("LABJOURNAL_ARTIFACTS") else None
    folder = folder or tmp_path_factory.mktemp("browser-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # shown even when the test passes
            reporter.write_line(f"browser screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@dataclass
class Tab:
    """A page in a fresh browser context that records what must not happen on the site."""

    page: Page
    site: Site
    problems: list[str] = field(default_factory=list)

    def open(self, path: str, wait_until: Literal["load", "networkidle"] = "load") -> None:
        response = self.page.goto(self.site.url(path), wait_until=wait_until)
        assert response is not None and response.status == 200, (path, response and response.status)

    def on_request(self, request: Request) -> None:
        if not request.url.startswith(self.site.base) and not request.url.startswith(("data:", "blob:")):
            self.problems.append(f"request to another host: {request.url} (from {self.page.url})")

    def on_route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.site.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort("blockedbyclient")  # recorded by on_request; never reach the network

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text} {message.location}")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"uncaught exception on {self.page.url}: {error}")


@pytest.fixture
def tab(browser: Browser, site: Site) -> Iterator[Tab]:
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light", locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = Tab(context.new_page(), site)
    context.route("**/*", tab.on_route)
    context.on("request", tab.on_request)
    tab.page.on("console", tab.on_console)
    tab.page.on("pageerror", tab.on_page_error)
    tab.page.on("worker", lambda worker: worker.on("console", tab.on_console))  # the search worker
    yield tab
    context.close()
    assert not tab.problems, "\n".join(tab.problems)


@pytest.fixture(autouse=True, scope="session")
def _expect_timeout() -> None:
    expect.set_options(timeout=TIMEOUT_MS)


def article_links(tab: Tab, selector: str) -> list[str]:
    hrefs: list[str] = tab.page.locator(selector).evaluate_all("links => links.map(a => a.href)")
    return [tab.site.path_of(href) for href in hrefs]


def search(tab: Tab, query: str, note_id: str) -> None:
    """Type a query into the header search and wait until the web worker lists the note."""
    box = tab.page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material reads the query on keyup; `fill` alone only fires input events
    hit = tab.page.locator(f'li.md-search-result__item > a.md-search-result__link[href*="journal/{note_id}/"]')
    expect(hit.first).to_be_visible()


def stored_outputs(site: Site, note_id: str) -> list[dict[str, Any]]:
    path = site.root / "store" / "notes" / f"{note_id}.ipynb"
    if not path.exists():  # a prose-only note has no stored run
        return []
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [output for cell in notebook["cells"] for output in cell.get("outputs", [])]


def output_text(output: dict[str, Any]) -> str:
    if output.get("output_type") == "stream":
        return "".join(output["text"])
    return "".join("".join(value) for key, value in output.get("data", {}).items() if key.startswith("text/"))


# -- the watcher itself --------------------------------------------------------------------------------------


def test_the_watcher_catches_requests_to_other_hosts_and_console_errors(tab: Tab) -> None:
    tab.open("")
    # the page's Content-Security-Policy refuses the request (a console error naming it) before it leaves
    blocked = tab.page.expect_console_message(
        predicate=lambda message: "tracker.js" in str(message.location) or "tracker.js" in message.text
    )
    with blocked, tab.page.expect_console_message(predicate=lambda message: message.text == "boom"):
        tab.page.evaluate("fetch('https://example.com/tracker.js').catch(() => null); console.error('boom')")
    assert any("example.com/tracker.js" in problem for problem in tab.problems), tab.problems
    assert any("boom" in problem for problem in tab.problems), tab.problems
    tab.problems.clear()


# -- home, search ------------------------------------------------------------------------------------------


def test_home_page_lists_the_newest_entries_first(tab: Tab, site: Site, artifacts: Path) -> None:
    tab.open("")
    recent = tab.page.locator("article h2#recent-entries + ul > li")
    expect(recent.first).to_contain_text(site.notes[-1].display_title)  # the draft is newer, and left out
    links = article_links(tab, "article h2#recent-entries + ul > li > a")
    assert len(links) >= 3 and links == [f"journal/{note.id}/" for note in reversed(site.notes)][: len(links)]
    expect(tab.page.locator("body")).not_to_contain_text(DRAFT_TITLE)  # nor in the navigation
    tab.page.screenshot(path=artifacts / "home.png")


def test_a_word_of_a_notes_prose_finds_it_and_the_result_opens_it(tab: Tab, site: Site, artifacts: Path) -> None:
    note = site.note(DAY_131)
    assert PROSE_WORD in note.text
    tab.open("")
    search(tab, PROSE_WORD, DAY_131)
    tab.page.screenshot(path=artifacts / "search.png")
    tab.page.locator(f'li.md-search-result__item > a[href*="journal/{DAY_131}/"]').first.click()
    expect(tab.page).to_have_url(re.compile(re.escape(site.url(f"journal/{DAY_131}/"))))
    expect(tab.page.locator("article h1")).to_contain_text(note.meta.title)


def test_a_word_only_in_executed_output_finds_the_note(tab: Tab, site: Site) -> None:
    note = site.note(LECTURE_2)
    assert OUTPUT_WORD not in note.text, "pick a word that is not in the note's prose or code"
    assert any(OUTPUT_WORD in output_text(output) for output in stored_outputs(site, LECTURE_2))
    tab.open("")
    search(tab, OUTPUT_WORD, LECTURE_2)


def test_a_korean_word_finds_its_note(tab: Tab, site: Site) -> None:
    assert KOREAN_WORD in site.note(STATISTICS).text
    tab.open("journal/")
    search(tab, KOREAN_WORD, STATISTICS)


def test_a_drafts_words_find_nothing(tab: Tab) -> None:
    tab.open("")
    box = tab.page.locator("input.md-search__input")
    box.click()
    box.fill(PROSE_WORD)
    box.press("End")
    expect(tab.page.locator("li.md-search-result__item").first).to_be_visible()  # the index is loaded
    box.fill(DRAFT_WORD)
    box.press("End")
    expect(tab.page.locator(".md-search-result__meta")).to_have_text(re.compile("no matching documents", re.I))


# -- a note page -------------------------------------------------------------------------------------------


def test_every_figure_on_note_pages_has_loaded(tab: Tab, site: Site, artifacts: Path) -> None:
    figures = 0
    for note in site.notes:
        tab.open(f"journal/{note.id}/")
        images = tab.page.locator("article img")
        tab.page.wait_for_function("[...document.querySelectorAll('article img')].every(img => img.complete)")
        widths: list[int] = images.evaluate_all("images => images.map(img => img.naturalWidth)")
        sources: list[str] = images.evaluate_all("images => images.map(img => img.src)")
        assert all(width > 0 for width in widths), dict(zip(sources, widths, strict=True))
        has_images = any(
            key.startswith("image/") for output in stored_outputs(site, note.id) for key in output.get("data", {})
        )
        assert not has_images or widths, f"{note.id}: its stored outputs have images, its page shows none"
        figures += len(widths)
        if note.id == FIGURE_NOTE:
            images.first.scroll_into_view_if_needed()
            tab.page.screenshot(path=artifacts / "note-with-figure.png")
    assert figures >= 3


def test_code_blocks_have_a_copy_button_that_copies(tab: Tab, site: Site) -> None:
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base.rstrip("/"))
    tab.open(f"journal/{FIGURE_NOTE}/")
    blocks = tab.page.locator("article div.highlight > pre")
    assert blocks.count() >= 3
    for index in range(blocks.count()):
        expect(blocks.nth(index).locator(COPY_BUTTONS)).to_have_count(1)
    first = blocks.first
    first.hover()
    first.locator(COPY_BUTTONS).click()
    copied: str = tab.page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and copied.strip() == first.locator("code").inner_text().strip()


def test_formulas_are_rendered_by_mathjax(tab: Tab) -> None:
    tab.open(f"journal/{STATISTICS}/")
    formulas = tab.page.locator("article .arithmatex")
    assert formulas.count() >= 2
    tab.page.wait_for_function(
        "[...document.querySelectorAll('article .arithmatex')].every(el => el.querySelector('mjx-container svg'))"
    )
    expect(tab.page.locator("article mjx-container[display='true']").first).to_be_visible()
    text = tab.page.locator("article").inner_text()
    assert "\\frac" not in text and "\\sum" not in text and "$$" not in text


def test_the_palette_toggle_switches_to_dark_and_is_remembered(tab: Tab) -> None:
    tab.open(f"journal/{FIGURE_NOTE}/")
    body = tab.page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    light = body.evaluate("el => getComputedStyle(el).backgroundColor")
    tab.page.locator('form[data-md-component="palette"] label.md-header__button:not([hidden])').click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    assert body.evaluate("el => getComputedStyle(el).backgroundColor") != light
    tab.open("")
    expect(tab.page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")


# -- listings, feed, drafts --------------------------------------------------------------------------------


def test_the_tags_page_links_the_notes_of_a_tag(tab: Tab, site: Site) -> None:
    tab.open("tags/")
    links = article_links(tab, f'article h2[id="tag:{TAG}"] + ul a')
    assert set(links) == {f"journal/{note.id}/" for note in site.notes if TAG in note.meta.tags}
    assert len(links) == len(set(links)) >= 2
    tab.page.locator(f'article h2[id="tag:{TAG}"] + ul a').first.click()
    expect(tab.page.locator("article h1")).to_contain_text(site.note(links[0].split("/", 1)[1].rstrip("/")).meta.title)


def test_a_series_page_links_its_notes_in_order(tab: Tab, site: Site) -> None:
    tab.open(f"journal/series/{SERIES}/")
    links = article_links(tab, "article ol a")
    assert links == [f"journal/{note.id}/" for note in site.notes if note.meta.series == SERIES]
    assert len(links) >= 2


def test_the_feed_answers_with_the_published_entries(site: Site) -> None:
    with urllib.request.urlopen(site.url("feed_rss_created.xml"), timeout=10) as response:
        assert response.status == 200
        feed = ElementTree.fromstring(response.read())
    items = feed.findall("./channel/item")
    links = {urlsplit(item.findtext("link", "")).path.split("/journal/", 1)[-1] for item in items}
    assert links == {f"{note.id}/" for note in site.notes}
    assert all(item.findtext("title") for item in items)


def test_a_drafts_url_answers_404(site: Site) -> None:
    with urllib.request.urlopen(site.url(f"journal/{site.notes[-1].id}/"), timeout=10) as response:
        assert response.status == 200  # the server answers pages that exist
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(site.url(f"journal/{DRAFT_ID}/"), timeout=10)
    assert error.value.code == 404
    error.value.close()


def test_no_page_logs_an_error_or_loads_from_another_host(tab: Tab, site: Site) -> None:
    pages = sorted(path.parent for path in (site.root / "site").rglob("index.html"))
    assert len(pages) >= len(site.notes) + 5
    for folder in pages:
        path = folder.relative_to(site.root / "site").as_posix()
        tab.open("" if path == "." else f"{path}/", wait_until="networkidle")  # late errors too (search worker)
        if tab.page.locator(".arithmatex").count():
            tab.page.wait_for_function(
                "[...document.querySelectorAll('.arithmatex')].every(el => el.querySelector('mjx-container'))"
            )
    assert not tab.problems, "\n".join(tab.problems)


# -- a first visit: what a new reader met (issue 17) ----------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 375])
def test_the_newest_entry_is_in_recent_on_desktop_and_in_the_mobile_drawer(
    browser: Browser, site: Site, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(site.url("journal/"), wait_until="load")
        if width < 1220:  # the navigation sits in the drawer
            page.locator('label.md-header__button[for="__drawer"]').click()
        newest = site.notes[-1]
        link = page.locator(f'nav.md-nav--primary a.md-nav__link[href$="{newest.id.rsplit("/", 1)[-1]}/"]').first
        expect(link).to_be_visible()
        expect(link).to_contain_text(newest.display_title[:20])
    finally:
        context.close()


def test_the_guide_can_quote_the_recent_marker(tab: Tab) -> None:
    tab.open("guide/")
    sentence = tab.page.locator("article p", has_text="in any page").first
    expect(sentence.locator("code")).to_have_text("<!-- labjournal:recent -->")
    assert sentence.locator("a").count() == 0  # no list of entries poured into the sentence


def test_the_listing_reads_like_a_journal(tab: Tab, site: Site) -> None:
    tab.open("journal/")
    expect(tab.page.locator("article svg.lj-heatmap")).to_be_visible()
    newest = site.notes[-1]
    card = tab.page.locator("article li", has=tab.page.locator(f'a[href$="{newest.id.rsplit("/", 1)[-1]}/"]')).first
    text = card.inner_text()
    assert newest.meta.date.isoformat() in text and newest.meta.kind in text
    assert f"Day {newest.meta.day}" in text if newest.meta.day else True
    assert all(f"#{tag}" in text for tag in newest.meta.tags)
    thumbnail = card.locator("img")
    expect(thumbnail).to_have_count(1)
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")


def test_the_metrics_page_draws_what_the_experiments_recorded(tab: Tab) -> None:
    tab.open("journal/metrics/")
    figures = tab.page.locator("article img, article svg")
    assert figures.count() >= 1
    tab.page.wait_for_function("[...document.querySelectorAll('article img')].every(img => img.complete)")


def test_a_missing_page_offers_home_the_journal_and_search(tab: Tab) -> None:
    """``404.html`` as a host serves it for any missing address (links absolute: it answers at any depth).
    Its links and assets are under site_url's path (``/labjournal/``): served from the site's root here."""
    tab.page.route(
        re.compile(re.escape(tab.site.base) + "labjournal/"),
        lambda route: route.continue_(url=route.request.url.replace("/labjournal/", "/", 1)),
    )
    tab.open("404.html")
    expect(tab.page.locator("header .md-search")).to_be_visible()  # the theme's assets loaded
    hrefs = tab.page.locator("article a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["/labjournal/", "/labjournal/journal/"]  # site_url's path: home, then the journal
    expect(tab.page.locator("article")).to_contain_text("search box")
    expect(tab.page.locator("input.md-search__input")).to_have_count(1)


def test_figures_are_described(tab: Tab, site: Site) -> None:
    for note in site.notes:
        tab.open(f"journal/{note.id}/")
        alts = tab.page.locator("article .lj-output img").evaluate_all("imgs => imgs.map(i => i.alt)")
        assert all(alt and alt != "Figure" for alt in alts), (note.id, alts)


def test_search_snippets_show_formulas_as_text(tab: Tab) -> None:
    tab.open("")
    search(tab, KOREAN_WORD, STATISTICS)
    snippets = tab.page.locator("li.md-search-result__item").all_inner_texts()
    assert snippets and not [s for s in snippets if "\\(" in s or "\\[" in s], snippets
