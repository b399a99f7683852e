"""Faults contained, nothing lost: real kernels that exit, raise, die, hang or never start; Ctrl-C
on a real ``labjournal run``; two runs at once; stored entries edited by hand; failed re-runs of
good notes; bad input. Every check goes through the CLI (in-process, or as a subprocess where a
signal or a second process is the point) and, where pages matter, a real build.

Journals are run once per module and copied for tests that change them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from labjournal.execution.lock import JournalLock
from labjournal.executors import Job
from labjournal.executors.base import judge
from labjournal.executors.local import LocalExecutor
from labjournal.store import Store

from .conftest import REPO, JournalDir, code, note_text

pytestmark = pytest.mark.kernel

WAIT = 180  # bound for a subprocess to reach a point (a cold preload server imports torch); not a timing claim


# --- helpers ----------------------------------------------------------------------------------------------------


def _kernels(notes: Path) -> list[str]:
    """Processes working in ``notes`` (every kernel runs in its note's folder, forked or plain,
    orphaned or not) and descendants of this process running ipykernel."""
    me = psutil.Process()
    descendants = {p.pid for p in me.children(recursive=True)}
    found = []
    for proc in psutil.process_iter(["cwd", "cmdline", "status"]):
        if proc.pid == me.pid or proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        cwd, cmdline = proc.info["cwd"] or "", " ".join(proc.info["cmdline"] or [])
        if cwd.startswith(str(notes)) or (proc.pid in descendants and "ipykernel" in cmdline):
            found.append(f"{proc.pid}: {cmdline[:100]} (in {cwd})")
    return found


def assert_no_kernel_left(notes: Path, wait: float = 15.0) -> None:
    """No kernel survives: waits a little, since a killed kernel's parent reaps it asynchronously."""
    deadline = time.monotonic() + wait
    left = _kernels(notes)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = _kernels(notes)
    assert left == []


def cli_capturing(journal: JournalDir, *args: str) -> tuple[int, str]:
    """Run the CLI in-process; return its exit code and what it wrote to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code_ = journal.cli(*args)
    return code_, err.getvalue()


def entry_meta(journal: JournalDir, note_id: str) -> dict[str, Any]:
    return json.loads((journal.root / "store/notes" / f"{note_id}.ipynb").read_text())["metadata"]["labjournal"]


def run_records(journal: JournalDir, note_id: str) -> list[Path]:
    folder = journal.root / "store/runs" / note_id
    return sorted(folder.glob("*.json")) if folder.exists() else []


def copy_journal(src: JournalDir, dest: Path) -> JournalDir:
    return src.copy_to(dest)


def labjournal(root: Path, *args: str, **popen: Any) -> subprocess.Popen:
    """``labjournal`` as a separate process (for signals and for two runs at once)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "labjournal.cli", "-C", str(root), *args]
    return subprocess.Popen(command, cwd=root, env=env, text=True, **popen)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


# --- every fault gets its status --------------------------------------------------------------------------------


def _three(risky: str, title: str) -> str:
    body = code('print("before the fault")') + code(risky) + code('print("after the fault")')
    return note_text(title, "2026-03-01", body)


