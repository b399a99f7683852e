"""SIGTERM and SIGINT to ``serve``, ``build`` and ``run`` leave no process of the command's tree behind.

Each test starts the real command in a child process, waits until its tree is at work (a kernel
running a note that sleeps, or the preview answering), records every process of the tree, sends the
signal and then checks that none of those processes is left.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from .conftest import JournalDir, code, note_text

SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]
GRACE = 15.0
"""How long the command and its children may take to go (a polling limit, not a measured figure)."""


def _start(journal: JournalDir, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "labjournal.cli", "-C", str(journal.root), *args]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _tree(root: subprocess.Popen[bytes]) -> list[psutil.Process]:
    try:
        parent = psutil.Process(root.pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _wait_for(ready: Callable[[], bool], command: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        if command.poll() is not None:
            raise AssertionError(f"the command ended before {what}: {command.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after 120 s")
        time.sleep(0.2)


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """The processes still there (``is_running`` compares creation times: a reused pid is not ours)."""
    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def _signal_and_check(command: subprocess.Popen[bytes], seen: list[psutil.Process], signum: int) -> None:
    """Send ``signum`` to the command alone (as ``kill`` or an IDE's stop button does) and check its tree ends."""
    seen += [p for p in _tree(command) if p.pid not in {s.pid for s in seen}]
    command.send_signal(signum)
    try:
        command.wait(timeout=GRACE)
        deadline = time.monotonic() + GRACE
        while _alive(seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [f"{p.pid} {' '.join(p.cmdline())[:200]}" for p in _alive(seen)]
        assert not left, f"left running after {signal.Signals(signum).name}: {left}"
    finally:
        for process in _alive(seen):  # never leak a process from the test suite, whatever failed
            process.kill()
        if command.poll() is None:
            command.kill()
            command.wait()


def _record_until(command: subprocess.Popen[bytes], ready: Callable[[], bool], what: str) -> list[psutil.Process]:
    """Wait until ``ready``, recording every process seen in the tree meanwhile."""
    seen: dict[int, psutil.Process] = {}

    def check() -> bool:
        seen.update((p.pid, p) for p in _tree(command) if p.pid not in seen)
        return ready()

    _wait_for(check, command, what)
    return list(seen.values())


def _sleeping_note(journal: JournalDir, marker: Path) -> None:
    source = f"from pathlib import Path\nPath({str(marker)!r}).write_text('started')\nimport time\ntime.sleep(300)"
    journal.write("2026/sleepy.md", note_text("Sleepy", "2026-01-01", code(source)))


@pytest.mark.kernel
@pytest.mark.parametrize("signum", SIGNALS)
@pytest.mark.parametrize("command_name", ["run", "build"])
def test_a_signal_ends_a_running_note_and_every_child(
    journal: JournalDir, tmp_path: Path, command_name: str, signum: int
) -> None:
    marker = tmp_path / "started"
    _sleeping_note(journal, marker)
    command = _start(journal, command_name)
    seen = _record_until(command, marker.exists, "kernel running the note")
    assert len(_tree(command)) > 1, "the kernel should be a process of the command's tree"
    _signal_and_check(command, seen, signum)
    assert command.returncode == 128 + signum  # 130 after Ctrl-C, 143 after SIGTERM (docs/guide/commands.md)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.mark.site
@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_ends_the_preview_server_and_frees_its_port(journal: JournalDir, signum: int) -> None:
    journal.write("2026/words.md", note_text("Words", "2026-01-01", "Only words.\n"))
    port = _free_port()
    command = _start(journal, "serve", "-a", f"127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}/journal/2026/words/"
    seen = _record_until(command, lambda: _answers(url), "page served")
    _signal_and_check(command, seen, signum)
    assert not _answers(url), "the port still answers: a preview server survived"


@pytest.mark.kernel
@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_to_the_preview_while_it_runs_a_saved_note_ends_the_kernel_too(
    journal: JournalDir, tmp_path: Path, signum: int
) -> None:
    journal.write("2026/sleepy.md", note_text("Sleepy", "2026-01-01", code("print('not yet')")))
    assert journal.cli("run") == 0
    port = _free_port()
    command = _start(journal, "serve", "-a", f"127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}/journal/2026/sleepy/"
    seen = _record_until(command, lambda: _answers(url), "page served")
    marker = tmp_path / "started"
    _sleeping_note(journal, marker)  # saved: run on save, in a kernel forked from the warm server
    seen += [p for p in _record_until(command, marker.exists, "kernel running the saved note") if p not in seen]
    _signal_and_check(command, seen, signum)
    assert not _answers(url)
