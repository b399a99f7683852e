"""The Runs table in Chromium (issue 17): it fits the content column at 1280 px with each run id on one
line, the page does not overflow at 375 px (the table scrolls in its own box), and the re-run command
has the theme's copy button.

One journal with a sweep of four runs is built once; each viewport loads the page once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from .conftest import REPO, JournalDir, code, note_text

# test_browser skips (and so this module) without playwright or chromium
from .test_browser import chromium, serve_folder  # isort: skip
from playwright.sync_api import Browser  # isort: skip

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.site]

WIDE = note_text(
    "Wide sweep",
    "2026-07-01",
    "A sweep with several parameters and metrics.\n\n"
    + code('lr = 0.1\nsteps = 6\nseed = 0\noptimizer = "sgd"\nwidth = 64', ["parameters"])
    + code(
        """
        import labjournal
        w = 3.0
        for step in range(steps):
            w -= lr * 2 * w * (1.5 if optimizer == "momentum" else 1.0)
            labjournal.record("training loss", w * w, step=step)
            labjournal.record("accuracy", 1 / (1 + w * w), step=step)
        labjournal.record("final weight", w)
        """
    ),
)


@pytest.fixture(scope="module")
def served(make_journal) -> Iterator[str]:
    journal: JournalDir = make_journal("runs-table-browser")
    journal.write("2026/wide.md", WIDE)
    (journal.root / "docs" / "stylesheets").mkdir()
    shutil.copy2(REPO / "docs" / "stylesheets" / "labjournal.css", journal.root / "docs" / "stylesheets")
    with (journal.root / "mkdocs.yml").open("a") as config:
        config.write("extra_css:\n  - stylesheets/labjournal.css\n")  # the site's own styles, as in the sample
    assert journal.cli("run") == 0
    sweep = ["--sweep", "lr=0.001,0.3", "--sweep", "optimizer=sgd,momentum", "-j", "2"]
    assert journal.cli("run", "notes/2026/wide.md", *sweep) == 0
    assert journal.cli("build", "--no-execute", "--strict") == 0
    with serve_folder(journal.root / "site") as base:
        yield f"{base}journal/2026/wide/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


MEASURE = """() => {
  const wrapper = document.querySelector(".lj-runs");
  const table = wrapper.querySelector("table");
  const column = document.querySelector(".md-content__inner");
  const ids = [...wrapper.querySelectorAll(".lj-run-id")].map(code => {
    const style = getComputedStyle(code);
    return {height: code.getBoundingClientRect().height, line: parseFloat(style.lineHeight) || 20};
  });
  return {
    table: table.getBoundingClientRect().width,
    wrapper: wrapper.getBoundingClientRect().width,
    wrapperScroll: wrapper.scrollWidth,
    wrapperClient: wrapper.clientWidth,
    column: column.getBoundingClientRect().width,
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    ids,
    copy: document.querySelectorAll(
      '.lj-rerun button.md-clipboard, .lj-rerun button.md-code__button[data-md-type="copy"]').length,
    rows: wrapper.querySelectorAll("tbody tr").length,
  };
}"""


def measure(browser: Browser, url: str, width: int) -> dict:
    context = browser.new_context(viewport={"width": width, "height": 900})
    errors: list[str] = []  # the test journal's theme asks for web fonts (blocked): only script errors count
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url[:22]) else route.abort())
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200
        page.wait_for_selector(".lj-rerun pre code")
        page.wait_for_timeout(300)  # the theme mounts its copy buttons after load
        result: dict = page.evaluate(MEASURE)
    finally:
        context.close()
    assert not errors, errors
    return result


def test_the_runs_table_fits_its_column_at_1280_px_with_run_ids_on_one_line(browser: Browser, served: str) -> None:
    m = measure(browser, served, 1280)
    assert m["rows"] == 5  # the canonical run and the sweep's four
    assert m["table"] <= m["column"] + 1, m  # within the content column: nothing to scroll
    assert m["wrapperScroll"] <= m["wrapperClient"] + 1, m
    assert all(i["height"] <= 1.6 * i["line"] for i in m["ids"]), m["ids"]  # one line each
    assert m["copy"] >= 1  # the re-run command can be copied


def test_at_375_px_the_page_does_not_overflow_and_the_table_scrolls_in_its_box(browser: Browser, served: str) -> None:
    m = measure(browser, served, 375)
    assert m["page"] <= m["viewport"], m  # no sideways scrolling of the page
    assert m["wrapper"] <= m["column"] + 1, m
    assert all(i["height"] <= 1.6 * i["line"] for i in m["ids"]), m["ids"]
