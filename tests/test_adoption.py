"""Notebooks people already have: copied into ``notes/`` unedited, helper modules beside them, every bad
note reported in one run, and ``execute: false`` notebooks published with the outputs they were saved with."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from labjournal.errors import NoteError, NoteErrors
from labjournal.execution.runner import ExecutorSettings
from labjournal.notes import IgnoreRules, discover, read_note
from labjournal.store import Store

from .conftest import JournalDir, code, note_text

SECRET = "tok-3f9a1c77e2b54d0a"


def notebook(*cells: Any, **metadata: Any) -> str:
    """An .ipynb as Jupyter writes it: ``"# ..."`` strings are Markdown cells, ``(source, printed)`` code cells
    with the output they were saved with."""
    nb = nbformat.v4.new_notebook()
    for cell in cells:
        if isinstance(cell, str):
            nb.cells.append(nbformat.v4.new_markdown_cell(cell))
        else:
            source, printed = cell
            outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)] if printed else []
            nb.cells.append(nbformat.v4.new_code_cell(source, outputs=outputs, execution_count=len(nb.cells)))
    nb.metadata.update(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": "3.11.4"},
            **metadata,
        }
    )
    return nbformat.writes(nb)


def error_lines(capsys: pytest.CaptureFixture) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


# --- adopting notebooks ------------------------------------------------------------------------------------------


def test_a_notebook_gives_its_title_by_its_first_heading_and_its_date_by_its_name(journal: JournalDir) -> None:
    journal.write(
        "2026/2026-03-01-something.ipynb",
        notebook("# Something learnt\n\nWhat I learnt.", ("print(6 * 7)", "42\n")),
    )
    (note,) = discover(journal.root / "notes")
    assert (note.id, note.meta.title, note.meta.date.isoformat()) == (
        "2026/2026-03-01-something",
        "Something learnt",
        "2026-03-01",
    )
    # the page shows the title as its heading: the notebook's own is left out, the rest of the cell stays
    assert [cell.source for cell in note.notebook.cells] == ["What I learnt.", "print(6 * 7)"]


def test_a_quarto_raw_cell_or_metadata_title_gives_title_and_date(journal: JournalDir) -> None:
    raw = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_raw_cell("---\ntitle: From Quarto\ndate: 2026-02-03\nexecute:\n  echo: false\n---"),
            nbformat.v4.new_markdown_cell("# A section heading"),
        ]
    )
    journal.write("quarto.ipynb", nbformat.writes(raw))
    journal.write("2026-02-04-meta.ipynb", notebook("Prose without a heading.", title="From metadata"))
    quarto, meta = discover(journal.root / "notes")
    assert (quarto.meta.title, quarto.meta.date.isoformat(), quarto.meta.execute) == ("From Quarto", "2026-02-03", True)
    assert [cell.cell_type for cell in quarto.notebook.cells] == ["markdown"]  # the raw YAML cell is no content
    assert "A section heading" in quarto.notebook.cells[0].source  # not the title: kept
    assert (meta.meta.title, meta.meta.date.isoformat()) == ("From metadata", "2026-02-04")


def test_jupytext_notes_without_labjournal_front_matter_are_adopted_too(journal: JournalDir) -> None:
    journal.write(
        "2026-03-05-percent.py",
        "# ---\n# jupyter:\n#   kernelspec:\n#     display_name: Python 3\n#     name: python3\n# ---\n\n"
        "# %% [markdown]\n# # A percent script\n\n# %%\nprint(1)\n",
    )
    journal.write("2026-03-06-bare.py", "# %% [markdown]\n# # No header at all\n\n# %%\nprint(2)\n")
    journal.write("2026-03-07-markdown.md", "# A Markdown notebook\n\nProse.\n\n" + code("print(3)"))
    titles = {note.id: (note.meta.title, note.meta.date.isoformat()) for note in discover(journal.root / "notes")}
    assert titles == {
        "2026-03-05-percent": ("A percent script", "2026-03-05"),
        "2026-03-06-bare": ("No header at all", "2026-03-06"),
        "2026-03-07-markdown": ("A Markdown notebook", "2026-03-07"),
    }


def test_labjournal_metadata_wins_over_what_the_notebook_says(journal: JournalDir) -> None:
    journal.write(
        "2026-03-01-x.ipynb",
        notebook("# Heading", labjournal={"title": "Chosen", "date": "2026-04-01"}, title="Other"),
    )
    (note,) = discover(journal.root / "notes")
    assert (note.meta.title, note.meta.date.isoformat()) == ("Chosen", "2026-04-01")
    assert note.notebook.cells[0].source == "# Heading"


def test_a_kernelspec_without_display_name_is_repaired_without_a_schema_dump(
    journal: JournalDir, caplog: pytest.LogCaptureFixture
) -> None:
    nb = json.loads(notebook("# Kernel", ("print(1)", "1\n")))
    nb["metadata"]["kernelspec"] = {"name": "python3"}
    for cell in nb["cells"]:
        del cell["id"]  # an nbformat 4.5 notebook without cell ids: repaired too, as Jupyter does
    path = journal.write("2026-03-01-kernel.ipynb", json.dumps(nb))
    with caplog.at_level(logging.DEBUG):
        note = read_note(path, journal.root / "notes")
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert note.notebook.metadata.kernelspec == {"name": "python3", "display_name": "Python 3"}
    nbformat.validate(note.notebook)
    nb["metadata"]["kernelspec"] = {"name": 5}
    path.write_text(json.dumps(nb))
    with pytest.raises(NoteError) as info:
        read_note(path, journal.root / "notes")
    assert "\n" not in str(info.value) and "metadata.kernelspec.name" in str(info.value)


@pytest.mark.site
@pytest.mark.kernel
def test_an_unedited_dated_notebook_builds(journal: JournalDir) -> None:
    journal.write(
        "2026/2026-03-01-something.ipynb",
        notebook("# Something learnt\n\nWhat I learnt.", ("print(6 * 7)", "42\n"), ("print('more')", "more\n")),
    )
    assert journal.cli("build") == 0
    entry = Store(journal.root / "store").load("2026/2026-03-01-something")
    assert entry is not None and (entry.provenance.origin, entry.provenance.status) == ("executed", "ok")
    page = journal.page("2026/2026-03-01-something")
    assert "Something learnt" in page and "What I learnt." in page and "42" in page
    assert page.count("<h1") == 1  # the notebook's heading is the page's title, not a second heading


# --- errors: the fix in the note's own syntax, every bad note in one run ------------------------------------------


def test_a_notebook_without_a_date_names_the_file_and_the_fix_in_notebook_metadata(
    journal: JournalDir, capsys: pytest.CaptureFixture
) -> None:
    journal.write("something.ipynb", notebook("# Something learnt", ("print(1)", "1\n")))
    capsys.readouterr()
    assert journal.cli("build") == 2
    (line,) = error_lines(capsys)
    assert line.startswith("error: ") and "something.ipynb:" in line
    assert '"metadata": {"labjournal": {"date": "YYYY-MM-DD"}}' in line and "YYYY-MM-DD-something.ipynb" in line
    assert not (journal.root / "site").exists()


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("a.md", "---\ndate: 2026-01-01\n---\nNo heading.\n", ["a.md:1: field 'title': missing", "'title: ...'"]),
        (
            "b.py",
            "# ---\n# title: B\n# ---\n\n# %%\nprint(1)\n",
            ["b.py:1: field 'date': missing", "'# date: YYYY-MM-DD'"],
        ),
        (
            "c.ipynb",
            notebook("No heading", labjournal={"date": "2026-01-01"}),
            ["c.ipynb:", "field 'title': missing", '"title": "..."', "'# Title'"],
        ),
        ("d.md", "---\ntitle: D\ndate: 2026-01-01\ndraft: maybe\n---\n", ["d.md:4: field 'draft'", "'draft: true'"]),
        ("e.py", "# ---\n# title: E\n# date: 2026-01-01\n# kind: diary\n# ---\n", ["e.py:4", "'# kind: daily'"]),
        (
            "f.ipynb",
            notebook(labjournal={"title": "F", "date": "2026-02-30"}),
            ["f.ipynb:", "not an ISO date", '\'"date": "YYYY-MM-DD"\''],
        ),
        ("g.md", "# G\n\nNo front matter.\n", ["g.md:1: no front matter, and no date in the file name", "'---'"]),
        ("h.py", "---\ntitle: H\ndate: 2026-01-01\n---\n", ["h.py:1", "'# ---'", "'# title: ...'"]),
    ],
)
def test_each_error_gives_its_fix_in_the_notes_own_syntax(
    journal: JournalDir, name: str, text: str, words: list[str]
) -> None:
    path = journal.write(name, text)
    with pytest.raises(NoteError) as info:
        read_note(path, journal.root / "notes")
    for word in words:
        assert word in str(info.value), str(info.value)


def test_three_bad_notes_give_three_errors_in_one_run(journal: JournalDir, capsys: pytest.CaptureFixture) -> None:
    journal.write("good.md", note_text("Good", "2026-01-01", "Fine.\n"))
    journal.write("no-title.md", "---\ndate: 2026-01-02\n---\n\nNo heading here.\n")
    journal.write("dashes.py", "---\ntitle: Dashes\ndate: 2026-01-03\n---\n\n# %%\nprint(1)\n")
    journal.write("undated.ipynb", notebook("# Undated", ("print(1)", "1\n")))
    with pytest.raises(NoteErrors) as info:
        discover(journal.root / "notes")
    assert [Path(error.path).name for error in info.value.errors] == ["dashes.py", "no-title.md", "undated.ipynb"]  # type: ignore[attr-defined]
    capsys.readouterr()
    assert journal.cli("build") == 2
    lines = error_lines(capsys)
    assert len(lines) == 3 and lines[0].startswith("error: ")
    for line, words in zip(
        lines,
        [["dashes.py:1", "'# ---'"], ["no-title.md:1", "field 'title'", "'title: ...'"], ["undated.ipynb:", '"date"']],
        strict=True,
    ):
        assert all(word in line for word in words), line
    assert not (journal.root / "site").exists()


def test_notes_that_would_share_a_url_are_reported_with_the_other_errors(journal: JournalDir) -> None:
    journal.write("x.md", note_text("X", "2026-01-01", "a"))
    journal.write("x.py", "# ---\n# title: X2\n# date: 2026-01-01\n# ---\n")
    journal.write("y.md", "---\ntitle: Y\n---\n")
    with pytest.raises(NoteErrors) as info:
        discover(journal.root / "notes")
    text = str(info.value)
    assert len(text.splitlines()) == 2 and "y.md:1: field 'date'" in text and "x.md and" in text


# --- helper modules under notes/ ---------------------------------------------------------------------------------


def test_a_helper_module_is_an_error_saying_how_to_keep_it(journal: JournalDir, capsys: pytest.CaptureFixture) -> None:
    journal.write("2026-03-01-note.md", note_text("Note", "2026-03-01", code("from utils import f\nprint(f())")))
    journal.write("utils.py", "def f():\n    return 1\n")
    journal.write("_private.py", "x = 1\n")  # a leading _ : never a note
    capsys.readouterr()
    assert journal.cli("status") == 2
    (line,) = error_lines(capsys)
    assert "utils.py:1" in line and "_utils.py" in line and ".labjournalignore" in line
    journal.write(".labjournalignore", "# helper modules\nutils.py\n")
    assert journal.cli("status") == 0
    assert [note.id for note in discover(journal.root / "notes")] == ["2026-03-01-note"]
    with pytest.raises(NoteError, match=r"labjournalignore lists it"):
        discover(journal.root / "notes", [journal.root / "notes" / "utils.py"])


@pytest.mark.parametrize(
    ("patterns", "ignored", "kept"),
    [
        (["utils.py"], ["utils.py", "2026/utils.py"], ["utils.pyc.md", "2026/my_utils.py"]),
        (["/utils.py"], ["utils.py"], ["2026/utils.py"]),
        (["*.py", "!2026-*.py"], ["a.py", "lib/b.py"], ["2026-01-01-x.py", "x.md"]),
        (["lib/"], ["lib/a.py", "2026/lib/b.py"], ["lib.py"]),
        (["2026/helpers/**"], ["2026/helpers/a.py", "2026/helpers/deep/b.py"], ["helpers/a.py"]),
        (["**/scratch/*.md"], ["scratch/a.md", "2026/scratch/b.md"], ["2026/scratch/deep/c.md"]),
        (["draft-[0-9].md"], ["draft-1.md"], ["draft-x.md"]),
    ],
)
def test_the_ignore_file_reads_gitignore_patterns(patterns: list[str], ignored: list[str], kept: list[str]) -> None:
    rules = IgnoreRules(patterns)
    assert [path for path in ignored if not rules.ignores(path)] == []
    assert [path for path in kept if rules.ignores(path)] == []


# --- execute: false ---------------------------------------------------------------------------------------------

SAVED = notebook(
    "# Trained on a GPU elsewhere\n\nHours of training, saved with its outputs.",
    ("import os\nprint('pid', os.getpid())", f"saved by the author, token {SECRET}\n"),
    ("print('accuracy')", "accuracy 0.93\n"),
    labjournal={"execute": False},
)
SAVED_ID = "2026/2026-03-02-trained"


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails the test if an executor is created or a kernel (or preload server) process is spawned."""
    created: list[str] = []

    def create(self: ExecutorSettings) -> Any:
        created.append(self.name)
        raise AssertionError("an executor was created for a note that is never executed")

    monkeypatch.setattr(ExecutorSettings, "create", create)
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    yield created
    spawned = []
    for proc in me.children(recursive=True):
        if proc.pid in before:
            continue
        try:
            cmdline = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        if "ipykernel" in cmdline or "preload" in cmdline:
            spawned.append(cmdline)
    assert spawned == [] and created == []


