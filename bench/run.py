"""The benchmark of the whole pipeline: labjournal against mkdocs-jupyter and a plain mkdocs-material floor.

For each size N it generates a synthetic journal (``bench.generate``) and measures, as separate
processes, wall time and peak memory of:

- labjournal: cold run + build, no-op rebuild, prose edit + build, code edit + build, the site build
  alone (``--no-execute``) with a warm and a cold render cache; once per run (they do not depend on
  N), the per-note execution overhead against plain ``python`` running the same code (preloaded
  kernels on and off) and a cold run of 20 notes with 1 and 2 workers;
- mkdocs-jupyter (``execute: true``, in its own virtual environment ``bench/.venv-peer``) over
  py:percent copies of the same notes: no-op rebuild, prose edit, code edit, and its cold build,
  estimated from a cold build of the first notes unless ``--peer-cold-max`` asks for the real one
  (it executes the notes one by one: 10-24 minutes at 100 notes here); see ``bench.peers``;
- plain mkdocs-material over labjournal's rendered pages (Markdown and PNG files already there):
  the floor for any site generator, built in turns with labjournal's no-op rebuild.

Figures go to ``bench/results/n<N>.json``; ``bench/results/RESULTS.md`` is rewritten from every
``n*.json`` there. ``--profile`` writes pyinstrument reports of the no-op rebuild and the site build.

    python -m bench.run --sizes 20 100
    python -m bench.run --sizes 1000
    python -m bench.run --sizes 100 --profile
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

from bench.generate import REPO, edit_code, edit_prose, generate_journal, read_note
from bench.peers import (
    ensure_peer_venv,
    fill_cache,
    make_floor_journal,
    make_peer_journal,
    peer_env,
)

RESULTS = REPO / "bench" / "results"
# MPLBACKEND must stay unset for labjournal and mkdocs-jupyter: kernels inherit it, and Agg would swallow figures
ENV = {"NO_MKDOCS_2_WARNING": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
SAMPLE_SECONDS = 0.2
WORKER_NOTES = 20  # notes of the 1-vs-2 workers scenario (the first ones of the journal)

VERSIONS = ("labjournal", "torch", "matplotlib", "mkdocs", "mkdocs-material", "jupytext", "nbconvert", "papermill")
SCENARIOS = {
    "cold": "cold run + build",
    "noop": "no-op rebuild",
    "prose": "prose edit + build",
    "code": "code edit + build",
    "site_warm": "site build only, warm render cache",
    "site_cold": "site build only, cold render cache",
}


# -- measuring one command ----------------------------------------------------------------------


@dataclass
class Sample:
    """One measured command: wall seconds, peak memory of its process tree, exit code."""

    seconds: float
    peak_mb: float  # peak of the summed PSS of the process and all its descendants (sampled)
    max_rss_mb: float  # largest RSS of any single process of the tree (getrusage via wait4)
    rc: int
    load: float = 0.0  # 1-minute load average when the command started
    executed: int | None = None  # store entries written (labjournal only)


def _tree_pss(root: psutil.Process) -> int:
    total = 0
    for proc in (root, *root.children(recursive=True)):
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return total


def measure(command: Sequence[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> Sample:
    """Run ``command`` to its end; sample its process tree's memory while it runs."""
    full_env = {**os.environ, **ENV, **(env or {})}
    peak = 0
    done = threading.Event()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)

        def sample() -> None:
            nonlocal peak
            while not done.wait(SAMPLE_SECONDS):
                with contextlib.suppress(psutil.Error):
                    peak = max(peak, _tree_pss(root))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = round(usage.ru_maxrss / 1024, 1)
    return Sample(round(seconds, 3), round(peak / 2**20, 1), rss, proc.returncode, round(load, 2))


@dataclass
class Measured:
    """Every sample of one scenario for one tool."""

    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.samples) and all(s.rc == 0 for s in self.samples)

    def summary(self) -> dict[str, Any]:
        good = [s for s in self.samples if s.rc == 0] or self.samples
        seconds = [s.seconds for s in good]
        return {
            "best_s": min(seconds) if seconds else None,
            "median_s": round(statistics.median(seconds), 3) if seconds else None,
            "peak_mb": max(s.peak_mb for s in good) if good else None,
            "max_rss_mb": max(s.max_rss_mb for s in good) if good else None,
            "ok": self.ok,
            "note": self.note,
            "samples": [asdict(s) for s in self.samples],
        }


