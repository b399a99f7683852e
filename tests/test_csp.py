"""A Content-Security-Policy on every page: the theme's scripts run, nothing in a page's content does."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from labjournal.site.csp import policy_for

from .conftest import JournalDir, copy_repo_journal, note_text, serve_folder

HOSTILE = note_text(
    "Hostile prose",
    "2026-06-01",
    """
    An author's raw HTML is kept as HTML, so the policy is what stops it:

    <img src="missing.png" onerror="window.__fired = 'onerror'">
    <script>window.__fired = 'inline'</script>
    <a id="js" href="javascript:window.__fired='href'">click</a>
    """,
)


def test_the_policy_allows_the_themes_inline_scripts_by_hash_and_never_the_contents() -> None:
    content = "<p>x</p><script>alert(1)</script>"
    page = f"<html><head><script>theme()</script></head><body>{content}<script>footer()</script></body></html>"
    policy = policy_for(page, content)
    hashes = re.findall(r"'sha256-[^']+'", policy)
    assert len(hashes) == 2 and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy and "default-src 'self'" in policy


@pytest.mark.site
def test_every_page_of_the_sample_site_carries_the_policy(tmp_path: Path) -> None:
    journal = JournalDir.existing(copy_repo_journal(tmp_path / "journal"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    pages = list((journal.root / "site").rglob("*.html"))
    assert len(pages) >= 15
    missing = [p for p in pages if '<meta http-equiv="Content-Security-Policy"' not in p.read_text()]
    assert not missing, missing
    head = (journal.root / "site" / "index.html").read_text().split("<head>", 1)[1]
    assert head.lstrip().startswith('<meta http-equiv="Content-Security-Policy"')  # before any script


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    journal = JournalDir(tmp_path / "journal")
    journal.write("hostile.md", HOSTILE)
    assert journal.cli("build", "--no-execute") == 0
    with serve_folder(journal.root / "site") as base:
        yield f"{base}journal/hostile/"


@pytest.mark.browser
def test_script_in_a_pages_content_is_refused_and_the_theme_still_works(served: str) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium executable on PATH")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.on("console", lambda message: violations.append(message.text))
            page.goto(served, wait_until="load")
            page.locator("#js").click()
            page.wait_for_timeout(300)
            assert page.evaluate("window.__fired") is None
            assert sum("Content Security Policy" in text for text in violations) >= 2, violations
            # the theme's inline scripts (allowed by hash) and its bundle ran
            assert page.evaluate("typeof window.__md_scope === 'object' && typeof window.document$ === 'object'")
        finally:
            browser.close()
