"""Each entry's run story, told truthfully (issue 17): after ``--promote`` the page's code, outputs,
provenance line and *page* marker agree; the Runs table shows the columns that vary, with short run
ids; charts pick a log axis for values that span orders of magnitude; a re-run command; a quiet note
when the run's torch or Python differs from the site's; per-cell staleness; one status everywhere.

Real kernels through the CLI and real builds: one journal is run once, and each test works on a copy.
"""

from __future__ import annotations

import html
import json
import platform
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from labjournal.store import Provenance, RunLog, RunRecord, Store

from .conftest import JournalDir, code, note_text
from .test_xss_paths import article, text_of

pytestmark = [pytest.mark.kernel, pytest.mark.site]

STORY = note_text(
    "Story",
    "2026-05-01",
    "A parameter and a result.\n\n" + code("n = 3", ["parameters"]) + code('print("result", n * 7)'),
)
THREE = note_text(
    "Three",
    "2026-05-02",
    "Three cells.\n\n"
    + code('a = 1\nprint("first output", a)')
    + "\nBetween.\n\n"
    + code('b = a + 1\nprint("second output", b)')
    + code('print("third output", a + b)'),
)
PLAIN = note_text("Plain", "2026-05-03", "No parameters.\n\n" + code('print("plain output")'))
SWEEP = note_text(
    "Sweep",
    "2026-05-04",
    "A learning-rate sweep on a parabola.\n\n"
    + code("lr = 0.1\nsteps = 8\nseed = 0", ["parameters"])
    + code(
        """
        import labjournal
        w = 3.0
        for step in range(steps):
            w -= lr * 2 * w
            labjournal.record("loss", w * w, step=step)
        """
    ),
)


@pytest.fixture(scope="module")
def base(make_journal) -> JournalDir:
    journal = make_journal("run-story")
    for name, text in (("story", STORY), ("three", THREE), ("plain", PLAIN), ("sweep", SWEEP)):
        journal.write(f"{name}.md", text)
    assert journal.cli("run", "--jobs", "2") == 0
    return journal


@pytest.fixture
def journal(base: JournalDir, tmp_path: Path) -> JournalDir:
    return base.copy_to(tmp_path / "journal")


def runs(journal: JournalDir, note: str) -> list[RunRecord]:
    return Store(journal.root / "store").runs.list(note)


def runs_rows(content: str) -> list[str]:
    table = content[content.index('<div class="lj-runs">') :]
    table = table[: table.index("</table>")]
    return re.findall(r"<tr>(.*?)</tr>", table, re.S)


def page_rows(content: str) -> list[str]:
    return [row for row in runs_rows(content) if "lj-run-page" in row]


def short(run: RunRecord) -> str:
    return run.id.rsplit("-", 1)[-1]


def build(journal: JournalDir, strict: bool = True) -> None:
    """Build from the store (strict: every note fresh)."""
    assert journal.cli("build", "--no-execute", *(["--strict"] if strict else [])) == 0


# --- A: after --promote, code, outputs, provenance and the page marker agree -------------------------------


def test_after_promote_the_code_outputs_provenance_and_page_marker_agree(journal: JournalDir, capsys) -> None:
    assert journal.cli("run", "notes/story.md", "-p", "n=9", "--promote") == 0
    build(journal)
    content = article(journal, "story")
    text = text_of(content)
    first, promoted = runs(journal, "story")
    assert "result 63" in text and "result 21" not in text  # the outputs of n = 9
    assert "n = 9" in text  # the code says what they were made with, after the defaults cell
    assert text.index("n = 3") < text.index("n = 9") < text.index("result 63")
    assert f"with n=9 (promoted from run {short(promoted)})" in text
    (marked,) = page_rows(content)  # exactly one run is the page's: the promoted one
    assert short(promoted) in marked and short(first) not in marked
    capsys.readouterr()
    assert journal.cli("runs", "notes/story.md") == 0
    table = capsys.readouterr().out
    assert table.count("(page)") == 1
    assert "(page)" in next(line for line in table.splitlines() if promoted.id[-6:] in line)


def test_after_a_forced_rerun_one_run_is_the_page_and_the_code_is_the_notes(journal: JournalDir) -> None:
    assert journal.cli("run", "notes/story.md", "-p", "n=9", "--promote") == 0
    assert journal.cli("run", "notes/story.md", "--force") == 0
    build(journal)
    content = article(journal, "story")
    text = text_of(content)
    *_, newest = runs(journal, "story")
    assert "result 21" in text and "result 63" not in text and "n = 9" not in text
    assert f"with n=3 (run {short(newest)})" in text and "promoted" not in text
    (marked,) = page_rows(content)
    assert short(newest) in marked
    assert [r.canonical for r in runs(journal, "story")] == [False, False, True]


