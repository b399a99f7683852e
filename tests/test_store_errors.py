"""A store that cannot be written ends the command with one line naming the path, exit code 2,
nothing half-written, and no run record claiming a result that was not stored (real kernels)."""

from __future__ import annotations

import pytest

from labjournal.errors import StoreWriteError
from labjournal.store import atomic_write

from .conftest import JournalDir, code, note_text

NOTE = note_text("Stored", "2026-02-01", code('print("computed")'))


def test_atomic_write_names_the_path_and_leaves_nothing_behind(tmp_path) -> None:
    taken = tmp_path / "entry.ipynb"
    taken.mkdir()  # a folder where the file should go: the rename fails, as on a read-only store
    with pytest.raises(StoreWriteError) as caught:
        atomic_write(taken, "{}")
    assert str(taken) in str(caught.value) and "nothing was stored" in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["entry.ipynb"]  # no temporary file left


@pytest.mark.kernel
def test_an_unwritable_entry_ends_the_run_with_one_line_and_exit_code_2(journal: JournalDir, capsys) -> None:
    journal.write("stored.md", NOTE)
    entry = journal.root / "store" / "notes" / "stored.ipynb"
    entry.mkdir(parents=True)
    capsys.readouterr()
    assert journal.cli("run") == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(entry) in errors[0] and "cannot write" in errors[0], err
    assert "Traceback" not in err
    runs = journal.root / "store" / "runs"
    assert not runs.exists() or not any(runs.rglob("*.json"))  # no record of a result that was not stored
    leftovers = [p for p in (journal.root / "store").rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers and entry.is_dir() and not any(entry.iterdir())
    assert journal.cli("status") == 0  # the journal is still readable: the note was never stored
    assert "stale" in capsys.readouterr().out  # an entry path that is not a valid entry
