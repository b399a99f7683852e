"""The writing loop at N notes: a no-op build, a build after one prose edit, and the time from saving
a note to the preview showing it (prose edit; code edit, run on save), for ``labjournal`` and for
plain ``mkdocs build`` / ``mkdocs serve`` on the same journal (MkDocs with the labjournal plugin:
every save rebuilds every page, which is what ``labjournal serve`` was before issue 18).

Journals are generated cheaply (prose notes, one note with a code cell), so that 1,000 notes take
seconds to write; the figures are for the site engine, not for running notes.

    python -m bench.preview --notes 100 1000 --out bench/results/preview.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.conftest import JournalDir, code, note_text  # noqa: E402 - the test suite's journal layout

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def make_journal(dest: Path, notes: int) -> JournalDir:
    journal = JournalDir(dest)
    for i in range(notes):
        day = f"{2020 + i // 336}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}"
        body = f"Words of note {i}, about gradient and loss.\n\nMore words on attention and tokens.\n"
        journal.write(f"n/n{i:04d}.md", note_text(f"Note {i}", day, body, tags=f"[t{i % 7}]"))
    calc(journal, "Sums.", "print(6 * 7)")
    return journal


def calc(journal: JournalDir, prose: str, source: str) -> None:
    journal.write("2030/calc.md", note_text("Calc", "2030-01-01", f"{prose}\n\n" + code(source)))


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=ENV, check=True, capture_output=True)
    return time.perf_counter() - start


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _shows(url: str, text: str, limit: float) -> float:
    """Seconds until the page at ``url`` holds ``text`` (polled every 50 ms), or ``limit``."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        try:
            with urllib.request.urlopen(url, timeout=limit) as response:
                if text in response.read().decode():
                    return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    return float("nan")


def _start(journal: JournalDir, command: list[str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*command, "-a", f"127.0.0.1:{port}"],
        cwd=journal.root,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def preview_times(journal: JournalDir, command: list[str], code_edit: bool, port: int) -> dict[str, float]:
    server = _start(journal, command, port)
    url = f"http://127.0.0.1:{port}/journal/2030/calc/"
    try:
        times = {"start": _shows(url, "Sums", 600)}
        time.sleep(1.0)
        calc(journal, "Sums, quokka.", "print(6 * 7)")
        times["prose_edit"] = _shows(url, "quokka", 120)
        if code_edit:
            time.sleep(1.0)
            calc(journal, "Sums, quokka.", "print(7 * 191)")
            times["code_edit"] = _shows(url, "1337", 120)
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(notes: int, work: Path) -> dict[str, float]:
    journal = make_journal(work / f"j{notes}", notes)
    lj = [PY, "-m", "labjournal.cli", "-C", str(journal.root)]
    subprocess.run([*lj, "run"], env=ENV, check=True, capture_output=True)
    row = {"notes": notes, "full_build": timed([*lj, "build"], journal.root)}
    row["noop_build"] = min(timed([*lj, "build"], journal.root) for _ in range(3))
    row["mkdocs_build"] = timed([PY, "-m", "mkdocs", "build", "-q"], journal.root)
    calc(journal, "Sums, wombat.", "print(6 * 7)")
    row["prose_edit_build"] = timed([*lj, "build"], journal.root)
    calc(journal, "Sums, numbat.", "print(6 * 7)")  # the same kind of edit: the plugin renders the note again
    row["prose_edit_mkdocs_build"] = timed([PY, "-m", "mkdocs", "build", "-q"], journal.root)
    subprocess.run([*lj, "build"], env=ENV, check=True, capture_output=True)  # the site as labjournal leaves it
    for tool, command in (("", [*lj, "build"]), ("_mkdocs", [PY, "-m", "mkdocs", "build", "-q"])):
        # a new entry: the newest, so every page's navigation (its recent entries) changes
        journal.write(f"n/new{tool}.md", note_text(f"New{tool}", "2031-01-01", "A new entry.\n"))
        row[f"new_entry{tool}_build"] = timed(command, journal.root)
    one = make_journal(work / f"one{notes}", 0)
    shutil.rmtree(one.root / "notes")
    (one.root / "notes").mkdir()
    row["one_page_mkdocs_build"] = min(timed([PY, "-m", "mkdocs", "build", "-q"], one.root) for _ in range(3))
    for name, command, runs in (
        ("labjournal_serve", [*lj, "serve"], True),
        ("mkdocs_serve", [PY, "-m", "mkdocs", "serve"], False),
    ):
        calc(journal, "Sums.", "print(6 * 7)")
        subprocess.run([*lj, "run"], env=ENV, check=True, capture_output=True)
        port = _port()
        for key, value in preview_times(journal, command, runs, port).items():
            row[f"{name}_{key}"] = value
        if runs:  # started again on the same address: its first build takes the last preview's pages
            server = _start(journal, command, port)
            try:
                row[f"{name}_restart"] = _shows(f"http://127.0.0.1:{port}/journal/2030/calc/", "Sums", 600)
            finally:
                server.terminate()
                server.wait(timeout=30)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="labjournal-preview-bench-") as tmp:
        rows = [measure(n, Path(tmp)) for n in args.notes]
    text = json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