def test_an_entry_stored_before_it_named_its_run_still_marks_one_run(journal: JournalDir) -> None:
    assert journal.cli("run", "notes/story.md", "--force") == 0
    store = Store(journal.root / "store")
    entry = store.load("story")
    assert entry is not None and entry.provenance.run_id == runs(journal, "story")[-1].id
    old = entry.provenance.to_dict()
    del old["run_id"]  # as entries were written before this field
    store.save(entry.notebook, Provenance.from_dict(old))
    assert [r.canonical for r in Store(journal.root / "store").runs.list("story")] == [False, True]
    assert len(RunLog(journal.root / "store" / "runs").list("story")) == 2  # records alone: as written


# --- B: the Runs table, its chart, the re-run command -------------------------------------------------------


def test_the_runs_table_shows_the_columns_that_vary_and_short_run_ids(journal: JournalDir) -> None:
    assert journal.cli("run", "notes/sweep.md", "--sweep", "lr=0.001,0.45", "-j", "2") == 0
    build(journal)
    content = article(journal, "sweep")
    header, *rows = runs_rows(content)
    columns = re.findall(r"<th>(.*?)</th>", header)
    assert columns[:3] == ["run", "lr", "loss"] and "seconds" in columns
    assert not {"steps", "seed", "status", "device"} & set(columns)  # the same in every run
    assert len(rows) == 3
    for run in runs(journal, "sweep"):
        assert f'title="{run.id}">{short(run)}</code>' in content  # the full id on hover only
        assert f">{run.id}<" not in content
    chart = (journal.root / "site/journal/sweep/runs-loss.svg").read_text()
    assert 'id="lj-axis-log"' in chart  # losses from ~9 down to ~1e-30: a log axis


def test_a_chart_picks_a_log_axis_only_when_values_span_orders_of_magnitude() -> None:
    from labjournal.rendering.charts import run_curves, wants_log_axis

    assert wants_log_axis([1.0, 0.5, 0.001]) and not wants_log_axis([1.0, 0.5, 0.2])
    assert not wants_log_axis([1.0, -1.0, 1e-6]) and not wants_log_axis([])
    record = RunRecord("r-1a2b3c", "n", {}, {}, "", "", "ok", 1.0, "cpu", None, {}, "", True)
    record.metrics = {"loss": {"steps": [0, 1, 2], "values": [0.9, 0.8, 0.7]}}
    assert 'id="lj-axis-linear"' in run_curves("loss", [record], ["a"])


def _command(content: str) -> str | None:
    found = re.search(r'<div class="lj-rerun">.*?<code[^>]*>(.*?)</code>', content, re.S)
    return html.unescape(found.group(1)) if found else None


def test_a_page_with_parameters_offers_a_rerun_command_with_them(journal: JournalDir) -> None:
    build(journal)
    assert _command(article(journal, "story")) == "labjournal run notes/story.md -p n=3"
    assert _command(article(journal, "sweep")) == "labjournal run notes/sweep.md -p lr=0.1 -p steps=8 -p seed=0"
    assert _command(article(journal, "plain")) is None


# --- C: environment drift -----------------------------------------------------------------------------------


def test_outputs_made_with_another_torch_or_python_say_so_quietly(journal: JournalDir) -> None:
    try:
        torch = version("torch")
    except PackageNotFoundError:
        pytest.skip("torch is not installed")
    build(journal)
    assert "lj-drift" not in article(journal, "story")  # made here: nothing to say
    store = Store(journal.root / "store")
    entry = store.load("story")
    assert entry is not None
    entry.provenance.versions.update(torch="2.0.0", python="3.0.1")
    store.save(entry.notebook, entry.provenance)
    build(journal)
    drift = re.search(r'<p class="lj-drift">(.*?)</p>', article(journal, "story"), re.S)
    assert drift is not None
    assert html.unescape(drift.group(1)) == (
        f"These outputs were made with torch 2.0.0 and python 3.0.1; "
        f"this site was built with torch {torch} and python {platform.python_version()}."
    )


def test_the_entry_records_the_python_of_the_kernel_that_ran_it(journal: JournalDir) -> None:
    raw = json.loads((journal.root / "store/notes/story.ipynb").read_text())
    versions = raw["metadata"]["labjournal"]["versions"]
    assert versions["python"] == raw["metadata"]["language_info"]["version"] and versions["torch"]
    assert raw["metadata"]["labjournal"]["parameters"] == {"n": 3}  # every parameter, defaults included