@pytest.mark.site
def test_an_execute_false_notebook_is_published_with_its_saved_outputs_and_never_run(
    journal: JournalDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_kernel: list[str]
) -> None:
    monkeypatch.setenv("LJ_ADOPTION_TOKEN", SECRET)
    path = journal.write(f"{SAVED_ID}.ipynb", SAVED)
    assert journal.cli("build") == 0
    entry = Store(journal.root / "store").load(SAVED_ID)
    assert entry is not None
    prov = entry.provenance
    assert (prov.origin, prov.status, prov.saved) == ("saved", "ok", True)
    assert prov.finished[:4].isdigit() and prov.versions == {"python": "3.11.4"}
    stored = json.dumps(entry.notebook)
    assert "saved by the author" in stored and "accuracy 0.93" in stored and SECRET not in stored
    page = journal.page(SAVED_ID)
    assert "saved by the author" in page and "accuracy 0.93" in page and SECRET not in page

    # nothing changed: a second run does nothing (the entry is not even rewritten)
    before = journal.tree_digest("store")
    assert journal.cli("run") == 0
    assert journal.cli("run", "--force") == 0  # --force re-imports at most: never runs it
    assert journal.tree_digest("store") == before

    # CI publishes it like any entry, without executing anything
    ci = journal.copy_to(tmp_path / "ci")
    assert ci.cli("build", "--no-execute", "--strict") == 0
    assert "accuracy 0.93" in ci.page(SAVED_ID)

    # re-saved with new code and outputs: stale, re-imported from the file
    path.write_text(SAVED.replace("accuracy 0.93", "accuracy 0.97").replace("print('accuracy')", "print('acc')"))
    assert journal.cli("run") == 0
    entry = Store(journal.root / "store").load(SAVED_ID)
    assert entry is not None and "accuracy 0.97" in json.dumps(entry.notebook)


