"""`labjournal serve`: a live preview that shows drafts."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from .conftest import JournalDir, code, note_text

pytestmark = pytest.mark.site


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_serve_previews_drafts(journal: JournalDir) -> None:
    journal.write("2026/draft.md", note_text("Half-written", "2026-03-01", "wombatdraft words\n", draft="true"))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "labjournal.cli", "-C", str(journal.root), "serve", "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        page = _get(f"http://127.0.0.1:{port}/journal/2026/draft/", time.monotonic() + 60)
        assert "wombatdraft" in page
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for_text(url: str, text: str, deadline: float) -> str:
    while True:
        page = _get(url, deadline)
        if text in page or time.monotonic() > deadline:
            return page
        time.sleep(0.2)


def _serve(root: object, port: int, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "labjournal.cli", "-C", str(root), "serve", "-a", f"127.0.0.1:{port}", *extra]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class _Preview:
    """A running ``labjournal serve``: its base URL, and the processes of its tree seen so far."""

    def __init__(self, server: subprocess.Popen[bytes], base: str) -> None:
        self.server, self.base, self.seen = server, base, []

    def note_tree(self) -> None:
        from .test_shutdown import _tree

        known = {process.pid for process in self.seen}
        self.seen += [p for p in _tree(self.server) if p.pid not in known]  # type: ignore[arg-type]


@contextlib.contextmanager
def _previewing(journal: JournalDir, *extra: str) -> Iterator[_Preview]:
    """``serve`` for the block; after SIGTERM, no process of its tree (as noted) may be left."""
    from .test_shutdown import _alive

    port = _free_port()
    preview = _Preview(_serve(journal.root, port, *extra), f"http://127.0.0.1:{port}")
    try:
        yield preview
    finally:
        preview.server.terminate()
        preview.server.wait(timeout=20)
    deadline = time.monotonic() + 15
    while _alive(preview.seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(preview.seen)


@pytest.mark.kernel
def test_saving_a_notes_code_runs_it_and_the_preview_shows_the_new_output(journal: JournalDir) -> None:
    journal.write("2026/calc.md", note_text("Calc", "2026-03-01", "Sums.\n\n" + code("print(6 * 7)")))
    assert journal.cli("run") == 0
    with _previewing(journal) as preview:
        url = f"{preview.base}/journal/2026/calc/"
        assert "42" in _get(url, time.monotonic() + 60)
        journal.write("2026/calc.md", note_text("Calc", "2026-03-01", "Sums, quokka.\n\n" + code("print(6 * 7)")))
        assert "quokka" in _wait_for_text(url, "quokka", time.monotonic() + 30)
        runs_before = len(list((journal.root / "store").rglob("*")))
        journal.write("2026/calc.md", note_text("Calc", "2026-03-01", "Sums, quokka.\n\n" + code("print(7 * 191)")))
        assert "1337" in _wait_for_text(url, "1337", time.monotonic() + 60)
        assert len(list((journal.root / "store").rglob("*"))) > runs_before  # stored as `labjournal run` would
        preview.note_tree()


def _big_journal(journal: JournalDir, notes: int) -> None:
    """``notes`` short prose notes over a year (cheap to generate and to build), one of them with code."""
    for i in range(notes):
        day = f"2025-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}"
        body = f"Words of note {i}, about gradient and loss.\n\nMore words.\n"
        journal.write(f"2025/n{i:04d}.md", note_text(f"Note {i}", day, body, tags=f"[t{i % 7}]"))
    journal.write("2026/calc.md", note_text("Calc", "2026-01-01", "Sums.\n\n" + code("print(6 * 7)")))


@pytest.mark.kernel  # about 8 s here: in the default run, as the must-show test
def test_a_300_note_preview_shows_a_prose_edit_in_2_s_and_a_code_edit_in_4_s(journal: JournalDir) -> None:
    _big_journal(journal, 300)
    assert journal.cli("run") == 0
    with _previewing(journal) as preview:
        url = f"{preview.base}/journal/2026/calc/"
        assert "42" in _get(url, time.monotonic() + 120)
        preview.note_tree()
        journal.write("2026/calc.md", note_text("Calc", "2026-01-01", "Sums, quokka.\n\n" + code("print(6 * 7)")))
        saved = time.monotonic()
        assert "quokka" in _wait_for_text(url, "quokka", saved + 2), "prose edit not shown within 2 s"
        journal.write("2026/calc.md", note_text("Calc", "2026-01-01", "Sums, quokka.\n\n" + code("print(7 * 191)")))
        saved = time.monotonic()
        assert "1337" in _wait_for_text(url, "1337", saved + 4), "code edit's output not shown within 4 s"
        preview.note_tree()


def test_after_a_save_the_rebuilt_page_keeps_its_neighbours_titles_and_search_keeps_every_page(
    journal: JournalDir,
) -> None:
    import json

    for day in range(1, 6):
        journal.write(f"2026/d{day}.md", note_text(f"Day {day}", f"2026-01-0{day}", f"Words of day {day}.\n"))
    port = _free_port()
    server = _serve(journal.root, port, "--no-run")
    base = f"http://127.0.0.1:{port}"
    try:
        _get(f"{base}/journal/2026/d3/", time.monotonic() + 60)
        journal.write("2026/d3.md", note_text("Day 3", "2026-01-03", "Words of day 3, and a numbat.\n"))
        page = _wait_for_text(f"{base}/journal/2026/d3/", "numbat", time.monotonic() + 30)
        assert "numbat" in page
        assert "Previous: Day 2" in page and "Next: Day 4" in page  # pages the dirty build did not read
        index = json.loads(_get(f"{base}/search/search_index.json", time.monotonic() + 10))
        pages = {doc["location"].split("#")[0] for doc in index["docs"]}
        assert {f"journal/2026/d{day}/" for day in range(1, 6)} <= pages
        assert any("numbat" in doc["text"] for doc in index["docs"])
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.kernel
def test_no_run_executes_nothing_and_a_failing_cell_shows_its_traceback_when_running(journal: JournalDir) -> None:
    journal.write("2026/calc.md", note_text("Calc", "2026-03-01", "Sums.\n\n" + code("print(6 * 7)")))
    assert journal.cli("run") == 0
    failing = note_text("Calc", "2026-03-01", "Sums.\n\n" + code("raise ValueError('wombat' + 'trouble')"))
    for extra, shown in ((("--no-run",), "Outputs are stale"), ((), "wombattrouble")):
        port = _free_port()
        server = _serve(journal.root, port, *extra)
        url = f"http://127.0.0.1:{port}/journal/2026/calc/"
        try:
            _get(url, time.monotonic() + 60)
            journal.write("2026/calc.md", failing + "\n" * len(extra))  # a save, different from the last
            page = _wait_for_text(url, shown, time.monotonic() + 60)
            assert shown in page
        finally:
            server.terminate()
            server.wait(timeout=20)
        if extra:
            assert "wombattrouble" not in page  # nothing ran: the stored outputs are the old ones


def test_a_taken_address_is_an_error_that_says_how_to_choose_another(journal: JournalDir) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "labjournal.cli", "-C", str(journal.root), "serve", "-a", f"127.0.0.1:{port}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    message = result.stdout + result.stderr  # the console writes errors to stderr
    assert f"127.0.0.1:{port}" in message and "-a IP:PORT" in message


def _first_build_report(root: object, port: int) -> str:
    """Start ``serve``, wait for the page that proves the first build is served, stop it, and return
    what the first build said of the pages it rendered."""
    command = [sys.executable, "-m", "labjournal.cli", "-C", str(root), "serve", "-a", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert "wombatdraft" in _get(f"http://127.0.0.1:{port}/journal/2026/draft/", time.monotonic() + 60)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    reports = [line for line in err.splitlines() if "Pages rendered again" in line]
    assert len(reports) == 1, err
    return reports[0]


def test_a_second_preview_starts_from_the_pages_of_the_first(journal: JournalDir) -> None:
    journal.write("2026/draft.md", note_text("Half-written", "2026-03-01", "wombatdraft words\n", draft="true"))
    journal.write("2026/day.md", note_text("A day", "2026-03-02", "Words of a day.\n"))
    port = _free_port()  # the same address: the pages' canonical URLs are the preview's
    first = _first_build_report(journal.root, port)
    assert "Pages rendered again: 0 of" not in first
    assert "Pages rendered again: 0 of" in _first_build_report(journal.root, port)


def test_a_renamed_entry_is_named_so_by_its_neighbours_in_the_preview(journal: JournalDir) -> None:
    for day in range(1, 6):
        journal.write(f"2026/d{day}.md", note_text(f"Day {day}", f"2026-01-0{day}", f"Words of day {day}.\n"))
    with _previewing(journal, "--no-run") as preview:
        _get(f"{preview.base}/journal/2026/d3/", time.monotonic() + 60)
        journal.write("2026/d3.md", note_text("Day 3, the numbat", "2026-01-03", "Words of day 3.\n"))
        assert "Next: Day 3, the numbat" in _wait_for_text(
            f"{preview.base}/journal/2026/d2/", "Next: Day 3, the numbat", time.monotonic() + 30
        )
        assert "Previous: Day 3, the numbat" in _get(f"{preview.base}/journal/2026/d4/", time.monotonic() + 10)
        journal.write("2026/d6.md", note_text("Day 6", "2026-01-06", "A new entry.\n"))
        assert "Next: Day 6" in _wait_for_text(f"{preview.base}/journal/2026/d5/", "Next: Day 6", time.monotonic() + 30)


def test_a_link_saved_in_the_preview_shows_as_a_backlink_and_goes_when_removed(journal: JournalDir) -> None:
    for day in range(1, 6):
        journal.write(f"2026/d{day}.md", note_text(f"Day {day}", f"2026-01-0{day}", f"Words of day {day}.\n"))
    with _previewing(journal, "--no-run") as preview:
        url = f"{preview.base}/journal/2026/d2/"
        assert "Linked from" not in _get(url, time.monotonic() + 60)
        journal.write("2026/d5.md", note_text("Day 5", "2026-01-05", "As on [day two](d2.md).\n"))
        assert "Linked from" in _wait_for_text(url, "Linked from", time.monotonic() + 30)
        journal.write("2026/d5.md", note_text("Day 5", "2026-01-05", "Words of day 5, no link.\n"))
        deadline = time.monotonic() + 30
        while "Linked from" in _get(url, deadline) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "Linked from" not in _get(url, deadline)
