"""The benchmark's own assumptions: journals that share their first notes, and the peer's cache filled faithfully."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from bench.generate import generate_journal
from bench.peer_cache import with_outputs
from bench.run import Measured, Sample, markdown_report


def test_the_first_notes_of_a_journal_are_the_same_at_every_size(tmp_path: Path) -> None:
    # mkdocs-jupyter's sample cold build is measured once per run and used at every size
    small = generate_journal(tmp_path / "small", 2)
    large = generate_journal(tmp_path / "large", 4)
    assert [p.read_bytes() for p in small] == [p.read_bytes() for p in large[:2]]
    assert large[2].read_bytes() != large[0].read_bytes()


def _executed(sources: list[str]) -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: an injected-parameters cell, then the note's cells, with outputs."""
    injected = new_code_cell('# Parameters\ndevice = "cpu"\n', execution_count=2)
    injected.metadata["tags"] = ["injected-parameters"]
    cells = [new_code_cell(sources[0], execution_count=1), injected]
    for count, source in enumerate(sources[1:], start=3):
        output = new_output("stream", name="stdout", text=f"ran {count}\n")
        cells.append(new_code_cell(source, execution_count=count, outputs=[output]))
    return new_notebook(cells=[new_markdown_cell("Prose."), *cells])


def test_the_peer_cache_takes_the_outputs_labjournal_stored(tmp_path: Path) -> None:
    source = tmp_path / "note.py"
    source.write_text(
        '# %% [markdown]\n# Prose.\n\n# %% tags=["parameters"]\ndevice = "cpu"\n\n# %%\nprint(1)\n\n# %%\nprint(2)\n',
        encoding="utf-8",
    )
    executed = tmp_path / "note.ipynb"
    nbformat.write(_executed(['device = "cpu"', "print(1)", "print(2)"]), executed)

    notebook = with_outputs(source, executed)

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == [1, 2, 3]  # as a kernel running only these cells counts
    assert [[o["text"] for o in cell.outputs] for cell in code] == [[], ["ran 3\n"], ["ran 4\n"]]


def test_the_peer_cache_refuses_a_notebook_of_other_code(tmp_path: Path) -> None:
    source = tmp_path / "note.py"
    source.write_text("# %%\nprint(1)\n", encoding="utf-8")
    executed = tmp_path / "note.ipynb"
    nbformat.write(_executed(['device = "cpu"', "print(2)"]), executed)
    with pytest.raises(SystemExit, match="code cells differ"):
        with_outputs(source, executed)


def test_an_estimated_peer_figure_is_marked_and_explained() -> None:
    def summary(seconds: float, note: str = "") -> dict:
        return Measured([Sample(seconds, 100.0, 90.0, 0, executed=0)], note=note).summary()

    run = {
        "notes": 100,
        "repeat": 3,
        "peer": True,
        "labjournal_and_floor_seconds": 1.0,
        "total_seconds": 2.0,
        "machine": {"date": "today", "commit": "abc", "cpus": 2, "load_before": 0.5, "load_after": 0.5},
        "scenarios": {
            "cold": {"labjournal": summary(40.0), "mkdocs-jupyter": summary(600.0, "estimated")},
            "noop": {"labjournal": summary(4.0), "mkdocs-jupyter": summary(5.0)},
            "prose": {},
            "code": {},
            "site_warm": {"floor": summary(3.0)},
            "site_cold": {},
        },
        "peer_cold_estimate": {
            "sample_notes": 5,
            "sample_cold_s": 31.0,
            "sample_noop_s": 2.0,
            "per_note_s": 5.8,
            "noop_s": 5.0,
        },
    }
    report = markdown_report([run])
    assert "| cold run + build | 40.0 | 100 | 0 | ~600.0 | ~100 | 0 | 0.07 | 3.0 | 100 | 13.33 |" in report
    assert "| no-op rebuild | 4.0 | 100 | 0 | 5.0 | 100 |" in report
    assert "plus 100 x 5.80 s" in report


def test_a_peer_cold_build_run_in_full_is_shown_with_the_estimate_beside_it() -> None:
    from bench.run import _estimate_lines

    figures = {"estimate_s": 190.0, "measured_s": 201.5, "noop_s": 2.4, "per_note_s": 9.4}
    figures |= {"sample_notes": 4, "sample_cold_s": 40.0, "sample_noop_s": 2.4}
    text = " ".join(_estimate_lines(figures, 20))
    assert "was run in full (201.5 s)" in text and "the estimate would be 190.0 s" in text
    assert not text.lstrip().startswith("~")
