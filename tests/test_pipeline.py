"""The spine end to end with real kernels and a real mkdocs build: notes -> papermill -> store -> site.

One journal is executed once per session; each test works on a copy of it, so the kernels start
once for the whole module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labjournal.api import open_project
from labjournal.execution import plan

from .conftest import JournalDir, code, note_text

pytestmark = pytest.mark.kernel

ALPHA = note_text(
    "Alpha",
    "2026-01-02",
    "The alpha note talks about lemurprose.\n\n"
    + code("n = 2", ["parameters"])
    + "\nMiddle prose.\n\n"
    + code('print("alpha result", n * 10)'),
    day=1,
    tags="[pytorch, basics]",
)
PLOT = note_text(
    "Plot",
    "2026-01-03",
    "A figure.\n\n"
    + code(
        """
        import matplotlib
        import matplotlib.pyplot as plt
        plt.figure(figsize=(2, 2))
        plt.plot([3, 1, 2])
        plt.show()
        print("final loss 0.125 ocelotoutput")
        """
    ),
    day=2,
)
BROKEN = note_text(
    "Broken",
    "2026-01-04",
    "This one fails.\n\n" + code('print("before the error")') + "\n" + code("1 / 0") + "\n" + code('print("never")'),
    day=3,
)

FEATURES = note_text(
    "Features",
    "2026-01-05",
    "Cell tags, HTML, declared data and the injected device.\n\n"
    + code('device = "unset"', ["parameters"])
    + code('print(f"device is {device}")')
    + code('print("hidden input output")', ["hide-input"])
    + code('print("folded output")', ["hide-output"])
    + code('print("removed cell secretword")', ["remove-cell"])
    + code('removedsource = "only output shown"\nprint(removedsource)', ["remove-input"])
    + code('raise ValueError("expected failure \\x1b[31mred\\x1b[0m")', ["raises-exception"])
    + code(
        "from IPython.display import HTML, display\n"
        "display(HTML(\"<table class='x'><tr><td>cellvalue</td></tr></table>\"))"
    )
    + code('print("data says", open("data.csv").read().strip())'),
    depends="[data.csv]",
)


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[JournalDir, int]:
    """A journal of three notes, executed and built once. Returns it and the exit code of `run`."""
    journal = JournalDir(tmp_path_factory.mktemp("executed") / "journal")
    journal.write("2026/alpha.md", ALPHA)
    journal.write("2026/plot.md", PLOT)
    journal.write("2026/broken.md", BROKEN)
    journal.write("2026/features.md", FEATURES)
    journal.write("2026/data.csv", "42\n")
    code_run = journal.cli("run", "--jobs", "2")
    assert journal.cli("build") == 1  # the broken note fails the run step; the site is still built
    return journal, code_run


@pytest.fixture
def copy(executed: tuple[JournalDir, int], tmp_path: Path) -> JournalDir:
    src, _ = executed
    return src.copy_to(tmp_path / "journal")


def _jobs(journal: JournalDir) -> list[str]:
    jr = open_project(journal.root).journal
    return [p.note.id for p in plan(jr.notes(), jr.store) if p.job is not None]


def test_first_run_stores_outputs_and_fails_for_the_broken_note(executed: tuple[JournalDir, int]) -> None:
    journal, code_run = executed
    assert code_run == 1
    store = journal.root / "store" / "notes" / "2026"
    assert sorted(p.name for p in store.iterdir()) == ["alpha.ipynb", "broken.ipynb", "features.ipynb", "plot.ipynb"]
    alpha = json.loads((store / "alpha.ipynb").read_text())
    meta = alpha["metadata"]["labjournal"]
    assert meta["status"] == "ok" and meta["key"] and meta["versions"]["python"]
    assert len(meta["cells_seconds"]) == 2 and meta["device"] == "cpu" and meta["finished"]
    broken = json.loads((store / "broken.ipynb").read_text())["metadata"]["labjournal"]
    assert broken["status"] == "error" and "ZeroDivisionError" in broken["message"]


def test_pages_show_outputs_figures_and_search_finds_prose_and_outputs(executed: tuple[JournalDir, int]) -> None:
    journal, _ = executed
    alpha = journal.page("2026/alpha")
    assert "lemurprose" in alpha and "alpha result 20" in alpha and "Day 1: Alpha" in alpha
    plot = journal.page("2026/plot")
    figures = sorted((journal.root / "site/journal/2026/plot").glob("*.png"))
    assert figures and all(f'src="{f.name}"' in plot for f in figures)
    assert figures[0].read_bytes().startswith(b"\x89PNG")
    index = (journal.root / "site/search/search_index.json").read_text()
    assert "lemurprose" in index and "ocelotoutput" in index
    assert (journal.root / "site/journal/2026/plot/plot.executed.ipynb").exists()
    assert (journal.root / "site/journal/2026/plot/plot.md").read_text() == PLOT
    report = (journal.root / "site/journal/report/index.html").read_text()
    assert "Broken" in report and "failed" in report


def test_a_failing_note_shows_its_traceback_and_the_others_still_render(executed: tuple[JournalDir, int]) -> None:
    journal, _ = executed
    page = journal.page("2026/broken")
    assert "ZeroDivisionError" in page and "before the error" in page
    assert "never" in page  # the code is shown ...
    stored = json.loads((journal.root / "store/notes/2026/broken.ipynb").read_text())
    last = [c for c in stored["cells"] if c["cell_type"] == "code"][-1]
    assert last["execution_count"] is None and last["outputs"] == []  # ... but it never ran
    assert "alpha result 20" in journal.page("2026/alpha")


def test_second_run_executes_nothing(copy: JournalDir, capsys: pytest.CaptureFixture) -> None:
    before = copy.tree_digest("store")
    assert _jobs(copy) == ["2026/broken"]  # only the failed note is retried
    capsys.readouterr()
    assert copy.cli("run", "notes/2026/alpha.md", "notes/2026/plot.md") == 0
    assert copy.tree_digest("store") == before
    printed = capsys.readouterr().out
    assert "2 notes fresh: stored results reused" in printed and "labjournal run" not in printed  # no table


def test_prose_edit_executes_nothing_and_the_page_shows_new_prose_with_old_outputs(copy: JournalDir) -> None:
    path = copy.root / "notes/2026/alpha.md"
    path.write_text(path.read_text().replace("Middle prose.", "Edited prose about capybaras."))
    before = copy.tree_digest("store")
    assert "2026/alpha" not in _jobs(copy)
    assert copy.cli("build", "--no-execute") == 0
    assert copy.tree_digest("store") == before
    page = copy.page("2026/alpha")
    assert "capybaras" in page and "Middle prose" not in page and "alpha result 20" in page


def test_code_edit_executes_exactly_that_note(copy: JournalDir) -> None:
    (copy.root / "notes/2026/broken.md").unlink()  # a failed note is retried on every run; leave it out
    (copy.root / "notes/2026/features.md").unlink()
    path = copy.root / "notes/2026/plot.md"
    path.write_text(path.read_text().replace("[3, 1, 2]", "[1, 2, 3]"))
    assert _jobs(copy) == ["2026/plot"]
    before = copy.tree_digest("store/notes")
    assert copy.cli("run") == 0
    after = copy.tree_digest("store/notes")
    assert {name for name in after if before.get(name) != after[name]} == {"store/notes/2026/plot.ipynb"}


def test_stale_outputs_are_not_shown(copy: JournalDir) -> None:
    path = copy.root / "notes/2026/alpha.md"
    path.write_text(path.read_text().replace("n * 10", "n * 100"))
    assert copy.cli("build", "--no-execute") == 0
    page = copy.page("2026/alpha")
    assert "Outputs are stale" in page and "labjournal run notes/2026/alpha.md" in page
    assert "alpha result 20" not in page


def test_overrides_reach_the_note_but_leave_the_page_alone(copy: JournalDir, capsys: pytest.CaptureFixture) -> None:
    before = copy.tree_digest("store/notes")
    assert copy.cli("run", "notes/2026/alpha.md", "-p", "n=5") == 0
    assert "alpha result 50" in capsys.readouterr().out
    assert copy.tree_digest("store/notes") == before


def test_unknown_parameter_is_rejected_with_the_valid_names(copy: JournalDir, capsys: pytest.CaptureFixture) -> None:
    assert copy.cli("run", "notes/2026/alpha.md", "-p", "steps=5") == 2
    err = capsys.readouterr().err
    assert "unknown parameter steps" in err and "valid names: n" in err
    assert copy.cli("run", "notes/2026/alpha.md", "-p", "n") == 2
    assert "expected name=value" in capsys.readouterr().err


def test_run_and_build_never_modify_notes(copy: JournalDir) -> None:
    before = copy.tree_digest("notes")
    copy.cli("run", "--force", "notes/2026/alpha.md")
    copy.cli("build")
    assert copy.tree_digest("notes") == before


def test_strict_no_execute_build_fails_on_stale_outputs(copy: JournalDir, capsys: pytest.CaptureFixture) -> None:
    assert copy.cli("build", "--no-execute", "--strict") == 1
    assert "2026/broken.md: failed" in capsys.readouterr().err


def test_cell_tags_html_outputs_and_the_injected_device(executed: tuple[JournalDir, int]) -> None:
    journal, _ = executed
    meta = json.loads((journal.root / "store/notes/2026/features.ipynb").read_text())["metadata"]["labjournal"]
    assert meta["status"] == "ok"  # the raises-exception cell does not fail the run
    assert meta["parameters"] == {"device": "cpu"}
    page = journal.page("2026/features")
    assert "device is cpu" in page and "data says 42" in page
    assert "secretword" not in page  # remove-cell
    assert "removedsource" not in page and "only output shown" in page  # remove-input
    assert page.count("<details") >= 2 and "Show code" in page and "Show output" in page  # hide-input/-output
    assert "ValueError: expected failure red" in page and chr(27) not in page  # ANSI codes stripped
    assert "<td>cellvalue</td>" in page


def test_a_declared_data_file_joins_the_key(copy: JournalDir) -> None:
    assert "2026/features" not in _jobs(copy)
    (copy.root / "notes/2026/data.csv").write_text("43\n")
    assert "2026/features" in _jobs(copy)
