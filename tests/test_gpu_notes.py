"""GPU notes on hosts without a GPU, and one GPU per note on hosts with several (real kernels)."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest

from labjournal.api import open_project
from labjournal.execution import plan
from labjournal.executors.local import LocalExecutor

from .conftest import JournalDir, code, note_text

pytestmark = pytest.mark.kernel


def test_a_cuda_note_on_a_cpu_host_needs_a_gpu_and_keeps_its_outputs(journal: JournalDir, capsys) -> None:
    path = journal.write("gpu.md", note_text("Trained on a GPU", "2026-04-01", code('print("stored loss 0.5")')))
    assert journal.cli("run") == 0  # made where it could run (here: the CPU), as a GPU runner would
    entry_before = (journal.root / "store/notes/gpu.ipynb").read_bytes()
    path.write_text(path.read_text().replace("date: 2026-04-01", "date: 2026-04-01\ndevice: cuda"))
    capsys.readouterr()
    assert journal.cli("run", "--force") == 0
    assert "needs GPU" in capsys.readouterr().out
    assert (journal.root / "store/notes/gpu.ipynb").read_bytes() == entry_before
    assert journal.cli("build", "--no-execute") == 0
    page = journal.page("gpu")
    assert "stored loss 0.5" in page and "Outputs from a run on cpu" in page
    assert "Outputs are stale" not in page and "This note failed" not in page


class TwoGpuExecutor(LocalExecutor):
    """The local pool on a host that reports two GPUs (this one has none; the notes do not use CUDA)."""

    def gpus(self) -> list[str]:
        return ["0", "1"]


def test_each_gpu_note_gets_a_gpu_of_its_own(journal: JournalDir) -> None:
    body = code(
        """
        import os, time
        start = time.time()
        time.sleep(1.5)
        print(json.dumps({"gpu": os.environ.get("CUDA_VISIBLE_DEVICES"), "start": start, "end": time.time()}))
        """.replace("import os, time", "import json, os, time")
    )
    for name in ("a", "b", "c"):
        journal.write(f"{name}.md", note_text(name, "2026-04-02", body))
    jr = open_project(journal.root).journal
    jobs = [replace(p.job, device="cuda", needs_gpu=True) for p in plan(jr.notes(), jr.store)]
    with TwoGpuExecutor(jobs=3, preload=False) as executor:
        outcomes = list(executor.map(jobs))
    runs = []
    for outcome in outcomes:
        assert outcome.ok, outcome.message
        text = outcome.notebook["cells"][0]["outputs"][0]["text"]
        runs.append(json.loads(text))
    assert sorted(run["gpu"] for run in runs) in (["0", "0", "1"], ["0", "1", "1"])
    for gpu in ("0", "1"):  # a GPU runs one note at a time
        spans = sorted((run["start"], run["end"]) for run in runs if run["gpu"] == gpu)
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))


@pytest.mark.site
def test_status_run_page_and_report_all_say_needs_gpu(journal: JournalDir, capsys) -> None:
    from labjournal.executors.devices import gpu_available

    if gpu_available():
        pytest.skip("this host has a GPU")
    journal.write("cuda-only.md", note_text("Needs CUDA", "2026-04-02", code("import torch"), device="cuda"))
    capsys.readouterr()
    assert journal.cli("status") == 0
    assert "needs GPU" in capsys.readouterr().out
    assert journal.cli("run") == 0  # nothing it could run: skipped, not failed
    assert "needs GPU" in capsys.readouterr().out
    assert journal.cli("build", "--no-execute") == 0
    page = journal.page("cuda-only")
    assert "Needs a GPU" in page and "not been executed" not in page
    report = (journal.root / "site/journal/report/index.html").read_text()
    table = report[report.index("<table") :]
    row = table[table.index("Needs CUDA") :].split("</tr>")[0]
    assert "needs GPU" in row