# --- D: per-cell staleness, one status everywhere ------------------------------------------------------------


def _edit(journal: JournalDir, note: str, old: str, new: str) -> None:
    path = journal.root / "notes" / f"{note}.md"
    path.write_text(path.read_text().replace(old, new))


def test_an_edited_last_cell_keeps_the_outputs_of_the_cells_above_it(journal: JournalDir) -> None:
    _edit(journal, "three", 'print("third output", a + b)', 'print("third output!", a * b)')
    build(journal, strict=False)
    text = text_of(article(journal, "three"))
    assert "first output 1" in text and "second output 2" in text  # unchanged cells keep their outputs
    assert "third output 3" not in text and text.count("Stale: this cell's code") == 1
    assert text.index('print("third output!", a * b)') < text.index("Stale: this cell's code")
    assert "Outputs are stale from the first changed cell on" in text


def test_an_edited_first_cell_leaves_no_output(journal: JournalDir) -> None:
    _edit(journal, "three", "a = 1", "a = 10")
    build(journal, strict=False)
    text = text_of(article(journal, "three"))
    assert "first output" not in text.replace('print("first output", a)', "")
    assert "second output 2" not in text and "Outputs are stale" in text


def test_a_code_edit_that_fails_is_failed_everywhere(journal: JournalDir, capsys) -> None:
    _edit(journal, "three", 'print("third output", a + b)', 'raise ValueError("third broke")')
    capsys.readouterr()
    assert journal.cli("run", "notes/three.md") == 1
    capsys.readouterr()
    assert journal.cli("status") == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "three.md" in line and "│" in line)
    assert "failed" in line and "stale" not in line
    build(journal, strict=False)
    assert "Three failed" in text_of(article(journal, "report"))
    text = text_of(article(journal, "three"))
    assert "Re-run failed on" in text and "third broke" in text
    assert "first output 1" in text and "second output 2" in text and "third output 3" not in text
    assert "changed and the re-run failed" in text  # on the third cell


def test_a_changed_cuda_note_on_a_cpu_host_needs_a_gpu_everywhere(journal: JournalDir, capsys) -> None:
    from labjournal.executors.devices import gpu_available

    if gpu_available():
        pytest.skip("this host has a GPU")
    _edit(journal, "three", "date: 2026-05-02", "date: 2026-05-02\ndevice: cuda")
    _edit(journal, "three", 'print("third output", a + b)', 'print("third output!", a * b)')
    capsys.readouterr()
    assert journal.cli("run") == 0
    assert "needs GPU" in next(line for line in capsys.readouterr().out.splitlines() if "three.md" in line)
    assert journal.cli("status") == 0
    assert "needs GPU" in next(line for line in capsys.readouterr().out.splitlines() if "three.md" in line)
    build(journal, strict=False)
    assert "Three needs GPU" in text_of(article(journal, "report"))
    text = text_of(article(journal, "three"))
    assert "Needs a GPU" in text and "first output 1" in text and "third output 3" not in text


@pytest.mark.browser
def test_a_reader_sees_one_story_after_promote_and_the_stale_cell_alone(journal: JournalDir) -> None:
    """What Chromium shows (issue 17, must-show 3 and 4): the promoted page's code, output, provenance
    and one *page* run agree; of three cells, only the edited last one is marked stale."""
    from .test_browser import chromium, serve_folder

    assert journal.cli("run", "notes/story.md", "-p", "n=9", "--promote") == 0
    _edit(journal, "three", 'print("third output", a + b)', 'print("third output!", a * b)')
    build(journal, strict=False)
    promoted = runs(journal, "story")[-1]
    with serve_folder(journal.root / "site") as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}journal/story/", wait_until="load")
        story = page.locator("article").inner_text()
        assert story.index("n = 9") < story.index("result 63") and "result 21" not in story
        assert f"promoted from run {short(promoted)}" in story
        marked = page.locator(".lj-runs tr").filter(has=page.locator(".lj-run-page"))
        assert marked.count() == 1 and short(promoted) in marked.inner_text()
        page.goto(f"{base}journal/three/", wait_until="load")
        outputs = page.locator("article .lj-output").all_inner_texts()
        assert any("first output 1" in o for o in outputs) and any("second output 2" in o for o in outputs)
        assert not any("third output" in o for o in outputs)
        assert page.get_by_text("Stale: this cell's code").count() == 1
        assert page.get_by_text("Stale: this cell's code").first.is_visible()