@dataclass
class Options:
    """What one benchmark run measures, from the command line."""

    repeat: int = 2  # samples of each cheap labjournal scenario and of the no-op/floor pairs
    peer: bool = True
    peer_repeat: int = 1  # samples of mkdocs-jupyter's edits (each executes a note in a new kernel)
    peer_cold_max: int = 0  # the largest size whose peer cold build is measured in full
    peer_sample: int = 4  # notes of the sample cold build that larger sizes' peer cold build is estimated from
    overhead_notes: int = 3


@dataclass
class Shared:
    """What one run measures once for all its sizes: neither depends on the size of the journal."""

    fixed_costs_done: bool = False  # the per-note overhead and the workers scenario
    peer_sample: tuple[Sample, Sample] | None = None  # mkdocs-jupyter's cold and no-op builds of the first notes


class Bench:
    """Runs the scenarios of one size in a work folder and collects their figures."""

    def __init__(self, size: int, work: Path, options: Options, shared: Shared | None = None) -> None:
        self.size, self.work, self.options = size, work, options
        self.shared = shared or Shared()
        self.log = work / f"n{size}.log"
        self.executed = work / f"executed-{size}"  # labjournal's store after the cold build
        self.results: dict[str, dict[str, Measured]] = {key: {} for key in SCENARIOS}
        self.extra: dict[str, Any] = {}

    def say(self, text: str) -> None:
        print(f"[n={self.size} {time.strftime('%H:%M:%S')}] {text}", flush=True)

    @staticmethod
    def labjournal(*arguments: str, preload: bool = True) -> list[str]:
        return [sys.executable, "-m", "labjournal.cli", *arguments, *([] if preload else ["--no-preload"])]

    def run_ours(self, journal: Path, arguments: Sequence[str], check: bool = True, preload: bool = True) -> Sample:
        before = _store_snapshot(journal)
        sample = measure(self.labjournal(*arguments, preload=preload), journal, self.log)
        after = _store_snapshot(journal)
        sample.executed = sum(1 for path, stamp in after.items() if before.get(path) != stamp)
        if check and sample.rc != 0:
            raise RuntimeError(f"labjournal {' '.join(arguments)} failed ({sample.rc}); see {self.log}")
        return sample

    def record(self, scenario: str, tool: str, sample: Sample) -> None:
        self.results[scenario].setdefault(tool, Measured()).samples.append(sample)
        extra = f", {sample.executed} executed" if sample.executed is not None else ""
        line = f"{tool:15} {SCENARIOS[scenario]:36} {sample.seconds:7.1f} s  {sample.peak_mb:6.0f} MB"
        self.say(f"{line}  load {sample.load:.1f}{extra}")

    # -- labjournal ----------------------------------------------------------------------------

    def ours(self, source: Path) -> Path:
        """Cold build, edits and site builds; the no-op rebuilds are taken in pairs with the floor."""
        journal = self.work / f"labjournal-{self.size}"
        _fresh_copy(source, journal)
        notes = sorted((journal / "notes").rglob("*.md"))
        self.record("cold", "labjournal", self.run_ours(journal, ["build"]))
        _fresh_copy(journal / "store" / "notes", self.executed)  # before any edit: the peer's cache comes from it
        for rep in range(self.options.repeat):
            edit_prose(_pick(notes, rep), f"p{rep}")
            self.record("prose", "labjournal", self.run_ours(journal, ["build"]))
        for rep in range(self.options.repeat):
            edit_code(_pick(notes, rep + self.options.repeat), f"c{rep}")
            self.record("code", "labjournal", self.run_ours(journal, ["build"]))
        for _ in range(self.options.repeat):
            self.record("site_warm", "labjournal", self.run_ours(journal, ["build", "--no-execute"]))
        shutil.rmtree(journal / ".labjournal", ignore_errors=True)
        self.record("site_cold", "labjournal", self.run_ours(journal, ["build", "--no-execute"]))
        self.extra["site_sizes"] = {"labjournal": site_sizes(journal / "site", self.size)}
        return journal

    def overhead(self, journal: Path) -> None:
        """Per-note seconds of ``labjournal run --force -j 1`` against ``python`` on the same code."""
        notes = sorted((journal / "notes").rglob("*.md"))[: self.options.overhead_notes]
        rel = [str(p.relative_to(journal)) for p in notes]
        figures: dict[str, Any] = {"notes": len(notes)}
        for preload in (True, False):
            name = "preload" if preload else "no_preload"
            sample = self.run_ours(journal, ["run", "--force", "-j", "1", *rel], preload=preload)
            jobs = [_provenance(journal, p) for p in notes]
            in_jobs = sum(p["seconds"] for p in jobs)
            figures[name] = {
                "wall_s": sample.seconds,
                "per_note_s": round(sample.seconds / len(notes), 3),
                "job_seconds_mean": _mean(p["seconds"] for p in jobs),
                "cell_seconds_mean": _mean(sum(p["cells_seconds"]) for p in jobs),
                "outside_jobs_s": round(sample.seconds - in_jobs, 3),
                "peak_mb": sample.peak_mb,
                # after the first job (which waits for the preload server's imports): the steady cost
                # of one more note beyond its own cells
                "steady_overhead_s": round(
                    statistics.median(p["seconds"] - sum(p["cells_seconds"]) for p in jobs[1:] or jobs), 3
                ),
            }
            self.say(f"overhead {name}: {figures[name]}")
        plain = self.work / f"plain-{self.size}"
        plain.mkdir(exist_ok=True)
        samples = []
        for note in notes:
            script = plain / (note.stem + ".py")
            script.write_text(plain_script(note), encoding="utf-8")
            samples.append(measure([sys.executable, script.name], plain, self.log, env={"MPLBACKEND": "Agg"}))
        if any(s.rc for s in samples):
            raise RuntimeError(f"a plain python script failed; see {self.log}")
        per_note = _mean(s.seconds for s in samples)
        figures["python"] = {"per_note_s": per_note, "peak_mb": max(s.peak_mb for s in samples)}
        for name in ("preload", "no_preload"):
            figures[name]["overhead_vs_python_s"] = round(figures[name]["job_seconds_mean"] - per_note, 3)
            figures[name]["ratio_vs_python"] = round(figures[name]["job_seconds_mean"] / per_note, 2)
        self.say(f"overhead python: {figures['python']}")
        self.extra["overhead"] = figures

    def workers(self, journal: Path) -> None:
        """Cold ``labjournal run --force`` of the first 20 notes with 1 and with 2 workers (no site build)."""
        notes = sorted((journal / "notes").rglob("*.md"))[:WORKER_NOTES]
        rel = [str(p.relative_to(journal)) for p in notes]
        figures: dict[str, Any] = {"notes": len(notes), "cpus": os.cpu_count()}
        for jobs in (1, 2):
            sample = self.run_ours(journal, ["run", "--force", "-j", str(jobs), *rel])
            figures[f"j{jobs}"] = {"wall_s": sample.seconds, "peak_mb": sample.peak_mb, "load": sample.load}
            self.say(f"workers -j {jobs}: {figures[f'j{jobs}']}")
        figures["speedup"] = round(figures["j1"]["wall_s"] / figures["j2"]["wall_s"], 2)
        self.extra["workers"] = figures

    # -- peers ---------------------------------------------------------------------------------

    def peer_build(self, python: Path, site: Path, scenario: str | None) -> Sample:
        """One ``mkdocs build`` of mkdocs-jupyter's site; recorded under ``scenario`` unless None."""
        cache = site / ".cache" / "mkdocs-jupyter"
        before = set(cache.glob("*.json")) if cache.exists() else set()
        sample = measure([str(python), "-m", "mkdocs", "build", "-q"], site, self.log, env=peer_env(python))
        sample.executed = len(set(cache.glob("*.json")) - before)  # its cache: one file per converted notebook
        if sample.rc != 0:
            raise RuntimeError(f"mkdocs-jupyter's build failed ({sample.rc}); see {self.log}")
        if scenario:
            self.record(scenario, "mkdocs-jupyter", sample)
        return sample

    def mkdocs_jupyter(self, source: Path) -> None:
        """mkdocs-jupyter's builds; above ``peer_cold_max`` notes its cold build is estimated, not run.

        Its cold build executes the notes one by one, 6-14 s each here: 10-24 minutes at 100 notes. Above
        the limit, the benchmark times a cold build of the first ``peer_sample`` notes instead, fills the
        full site's cache from labjournal's executed notebooks (``bench.peer_cache``) and times the warm
        builds for real; the cold figure is the no-op rebuild plus N times the sample's cost per note.
        Up to the limit the cold build runs in full, and the estimate is recorded beside it, to check it.
        """
        python = ensure_peer_venv(self.say)
        site = self.work / f"mkdocs-jupyter-{self.size}"
        notes = make_peer_journal(source, site)
        measured = self.peer_build(python, site, "cold") if self.size <= self.options.peer_cold_max else None
        if self.shared.peer_sample is None:  # the first notes are the same at every size: once per run
            self.shared.peer_sample = self.peer_sample_builds(python, source)
        if measured is None:
            started = time.perf_counter()
            fill_cache(python, site, self.executed, notes)
            seconds = time.perf_counter() - started
            self.say(f"mkdocs-jupyter's cache filled from labjournal's notebooks in {seconds:.0f} s")
        for _ in range(self.options.repeat):
            if self.peer_build(python, site, "noop").executed:
                raise RuntimeError(f"mkdocs-jupyter executed notes in a no-op rebuild of {site}; see {self.log}")
        self.estimate_peer_cold(*self.shared.peer_sample, measured=measured)
        for rep in range(self.options.peer_repeat):
            edit_prose(_pick(notes, rep), f"p{rep}")  # the last line is a Markdown comment
            self.peer_build(python, site, "prose")
        for rep in range(self.options.peer_repeat):
            edit_code(_pick(notes, rep + self.options.peer_repeat), f"c{rep}")
            self.peer_build(python, site, "code")
        self.extra.setdefault("site_sizes", {})["mkdocs-jupyter"] = site_sizes(site / "site", self.size)

    def peer_sample_builds(self, python: Path, source: Path) -> tuple[Sample, Sample]:
        """A cold build and a no-op rebuild of mkdocs-jupyter's site of the journal's first notes."""
        site = self.work / f"mkdocs-jupyter-first-{self.options.peer_sample}"
        make_peer_journal(source, site, limit=self.options.peer_sample)
        cold, noop = self.peer_build(python, site, None), self.peer_build(python, site, None)
        self.say(f"mkdocs-jupyter, first notes: cold {cold.seconds:.1f} s, no-op {noop.seconds:.1f} s")
        return cold, noop

    def estimate_peer_cold(self, cold: Sample, noop: Sample, measured: Sample | None = None) -> None:
        """The peer's cold build at this size: its no-op rebuild plus N times the sample's execution per note.

        With ``measured`` (the real cold build of this size) the estimate is only recorded beside it.
        """
        notes = self.options.peer_sample
        per_note = (cold.seconds - noop.seconds) / notes
        full_noop = min(self.results["noop"]["mkdocs-jupyter"].samples, key=lambda s: s.seconds)
        estimate = Sample(
            seconds=round(full_noop.seconds + self.size * per_note, 1),
            peak_mb=round(full_noop.peak_mb + max(0.0, cold.peak_mb - noop.peak_mb), 1),
            max_rss_mb=max(full_noop.max_rss_mb, cold.max_rss_mb),
            rc=0,
            load=cold.load,
            executed=self.size,
        )
        if measured is None:
            self.results["cold"]["mkdocs-jupyter"] = Measured([estimate], note="estimated")
        self.extra["peer_cold_estimate"] = {
            "estimate_s": estimate.seconds,
            "measured_s": measured.seconds if measured else None,
            "sample_notes": notes,
            "sample_cold_s": cold.seconds,
            "sample_noop_s": noop.seconds,
            "per_note_s": round(per_note, 3),
            "noop_s": full_noop.seconds,
            "sample_peak_mb": cold.peak_mb,
        }
        self.say(f"mkdocs-jupyter cold build estimated: {estimate.seconds:.0f} s ({per_note:.2f} s per note)")

    def floor(self, journal: Path) -> None:
        """The floor's site, then its builds taken in turns with labjournal's no-op rebuild."""
        site = self.work / f"floor-{self.size}"
        make_floor_journal(journal, site)
        command = [sys.executable, "-m", "mkdocs", "build", "-q"]
        self.paired(journal, site, command)
        self.extra.setdefault("site_sizes", {})["floor"] = site_sizes(site / "site", self.size)

    def paired(self, journal: Path, floor_site: Path, floor_command: list[str]) -> None:
        """No-op rebuild and floor build taken in turns, and the median of their ratios.

        A shared machine's speed drifts by 2x within minutes; the best samples of two series taken
        minutes apart compare the drift as much as the builds. Each pair here is seconds apart. The
        samples are also the no-op scenario's (labjournal) and the site build's (floor).
        """
        ratios, ours, floor = [], [], []
        for _ in range(max(3, self.options.repeat)):
            ours_sample = self.run_ours(journal, ["build"])
            floor_sample = measure(floor_command, floor_site, self.log)
            self.record("noop", "labjournal", ours_sample)
            self.record("site_warm", "floor", floor_sample)
            ours.append(ours_sample.seconds)
            floor.append(floor_sample.seconds)
            ratios.append(ours[-1] / floor[-1])
        self.extra["noop_vs_floor"] = {
            "ours_s": ours,
            "floor_s": floor,
            "ratios": [round(r, 3) for r in ratios],
            "median_ratio": round(statistics.median(ratios), 3),
        }
        self.say(f"no-op rebuild / floor, paired: median {self.extra['noop_vs_floor']['median_ratio']}")

    def run(self) -> dict[str, Any]:
        source = self.work / f"source-{self.size}"
        generate_journal(source, self.size)
        self.say(f"journal generated; load average {os.getloadavg()[0]:.2f}")
        started = time.perf_counter()
        journal = self.ours(source)
        self.floor(journal)
        if not self.shared.fixed_costs_done:
            if self.options.overhead_notes > 0:
                self.overhead(journal)
            self.workers(journal)
            self.shared.fixed_costs_done = True
        ours_seconds = time.perf_counter() - started
        if self.options.peer:
            self.mkdocs_jupyter(source)
        return {
            "notes": self.size,
            "repeat": self.options.repeat,
            "peer": self.options.peer,
            "peer_repeat": self.options.peer_repeat,
            "labjournal_and_floor_seconds": round(ours_seconds, 1),
            "total_seconds": round(time.perf_counter() - started, 1),
            "scenarios": {key: {tool: m.summary() for tool, m in tools.items()} for key, tools in self.results.items()},
            **self.extra,
        }


