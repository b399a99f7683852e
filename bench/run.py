"""The benchmark of the whole pipeline: labjournal against mkdocs-jupyter and a plain mkdocs-material floor.

For each size N it generates a synthetic journal (``bench.generate``) and measures, as separate
processes, wall time and peak memory of:

- labjournal: cold run + build, no-op rebuild, prose edit + build, code edit + build, the site build
  alone (``--no-execute``) with a warm and a cold render cache, and the per-note execution overhead
  against plain ``python`` running the same code (with preloaded kernels on and off);
- mkdocs-jupyter (``execute: true``, in its own virtual environment ``bench/.venv-peer``) over
  py:percent copies of the same notes: cold build, no-op rebuild, prose edit, code edit;
- plain mkdocs-material over labjournal's rendered pages (Markdown and PNG files already there):
  the floor for any site generator.

Figures go to ``bench/results/n<N>.json``; ``bench/results/RESULTS.md`` is rewritten from every
``n*.json`` there. ``--profile`` writes pyinstrument reports of the no-op rebuild and the site build.

    python -m bench.run --sizes 20 100
    python -m bench.run --sizes 1000 --no-peer
    python -m bench.run --sizes 100 --profile
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
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

from bench.generate import edit_code, edit_prose, generate_journal

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PEER_VENV = REPO / "bench" / ".venv-peer"
PEER_EXTRA = ("mkdocs-jupyter==0.26.3", "ipykernel")  # 0.27 needs Python 3.12
PEER_SAME_AS_OURS = ("torch", "mkdocs", "mkdocs-material", "matplotlib", "jupytext")
# MPLBACKEND must stay unset for labjournal and mkdocs-jupyter: kernels inherit it, and Agg would swallow figures
ENV = {"NO_MKDOCS_2_WARNING": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
SAMPLE_SECONDS = 0.2
WORKER_NOTES = 20  # notes of the 1-vs-2 workers scenario (the first ones of the journal)

TOOLS = ("labjournal", "mkdocs-jupyter", "floor")
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


class Bench:
    """Runs the scenarios of one size in a work folder and collects their figures."""

    def __init__(self, size: int, work: Path, repeat: int, peer: bool, overhead_notes: int) -> None:
        self.size, self.work, self.repeat, self.peer = size, work, repeat, peer
        self.overhead_notes = overhead_notes
        self.log = work / f"n{size}.log"
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
        journal = self.work / f"labjournal-{self.size}"
        _fresh_copy(source, journal)
        notes = sorted((journal / "notes").rglob("*.md"))
        self.record("cold", "labjournal", self.run_ours(journal, ["build"]))
        for _ in range(self.repeat):
            self.record("noop", "labjournal", self.run_ours(journal, ["build"]))
        for rep in range(self.repeat):
            edit_prose(_pick(notes, rep), f"p{rep}")
            self.record("prose", "labjournal", self.run_ours(journal, ["build"]))
        for rep in range(self.repeat):
            edit_code(_pick(notes, rep + self.repeat), f"c{rep}")
            self.record("code", "labjournal", self.run_ours(journal, ["build"]))
        for _ in range(self.repeat):
            self.record("site_warm", "labjournal", self.run_ours(journal, ["build", "--no-execute"]))
        for _ in range(max(1, self.repeat - 1)):
            shutil.rmtree(journal / ".labjournal", ignore_errors=True)
            self.record("site_cold", "labjournal", self.run_ours(journal, ["build", "--no-execute"]))
        self.extra["site_sizes"] = {"labjournal": site_sizes(journal / "site", self.size)}
        return journal

    def overhead(self, journal: Path) -> None:
        """Per-note seconds of ``labjournal run --force -j 1`` against ``python`` on the same code."""
        notes = sorted((journal / "notes").rglob("*.md"))[: self.overhead_notes]
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

    def mkdocs_jupyter(self, source: Path) -> None:
        python = ensure_peer_venv(self.say)
        site = self.work / f"mkdocs-jupyter-{self.size}"
        notes = make_peer_journal(source, site)
        command = [str(python), "-m", "mkdocs", "build", "-q"]
        path_env = {"PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}", "VIRTUAL_ENV": str(PEER_VENV)}

        cache = site / ".cache" / "mkdocs-jupyter"

        def build(scenario: str) -> None:
            before = set(cache.glob("*.json")) if cache.exists() else set()
            sample = measure(command, site, self.log, env=path_env)
            sample.executed = len(set(cache.glob("*.json")) - before)  # its cache: one file per converted notebook
            self.record(scenario, "mkdocs-jupyter", sample)

        build("cold")
        reps = self.repeat
        for _ in range(reps):
            build("noop")
        for rep in range(reps):
            edit_prose(_pick(notes, rep), f"p{rep}")  # the last line is a Markdown comment
            build("prose")
        for rep in range(reps):
            edit_code(_pick(notes, rep + reps), f"c{rep}")
            build("code")
        self.extra.setdefault("site_sizes", {})["mkdocs-jupyter"] = site_sizes(site / "site", self.size)

    def floor(self, journal: Path) -> None:
        site = self.work / f"floor-{self.size}"
        make_floor_journal(journal, site)
        command = [sys.executable, "-m", "mkdocs", "build", "-q"]
        for _ in range(self.repeat):
            self.record("site_warm", "floor", measure(command, site, self.log))
        self.extra.setdefault("site_sizes", {})["floor"] = site_sizes(site / "site", self.size)
        self.paired(journal, site, command)

    def paired(self, journal: Path, floor_site: Path, floor_command: list[str]) -> None:
        """No-op rebuild and floor build taken in turns, and the median of their ratios.

        A shared machine's speed drifts by 2x within minutes; the best samples of two series taken
        minutes apart compare the drift as much as the builds. Each pair here is seconds apart.
        """
        ratios, ours, floor = [], [], []
        for _ in range(max(3, self.repeat)):
            ours.append(self.run_ours(journal, ["build"]).seconds)
            floor.append(measure(floor_command, floor_site, self.log).seconds)
            ratios.append(ours[-1] / floor[-1])
        self.extra["noop_vs_floor"] = {
            "ours_s": ours,
            "floor_s": floor,
            "ratios": [round(r, 3) for r in ratios],
            "median_ratio": round(statistics.median(ratios), 3),
        }
        self.say(f"no-op rebuild / floor, paired: {self.extra['noop_vs_floor']}")

    def run(self) -> dict[str, Any]:
        source = self.work / f"source-{self.size}"
        generate_journal(source, self.size)
        self.say(f"journal generated; load average {os.getloadavg()[0]:.2f}")
        started = time.perf_counter()
        journal = self.ours(source)
        self.floor(journal)
        if self.overhead_notes > 0:
            self.overhead(journal)
        self.workers(journal)
        ours_seconds = time.perf_counter() - started
        if self.peer:
            self.mkdocs_jupyter(source)
        return {
            "notes": self.size,
            "repeat": self.repeat,
            "peer": self.peer,
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


def _read_note(path: Path) -> Any:
    import jupytext

    notebook = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md")
    title = ""
    if notebook.cells and notebook.cells[0].cell_type == "raw" and notebook.cells[0].source.startswith("---"):
        header = notebook.cells.pop(0).source
        match = re.search(r'^title: "(.*)"$', header, re.M)
        title = match.group(1) if match else ""
    return notebook, title


def plain_script(note: Path) -> str:
    """The note's code cells as one script; figures are rendered to PNG as the inline backend does."""
    notebook, _ = _read_note(note)
    code = [cell.source.replace("plt.show()", "") for cell in notebook.cells if cell.cell_type == "code"]
    code.append(
        "import io\nfor number in plt.get_fignums():\n"
        "    plt.figure(number).savefig(io.BytesIO(), format='png', bbox_inches='tight')"
    )
    return "\n\n".join(code) + "\n"


