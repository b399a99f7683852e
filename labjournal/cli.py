"""The ``labjournal`` command. Thin: parses arguments, calls the modules that do the work, prints."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .errors import LabjournalError, UsageError
from .journal import Journal

console = Console(stderr=True)
out = Console()

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="limit per cell")
    parser.add_argument("--executor", default=None, help="where notes run (default from mkdocs.yml: local)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="notes run at once (default: number of cores)")
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

    build = sub.add_parser("build", help="run stale notes, then build the site")
    build.add_argument("--no-execute", action="store_true", help="build from the store only; execute nothing")
    build.add_argument("--strict", action="store_true", help="fail on warnings and on missing or stale outputs")
    build.add_argument("-d", "--site-dir", default=None, help="where to write the site")
    _add_run_options(build)

    serve = sub.add_parser("serve", help="live preview; watches notes/ and the store (drafts shown)")
    serve.add_argument("-a", "--dev-addr", default=None, help="IP:PORT to serve on")

    sub.add_parser("status", help="the state of every note: fresh, stale, failed, never run, needs GPU")
    return parser


def _journal(args: argparse.Namespace) -> Journal:
    return Journal.find(args.directory)


def _executor(journal: Journal, args: argparse.Namespace):
    from .executors import get_executor

    name = args.executor or journal.settings.executor
    return get_executor(name)(jobs=args.jobs or journal.settings.jobs)


def cmd_run(args: argparse.Namespace) -> int:
    from .execute import Planned, Report, plan, run_notes
    from .params import parse_overrides

    journal = _journal(args)
    overrides = parse_overrides(args.parameter)
    base = args.directory or Path.cwd()  # -C: paths are relative to that folder, as with git -C
    notes = journal.notes([base / path for path in getattr(args, "paths", None) or []])
    planned = plan(notes, journal.store, overrides, force=args.force, device=args.device, cell_timeout=args.timeout)
    to_run = sum(1 for p in planned if p.job is not None)
    with (
        _executor(journal, args) as executor,
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
    _print_summary(reports)
    for report in reports:
        if report.failed:
            console.print(f"[red]{report.note.rel}[/]: {report.status}: {escape(report.message)}")
        elif report.outcome is not None and not planned[reports.index(report)].canonical:
            console.print(f"[yellow]{report.note.rel}[/]: run with overrides; the page keeps the default run's outputs")
            _print_text_outputs(report)
    return EXIT_FAILED if any(r.failed for r in reports) else 0


def _print_summary(reports) -> None:
    table = Table(title="labjournal run")
    for column in ("note", "status", "seconds", "executed or reused"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for report in reports:
        seconds = f"{report.seconds:.1f}" if report.action == "executed" else ""
        style = "red" if report.failed else None
        table.add_row(report.note.rel, report.status, seconds, report.action, style=style)
    out.print(table)


def _print_text_outputs(report) -> None:
    notebook = report.outcome.notebook or {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain")
            if text:
                out.print(text if isinstance(text, str) else "".join(text), end="", markup=False, highlight=False)


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
    return 0


def _mkdocs(journal: Journal, *arguments: str) -> int:
    command = [sys.executable, "-m", "mkdocs", *arguments, "-f", str(journal.root / "mkdocs.yml")]
    return subprocess.call(command, cwd=journal.root)


def cmd_build(args: argparse.Namespace) -> int:
    journal = _journal(args)
    failed = False
    if not args.no_execute:
        failed = cmd_run(argparse.Namespace(**{**vars(args), "paths": []})) != 0
    elif args.strict:
        problems = [
            f"{s.note.rel}: {s.state}"
            for s in map(journal.status, journal.notes())
            if not s.note.meta.draft and s.state.value != "fresh"
        ]
        if problems:
            console.print("[red]stored outputs are missing or stale; run `labjournal run` first:[/]")
            for line in problems:
                console.print(f"  {line}")
            return EXIT_FAILED
    arguments = ["build"] + (["--strict"] if args.strict else []) + (["-d", args.site_dir] if args.site_dir else [])
    code = _mkdocs(journal, *arguments)
    return code or (EXIT_FAILED if failed else 0)


def cmd_serve(args: argparse.Namespace) -> int:
    journal = _journal(args)
    return _mkdocs(journal, "serve", *(["-a", args.dev_addr] if args.dev_addr else []))


COMMANDS = {"run": cmd_run, "build": cmd_build, "serve": cmd_serve, "status": cmd_status}


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    except LabjournalError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