FAULTS = {
    "exits": _three("import sys\nsys.exit(0)", "Exits"),
    "raises": _three('raise ValueError("boom")', "Raises"),
    "osexit": _three("import os\nos._exit(3)", "os._exit"),
    "segfault": _three("import ctypes\nctypes.string_at(0)", "Segfault"),
    "oomkill": _three("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "Killed like the OOM killer does"),
    "slowcell": _three("import time\ntime.sleep(120)", "A cell past --timeout"),
    "interrupted": _three("import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)", "Interrupted"),
    "good": note_text("Good", "2026-03-01", code('print("all good")')),
}
LONG_NOTE = note_text(
    "Many short cells",
    "2026-03-02",
    code('print("first")') + "".join(code("import time\ntime.sleep(1.5)") for _ in range(6)) + code('print("last")'),
)
# note -> (status, words of the message)
EXPECTED = {
    "exits": ("exited early", ["cell 2 called sys.exit(0)", "1 cell(s) after it never ran"]),
    "raises": ("error", ["cell 2: ValueError: boom"]),
    "osexit": ("dead kernel", ["the kernel died in cell 2", "exit code 3"]),
    "segfault": ("dead kernel", ["the kernel died in cell 2", "SIGSEGV"]),
    "oomkill": ("dead kernel", ["the kernel died in cell 2", "SIGKILL", "out of memory"]),
    "slowcell": ("timeout", ["cell 2 ran past the cell limit of 3 s", "--timeout"]),
}


def _no_kernel_notebook() -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print("never")')])
    notebook.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "None", "language": "python"}
    notebook.metadata["labjournal"] = {"title": "No kernel", "date": "2026-03-01"}
    return nbformat.writes(notebook)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fault journal run once with --timeout 3, then its long note with --note-timeout 4."""
    journal = JournalDir(tmp_path_factory.mktemp("faults") / "journal")
    for name, text in FAULTS.items():
        journal.write(f"faults/{name}.md", text)
    journal.write("faults/nokernel.ipynb", _no_kernel_notebook())
    journal.write("limits/long.md", LONG_NOTE)
    started = time.monotonic()
    code_run, err = cli_capturing(journal, "run", "notes/faults", "--jobs", "2", "--timeout", "3")
    seconds = time.monotonic() - started
    code_limit, err_limit = cli_capturing(journal, "run", "notes/limits", "--note-timeout", "4", "--timeout", "30")
    return {"journal": journal, "code": code_run, "err": err, "seconds": seconds, "limit": (code_limit, err_limit)}


def test_the_run_fails_and_says_why_for_each_note(faults: dict[str, Any]) -> None:
    assert faults["code"] == 1
    lines = faults["err"].splitlines()
    for name, (status, _) in EXPECTED.items():
        assert any(line.startswith(f"faults/{name}.md: {status}: ") for line in lines), name
    assert faults["seconds"] < 90  # a hung cell is cut at --timeout, not waited for


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fault_is_stored_with_its_status_and_message(faults: dict[str, Any], name: str) -> None:
    status, words = EXPECTED[name]
    meta = entry_meta(faults["journal"], f"faults/{name}")
    assert meta["status"] == status
    for word in words:
        assert word in meta["message"]
    (record,) = run_records(faults["journal"], f"faults/{name}")
    assert json.loads(record.read_text())["status"] == status


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cells_after_the_fault_are_not_shown_as_run(faults: dict[str, Any], name: str) -> None:
    entry = json.loads((faults["journal"].root / f"store/notes/faults/{name}.ipynb").read_text())
    cells = [c for c in entry["cells"] if c["cell_type"] == "code"]
    assert cells[0]["execution_count"] is not None
    assert "before the fault" in json.dumps(cells[0]["outputs"])
    assert cells[2]["execution_count"] is None and cells[2]["outputs"] == []


def test_a_good_note_beside_the_faults_is_stored(faults: dict[str, Any]) -> None:
    assert entry_meta(faults["journal"], "faults/good")["status"] == "ok"


def test_a_note_whose_kernel_never_started_leaves_nothing_in_the_store(faults: dict[str, Any]) -> None:
    journal = faults["journal"]
    assert "faults/nokernel.ipynb: error: the kernel did not start: NoSuchKernel" in faults["err"]
    assert not (journal.root / "store/notes/faults/nokernel.ipynb").exists()
    assert run_records(journal, "faults/nokernel") == []


def test_an_interrupted_kernel_leaves_nothing_in_the_store(faults: dict[str, Any]) -> None:
    journal = faults["journal"]
    assert "faults/interrupted.md: interrupted: cell 2: KeyboardInterrupt" in faults["err"]
    assert not (journal.root / "store/notes/faults/interrupted.ipynb").exists()
    assert run_records(journal, "faults/interrupted") == []


def test_a_note_past_its_whole_note_limit_is_stopped(faults: dict[str, Any]) -> None:
    code_limit, err = faults["limit"]
    assert code_limit == 1
    assert "limits/long.md: note timeout: the note ran past its limit of 4 s (--note-timeout) in cell " in err
    meta = entry_meta(faults["journal"], "limits/long")
    assert meta["status"] == "note timeout" and meta["seconds"] < 15
    cells = json.loads((faults["journal"].root / "store/notes/limits/long.ipynb").read_text())["cells"]
    assert cells[-1]["execution_count"] is None  # the last cell never ran


def test_no_kernel_is_left_after_any_fault(faults: dict[str, Any]) -> None:
    assert_no_kernel_left(faults["journal"].root / "notes")


def _cell(count: int | None, *outputs: Any, tags: tuple[str, ...] = ()) -> Any:
    cell = nbformat.v4.new_code_cell("x = 1", execution_count=count, outputs=list(outputs))
    cell.metadata["tags"] = list(tags)
    return cell


def _error(ename: str, evalue: str = "") -> Any:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


JUDGED = {
    "all ran": ([_cell(1), _cell(2)], ("ok", "")),
    "expected error": ([_cell(1, _error("ValueError"), tags=("raises-exception",)), _cell(2)], ("ok", "")),
    "error": ([_cell(1), _cell(2, _error("ValueError", "v")), _cell(None)], ("error", "cell 2: ValueError: v")),
    "exit last": ([_cell(1), _cell(2, _error("SystemExit", "0"))], ("exited early", "cell 2 called sys.exit(0)")),
    "interrupt": ([_cell(1, _error("KeyboardInterrupt")), _cell(None)], ("interrupted", "cell 1: KeyboardInterrupt")),
    "stopped": ([_cell(1), _cell(None), _cell(None)], ("exited early", "cell 2 never ran: the run ended before it")),
    "injected": (
        [_cell(1, tags=("injected-parameters",)), _cell(2), _cell(3, _error("E"))],
        ("error", "cell 2: E"),  # counted as the author counts: the injected cell is not theirs
    ),
}


@pytest.mark.parametrize("case", sorted(JUDGED))
def test_judge_reads_what_really_ran(case: str) -> None:
    cells, expected = JUDGED[case]
    status, message, _ = judge(nbformat.v4.new_notebook(cells=cells))
    assert (status, message) == expected


# --- Ctrl-C -----------------------------------------------------------------------------------------------------

SLOW_CODE = 'open("slow.started", "w").close()\nimport time\ntime.sleep(60)\nprint("slow done")'
SLOW = note_text("Slow", "2026-04-02", code(SLOW_CODE))
FAST = note_text("Fast", "2026-04-01", code('print("fast done")'))


def test_ctrl_c_stops_promptly_keeps_finished_results_and_leaves_no_kernel(tmp_path: Path) -> None:
    """The worker pool: the interrupt must get past workers busy with their notes."""
    journal = JournalDir(tmp_path / "journal")
    journal.write("fast.md", FAST)
    journal.write("slow.md", SLOW)
    fast_entry, slow_entry = journal.root / "store/notes/fast.ipynb", journal.root / "store/notes/slow.ipynb"
    process = labjournal(journal.root, "run", "--jobs", "2", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: fast_entry.exists() and (journal.root / "notes/slow.started").exists(), "both notes")
        time.sleep(0.5)  # the slow note is in its time.sleep now
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert time.monotonic() - sent < 10
    assert "interrupted" in err and "slow done" not in out
    entry = Store(journal.root / "store").load("fast")
    assert entry is not None and entry.provenance.ok and "fast done" in json.dumps(entry.notebook.cells[0].outputs)
    assert not slow_entry.exists() and run_records(journal, "slow") == []
    assert [p.name for p in (journal.root / "store").rglob("*") if p.name.endswith(".tmp")] == []
    assert_no_kernel_left(journal.root / "notes")
    assert not (journal.root / ".labjournal/run.lock.json").exists()


def test_ctrl_c_in_a_note_run_in_this_process_kills_its_kernel_and_propagates(tmp_path: Path) -> None:
    """One job runs in the calling process (no pool): KeyboardInterrupt reaches it, not nbclient."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SLOW_CODE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    job = Job("slow", dict(notebook), {}, key="slow", cwd=str(tmp_path))
    started = tmp_path / "slow.started"

    def interrupt() -> None:
        wait_for(started.exists, "the slow cell")
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=interrupt, daemon=True)
    sender.start()
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), LocalExecutor(jobs=1) as executor:
        list(executor.map([job]))
    sender.join()
    assert time.monotonic() - began < 60  # the sleep(60) was cut short
    assert_no_kernel_left(tmp_path)


