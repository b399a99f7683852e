"""Experiments: recorded metrics, run records, overrides, --promote, sweeps, `runs`, Runs section, MLflow."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from labjournal.store import RunLog, RunRecord

from .conftest import JournalDir, code, note_text

pytestmark = pytest.mark.kernel

FIT = note_text(
    "Fit",
    "2026-02-01",
    "Gradient descent on a parabola.\n\n"
    + code("lr = 0.1\nsteps = 5\nseed = 0\nnap = 0.0", ["parameters"])
    + code(
        """
        import time
        import labjournal
        time.sleep(nap)
        w = 3.0
        for step in range(steps):
            w -= lr * 2 * w
            labjournal.record("loss", w * w, step=step)
        labjournal.record("final_w", w)
        print(f"fitted w = {w:.4f}")
        """
    ),
)
OTHER = note_text(
    "Other",
    "2026-02-03",
    "Another note that records a loss.\n\n" + code('import labjournal\nlabjournal.record("loss", 0.25)'),
)


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> JournalDir:
    journal = JournalDir(tmp_path_factory.mktemp("experiments") / "journal")
    journal.write("2026/fit.md", FIT)
    journal.write("2026/other.md", OTHER)
    assert journal.cli("run", "--jobs", "2") == 0
    return journal


@pytest.fixture
def journal(base: JournalDir, tmp_path: Path) -> JournalDir:
    return base.copy_to(tmp_path / "journal")


def records(journal: JournalDir, note: str = "2026/fit") -> list[RunRecord]:
    return RunLog(journal.root / "store" / "runs").list(note)


def test_recorded_values_come_back_with_their_steps(journal: JournalDir) -> None:
    (run,) = records(journal)
    assert run.canonical and run.status == "ok" and run.parameters == {"lr": 0.1, "steps": 5, "seed": 0, "nap": 0.0}
    assert run.metrics["loss"]["steps"] == [0, 1, 2, 3, 4]
    assert run.metrics["loss"]["values"][-1] == pytest.approx((3.0 * 0.8**5) ** 2)
    assert run.metrics["final_w"]["values"] == [pytest.approx(3.0 * 0.8**5)]
    assert run.code_hash and run.versions["python"] and run.device == "cpu"
    entry = json.loads((journal.root / "store/notes/2026/fit.ipynb").read_text())
    assert entry["metadata"]["labjournal"]["overrides"] == {}


def test_an_override_run_adds_a_record_and_leaves_the_page_alone(journal: JournalDir, capsys) -> None:
    before = journal.tree_digest("store/notes")
    assert journal.cli("run", "notes/2026/fit.md", "-p", "lr=0.3") == 0
    out = capsys.readouterr().out
    assert "fitted w = " + f"{3.0 * 0.4**5:.4f}" in out and "loss:" in out
    assert journal.tree_digest("store/notes") == before
    runs = records(journal)
    assert len(runs) == 2 and runs[1].overrides == {"lr": 0.3} and not runs[1].canonical
    assert runs[1].parameters["lr"] == 0.3 and runs[1].parameters["steps"] == 5


def test_promote_replaces_the_page_outputs(journal: JournalDir) -> None:
    assert journal.cli("run", "notes/2026/fit.md", "-p", "lr=0.3", "--promote") == 0
    entry = json.loads((journal.root / "store/notes/2026/fit.ipynb").read_text())
    assert entry["metadata"]["labjournal"]["overrides"] == {"lr": 0.3}
    assert journal.cli("build", "--no-execute", "--strict") == 0  # the promoted result counts as fresh
    assert f"fitted w = {3.0 * 0.4**5:.4f}" in journal.page("2026/fit")


def test_a_sweep_records_every_combination_executed_in_parallel(journal: JournalDir) -> None:
    assert journal.cli("run", "notes/2026/fit.md", "--sweep", "lr=0.01,0.2,0.4", "-p", "nap=1.5", "-j", "3") == 0
    sweep = [r for r in records(journal) if not r.canonical]
    assert sorted(r.parameters["lr"] for r in sweep) == [0.01, 0.2, 0.4]
    spans = [
        (
            dt.datetime.fromisoformat(r.finished).timestamp() - r.seconds,
            dt.datetime.fromisoformat(r.finished).timestamp(),
        )
        for r in sweep
    ]
    # run one after another, three 1.5 s naps could not overlap; in parallel they all do
    latest_start, earliest_end = max(s for s, _ in spans), min(e for _, e in spans)
    assert latest_start < earliest_end


def test_runs_table_sorts_by_a_metric_and_compares_two_runs(journal: JournalDir, capsys) -> None:
    journal.cli("run", "notes/2026/fit.md", "--sweep", "lr=0.05,0.4", "-j", "2")
    capsys.readouterr()
    assert journal.cli("runs", "notes/2026/fit.md", "--sort", "loss") == 0
    table = capsys.readouterr().out
    rows = [line for line in table.splitlines() if "│" in line and "run" not in line.split("│")[1]]
    lrs = [float(line.split("│")[2]) for line in rows if line.split("│")[2].strip()]
    assert lrs == [0.4, 0.1, 0.05]  # ascending final loss: the largest step size converges fastest
    runs = records(journal)
    fast, slow = (next(r for r in runs if r.parameters["lr"] == lr) for lr in (0.4, 0.05))
    assert journal.cli("runs", "notes/2026/fit.md", "--compare", fast.id, slow.id) == 0
    compare = capsys.readouterr().out
    lr_row = next(line for line in compare.splitlines() if "parameter lr" in line)
    assert "0.4" in lr_row and "0.05" in lr_row and "*" in lr_row
    steps_row = next(line for line in compare.splitlines() if "parameter steps" in line)
    assert "*" not in steps_row
    assert "*" in next(line for line in compare.splitlines() if "metric loss" in line)
    assert journal.cli("runs", "notes/2026/fit.md", "--sort", "nonesuch") == 2


def test_the_page_shows_the_runs_table_and_a_chart_and_the_metrics_page(journal: JournalDir) -> None:
    journal.cli("run", "notes/2026/fit.md", "--sweep", "lr=0.05,0.4", "-j", "2")
    assert journal.cli("build", "--no-execute", "--strict") == 0
    page = journal.page("2026/fit")
    runs = page[page.index('id="runs"') :]
    assert "0.05" in runs and "0.4" in runs and "<th>loss</th>" in runs
    chart = journal.root / "site/journal/2026/fit/runs-loss.svg"
    assert 'src="runs-loss.svg"' in runs and chart.read_text().lstrip().startswith("<?xml")
    assert "<svg" in chart.read_text() and "lr=0.05" in chart.read_text()
    metrics = (journal.root / "site/journal/metrics/index.html").read_text()
    assert "loss by date" in metrics and 'href="../2026/fit/"' in metrics and 'href="../2026/other/"' in metrics


def test_mlflow_store_holds_the_runs_params_and_metrics(journal: JournalDir) -> None:
    mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    uri = (journal.root / "mlruns").as_uri()
    assert journal.cli("run", "notes/2026/fit.md", "-p", "lr=0.2", "--mlflow", uri) == 0
    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("labjournal/2026/fit")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.data.params["lr"] == "0.2" and run.data.params["steps"] == "5"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    assert history[-1].value == pytest.approx((3.0 * 0.6**5) ** 2)


NOISY = note_text(
    "Noisy",
    "2026-02-05",
    "A seeded random walk.\n\n"
    + code("seed = 0\nsteps = 5", ["parameters"])
    + code(
        """
        import random
        import labjournal
        random.seed(seed)
        position = 0.0
        for step in range(steps):
            position += random.gauss(0, 1)
            labjournal.record("position", position, step=step)
        """
    ),
)


def test_same_code_parameters_and_seed_give_the_same_metrics(journal: JournalDir) -> None:
    journal.write("2026/noisy.md", NOISY)
    for seed in ("3", "3", "4"):
        assert journal.cli("run", "notes/2026/noisy.md", "-p", f"seed={seed}") == 0
    first, second, other = records(journal, "2026/noisy")
    assert first.code_hash == second.code_hash == other.code_hash and first.parameters == second.parameters
    assert first.metrics == second.metrics and first.metrics != other.metrics
    assert first.versions == second.versions and first.device == second.device  # what explains a difference