PEER_YML = """\
site_name: {name}
site_url: https://example.github.io/labjournal-bench/
docs_dir: docs
theme:
  name: material
  features: [content.code.copy, navigation.tabs, navigation.sections, navigation.footer, navigation.indexes,
             search.suggest, search.highlight]
plugins:
  - search:
      lang: [en, ko]
  - tags
{plugin}
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight:
      anchor_linenums: true
  - pymdownx.inlinehilite
  - pymdownx.arithmatex:
      generic: true
extra_javascript: [javascripts/mathjax.js]
extra_css: [stylesheets/labjournal.css]
nav:
  - Home: index.md
  - Journal: journal/index.md
  - Tags: tags.md
not_in_nav: |
  /journal/**
"""

JUPYTER_PLUGIN = """\
  - mkdocs-jupyter:
      execute: true
      include: ["*.py"]
      kernel_name: python3
"""


def _listing(entries: list[tuple[str, str]]) -> str:
    lines = ["---", "title: Journal", "---", "", "# Journal", ""]
    lines += [f"- [{title}]({link})" for title, link in reversed(entries)]
    return "\n".join(lines) + "\n"


def _peer_docs(source: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    shutil.copytree(source / "docs", docs)
    return docs


def make_peer_journal(source: Path, dest: Path) -> list[Path]:
    """mkdocs-jupyter's site: py:percent copies of the notes (made with jupytext), a listing, the same theme."""
    import jupytext
    from nbformat.v4 import new_markdown_cell

    docs = _peer_docs(source, dest)
    config = PEER_YML.format(name="mkdocs-jupyter benchmark", plugin=JUPYTER_PLUGIN)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    entries, written = [], []
    for note in sorted((source / "notes").rglob("*.md")):
        notebook, title = _read_note(note)
        notebook.cells.insert(0, new_markdown_cell(f"# {title}"))
        rel = note.relative_to(source / "notes").with_suffix(".py")
        target = docs / "journal" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, target, fmt="py:percent")
        entries.append((title, rel.as_posix()))
        written.append(target)
    (docs / "journal" / "index.md").write_text(_listing(entries), encoding="utf-8")
    return written