# --- one run at a time ------------------------------------------------------------------------------------------

PROSE = note_text("Prose", "2026-05-01", "No code, so runs and builds start no kernel.\n")


@pytest.fixture
def prose(tmp_path: Path) -> JournalDir:
    journal = JournalDir(tmp_path / "journal")
    journal.write("prose.md", PROSE)
    return journal


def _holder(journal: JournalDir) -> JournalLock:
    lock = JournalLock(journal.root / ".labjournal", "labjournal run (the test)")
    lock.acquire(wait=False)
    return lock


def test_a_second_run_waits_naming_the_holder_and_goes_on_when_it_is_done(prose: JournalDir) -> None:
    lock = _holder(prose)
    try:
        process = labjournal(prose.root, "run", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert process.stderr is not None
        line = ""
        deadline = time.monotonic() + WAIT
        while "waiting for" not in line and time.monotonic() < deadline:
            if select.select([process.stderr], [], [], 1.0)[0]:
                line = process.stderr.readline()
        assert f"pid {os.getpid()} on {socket.gethostname()}, since 20" in line
        assert "`labjournal run (the test)`" in line
        time.sleep(1.0)
        assert process.poll() is None  # still waiting
    finally:
        lock.release()
    assert process.wait(timeout=WAIT) == 0
    process.stderr.close()


@pytest.mark.parametrize("command", ["run", "build"])
def test_no_wait_exits_at_once_with_code_1_naming_the_holder(prose: JournalDir, command: str) -> None:
    lock = _holder(prose)
    try:
        started = time.monotonic()
        code_, err = cli_capturing(prose, command, "--no-wait")
    finally:
        lock.release()
    assert code_ == 1 and time.monotonic() - started < 5
    assert "the journal is busy" in err and f"pid {os.getpid()} on {socket.gethostname()}" in err
    assert not (prose.root / "site").exists() and not (prose.root / "store").exists()


def test_the_lock_is_released_after_a_run_and_after_a_failure(prose: JournalDir) -> None:
    assert prose.cli("build", "--no-wait") == 0
    assert prose.cli("run", "--no-wait", "-p", "x") == 2  # bad input: the lock is released all the same
    lock = _holder(prose)  # raises if it were still held
    assert lock.holder() is not None and lock.holder().pid == os.getpid()
    lock.release()
    assert not lock.side.exists()


# --- failed re-runs keep the last good result; corrupted entries are never shown ---------------------------------


def _flaky(name: str, fault: str) -> str:
    risky = f'import os, time\nif os.path.exists("{name}.fail"):\n    {fault}'
    body = code(f'print("good output 42 from {name}")') + code(risky) + code('print("after the risky cell")')
    return note_text(f"Flaky {name}", "2026-06-01", body)


FLAKY = {
    "error": ('raise ValueError("re-run broke")', "error", "ValueError: re-run broke"),
    "timeout": ("time.sleep(120)", "timeout", "ran past the cell limit"),
    "dead": ("os._exit(9)", "dead kernel", "the kernel died in cell 2 (exit code 9)"),
}
NEVER = note_text("Never", "2026-06-02", code('print("partial output")') + code('raise RuntimeError("never worked")'))
STEADY = note_text("Steady", "2026-06-03", code('print("steady value 7")'))


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> JournalDir:
    """Good runs, then a forced re-run in which every flaky note fails, then a build from the store."""
    journal = JournalDir(tmp_path_factory.mktemp("kept") / "journal")
    for name, (fault, _, _) in FLAKY.items():
        journal.write(f"flaky/{name}.md", _flaky(name, fault))
    journal.write("never.md", NEVER)
    journal.write("steady.md", STEADY)
    assert journal.cli("run", "--jobs", "2") == 1  # only `never` fails
    for name in FLAKY:
        (journal.root / f"notes/flaky/{name}.fail").touch()
    assert journal.cli("run", "notes/flaky", "--force", "--jobs", "2", "--timeout", "3") == 1
    assert journal.cli("build", "--no-execute") == 0
    return journal


@pytest.mark.parametrize("name", sorted(FLAKY))
def test_a_failed_rerun_keeps_the_good_outputs_in_the_store(kept: JournalDir, name: str) -> None:
    _, status, words = FLAKY[name]
    entry = Store(kept.root / "store").load(f"flaky/{name}")
    assert entry is not None and entry.provenance.ok
    failure = entry.provenance.last_failure
    assert failure is not None and failure.status == status and words in failure.message
    outputs = json.dumps([cell.get("outputs", []) for cell in entry.notebook.cells])
    assert f"good output 42 from {name}" in outputs and "after the risky cell" in outputs


@pytest.mark.parametrize("name", sorted(FLAKY))
def test_the_page_shows_the_good_outputs_under_a_rerun_failed_banner(kept: JournalDir, name: str) -> None:
    _, _, words = FLAKY[name]
    page = kept.page(f"flaky/{name}")
    failure = Store(kept.root / "store").load(f"flaky/{name}").provenance.last_failure
    assert f"Re-run failed on {failure.finished[:10]}" in page
    assert f"good output 42 from {name}" in page and "after the risky cell" in page
    folded = page[page.index('<details class="failure"') :]
    folded = folded[: folded.index("</details>")]
    assert words.split(": ")[-1] in folded  # the failure, folded


def test_a_note_that_never_succeeded_shows_its_traceback_in_place_of_outputs(kept: JournalDir) -> None:
    page = kept.page("never")
    assert "This note failed: error" in page and "RuntimeError" in page and "never worked" in page
    assert "partial output" in page and "Re-run failed" not in page


def test_a_failed_rerun_of_changed_code_says_so_next_to_the_stale_notice(kept: JournalDir, tmp_path: Path) -> None:
    journal = copy_journal(kept, tmp_path / "journal")
    path = journal.root / "notes/steady.md"
    path.write_text(path.read_text().replace('print("steady value 7")', 'raise KeyError("steady broke")'))
    assert journal.cli("run", "notes/steady.md") == 1
    assert journal.cli("build", "--no-execute") == 0
    page = journal.page("steady")
    assert "Outputs are stale" in page and "Re-run failed on" in page and "steady broke" in page


def _corrupt(journal: JournalDir, how: str) -> Path:
    path = journal.root / "store/notes/steady.ipynb"
    text = path.read_text()
    path.write_text(text.replace("steady value 7", "steady value 8") if how == "edited" else text[: len(text) // 2])
    return path


@pytest.mark.parametrize("how", ["edited", "truncated"])
def test_a_corrupted_entry_is_stale_with_a_warning_and_never_shown(
    kept: JournalDir, tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    journal = copy_journal(kept, tmp_path / "journal")
    path = _corrupt(journal, how)
    capfd.readouterr()
    assert journal.cli("status") == 0
    assert any(str(path) in r.getMessage() and "treated as stale" in r.getMessage() for r in caplog.records)
    status_line = next(line for line in capfd.readouterr().out.splitlines() if "steady.md" in line)
    assert "stale" in status_line and "fresh" not in status_line
    caplog.clear()
    assert journal.cli("build", "--no-execute") == 0
    assert any(str(path) in r.getMessage() for r in caplog.records)  # the build warns too, naming the file
    page = journal.page("steady")
    assert "Outputs are stale" in page and "steady value 8" not in page
    assert page.count("steady value 7") == 1  # in the code, not as an output
    assert journal.cli("run", "notes/steady.md") == 0  # a run repairs it
    entry = Store(journal.root / "store").load("steady")
    assert entry is not None and "steady value 7" in json.dumps(entry.notebook.cells[0].outputs)


# --- bad input: one line naming the file, exit code 2, nothing changed -------------------------------------------

GOOD = note_text("Good", "2026-07-01", code("n = 2", ["parameters"]) + code("print(n * 10)"))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> JournalDir:
    journal = JournalDir(tmp_path_factory.mktemp("inputs") / "journal")
    journal.write("good.md", GOOD)
    assert journal.cli("run") == 0
    return journal


FRONT = "---\ntitle: Bad\ndate: 2026-07-02\n{}---\n\nText.\n"
# id -> (file written, its bytes, CLI arguments, words of the one error line)
BAD_INPUT: dict[str, tuple[str | None, bytes, list[str], list[str]]] = {
    "malformed-yaml": ("bad.md", FRONT.format("tags: [a, b\n").encode(), [], ["bad.md:", "malformed YAML"]),
    "no-front-matter": ("bad.md", b"# Only a heading\n", [], ["bad.md:1", "no front matter"]),
    "missing-title": ("bad.md", b"---\ndate: 2026-07-02\n---\n", [], ["bad.md:1", "field 'title': missing"]),
    "missing-date": ("bad.md", b"---\ntitle: Bad\n---\n", [], ["bad.md:1", "field 'date': missing"]),
    "unknown-kind": ("bad.md", FRONT.format("kind: diary\n").encode(), [], ["bad.md:4", "'diary' is not one of"]),
    "invalid-date": ("bad.md", b"---\ntitle: Bad\ndate: 2026-02-30\n---\n", [], ["bad.md:3", "not an ISO date"]),
    "not-utf8": ("bad.md", b"---\ntitle: Caf\xe9\ndate: 2026-07-02\n---\n", [], ["bad.md:2", "not UTF-8"]),
    "invalid-ipynb": ("bad.ipynb", b'{"cells": [', [], ["bad.ipynb", "invalid notebook JSON"]),
    "unknown-executor": (None, b"", ["--executor", "nope"], ["unknown executor 'nope'", "available: "]),
    "p-without-equals": (None, b"", ["notes/good.md", "-p", "n"], ["-p 'n'", "expected name=value"]),
    "unknown-parameter": (None, b"", ["notes/good.md", "-p", "steps=5"], ["good.md", "unknown parameter steps"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_one_line_naming_the_file_exit_2_and_changes_nothing(
    inputs: JournalDir, tmp_path: Path, case: str, capsys: pytest.CaptureFixture
) -> None:
    name, data, arguments, words = BAD_INPUT[case]
    journal = copy_journal(inputs, tmp_path / "journal")
    if name is not None:
        (journal.root / "notes" / name).write_bytes(data)
    before = {**journal.tree_digest("notes"), **journal.tree_digest("store")}
    capsys.readouterr()
    assert journal.cli("run", *arguments) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]
    assert {**journal.tree_digest("notes"), **journal.tree_digest("store")} == before
    assert not (journal.root / "site").exists()


@pytest.mark.parametrize("command", [["build"], ["status"], ["build", "--no-execute"]])
def test_every_command_rejects_a_bad_note_the_same_way(
    inputs: JournalDir, tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture
) -> None:
    journal = copy_journal(inputs, tmp_path / "journal")
    (journal.root / "notes/bad.md").write_bytes(FRONT.format("kind: diary\n").encode())
    capsys.readouterr()
    assert journal.cli(*command) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.md:4" in lines[0]
    assert not (journal.root / "site").exists()


def test_duplicate_day_numbers_are_a_warning_naming_both_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = JournalDir(tmp_path / "journal")
    first = journal.write("2026/first.md", note_text("First", "2026-08-01", "One.\n", day=7))
    second = journal.write("2026/second.md", note_text("Second", "2026-08-02", "Two.\n", day=7))
    journal.write("2026/third.md", note_text("Third", "2026-08-03", "Three.\n", day=8))
    assert journal.cli("status") == 0
    (warning,) = [r.getMessage() for r in caplog.records if "Day 7" in r.getMessage()]
    assert str(first) in warning and str(second) in warning and "third" not in warning
    assert not [r for r in caplog.records if "Day 8" in r.getMessage()]
