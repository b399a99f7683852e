"""What the command line prints: progress, the run summary, status and runs tables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from labjournal.execution import NoteStatus, Planned, Report
from labjournal.execution import Progress as RunProgress
from labjournal.states import Action
from labjournal.store import RunRecord, metric_names, metrics_of, short_time, varying_parameters

console = Console(stderr=True)
out = Console()


def run_progress() -> RunProgress:
    """A progress bar while notes run, with a line per queued and finished note."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task: list[Any] = []

    @contextlib.contextmanager
    def running(total: int) -> Iterator[None]:
        with bar:
            task.append(bar.add_task("executing notes", total=total))
            yield

    def started(item: Planned) -> None:
        bar.console.print(f"[dim]queued[/] {item.note.rel}")

    def done(report: Report) -> None:
        if report.action is Action.EXECUTED and task:
            bar.advance(task[0])
            colour = "green" if not report.failed else "red"
            bar.console.print(f"[{colour}]{report.status}[/] {report.note.rel} ({report.seconds:.1f} s)")

    return RunProgress(on_start=started, on_done=done, running=running)


def summary(reports: Sequence[Report]) -> None:
    """A row per note that ran or could not; the notes whose stored results were reused, counted.

    (A journal of a thousand entries should not print a thousand rows on every build.)
    """
    listed = [report for report in reports if report.action is not Action.REUSED]
    reused = len(reports) - len(listed)
    if reused:
        out.print(f"{reused} note{'s' if reused != 1 else ''} fresh: stored results reused", highlight=False)
    if not listed:
        return
    table = Table(title="labjournal run")
    for column in ("note", "parameters", "status", "seconds", "executed or skipped"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for report in listed:
        seconds = f"{report.seconds:.1f}" if report.action is Action.EXECUTED else ""
        overrides = report.planned.overrides if report.planned else {}
        parameters = " ".join(f"{k}={v}" for k, v in overrides.items()) or "defaults"
        style = "red" if report.failed else None
        table.add_row(
            escape(report.note.rel), escape(parameters), str(report.status), seconds, str(report.action), style=style
        )
    out.print(table)


def failures_and_experiments(reports: Iterable[Report]) -> None:
    """One line per failed note; what each experiment run printed (its page does not show it)."""
    for report in reports:
        if report.failed:
            line = f"[red]{escape(report.note.rel)}[/]: {report.status}: {escape(report.message)}"
            console.print(line, soft_wrap=True)  # one line per failure, whatever the terminal's width
        elif report.outcome is not None and report.planned is not None and not report.planned.canonical:
            overrides = " ".join(f"{k}={v}" for k, v in report.planned.overrides.items())
            console.print(
                f"[yellow]{escape(report.note.rel)}[/] ({escape(overrides)}): recorded as run {report.run_id}; "
                "the page keeps the default run's outputs (--promote replaces them)"
            )
            experiment_outputs(report)


def experiment_outputs(report: Report) -> None:
    """What an experiment run printed, and its final metrics."""
    assert report.outcome is not None
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
    for name, series in metrics_of(notebook).items():
        out.print(f"{name}: {series['values'][-1]:.6g} (final of {len(series['values'])})", highlight=False)


def status_table(statuses: Iterable[NoteStatus]) -> None:
    table = Table(title="labjournal status")
    for column in ("note", "state", "last run", "seconds", "device"):
        table.add_column(column)
    for status in statuses:
        prov = status.entry.provenance if status.entry else None
        table.add_row(
            escape(status.note.rel),
            str(status.state),
            short_time(prov.finished) if prov else "",
            f"{prov.seconds:.1f}" if prov else "",
            prov.where if prov else "",
        )
    out.print(table)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def runs_table(title: str, records: Sequence[RunRecord]) -> None:
    params, metrics = varying_parameters(records), metric_names(records)
    table = Table(title=escape(title))
    for column in ("run", *params, *metrics, "status", "seconds", "device"):
        table.add_column(escape(column))
    for record in records:
        name = record.id + (" (page)" if record.canonical else "")
        cells = [repr(record.parameters.get(p)) for p in params] + [_number(record.final(m)) for m in metrics]
        table.add_row(name, *map(escape, cells), record.status, f"{record.seconds:.1f}", record.where)
    out.print(table)


def comparison_table(title: str, first: RunRecord, second: RunRecord) -> None:
    table = Table(title=escape(title))
    for column in ("", first.id, second.id, "differs"):
        table.add_column(column)

    def row(name: str, a: str, b: str, differs: bool) -> None:
        table.add_row(escape(name), escape(a), escape(b), "*" if differs else "", style="bold" if differs else None)

    for name in sorted(set(first.parameters) | set(second.parameters)):
        a, b = first.parameters.get(name), second.parameters.get(name)
        row(f"parameter {name}", repr(a), repr(b), a != b)
    for name in metric_names([first, second]):
        fa, fb = first.final(name), second.final(name)
        row(f"metric {name}", _number(fa), _number(fb), fa != fb)
    for name in ("status", "device", "code_hash", "seconds"):
        a, b = getattr(first, name), getattr(second, name)
        table.add_row(name, str(a)[:12], str(b)[:12], "*" if a != b else "")
    out.print(table)
