"""A page's run story: the Runs table and charts, the re-run command, the environment drift note.

Everything here can hold text that came from a kernel or from ``-p`` (metric names, parameter
values), so it is written as HTML elements with escaped text, never as Markdown that would rely on
a code span or a fence to contain it; ``$`` and ``\\`` are written as character references, so
nothing in it reads as math.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import logging
import platform
import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from labjournal.store import RunRecord, metric_names, varying_parameters
from labjournal.store.runs import short_run_id

log = logging.getLogger("labjournal.rendering")

DEVICE = "device"  # the injected parameter that says where a run ran (the table's device column says it)


def text(value: str) -> str:
    """``value`` as text in HTML that Markdown passes through: escaped, and no math delimiters."""
    return html.escape(value).replace("$", "&#36;").replace("\\", "&#92;")


def shown_value(value: Any) -> str:
    """A parameter's value as the note would write it (``0.1``, ``'plain'``)."""
    return repr(value)


def shown_parameters(parameters: Mapping[str, Any]) -> str:
    """``n=9, lr=0.1``: the parameters a run was made with (where it ran is said elsewhere)."""
    return ", ".join(f"{name}={shown_value(value)}" for name, value in parameters.items() if name != DEVICE)


def varying_metrics(runs: Sequence[RunRecord]) -> list[str]:
    """Metrics whose final value differs between runs."""
    return [m for m in metric_names(runs) if len({json.dumps(r.final(m)) for r in runs}) > 1]


def _varies(runs: Sequence[RunRecord], value: Any) -> bool:
    return len({value(r) for r in runs}) > 1


def _columns(runs: Sequence[RunRecord]) -> list[tuple[str, Any]]:
    """(header, cell of a run) for each column worth showing: those whose values differ between runs."""
    columns: list[tuple[str, Any]] = [
        (name, lambda r, n=name: shown_value(r.parameters.get(n))) for name in varying_parameters(runs)
    ]
    for metric in varying_metrics(runs):
        columns.append((metric, lambda r, m=metric: "" if r.final(m) is None else f"{r.final(m):.6g}"))
    optional: list[tuple[str, Any]] = [
        ("status", lambda r: r.status),
        ("device", lambda r: r.where),
        ("finished", lambda r: r.finished.replace("T", " ")[:16]),
    ]
    columns += [(header, cell) for header, cell in optional if _varies(runs, cell)]
    columns.append(("seconds", lambda r: f"{r.seconds:.1f}"))
    return columns


def _run_cell(run: RunRecord) -> str:
    name = f'<code class="lj-run-id" title="{text(run.id)}">{text(short_run_id(run.id))}</code>'
    if run.canonical:
        name += ' <em class="lj-run-page">page</em>'
    return name


def runs_table(runs: Sequence[RunRecord]) -> str:
    """Every run of the note, one row each, in a wrapper that scrolls sideways on a narrow screen."""
    columns = _columns(runs)
    header = "".join(f"<th>{text(name)}</th>" for name, _ in [("run", None), *columns])
    rows = []
    for run in runs:
        cells = "".join(f"<td>{text(str(cell(run)))}</td>" for _, cell in columns)
        rows.append(f"<tr><td>{_run_cell(run)}</td>{cells}</tr>")
    table = f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="lj-runs">{table}</div>'


def run_label(record: RunRecord, varying: Sequence[str]) -> str:
    label = " ".join(f"{name}={shown_value(record.parameters.get(name))}" for name in varying)
    return label or short_run_id(record.id)


def _chart(metric: str, runs: Sequence[RunRecord], varying: Sequence[str], files: dict[str, bytes]) -> str:
    """The chart of one metric across the runs that recorded it with steps (or a notice)."""
    from .charts import run_curves

    stepped = [r for r in runs if len(r.metrics.get(metric, {}).get("values", [])) > 1]
    if not stepped:
        return ""
    name = f"runs-{re.sub(r'[^A-Za-z0-9_.-]+', '-', metric)}.svg"
    try:
        files[name] = run_curves(metric, stepped, [run_label(r, varying) for r in stepped]).encode()
    except Exception as exc:  # matplotlib raises many types; a chart must not cost the page
        log.warning("a chart of the runs could not be drawn (%s)", type(exc).__name__)
        return f'<p class="lj-notice">The chart of {text(metric)} across runs could not be drawn.</p>'
    return f'<p class="lj-runs-chart"><img src="{html.escape(name)}" alt="{text(metric)} across runs"></p>'


def runs_section(runs: Sequence[RunRecord], files: dict[str, bytes]) -> str:
    """The Runs section of a page: a table of every run and one chart per metric recorded with steps."""
    varying = varying_parameters(runs)
    intro = (
        f"Every execution of this note ({len(runs)}), oldest first, with the columns that differ between "
        "them (a metric's column: its final value); `labjournal runs` prints them all. The page's outputs "
        "come from the run marked *page*."
    )
    lines = ["", "## Runs", "", intro, "", runs_table(runs)]
    for metric in metric_names(runs):
        chart = _chart(metric, runs, varying, files)
        if chart:
            lines += ["", chart]
    return "\n".join(lines) + "\n"


def _shell_word(value: Any) -> str:
    """``value`` as one shell word that ``labjournal run -p`` reads back (control characters escaped)."""
    word = value if isinstance(value, str) else repr(value)
    if word.isprintable():
        return shlex.quote(word)
    escaped = word.encode("unicode_escape").decode("ascii").replace("'", "\\'")
    return f"$'{escaped}'"


def rerun_command(path: str, parameters: Mapping[str, Any]) -> str:
    """A copyable ``labjournal run <file> -p name=value ...`` with the parameters the page shows."""
    pairs = [f"-p {_shell_word(f'{name}={_plain(value)}')}" for name, value in parameters.items() if name != DEVICE]
    command = " ".join(["labjournal", "run", shlex.quote(path), *pairs])
    return (
        '<div class="lj-rerun"><p>Re-run with other parameters (edit the values):</p>'
        f'<pre><code class="language-bash">{text(command)}</code></pre></div>\n'
    )


def _plain(value: Any) -> str:
    """A parameter's value as ``-p`` takes it: text as it is, anything else as Python writes it."""
    return value if isinstance(value, str) else repr(value)


@functools.cache
def build_versions() -> dict[str, str]:
    """The versions of the environment that builds the site (what a stored run is compared with)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    with contextlib.suppress(PackageNotFoundError):
        found["torch"] = version("torch")
    return found


def _release(version: str) -> str:
    return version.split("+", 1)[0].strip()


def drift_note(made_with: Mapping[str, str], built_with: Mapping[str, str]) -> str:
    """A quiet note when the run's torch or Python differs from the site's: "made with torch 2.13.0,
    this site was built with torch 2.14.0"; ``""`` when they agree (or one side does not say)."""
    differences = [
        (name, made_with[name], built_with[name])
        for name in ("torch", "python")
        if made_with.get(name) and built_with.get(name) and _release(made_with[name]) != _release(built_with[name])
    ]
    if not differences:
        return ""
    made = " and ".join(f"{name} {old}" for name, old, _ in differences)
    built = " and ".join(f"{name} {new}" for name, _, new in differences)
    return (
        f'<p class="lj-drift">These outputs were made with {text(made)}; this site was built with {text(built)}.</p>\n'
    )
