"""`labjournal serve`: a live preview that shows drafts."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import JournalDir, note_text

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
