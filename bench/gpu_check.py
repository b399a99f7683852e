"""Per-note seconds on the GPU and on the CPU, as a Markdown table.

Runs the journal's notes (every note under notes/, or the paths given) once with ``--device cpu`` and
once with ``--device cuda``, forced, one at a time, in a temporary copy of the journal: the committed
store is never touched. Seconds are the time spent in cells (kernel start-up excluded), as stored in
each run's provenance. Notes whose front matter says ``device: cpu`` run on the CPU both times.

    python bench/gpu_check.py                  # needs a GPU visible to torch
    python bench/gpu_check.py --cpu-only       # smoke check on a CPU-only machine
    python bench/gpu_check.py notes/2024/2024-01-20-fastai-lesson-1.md
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from labjournal.api import Project, open_project
from labjournal.errors import LabjournalError
from labjournal.execution import CONFIG_FILE, ExecutorSettings, Report, RunRequest, run_notes
from labjournal.executors.devices import gpu_available

EXIT_FAILED = 1
EXIT_NO_GPU = 2


def copy_journal(project: Project, dest: Path) -> Project:
    """The journal's configuration and notes (with their data files) under ``dest``; no store."""
    shutil.copy2(project.config_file, dest / CONFIG_FILE)
    notes_root = project.journal.notes_root
    shutil.copytree(notes_root, dest / notes_root.relative_to(project.root))
    return open_project(dest)


def in_copy(paths: list[Path], journal: Project, copy: Project) -> list[Path]:
    """``paths`` (relative to the current folder) as the same files in the copy."""
    moved = []
    for path in paths:
        if not path.exists():
            raise SystemExit(f"error: {path}: no such note or folder")
        try:
            moved.append(copy.root / path.resolve().relative_to(journal.root))
        except ValueError:
            raise SystemExit(f"error: {path} is not inside the journal at {journal.root}") from None
    return moved


def run(project: Project, paths: list[Path], device: str, timeout: float | None) -> dict[str, Report]:
    """Run the notes forced, one at a time (timings free of contention), and report by note."""
    request = RunRequest(paths=paths, force=True, device=device, cell_timeout=timeout)
    reports = run_notes(project.journal, request, ExecutorSettings(name="local", jobs=1))
    return {report.note.rel: report for report in reports}


def cells_seconds(report: Report | None) -> float | None:
    if report is None or report.outcome is None or report.failed:
        return None
    return sum(report.outcome.cells_seconds)


def table(cpu: dict[str, Report], gpu: dict[str, Report]) -> str:
    """The Markdown table: one row per note, seconds in cells on each device and the speed-up."""
    lines = ["| note | CPU s | GPU s | speed-up | GPU run on | status |", "|---|---:|---:|---:|---|---|"]
    for name, cpu_report in cpu.items():
        gpu_report = gpu.get(name)
        cpu_s, gpu_s = cells_seconds(cpu_report), cells_seconds(gpu_report)
        speedup = f"{cpu_s / gpu_s:.1f}×" if cpu_s is not None and gpu_s else "–"
        ran_on = gpu_report.outcome.job.device if gpu_report and gpu_report.outcome else "–"
        statuses = [f"cpu {cpu_report.status}"] + ([f"gpu {gpu_report.status}"] if gpu_report else [])
        cells = [name, _seconds(cpu_s), _seconds(gpu_s), speedup, ran_on, ", ".join(statuses)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notes or folders (default: every note)")
    parser.add_argument("--cpu-only", action="store_true", help="run on the CPU only: a smoke check without a GPU")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="limit per cell")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    if not args.cpu_only and not gpu_available():
        print(
            "error: no GPU is visible to torch (torch.cuda.is_available() is false); run this on a machine "
            "with a CUDA GPU and CUDA torch, or pass --cpu-only for a smoke check",
            file=sys.stderr,
        )
        return EXIT_NO_GPU
    try:
        journal = open_project()
        with tempfile.TemporaryDirectory(prefix="labjournal-gpu-check-") as tmp:
            copy = copy_journal(journal, Path(tmp))
            paths = in_copy(args.paths, journal, copy)
            cpu = run(copy, paths, "cpu", args.timeout)
            gpu = {} if args.cpu_only else run(copy, paths, "cuda", args.timeout)
    except LabjournalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not args.cpu_only:
        import torch

        print(f"GPU: {torch.cuda.get_device_name(0)}\n")
    print(table(cpu, gpu))
    print("\nSeconds spent in cells (kernel start-up excluded); one note at a time.")
    failed = any(report.failed for report in (*cpu.values(), *gpu.values()))
    return EXIT_FAILED if failed else 0


if __name__ == "__main__":
    sys.exit(main())
