"""A rebuild where nothing changed imports none of the heavy libraries (README, Performance)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import JournalDir, code, note_text

HEAVY = ("papermill", "nbconvert", "nbformat", "jupytext", "jupyter_client", "matplotlib", "torch")
PROBE = """
import json, sys
from labjournal.cli import main
code = main(["-C", sys.argv[1], "build"])
print(json.dumps({"code": code, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""


@pytest.mark.site
@pytest.mark.kernel
def test_a_no_op_build_imports_no_heavy_library(journal: JournalDir) -> None:
    journal.write("2026/prose.md", note_text("Prose", "2026-01-01", "Only words.\n"))
    journal.write("2026/code.md", note_text("Code", "2026-01-02", code("print(6 * 7)")))
    # both builds in fresh processes: output handlers registered by other tests in this process
    # change the renderer's fingerprint (as they should), which would make the second build re-render
    first = subprocess.run([sys.executable, "-m", "labjournal.cli", "-C", str(journal.root), "build"], check=False)
    assert first.returncode == 0  # executes, renders, fills the caches
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(journal.root), *HEAVY], capture_output=True, text=True, check=True
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"code": 0, "loaded": []}, result.stderr
    assert "42" in journal.page("2026/code")