def test_saved_outputs_take_the_time_the_notebook_records(journal: JournalDir, no_kernel: list[str]) -> None:
    nb = json.loads(SAVED)
    nb["cells"][1]["metadata"]["execution"] = {"shell.execute_reply": "2026-03-02T10:11:12.5Z"}
    journal.write(f"{SAVED_ID}.ipynb", json.dumps(nb))
    assert journal.cli("run") == 0
    entry = Store(journal.root / "store").load(SAVED_ID)
    assert entry is not None and entry.provenance.finished == "2026-03-02T10:11:12+0000"


def test_an_execute_false_notebook_takes_no_parameters(journal: JournalDir, capsys: pytest.CaptureFixture) -> None:
    nb = json.loads(SAVED)
    nb["cells"][1]["metadata"]["tags"] = ["parameters"]
    nb["cells"][1]["source"] = "n = 1"
    journal.write(f"{SAVED_ID}.ipynb", json.dumps(nb))
    capsys.readouterr()
    assert journal.cli("run", f"notes/{SAVED_ID}.ipynb", "-p", "n=2") == 2
    (line,) = error_lines(capsys)
    assert "execute: false" in line and "-p" in line


def test_execute_false_in_a_text_note_is_an_error_with_the_fix(journal: JournalDir) -> None:
    path = journal.write("x.md", note_text("X", "2026-01-01", code("print(1)"), execute="false"))
    with pytest.raises(NoteError, match=r"x\.md:4: field 'execute'.*notebook \(\.ipynb\)"):
        read_note(path, journal.root / "notes")