# -- journals for the peers -----------------------------------------------------------------------


def _fresh_copy(source: Path, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)


def _pick(notes: list[Path], rep: int) -> Path:
    """A different note for every repetition, spread over the journal."""
    return notes[(rep * 7919 + len(notes) // 2) % len(notes)]


def _store_snapshot(journal: Path) -> dict[str, int]:
    root = journal / "store" / "notes"
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*.ipynb")} if root.exists() else {}


def _provenance(journal: Path, note: Path) -> dict[str, Any]:
    rel = note.relative_to(journal / "notes").with_suffix(".ipynb")
    data = json.loads((journal / "store" / "notes" / rel).read_text(encoding="utf-8"))
    return data["metadata"]["labjournal"]


def _mean(values: Any) -> float:
    values = list(values)
    return round(statistics.fmean(values), 3) if values else 0.0


def plain_script(note: Path) -> str:
    """The note's code cells as one script; figures are rendered to PNG as the inline backend does."""
    notebook, _ = read_note(note)
    code = [cell.source.replace("plt.show()", "") for cell in notebook.cells if cell.cell_type == "code"]
    code.append(
        "import io\nfor number in plt.get_fignums():\n"
        "    plt.figure(number).savefig(io.BytesIO(), format='png', bbox_inches='tight')"
    )
    return "\n\n".join(code) + "\n"


# -- sizes of the site ------------------------------------------------------------------------------


def site_sizes(site: Path, notes: int) -> dict[str, float]:
    """Bytes per note of the whole site, of the search index, and of a note page's HTML."""
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    index = site / "search" / "search_index.json"
    pages = [p for p in (site / "journal").rglob("index.html") if p.parent.name.startswith(("19", "20"))]
    return {
        "site_bytes": total,
        "site_bytes_per_note": round(total / notes),
        "search_index_bytes_per_note": round(index.stat().st_size / notes) if index.exists() else 0,
        "html_bytes_per_note_page": round(_mean(p.stat().st_size for p in pages)) if pages else 0,
        "note_pages": len(pages),
    }


# -- the report --------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ratio(ours: float | None, other: float | None) -> str:
    return "-" if not ours or not other else f"{ours / other:.2f}"


def _executed(measured: dict[str, Any]) -> str:
    counts = sorted({s.get("executed") for s in measured.get("samples", [])} - {None})
    return "/".join(str(c) for c in counts) or "-"


HEADER = [
    "| scenario | labjournal s | MB | run | mkdocs-jupyter s | MB | run | ours/peer | floor s | MB | ours/floor |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]
INTRO = """\
# Benchmark results

Written by `python -m bench.run` (see `bench/README.md`). Seconds: the best of the repeated samples
(medians and every sample are in the JSON). MB: the peak summed PSS of the command's process tree.
*run*: notes executed by that build (labjournal: store entries written; mkdocs-jupyter:
notebooks converted, i.e. not served from its cache). *floor*: plain mkdocs-material over the
pre-rendered pages; it executes nothing and rebuilds everything, so its one figure is every build's.
"""


def _peer_origin(run: dict[str, Any]) -> str:
    if run["peer"]:
        return ""
    if "peer_machine" in run:
        peer = run["peer_machine"]
        return (
            f" (mkdocs-jupyter not run again: its figures are from {peer['date']}, load average "
            f"{peer['load_before']:.1f} before and {peer['load_after']:.1f} after)"
        )
    return " (mkdocs-jupyter not run)"


def markdown_report(runs: list[dict[str, Any]]) -> str:
    """RESULTS.md: one table of scenarios per size, then overhead and site sizes."""
    lines = [INTRO]
    for run in runs:
        machine = run["machine"]
        lines += [
            f"## {run['notes']} notes",
            "",
            f"{machine['date']}, labjournal at commit {machine['commit']}, {machine['cpus']} cores, "
            f"load average {machine['load_before']:.1f} before and "
            f"{machine['load_after']:.1f} after{_yardstick(machine)}; samples per warm scenario: {run['repeat']} "
            f"(mkdocs-jupyter's edits: {run.get('peer_repeat', run['repeat'])}), "
            "per cold build: 1; "
            f"labjournal + floor took {run['labjournal_and_floor_seconds']} s, everything "
            f"{run['total_seconds']} s{_peer_origin(run)}.",
            "",
            *HEADER,
        ]
        scenarios = run["scenarios"]
        floor_build = scenarios["site_warm"].get("floor", {})
        floor, floor_mb = floor_build.get("best_s"), floor_build.get("peak_mb")
        for key, label in SCENARIOS.items():
            ours = scenarios[key].get("labjournal", {})
            peer = scenarios[key].get("mkdocs-jupyter", {})
            about = "~" if peer.get("note") == "estimated" else ""
            lines.append(
                f"| {label} | {_fmt(ours.get('best_s'))} | {_fmt(ours.get('peak_mb'), 0)} | {_executed(ours)} "
                f"| {about}{_fmt(peer.get('best_s'))} | {about}{_fmt(peer.get('peak_mb'), 0)} "
                f"| {_executed(peer) if peer else '-'} "
                f"| {_ratio(ours.get('best_s'), peer.get('best_s'))} | {_fmt(floor)} | {_fmt(floor_mb, 0)} "
                f"| {_ratio(ours.get('best_s'), floor)} |"
            )
        lines += _estimate_lines(run.get("peer_cold_estimate"), run["notes"])
        lines += _paired_lines(run.get("noop_vs_floor"))
        lines += _overhead_lines(run.get("overhead")) + _workers_lines(run.get("workers"))
        lines += _size_lines(run.get("site_sizes", {}))
    return "\n".join(lines) + "\n"


def _yardstick(machine: dict[str, Any]) -> str:
    if "import_torch_s_before" not in machine:
        return ""
    before, after = machine["import_torch_s_before"], machine.get("import_torch_s_after")
    return f", `import torch` {before:.2f} s before and {after:.2f} s after (the issue's machine: 1.3 s)"


def _overhead_lines(figures: dict[str, Any] | None) -> list[str]:
    if not figures:
        return []
    python = figures["python"]["per_note_s"]
    lines = [
        "",
        f"Per-note execution: `labjournal run --force -j 1` over {figures['notes']} notes, one after another, against "
        f"`python` running each note's code as a script ({python:.2f} s per note, process start and imports "
        "included). *per note*: papermill's job (kernel start, execution, notebook out) from the store's "
        "provenance; *in cells*: the cells' own time; *outside jobs*: the command's wall time less its jobs "
        "(interpreter start, planning, store writes); *steady overhead*: the median of a job less its cells' "
        "time, first job left out (it waits for the preload server's imports): what one more note costs "
        "beyond its own work.",
        "",
        "| kernels | wall s | wall / notes s | per note s | in cells s | outside jobs s | steady overhead s "
        "| per note - python s | per note / python |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("preload", "no_preload"):
        f = figures[name]
        lines.append(
            f"| {name.replace('_', ' ')} | {f['wall_s']:.1f} | {f['per_note_s']:.2f} | {f['job_seconds_mean']:.2f} "
            f"| {f['cell_seconds_mean']:.2f} | {f['outside_jobs_s']:.1f} | {_fmt(f.get('steady_overhead_s'), 2)} "
            f"| {f['overhead_vs_python_s']:+.2f} | {f['ratio_vs_python']:.2f} |"
        )
    return lines


def _estimate_lines(figures: dict[str, Any] | None, notes: int) -> list[str]:
    if not figures:
        return []
    if figures.get("measured_s"):
        head = (
            f"mkdocs-jupyter's cold build of {notes} notes was run in full ({figures['measured_s']:.1f} s). "
            f"Where it is not run, the benchmark estimates it; here the estimate would be {figures['estimate_s']:.1f} s"
        )
    else:
        head = (
            f"~ mkdocs-jupyter's cold build of {notes} notes is estimated, not run (it executes the notes one by "
            "one; `--peer-cold-max` runs it)"
        )
    return [
        "",
        f"{head}: its no-op rebuild ({figures['noop_s']:.1f} s, its cache filled from "
        f"labjournal's executed notebooks) plus {notes} x {figures['per_note_s']:.2f} s, the cost per note of a "
        f"cold build of the first {figures['sample_notes']} notes ({figures['sample_cold_s']:.1f} s, no-op "
        f"{figures['sample_noop_s']:.1f} s). Memory: the no-op's plus the sample's kernel.",
    ]


def _paired_lines(figures: dict[str, Any] | None) -> list[str]:
    if not figures:
        return []
    pairs = ", ".join(f"{o:.1f}/{f:.1f}" for o, f in zip(figures["ours_s"], figures["floor_s"], strict=True))
    return [
        "",
        f"No-op rebuild against the floor, taken in turns (seconds, ours/floor): {pairs}; "
        f"median ratio **{figures['median_ratio']:.2f}** (range {min(figures['ratios']):.2f}-"
        f"{max(figures['ratios']):.2f}).",
    ]


def _workers_lines(figures: dict[str, Any] | None) -> list[str]:
    if not figures:
        return []
    one, two = figures["j1"], figures["j2"]
    return [
        "",
        f"Workers: `labjournal run --force -j 1` and `-j 2` over {figures['notes']} notes, cold (a new process, "
        f"its preload server started from nothing), no site build, on {figures['cpus']} cores.",
        "",
        "| workers | wall s | peak MB |",
        "| --- | ---: | ---: |",
        f"| 1 | {one['wall_s']:.1f} | {one['peak_mb']:.0f} |",
        f"| 2 | {two['wall_s']:.1f} | {two['peak_mb']:.0f} |",
        f"| speed-up | {figures['speedup']:.2f}x | |",
    ]


def _size_lines(sizes: dict[str, dict[str, float]]) -> list[str]:
    if not sizes:
        return []
    lines = ["", "| site | site bytes per note | search index bytes per note | HTML bytes per note page |",
             "| --- | ---: | ---: | ---: |"]  # fmt: skip
    for tool, s in sizes.items():
        lines.append(
            f"| {tool} | {s['site_bytes_per_note']:,} | {s['search_index_bytes_per_note']:,} | "
            f"{s['html_bytes_per_note_page']:,} |"
        )
    return [*lines, ""]


def torch_import_seconds(samples: int = 2) -> float:
    """A yardstick of this machine's speed right now: the best wall time of ``python -c "import torch"``.

    The issue's reference machine took about 1.3 s; shared machines drift by 2x within an hour.
    """
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append(time.perf_counter() - started)
    return round(min(times), 2)


def machine_info(import_torch_s: float | None = None) -> dict[str, Any]:
    """The machine and the code measured; ``import_torch_s``: a yardstick just taken (the last size's)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    # a shared working tree: say whether the measured code differs from the commit
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "labjournal", "executors"], cwd=REPO, capture_output=True, text=True
    )
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "commit": commit.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else ""),
        "versions": {name: version(name) for name in VERSIONS},
        "load_before": os.getloadavg()[0],
        "import_torch_s_before": import_torch_s if import_torch_s is not None else torch_import_seconds(),
    }


def _carry_peer(run: dict[str, Any], previous: Path) -> None:
    """With --no-peer, keep the mkdocs-jupyter figures of the last run of this size (they do not depend on us)."""
    if run["peer"] or not previous.exists():
        return
    old = json.loads(previous.read_text(encoding="utf-8"))
    peer = {key: tools["mkdocs-jupyter"] for key, tools in old["scenarios"].items() if "mkdocs-jupyter" in tools}
    if not peer:
        return
    for key, measured in peer.items():
        run["scenarios"][key]["mkdocs-jupyter"] = measured
    if "mkdocs-jupyter" in old.get("site_sizes", {}):
        run.setdefault("site_sizes", {})["mkdocs-jupyter"] = old["site_sizes"]["mkdocs-jupyter"]
    machine = old.get("peer_machine") or old["machine"]
    run["peer_machine"] = {k: machine[k] for k in ("date", "load_before", "load_after")}


def write_results(run: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    _carry_peer(run, RESULTS / f"n{run['notes']}.json")
    text = json.dumps(run, indent=1, sort_keys=True)
    for private in (str(REPO), str(Path.home()), tempfile.gettempdir()):
        text = text.replace(private, "<path>")
    (RESULTS / f"n{run['notes']}.json").write_text(text + "\n", encoding="utf-8")
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob("n*.json")]
    report = markdown_report(sorted(runs, key=lambda r: r["notes"]))
    (RESULTS / "RESULTS.md").write_text(report, encoding="utf-8")


# -- profiles ----------------------------------------------------------------------------------------


def profile(size: int, work: Path, say: Callable[[str], None]) -> None:
    """pyinstrument reports of the no-op rebuild (both halves) and of the site build, warm and cold cache."""
    journal = work / f"labjournal-{size}"
    log = work / f"profile-{size}.log"
    if not (journal / "store").exists():
        generate_journal(work / f"source-{size}", size)
        _fresh_copy(work / f"source-{size}", journal)
        measure([sys.executable, "-m", "labjournal.cli", "build"], journal, log)
    runs = {
        "noop-run": ["-m", "labjournal.cli", "run"],
        "site-warm": ["-m", "mkdocs", "build", "-q"],
        "site-cold": ["-m", "mkdocs", "build", "-q"],
    }
    commit = machine_info()["commit"]
    for name, arguments in runs.items():
        if name == "site-warm":  # renders of older labjournal code are not this code's cache
            measure([sys.executable, "-m", "mkdocs", "build", "-q"], journal, log)
        if name == "site-cold":
            shutil.rmtree(journal / ".labjournal", ignore_errors=True)
        session = work / f"profile-{name}.pyisession"
        command = [sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(session), *arguments]
        sample = measure(command, journal, log)
        text = profile_report(session, f"{' '.join(arguments[1:])} at {size} notes ({name}), commit {commit}")
        for private in (str(journal), str(REPO), sys.prefix, str(Path.home()), tempfile.gettempdir()):
            text = text.replace(private, "<path>")
        (RESULTS / f"profile-n{size}-{name}.txt").write_text(text, encoding="utf-8")
        say(f"profile {name}: {sample.seconds:.1f} s (rc {sample.rc})")


def profile_report(path: Path, title: str, top: int = 40) -> str:
    """The call tree of a pyinstrument session, then the functions that take the most time (self and total)."""
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    session = Session.load(path)
    parts = [f"# {title}", ConsoleRenderer(unicode=False, color=False).render(session)]
    for mode in ("self", "total"):
        flat = ConsoleRenderer(unicode=False, color=False, flat=True, flat_time=mode).render(session)
        parts += [f"# top {top} functions by {mode} time", "\n".join(flat.splitlines()[: top + 8])]
    return "\n\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The benchmark of labjournal's whole pipeline, with peers.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100], help="numbers of notes (default: 20 100)")
    defaults = Options()
    parser.add_argument(
        "--repeat", type=int, default=defaults.repeat, help="samples of each cheap scenario (default: %(default)s)"
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="skip mkdocs-jupyter; its last figures for that size are kept"
    )
    parser.add_argument(
        "--peer-repeat",
        type=int,
        default=defaults.peer_repeat,
        help="samples of mkdocs-jupyter's edits (default: %(default)s)",
    )
    parser.add_argument(
        "--peer-cold-max",
        type=int,
        default=defaults.peer_cold_max,
        help="largest size whose mkdocs-jupyter cold build runs in full; above, it is estimated (default: %(default)s)",
    )
    parser.add_argument(
        "--peer-sample",
        type=int,
        default=defaults.peer_sample,
        help="notes of the sample cold build behind that estimate (default: %(default)s)",
    )
    parser.add_argument(
        "--overhead-notes",
        type=int,
        default=defaults.overhead_notes,
        help="notes in the per-note overhead scenario (0: skip it; default: %(default)s)",
    )
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "labjournal-bench",
                        help="where journals are generated and built (default: a folder in the temp dir)")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="write pyinstrument reports instead of timings")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    options = Options(
        repeat=args.repeat,
        peer=not args.no_peer,
        peer_repeat=args.peer_repeat,
        peer_cold_max=args.peer_cold_max,
        peer_sample=args.peer_sample,
        overhead_notes=args.overhead_notes,
    )
    started, shared, yardstick = time.perf_counter(), Shared(), None
    for size in args.sizes:
        if args.profile:
            profile(size, args.work, print)
            continue
        machine = machine_info(yardstick)
        run = Bench(size, args.work, options, shared).run()
        yardstick = torch_import_seconds()
        run["machine"] = {**machine, "load_after": os.getloadavg()[0], "import_torch_s_after": yardstick}
        write_results(run)
        print(markdown_report([run]))
    print(f"benchmark finished in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
