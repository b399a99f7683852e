"""Per-note wall time of tiny torch notes: plain kernels vs preloaded (forked) kernels vs plain python.

Each note trains a tiny model for 50 steps and plots the loss (a PNG). Every row is a cold run in a
fresh process: its pool, its preload server and its kernels start from nothing, and the row's time
counts all of it. ``CPU`` is the CPU time of the run's whole process tree (pool workers, preload
server, kernels), less sensitive to a busy machine than wall time. ``own work`` is the CPU time
the note's code itself takes once ``torch`` and ``pyplot`` are imported (the median of what the
notes print; the first optimizer's lazy imports count as the note's work). ``server start`` is the
preload server's own CPU time (its imports, paid once per run). ``overhead`` is what each note
costs beyond its own work, in CPU seconds, the server's start-up left out: (CPU - server start) /
notes - own work. Pool start-up (spawned workers importing papermill) stays in.

    python bench/kernel_overhead.py                 # 10 notes, 1 and 2 workers
    python bench/kernel_overhead.py --notes 20 --workers 2 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MODES = ("plain kernel", "preloaded kernel", "plain python")

NOTE = """\
import time
import torch
import matplotlib.pyplot as plt
started = time.process_time()
torch.manual_seed({seed})
x = torch.randn(64, 8)
y = x @ torch.randn(8, 1)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
losses = []
for _ in range(50):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
plt.figure(figsize=(3, 2))
plt.plot(losses)
{show}
print("own", time.process_time() - started)
"""
SHOW_KERNEL = "plt.show()"  # the inline backend renders the PNG
SHOW_PYTHON = "import io\nplt.savefig(io.BytesIO(), format='png')"  # the same rendering without a kernel


def note_source(seed: int, python: bool) -> str:
    return NOTE.format(seed=seed, show=SHOW_PYTHON if python else SHOW_KERNEL)


def run_kernels(notes: int, workers: int, preload: bool, folder: Path) -> tuple[float, list[float], float]:
    """Wall seconds for the notes through LocalExecutor, each note's own work, the preload server's own CPU."""
    import nbformat
    import psutil

    from labjournal.executors import Job
    from labjournal.executors import preload as preloading
    from labjournal.executors.local import LocalExecutor

    jobs = []
    for i in range(notes):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(note_source(i, python=False))])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        jobs.append(Job(f"n{i}", dict(nb), {}, key=str(i), cwd=str(folder)))
    started = time.perf_counter()
    server = preloading.shared_server() if preload else None  # what LocalExecutor would start, started here
    with LocalExecutor(jobs=workers, preload=preload) as executor:
        outcomes = list(executor.map(jobs))
    wall = time.perf_counter() - started
    # the server's own CPU (its children, the kernels, not included): the imports, paid once per run
    server_cpu = sum(psutil.Process(server.pid).cpu_times()[:2]) if server else 0.0
    failed = [f"{o.job.note_id}: {o.message}" for o in outcomes if not o.ok]
    if failed:
        raise SystemExit("notes failed:\n" + "\n".join(failed))
    outputs = [out for o in outcomes for out in o.notebook["cells"][0]["outputs"] if "text" in out]
    own = [float(_own_line(out["text"])) for out in outputs]
    return wall, own, server_cpu


def run_python(notes: int, workers: int, folder: Path) -> tuple[float, list[float]]:
    env = {**os.environ, "MPLBACKEND": "Agg"}

    def one(i: int) -> float:
        done = subprocess.run(
            [sys.executable, "-c", note_source(i, python=True)], cwd=folder, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        return float(_own_line(done.stdout))

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        own = list(pool.map(one, range(notes)))
    return time.perf_counter() - started, own


def _own_line(text: str) -> str:
    return next(line.split()[1] for line in text.splitlines() if line.startswith("own "))


def measure(mode: str, notes: int, workers: int) -> dict[str, float]:
    """One cold run of ``mode``, in this process (called in a fresh one by :func:`main`)."""
    from labjournal.executors import preload

    cpu_before = _cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="kernel-overhead-") as tmp:
        folder = Path(tmp)
        if mode == "plain python":
            (wall, own), server_cpu = run_python(notes, workers, folder), 0.0
        else:
            wall, own, server_cpu = run_kernels(notes, workers, mode == "preloaded kernel", folder)
    preload.close_shared_servers()  # reaped, so its CPU time (and its kernels') is counted
    cpu = _cpu_seconds() - cpu_before
    return {"wall": wall, "cpu": cpu, "server": server_cpu, "own": statistics.median(own)}


def _cpu_seconds() -> float:
    """User + system time of this process and every descendant it (or they) waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10, help="how many notes (default 10)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="pool sizes (default: 1 2)")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES), metavar="MODE")
    parser.add_argument("--threads", type=int, help="OMP_NUM_THREADS for the notes (default: torch's own choice)")
    parser.add_argument("--measure", choices=MODES, help=argparse.SUPPRESS)  # one row, in a fresh process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.notes, args.workers[0])))
        return 0
    env = {**os.environ, **({"OMP_NUM_THREADS": str(args.threads)} if args.threads else {})}
    threads = f"OMP_NUM_THREADS={env.get('OMP_NUM_THREADS', 'unset')}"
    print(f"{args.notes} notes, {os.cpu_count()} CPUs, {threads}, load average {os.getloadavg()[0]:.1f} at the start\n")
    print("| mode | workers | wall s | wall s/note | CPU s/note | server start CPU s | own work s | overhead s/note |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for workers in args.workers:
        for mode in args.modes:
            command = [sys.executable, __file__, "--measure", mode, "--notes", str(args.notes)]
            command += ["--workers", str(workers)]
            done = subprocess.run(command, capture_output=True, text=True, env=env)
            if done.returncode:
                print(f"| {mode} | {workers} | failed: {done.stderr.strip().splitlines()[-1:]} | | | | | |")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            wall, cpu = row["wall"] / args.notes, row["cpu"] / args.notes
            overhead = (row["cpu"] - row["server"]) / args.notes - row["own"]
            cells = [mode, str(workers), f"{row['wall']:.1f}", f"{wall:.2f}", f"{cpu:.2f}", f"{row['server']:.1f}"]
            print("| " + " | ".join([*cells, f"{row['own']:.2f}", f"{overhead:.2f}"]) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
