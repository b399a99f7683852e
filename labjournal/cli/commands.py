"""One function per command: parse what the user gave, call ``labjournal.api``, print the result."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from rich.markup import escape

from labjournal import api
from labjournal.errors import LabjournalError, UsageError
from labjournal.execution import Report, RunRequest
from labjournal.execution.params import parse_overrides, sweep_grid
from labjournal.states import Action
from labjournal.store import RunRecord

from . import printing
from .printing import console, out

EXIT_FAILED = 1


def _project(args: argparse.Namespace) -> api.Project:
    return api.open_project(args.directory)


def _base(args: argparse.Namespace) -> Path:
    """Where paths given on the command line start (``-C``: that folder, as with ``git -C``)."""
    return args.directory or Path.cwd()


def _request(args: argparse.Namespace) -> RunRequest:
    return RunRequest(
        paths=[_base(args) / path for path in getattr(args, "paths", None) or []],
        overrides=parse_overrides(args.parameter),
        sweep=sweep_grid(getattr(args, "sweep", [])),
        force=args.force,
        promote=getattr(args, "promote", False),
        device=args.device,
        cell_timeout=args.timeout,
        note_timeout=args.note_timeout,
    )


def _on_wait(text: str) -> None:
    console.print(f"[yellow]{escape(text)}[/]")


def _report_runs(reports: list[Report]) -> int:
    printing.summary(reports)
    printing.failures_and_experiments(reports)
    return EXIT_FAILED if any(report.failed for report in reports) else 0


def cmd_run(args: argparse.Namespace) -> int:
    project = _project(args)
    request = _request(args)
    executor = project.executor_settings(name=args.executor, jobs=args.jobs, preload=args.preload)
    reports = api.run(
        project, request, executor=executor, progress=printing.run_progress(), wait=not args.no_wait, on_wait=_on_wait
    )
    code = _report_runs(reports)
    if args.mlflow:
        from labjournal.execution.mlflow_log import log_runs

        logged = log_runs(args.mlflow, project.journal.store.runs, [r for r in reports if r.run_id])
        console.print(f"logged {logged} run(s) to MLflow at {escape(args.mlflow)}")
    return code


def cmd_build(args: argparse.Namespace) -> int:
    project = _project(args)
    result = api.build(
        project,
        execute=not args.no_execute,
        strict=args.strict,
        site_dir=Path(args.site_dir) if args.site_dir else None,  # relative to where we were started, as mkdocs -d
        request=_request(args),
        executor=project.executor_settings(name=args.executor, jobs=args.jobs, preload=args.preload),
        progress=printing.run_progress(),
        wait=not args.no_wait,
        on_wait=_on_wait,
    )
    if result.missing:
        console.print("[red]stored outputs are missing or stale; run `labjournal run` first:[/]")
        for status in result.missing:
            console.print(f"  {escape(status.note.rel)}: {status.state}")
        return EXIT_FAILED
    return _report_runs(result.reports) if result.reports else 0


_NOTE_SUFFIXES = {".md", ".py", ".ipynb"}


def _hidden(rel: Path) -> bool:
    """Templates (``_templates/``), hidden files and folders: never notes to run."""
    return any(part.startswith(("_", ".")) for part in rel.parts)


class _RunOnSave:
    """Before each preview build: the notes saved since the last one are run if their code changed
    (a prose edit leaves a note fresh: planning reuses its stored outputs and executes nothing).
    The shared preload server stays up between saves, so each run forks a warm kernel."""

    def __init__(self, project: api.Project) -> None:
        self.project = project
        self.executor = project.executor_settings()
        self.seen = self._stamps()

    def _stamps(self) -> dict[Path, int]:
        stamps = {}
        for path in self.project.journal.notes_root.rglob("*"):
            with contextlib.suppress(OSError):
                stamps[path] = path.stat().st_mtime_ns
        return stamps

    def __call__(self) -> None:
        now = self._stamps()
        saved = [path for path, stamp in now.items() if self.seen.get(path) != stamp and path.is_file()]
        self.seen = now
        root = self.project.journal.notes_root
        notes = [path for path in saved if path.suffix in _NOTE_SUFFIXES and not _hidden(path.relative_to(root))]
        if not notes:
            return
        try:
            reports = api.run(self.project, RunRequest(paths=notes), executor=self.executor, wait=False)
        except LabjournalError as exc:  # e.g. another run holds the journal: the preview shows what is stored
            console.print(f"[yellow]not run:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            return
        if any(report.action is Action.EXECUTED for report in reports):
            printing.summary(reports)


def cmd_serve(args: argparse.Namespace) -> int:
    from labjournal.site import serve_site

    project = _project(args)
    before_build = None if args.no_run else _RunOnSave(project)
    try:
        return serve_site(project.config_file, args.dev_addr, before_build)
    finally:
        from labjournal.executors.preload import close_shared_servers

        close_shared_servers()  # the warm kernel server goes with the preview


def cmd_status(args: argparse.Namespace) -> int:
    printing.status_table(api.status(_project(args)))
    return 0


DRAFT_NOTICE = "a draft: remove 'draft: true' from its front matter to publish it"


def cmd_new(args: argparse.Namespace) -> int:
    from labjournal.authoring import new_note, parse_date

    project = _project(args)
    path = new_note(
        project.journal.notes_root,
        kind=args.kind,
        title=args.title,
        date=parse_date(args.date) if args.date else None,
        series=args.series,
        tags=args.tags,
        video=args.video,
        slug=args.slug,
    )
    out.print(str(path.relative_to(project.root)), highlight=False)
    console.print(escape(DRAFT_NOTICE), highlight=False)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from labjournal.authoring import import_transcript, parse_date

    project = _project(args)
    source = _base(args) / args.file
    imported = import_transcript(
        source,
        project.journal.notes_root,
        title=args.title,
        video=args.video,
        date=parse_date(args.date) if args.date else None,
        tags=args.tags or ("transcript",),
        series=args.series,
    )
    out.print(str(imported.path.relative_to(project.root)), highlight=False)
    console.print(escape(f"read {args.file.name}: {imported.summary()}"), highlight=False, soft_wrap=True)
    for note in imported.reading.notes:
        console.print(escape(f"{source}: {note}"), highlight=False, soft_wrap=True)
    console.print(escape(DRAFT_NOTICE), highlight=False)
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    project = _project(args)
    (note,) = project.journal.notes([_base(args) / args.note])
    log = project.journal.store.runs
    records = log.list(note.id)
    if args.compare:
        first, second = (log.get(note.id, run_id) for run_id in args.compare)
        printing.comparison_table(f"{note.rel}: {first.id} vs {second.id}", first, second)
        return 0
    if args.sort:
        known = sorted({name for record in records for name in record.metrics})
        if args.sort not in known:
            raise UsageError(f"no metric '{args.sort}' in the runs of {note.rel}; metrics: {', '.join(known)}")
        missing = float("-inf") if args.desc else float("inf")

        def final(record: RunRecord) -> float:
            value = record.final(args.sort)
            return missing if value is None else value

        records.sort(key=final, reverse=args.desc)
    printing.runs_table(f"runs of {note.rel}", records)
    return 0


COMMANDS = {
    "run": cmd_run,
    "build": cmd_build,
    "serve": cmd_serve,
    "status": cmd_status,
    "new": cmd_new,
    "import": cmd_import,
    "runs": cmd_runs,
}
