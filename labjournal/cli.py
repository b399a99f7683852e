"""The ``labjournal`` command. Thin: parses arguments, calls the modules that do the work, prints."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .errors import LabjournalError, UsageError
from .journal import Journal
from .notes import KINDS

if TYPE_CHECKING:
    from .executors import Executor

console = Console(stderr=True)
out = Console()

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}': give a positive number of seconds")
    return value


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter of the note's 'parameters' cell (typed as papermill types it)",
    )
    parser.add_argument("--force", action="store_true", help="execute even notes whose stored outputs are fresh")
    parser.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS", help="limit per cell")
    parser.add_argument(
        "--note-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="limit per note, kernel start included (the note fails with 'note timeout')",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="if another run or build holds the journal, exit at once (code 1) instead of waiting",
    )
    parser.add_argument("--executor", default=None, help="where notes run (default from mkdocs.yml: local)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="notes run at once (default: number of cores)")
    parser.add_argument(
        "--preload",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fork kernels from a server that imported torch & co. once (default from mkdocs.yml, else the executor's)",
    )
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="device injected into notes that declare a 'device' parameter")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labjournal", description="A learning journal whose notes execute.")
    parser.add_argument("--version", action="version", version=f"labjournal {__version__}")
    parser.add_argument("-C", "--directory", type=Path, default=None, help="run as if started in this folder")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute stale notes and keep their outputs in the store")
    run.add_argument("paths", nargs="*", type=Path, help="notes or folders (default: every note)")
    _add_run_options(run)
    run.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="run the grid of these values (repeat for more parameters), in parallel",
    )
    run.add_argument(
        "--promote",
        action="store_true",
        help="with -p: this run's outputs replace the page's (default: only a run record)",
    )
    run.add_argument(
        "--mlflow",
        nargs="?",
        const="file:.labjournal/mlruns",
        default=None,
        metavar="URI",
        help="also log each run's parameters and metrics to MLflow (default store: %(const)s)",
    )

    build = sub.add_parser("build", help="run stale notes, then build the site")
    build.add_argument("--no-execute", action="store_true", help="build from the store only; execute nothing")
    build.add_argument("--strict", action="store_true", help="fail on warnings and on missing or stale outputs")
    build.add_argument("-d", "--site-dir", default=None, help="where to write the site")
    _add_run_options(build)

    serve = sub.add_parser("serve", help="live preview; watches notes/ and the store (drafts shown)")
    serve.add_argument("-a", "--dev-addr", default=None, help="IP:PORT to serve on")

    sub.add_parser("status", help="the state of every note: fresh, stale, failed, never run, needs GPU")

    new = sub.add_parser("new", help="start an entry from notes/_templates/<kind>.md with the next Day number")
    new.add_argument("--kind", choices=KINDS, default="daily")
    new.add_argument("--title")
    new.add_argument("--date", metavar="YYYY-MM-DD", help="default: today")
    new.add_argument("--series")
    new.add_argument("--tag", action="append", default=[], dest="tags")
    new.add_argument("--video", help="lecture video URL")
    new.add_argument("--slug", help="file name after the date (refused if taken)")

    imp = sub.add_parser("import", help="a lecture's subtitles (.vtt/.srt) -> a lecture note")
    imp.add_argument("file", type=Path)
    imp.add_argument("--title", required=True)
    imp.add_argument("--video", help="video URL: each paragraph's timestamp links to that second")
    imp.add_argument("--date", metavar="YYYY-MM-DD")
    imp.add_argument("--series")
    imp.add_argument("--tag", action="append", dest="tags")

    runs = sub.add_parser("runs", help="the runs of a note: parameters, final metrics, status, seconds, device")
    runs.add_argument("note", type=Path)
    runs.add_argument("--sort", metavar="METRIC", help="order by the final value of METRIC (ascending)")
    runs.add_argument("--desc", action="store_true", help="with --sort: largest first")
    runs.add_argument("--compare", nargs=2, metavar="ID", help="two runs side by side: parameters and metrics")
    return parser


def _journal(args: argparse.Namespace) -> Journal:
    return Journal.find(args.directory)


def _executor(journal: Journal, args: argparse.Namespace):
    from .executors import get_executor

    settings = journal.settings
    name = args.executor or settings.executor
    options: dict[str, Any] = {}  # given only when set: a third-party backend need not know them
    preload = args.preload if args.preload is not None else settings.preload
    if preload is not None:
        options["preload"] = preload
    if settings.preload_modules is not None:
        options["preload_modules"] = settings.preload_modules
    return get_executor(name)(jobs=args.jobs or settings.jobs, **options)


def _check_executor(journal: Journal, args: argparse.Namespace) -> None:
    """An unknown executor is an error even when there is nothing to run (its module is imported only to run)."""
    from .executors import check_name

    check_name(args.executor or journal.settings.executor)


@contextlib.contextmanager
def _locked(journal: Journal, args: argparse.Namespace, command: str) -> Iterator[None]:
    """Hold the journal's lock (see ``labjournal.lock``): wait for another run, or fail with --no-wait."""
    from .lock import JournalLock

    lock = JournalLock(journal.cache, command)
    lock.acquire(wait=not args.no_wait, on_wait=lambda text: console.print(f"[yellow]{escape(text)}[/]"))
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _stop_on_interrupt(executor: Executor) -> Iterator[None]:
    """Ctrl-C stops the executor's workers at once, then unwinds (finished results are committed).

    Without this a local pool would wait for its running notes before the interrupt got through.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        executor.abort()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_run(args: argparse.Namespace) -> int:
    journal = _journal(args)
    with _locked(journal, args, "labjournal run"):
        return _run(journal, args, start_early=True)


def _run(journal: Journal, args: argparse.Namespace, *, start_early: bool = False) -> int:
    """Plan and execute. ``start_early``: the backend gets ready while we plan (``labjournal run``
    is there to execute; a build that finds nothing stale should start nothing)."""
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(_executor(journal, args)) if start_early else None
        if executor is not None:
            executor.start()
        return _plan_and_execute(journal, args, stack, executor)


def _plan_and_execute(
    journal: Journal, args: argparse.Namespace, stack: contextlib.ExitStack, executor: Executor | None
) -> int:
    from .execute import Planned, Report, plan, run_notes
    from .params import parse_overrides
    from .runs import sweep_grid

    overrides = parse_overrides(args.parameter)
    base = args.directory or Path.cwd()  # -C: paths are relative to that folder, as with git -C
    notes = journal.notes([base / path for path in getattr(args, "paths", None) or []])
    planned = plan(
        notes,
        journal.store,
        overrides,
        force=args.force,
        device=args.device,
        cell_timeout=args.timeout,
        note_timeout=args.note_timeout,
        sweep=sweep_grid(getattr(args, "sweep", [])),
        promote=getattr(args, "promote", False),
    )
    to_run = sum(1 for p in planned if p.job is not None)
    _check_executor(journal, args)
    if not to_run:  # nothing to execute: no executor, no kernels, no progress display
        reports = run_notes(planned, journal.store, None)
        journal.save_caches()
        _print_summary(reports)
        return 0
    executor = executor or stack.enter_context(_executor(journal, args))
    with (
        _stop_on_interrupt(executor),
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,  # fmt: skip
    ):
        task = progress.add_task("executing notes", total=to_run)

        def started(item: Planned) -> None:
            progress.console.print(f"[dim]queued[/] {item.note.rel}")

        def done(report: Report) -> None:
            if report.action == "executed":
                progress.advance(task)
                colour = "green" if not report.failed else "red"
                progress.console.print(f"[{colour}]{report.status}[/] {report.note.rel} ({report.seconds:.1f} s)")

        reports = run_notes(planned, journal.store, executor, on_start=started, on_done=done)
    journal.save_caches()
    _print_summary(reports)
    for report in reports:
        if report.failed:
            line = f"[red]{report.note.rel}[/]: {report.status}: {escape(report.message)}"
            console.print(line, soft_wrap=True)  # one line per failure, whatever the terminal's width
        elif report.outcome is not None and report.planned is not None and not report.planned.canonical:
            overrides = " ".join(f"{k}={v}" for k, v in report.planned.overrides.items())
            console.print(f"[yellow]{report.note.rel}[/] ({escape(overrides)}): recorded as run {report.run_id}; "
                          "the page keeps the default run's outputs (--promote replaces them)")  # fmt: skip
            _print_text_outputs(report)
    if getattr(args, "mlflow", None):
        from .mlflow_log import log_runs

        logged = log_runs(args.mlflow, journal.store.root / "runs", [r for r in reports if r.run_id])
        console.print(f"logged {logged} run(s) to MLflow at {args.mlflow}")
    return EXIT_FAILED if any(r.failed for r in reports) else 0


def _print_summary(reports) -> None:
    """A row per note that ran or could not; the notes whose stored results were reused, counted.

    (A journal of a thousand entries should not print a thousand rows on every build.)
    """
    listed = [report for report in reports if report.action != "reused"]
    reused = len(reports) - len(listed)
    if reused:
        out.print(f"{reused} note{'s' if reused != 1 else ''} fresh: stored results reused", highlight=False)
    if not listed:
        return
    table = Table(title="labjournal run")
    for column in ("note", "parameters", "status", "seconds", "executed or skipped"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for report in listed:
        seconds = f"{report.seconds:.1f}" if report.action == "executed" else ""
        overrides = report.planned.overrides if report.planned else {}
        parameters = " ".join(f"{k}={v}" for k, v in overrides.items()) or "defaults"
        style = "red" if report.failed else None
        table.add_row(report.note.rel, parameters, report.status, seconds, report.action, style=style)
    out.print(table)


def _print_text_outputs(report) -> None:
    """What an experiment run printed, and its final metrics (the page does not show this run)."""
    notebook = report.outcome.notebook or {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
            elif output.get("output_type") == "execute_result":
                text = output.get("data", {}).get("text/plain", "") + "\n"
            else:
                continue
            out.print(text if isinstance(text, str) else "".join(text), end="", markup=False, highlight=False)
    from .runs import metrics_of

    for name, series in metrics_of(notebook).items():
        out.print(f"{name}: {series['values'][-1]:.6g} (final of {len(series['values'])})", highlight=False)


def cmd_status(args: argparse.Namespace) -> int:
    journal = _journal(args)
    table = Table(title="labjournal status")
    for column in ("note", "state", "last run", "seconds", "device"):
        table.add_column(column)
    for note in journal.notes():
        status = journal.status(note)
        prov = status.entry.provenance if status.entry else None
        table.add_row(
            note.rel,
            str(status.state),
            prov.finished.replace("T", " ")[:16] if prov else "",
            f"{prov.seconds:.1f}" if prov else "",
            prov.device if prov else "",
        )
    out.print(table)
    journal.save_caches()
    return 0


def _mkdocs(journal: Journal, *arguments: str) -> int:
    """The ``mkdocs`` command in its own process (``serve``: it runs until stopped)."""
    command = [sys.executable, "-m", "mkdocs", *arguments, "-f", str(journal.root / "mkdocs.yml")]
    # mkdocs-material prints a banner about MkDocs 2 on every build; labjournal pins mkdocs<2
    env = {**os.environ, "NO_MKDOCS_2_WARNING": os.environ.get("NO_MKDOCS_2_WARNING", "1")}
    return subprocess.call(command, cwd=journal.root, env=env)


def cmd_build(args: argparse.Namespace) -> int:
    journal = _journal(args)
    with _locked(journal, args, "labjournal build"):
        return _build(journal, args)


def _build(journal: Journal, args: argparse.Namespace) -> int:
    failed = False
    if not args.no_execute:
        run_args = argparse.Namespace(**{**vars(args), "paths": []})
        failed = _run(journal, run_args, start_early=journal.store.is_empty()) != 0
    else:
        notes = journal.notes()  # a bad note stops here (exit code 2), before the site is touched
        problems = [
            f"{s.note.rel}: {s.state}"
            for s in map(journal.status, notes if args.strict else [])
            if not s.note.meta.draft and s.state.value != "fresh"
        ]
        if problems:
            console.print("[red]stored outputs are missing or stale; run `labjournal run` first:[/]")
            for line in problems:
                console.print(f"  {line}")
            return EXIT_FAILED
    code = _mkdocs_build(journal, strict=args.strict, site_dir=args.site_dir)
    return code or (EXIT_FAILED if failed else 0)


def _mkdocs_build(journal: Journal, *, strict: bool, site_dir: str | None) -> int:
    """``mkdocs build`` in this process, as its command line does it (no second interpreter to
    start and no second import of MkDocs, material and labjournal: most of a no-op build's
    difference from a plain MkDocs build). Its log goes to stderr as ``mkdocs`` prints it."""
    from mkdocs import config
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    saved = (logger.level, logger.propagate)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    site = str(Path(site_dir).resolve()) if site_dir else None  # relative to where we were started, as mkdocs -d
    try:
        cfg = config.load_config(config_file=str(journal.root / "mkdocs.yml"), strict=strict, site_dir=site)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except MkDocsException as exc:
        console.print(f"[red]mkdocs: {escape(str(exc))}[/]")
        return 1
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    journal = _journal(args)
    return _mkdocs(journal, "serve", *(["-a", args.dev_addr] if args.dev_addr else []))


def cmd_new(args: argparse.Namespace) -> int:
    from .authoring import new_note, parse_date

    journal = _journal(args)
    path = new_note(
        journal.notes_root,
        kind=args.kind,
        title=args.title,
        date=parse_date(args.date) if args.date else None,
        series=args.series,
        tags=args.tags,
        video=args.video,
        slug=args.slug,
    )
    out.print(str(path.relative_to(journal.root)), highlight=False)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .authoring import parse_date
    from .transcripts import import_transcript

    journal = _journal(args)
    base = args.directory or Path.cwd()
    path = import_transcript(
        base / args.file,
        journal.notes_root,
        title=args.title,
        video=args.video,
        date=parse_date(args.date) if args.date else None,
        tags=args.tags or ("transcript",),
        series=args.series,
    )
    out.print(str(path.relative_to(journal.root)), highlight=False)
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from .runs import RunLog, metric_names, varying_parameters

    journal = _journal(args)
    base = args.directory or Path.cwd()
    (note,) = journal.notes([base / args.note])
    log = RunLog(journal.store.root / "runs")
    records = log.list(note.id)
    if args.compare:
        first, second = (log.get(note.id, run_id) for run_id in args.compare)
        table = Table(title=f"{note.rel}: {first.id} vs {second.id}")
        for column in ("", first.id, second.id, "differs"):
            table.add_column(column)
        for name in sorted(set(first.parameters) | set(second.parameters)):
            a, b = first.parameters.get(name), second.parameters.get(name)
            table.add_row(
                f"parameter {name}", repr(a), repr(b), "*" if a != b else "", style="bold" if a != b else None
            )
        for name in metric_names([first, second]):
            a, b = first.final(name), second.final(name)
            table.add_row(f"metric {name}", _fmt(a), _fmt(b), "*" if a != b else "", style="bold" if a != b else None)
        for name in ("status", "device", "code_hash", "seconds"):
            a, b = getattr(first, name), getattr(second, name)
            table.add_row(name, str(a)[:12], str(b)[:12], "*" if a != b else "")
        out.print(table)
        return 0
    if args.sort:
        if args.sort not in metric_names(records):
            raise UsageError(
                f"no metric '{args.sort}' in the runs of {note.rel}; metrics: {', '.join(metric_names(records))}"
            )
        missing = float("-inf") if args.desc else float("inf")
        records.sort(key=lambda r: r.final(args.sort) if r.final(args.sort) is not None else missing, reverse=args.desc)
    params, metrics = varying_parameters(records), metric_names(records)
    table = Table(title=f"runs of {note.rel}")
    for column in ("run", *params, *metrics, "status", "seconds", "device"):
        table.add_column(column)
    for record in records:
        name = record.id + (" (page)" if record.canonical else "")
        cells = [repr(record.parameters.get(p)) for p in params] + [_fmt(record.final(m)) for m in metrics]
        device = record.device + (f" ({record.gpu})" if record.gpu else "")
        table.add_row(name, *cells, record.status, f"{record.seconds:.1f}", device)
    out.print(table)
    return 0


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


COMMANDS = {
    "run": cmd_run,
    "build": cmd_build,
    "serve": cmd_serve,
    "status": cmd_status,
    "new": cmd_new,
    "import": cmd_import,
    "runs": cmd_runs,
}


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:  # one line naming the file: no wrapping, whatever the terminal's width
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except LabjournalError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
