"""The note model: discovery, front matter validation with file/line/field errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import nbformat
import pytest

from labjournal.errors import DuplicateNoteError, NoteError
from labjournal.notes import NoteFormat, discover, read_note, register_format, unregister_format

from .conftest import JournalDir, code, note_text


def test_reads_markdown_percent_and_myst_notes(journal: JournalDir) -> None:
    journal.write(
        "a.md", note_text("A", "2026-01-02", "Prose.\n\n" + code("x = 1", ["parameters"]), day=3, tags="[x, y]")
    )
    journal.write(
        "b.py",
        "# ---\n# title: B\n# date: 2026-01-03\n# kind: lecture\n# ---\n\n# %% [markdown]\n# Prose\n\n# %%\nprint(1)\n",
    )
    journal.write(
        "c.md",
        note_text(
            "C", "2026-01-04", "Prose\n\n```{code-cell} ipython3\n:tags: [parameters]\ny = 2\n```\n", seen="2025-12-31"
        ),
    )
    journal.write("_private/d.md", "not a note")
    journal.write(".hidden.md", "not a note")
    notes = discover(journal.root / "notes")
    assert [n.id for n in notes] == ["a", "b", "c"]
    a, b, c = notes
    assert a.meta.day == 3 and a.meta.tags == ("x", "y") and a.display_title == "Day 3: A"
    assert b.meta.kind == "lecture" and b.meta.date == dt.date(2026, 1, 3)
    assert [cell.cell_type for cell in b.notebook.cells] == ["markdown", "code"]
    assert "parameters" in c.code_cells[0].metadata.tags
    # MyST copies the front matter (YAML dates included) into the notebook: dropped, so it writes as JSON
    assert not {"title", "date", "seen"} & set(c.notebook.metadata)
    nbformat.validate(nbformat.reads(nbformat.writes(c.notebook), as_version=4))


@pytest.mark.parametrize(
    ("front", "line", "field", "words"),
    [
        ("title: T\ndate: 2026-13-01\n", 3, "date", "ISO date"),
        ("date: 2026-01-01\n", 1, "title", "missing"),
        ("title: T\ndate: 2026-01-01\nkind: diary\n", 4, "kind", "daily, lecture, meeting, note"),
        ("title: T\ndate: 2026-01-01\nday: three\n", 4, "day", "whole number"),
        ("title: T\ndate: 2026-01-01\ndraft: maybe\n", 4, "draft", "true or false"),
        ("title: T\ndate: 2026-01-01\ndevice: tpu\n", 4, "device", "cpu, cuda, any"),
        ("title: T\ndate: 2026-01-01\ntags: {a: 1}\n", 4, "tags", "list"),
    ],
)
def test_invalid_front_matter_names_file_line_and_field(
    journal: JournalDir, front: str, line: int, field: str, words: str
) -> None:
    path = journal.write("bad.md", f"---\n{front}---\n\ntext\n")
    with pytest.raises(NoteError) as info:
        read_note(path, journal.root / "notes")
    error = info.value
    assert (error.path, error.line, error.field) == (path, line, field)
    assert str(error).startswith(f"{path}:{line}: field '{field}'") and words in str(error)


def test_malformed_yaml_and_missing_front_matter(journal: JournalDir) -> None:
    broken = journal.write("broken.md", "---\ntitle: T\ndate: [2026\n---\n")
    with pytest.raises(NoteError, match=r"broken\.md:\d+: malformed YAML"):
        read_note(broken, journal.root / "notes")
    bare = journal.write("bare.md", "# no front matter\n")
    with pytest.raises(NoteError, match=r"bare\.md:1: no front matter"):
        read_note(bare, journal.root / "notes")


def test_non_utf8_and_invalid_notebook_json(journal: JournalDir) -> None:
    latin = journal.root / "notes" / "latin.md"
    latin.write_bytes("---\ntitle: caf\u00e9\ndate: 2026-01-01\n---\n".encode("latin-1"))
    with pytest.raises(NoteError, match=r"latin\.md:2: not UTF-8"):
        read_note(latin, journal.root / "notes")
    nb = journal.write("broken.ipynb", '{"cells": [')
    with pytest.raises(NoteError, match=r"broken\.ipynb.*invalid notebook JSON"):
        read_note(nb, journal.root / "notes")


def test_notes_that_would_share_a_url_are_an_error_naming_both(journal: JournalDir) -> None:
    journal.write("x.md", note_text("X", "2026-01-01", "a"))
    journal.write("x.py", "# ---\n# title: X2\n# date: 2026-01-01\n# ---\n")
    with pytest.raises(DuplicateNoteError) as info:
        discover(journal.root / "notes")
    assert "x.md" in str(info.value) and "x.py" in str(info.value)


def test_invalid_front_matter_exits_2_with_file_line_field(journal: JournalDir, capsys: pytest.CaptureFixture) -> None:
    journal.write("2026/bad.md", "---\ntitle: T\ndate: someday\n---\n")
    assert journal.cli("status") == 2
    err = capsys.readouterr().err
    assert "bad.md:3" in err and "field 'date'" in err and "YYYY-MM-DD" in err


def test_paths_outside_notes_are_refused(journal: JournalDir, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(note_text("O", "2026-01-01", "x"))
    with pytest.raises(NoteError, match="not under the notes folder"):
        discover(journal.root / "notes", [outside])


class PlainTextFormat(NoteFormat):
    """A tiny note format for the registry test: ``title`` and ``date`` lines, then prose."""

    name = "txt"
    suffixes = (".txt",)

    def read_metadata(self, path: Path, text: str) -> tuple[Any, dict[str, int], int, Any]:
        title, date, *_ = text.splitlines()
        return {"title": title, "date": date}, {"title": 1, "date": 2}, 1, None

    def read_cells(self, path: Path, text: str) -> Any:
        import nbformat

        prose = "\n".join(text.splitlines()[2:])
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(prose)])

    def write_front_matter(self, yaml_text: str) -> str:
        return yaml_text


def test_a_note_format_is_one_class_and_its_registration(tmp_path: Path) -> None:
    (tmp_path / "2026").mkdir()
    (tmp_path / "2026" / "plain.txt").write_text("A plain note\n2026-03-01\nJust words.\n")
    assert discover(tmp_path) == []  # not a note until a format reads .txt files
    fmt = PlainTextFormat()
    register_format(fmt)
    try:
        (note,) = discover(tmp_path)
        assert (note.id, note.meta.title, note.format) == ("2026/plain", "A plain note", fmt)
        assert [cell.source for cell in note.notebook.cells] == ["Just words."] and not note.has_code
    finally:
        unregister_format(fmt)
    assert discover(tmp_path) == []