def make_floor_journal(journal: Path, dest: Path) -> None:
    """Plain mkdocs-material over labjournal's rendered pages: Markdown and figures already made."""
    docs = _peer_docs(journal, dest)
    (dest / "mkdocs.yml").write_text(PEER_YML.format(name="mkdocs-material floor", plugin=""), encoding="utf-8")
    home = docs / "index.md"
    home.write_text(home.read_text(encoding="utf-8").replace("<!-- labjournal:recent -->", ""), encoding="utf-8")
    entries = []
    render = journal / ".labjournal" / "render"
    for page in sorted(render.rglob("index.md")):
        note_id = page.parent.parent.relative_to(render).as_posix()
        target = docs / "journal" / note_id
        target.mkdir(parents=True, exist_ok=True)
        for file in page.parent.iterdir():
            if file.name == "index.md" or file.suffix != ".md":
                shutil.copyfile(file, target / file.name)
        title = re.search(r"^title: (.*)$", page.read_text(encoding="utf-8"), re.M)
        entries.append((title.group(1).strip("'\"") if title else note_id, f"{note_id}/index.md"))
    (docs / "journal" / "index.md").write_text(_listing(entries), encoding="utf-8")


def ensure_peer_venv(say: Callable[[str], None]) -> Path:
    """bench/.venv-peer with mkdocs-jupyter and the same versions of what both sides use; kept between runs."""
    python = PEER_VENV / "bin" / "python"
    pins = [f"{name}=={version(name).split('+')[0]}" for name in PEER_SAME_AS_OURS]
    wanted = "\n".join([*pins, *PEER_EXTRA])
    marker = PEER_VENV / "bench-requirements.txt"
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return python
    say(f"installing the peer's virtual environment in {PEER_VENV.relative_to(REPO)} (once)")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    # torch first and alone: ``torch==2.13.0`` is the CPU build, which must not be replaced by a resolver
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run([str(python), "-m", "pip", "install", "-q", pins[0]], check=True, **quiet)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *pins, *PEER_EXTRA], check=True, **quiet)
    marker.write_text(wanted, encoding="utf-8")
    return python


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
    "| scenario | labjournal s | MB | run | mkdocs-jupyter s | MB | run | ours/peer | floor s | ours/floor |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
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
            f"{machine['load_after']:.1f} after{_yardstick(machine)}; samples per warm scenario: {run['repeat']}, "
            "per cold build: 1; "
            f"labjournal + floor took {run['labjournal_and_floor_seconds']} s, everything "
            f"{run['total_seconds']} s{_peer_origin(run)}.",
            "",
            *HEADER,
        ]
        scenarios = run["scenarios"]
        floor = scenarios["site_warm"].get("floor", {}).get("best_s")
        for key, label in SCENARIOS.items():
            ours = scenarios[key].get("labjournal", {})
            peer = scenarios[key].get("mkdocs-jupyter", {})
            lines.append(
                f"| {label} | {_fmt(ours.get('best_s'))} | {_fmt(ours.get('peak_mb'), 0)} | {_executed(ours)} "
                f"| {_fmt(peer.get('best_s'))} | {_fmt(peer.get('peak_mb'), 0)} | {_executed(peer) if peer else '-'} "
                f"| {_ratio(ours.get('best_s'), peer.get('best_s'))} | {_fmt(floor)} "
                f"| {_ratio(ours.get('best_s'), floor)} |"
            )
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


def torch_import_seconds(samples: int = 3) -> float:
    """A yardstick of this machine's speed right now: the best wall time of ``python -c "import torch"``.

    The issue's reference machine took about 1.3 s; shared machines drift by 2x within an hour.
    """
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append(time.perf_counter() - started)
    return round(min(times), 2)


def machine_info() -> dict[str, Any]:
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
        "versions": {name: version(name) for name in ("labjournal", *PEER_SAME_AS_OURS, "nbconvert", "papermill")},
        "load_before": os.getloadavg()[0],
        "import_torch_s_before": torch_import_seconds(),
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
    parser.add_argument("--repeat", type=int, default=3, help="samples of each cheap scenario (default: 3)")
    parser.add_argument(
        "--no-peer", action="store_true", help="skip mkdocs-jupyter; its last figures for that size are kept"
    )
    parser.add_argument(
        "--overhead-notes", type=int, default=6, help="notes in the per-note overhead scenario (0: skip it)"
    )
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "labjournal-bench",
                        help="where journals are generated and built (default: a folder in the temp dir)")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="write pyinstrument reports instead of timings")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        if args.profile:
            profile(size, args.work, print)
            continue
        machine = machine_info()
        bench = Bench(size, args.work, args.repeat, not args.no_peer, args.overhead_notes)
        run = bench.run()
        run["machine"] = {**machine, "load_after": os.getloadavg()[0], "import_torch_s_after": torch_import_seconds()}
        write_results(run)
        print(markdown_report([run]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
