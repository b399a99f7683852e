"""Stored outputs + current prose -> page Markdown, with nbconvert.

The page always shows the note's current prose. Outputs come from the store, merged cell by cell
into the current code cells, and only when the stored result was made from the same code
(same execution key); otherwise the page shows the code with a notice that outputs are stale.
Which representation of an output the page shows, and how, is up to the handler of its MIME type
(:mod:`labjournal.rendering.outputs`); figures are extracted into files beside the page (never
base64 inside the Markdown). remove-* tags are applied by nbconvert's TagRemovePreprocessor and
hide-* tags by the page template.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import MarkdownExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from nbformat import NotebookNode
from traitlets.config import Config as TraitletsConfig

from labjournal.execution import NoteStatus
from labjournal.markup import md_literal
from labjournal.metrics import METRIC_MIME, collect
from labjournal.notes import Note
from labjournal.states import State
from labjournal.store import (
    INJECTED_TAG,
    Entry,
    Failure,
    RunRecord,
    dumps_deterministic,
    metric_names,
    short_time,
    varying_parameters,
)

from .fingerprint import TEMPLATES
from .outputs import assets_for, display_priority, extracted_types, fence, render_output


@dataclass
class RenderedPage:
    """A page's Markdown and the files that go beside it (figures, downloads)."""

    markdown: str
    files: dict[str, bytes] = field(default_factory=dict)


class MetricsPanelPreprocessor(Preprocessor):
    """Replace each cell's ``labjournal.record`` outputs by one compact Markdown table."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code":
            return cell, resources
        series = collect([cell])
        if not series:
            return cell, resources
        cell.outputs = [o for o in cell.outputs if METRIC_MIME not in o.get("data", {})]
        rows = ["| metric | last value | steps |", "| --- | ---: | ---: |"]
        for item in series.values():
            steps = sum(1 for s in item.steps if s is not None) or len(item.values)
            rows.append(f"| `{item.name}` | {item.last:.6g} | {steps} |")
        panel = '<div class="lj-metrics" markdown="1">\n\n' + "\n".join(rows) + "\n\n</div>"
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/markdown": panel}))
        return cell, resources


def merge_outputs(note: Note, stored: NotebookNode) -> NotebookNode:
    """The note's current cells with the outputs of the matching stored code cells."""
    merged = copy.deepcopy(note.notebook)
    stored_code = [c for c in stored.cells if c.cell_type == "code" and INJECTED_TAG not in c.metadata.get("tags", [])]
    current_code = [c for c in merged.cells if c.cell_type == "code"]
    for current, executed in zip(current_code, stored_code, strict=False):
        current.outputs = executed.get("outputs", [])
        current.execution_count = executed.get("execution_count")
    return merged


def _admonition(kind: str, title: str, body: str = "", folded: bool = False) -> str:
    marker = "???" if folded else "!!!"
    text = f'{marker} {kind} "{title}"\n'
    if body:
        text += "\n" + "\n".join(f"    {line}" if line else "" for line in body.splitlines()) + "\n"
    return text + "\n"


class Renderer:
    """Renders notes to page Markdown. One instance serves a whole build (nbconvert setup is costly)."""

    def __init__(self, command_root: Path | None = None, sanitize: Any = None, scrub_text: Any = None) -> None:
        self.command_root = command_root
        self.sanitize = sanitize
        self.scrub_text = scrub_text
        self._shown: set[str] = set()  # the MIME types the page being rendered shows (for their assets)

    def _publish_text(self, text: str) -> str:
        return self.scrub_text(text) if self.scrub_text else text

    @cached_property
    def exporter(self) -> MarkdownExporter:
        """One exporter per build: nbconvert's Jinja setup is the costly part of rendering.

        The output handlers registered when it is made decide which representation of an output
        is shown (display priority), which are written to files, and how each is rendered."""
        config = TraitletsConfig()
        config.NbConvertBase.display_data_priority = display_priority()
        # the exporter's own ExtractOutputPreprocessor writes figures as files beside the page
        config.ExtractOutputPreprocessor.extract_output_types = extracted_types()
        config.ExtractOutputPreprocessor.output_filename_template = "figure-{cell_index}-{index}{extension}"
        exporter = MarkdownExporter(config=config, template_name="labjournal", extra_template_basedirs=[str(TEMPLATES)])
        exporter.register_filter("fence", fence)
        exporter.register_filter("md_literal", md_literal)
        exporter.register_filter("render_output", self._render_output)
        exporter.register_preprocessor(
            TagRemovePreprocessor(
                remove_cell_tags={"remove-cell", INJECTED_TAG},
                remove_input_tags={"remove-input"},
                remove_all_outputs_tags={"remove-output"},
                enabled=True,
            ),
            enabled=True,
        )
        exporter.register_preprocessor(MetricsPanelPreprocessor(), enabled=True)
        return exporter

    def _render_output(self, output: NotebookNode, mime: str) -> str:
        self._shown.add(mime)
        return render_output(output, mime)

    def _command_path(self, note: Note) -> str:
        if self.command_root is not None:
            try:
                return note.path.relative_to(self.command_root).as_posix()
            except ValueError:
                pass
        return note.rel

    def render(self, status: NoteStatus, runs: Sequence[RunRecord] = ()) -> RenderedPage:
        """Markdown for a note given its status (state, stored entry, current key) and its runs."""
        note, state, entry = status.note, status.state, status.entry
        parts = [self._header(note)]
        files: dict[str, bytes] = {}
        usable = entry is not None and state in (State.FRESH, State.FAILED, State.NEEDS_GPU) and status.outputs_current
        if not note.has_code:
            notebook = copy.deepcopy(note.notebook)
        elif usable and entry is not None:
            notebook = merge_outputs(note, entry.notebook)
            parts.append(self._banners(note, state, entry))
        else:
            notebook = copy.deepcopy(note.notebook)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
            parts.append(self._stale_notice(note, state))
            failure = entry.provenance.last_failure if entry is not None else None
            if failure is not None and failure.key == status.key:  # the current code was run, and failed
                parts.append(self._failure_banner(failure, "the code changed since the last good run"))
        if self.sanitize is not None:
            notebook = self.sanitize(notebook, note)
        self._shown = set()
        body, resources = self.exporter.from_notebook_node(notebook, resources={"unique_key": "figure"})
        parts.append(body)
        for name, data in resources.get("outputs", {}).items():
            files[name] = data if isinstance(data, bytes) else str(data).encode()
        files.update(assets_for(self._shown))
        if any(not run.canonical for run in runs):
            parts.append(runs_section(runs, files))
        parts.append(self._footer(note, entry if usable else None, files))
        return RenderedPage(markdown="\n".join(p for p in parts if p), files=files)

    def render_error(self, note: Note, exc: Exception) -> RenderedPage:
        """A page that says why the note could not be rendered (the build logs a warning)."""
        body = _admonition("failure", "This note could not be rendered", f"{type(exc).__name__}: {exc}")
        return RenderedPage(markdown=self._header(note) + "\n" + body)

    def _header(self, note: Note) -> str:
        meta = note.meta
        front = {"title": note.display_title, "date": meta.date.isoformat()}
        lines = ["---", f"title: {_yaml_str(front['title'])}", f"date: {front['date']}"]
        if meta.tags:
            lines.append("tags:")
            lines.extend(f"  - {_yaml_str(tag)}" for tag in meta.tags)
        lines += ["---", "", f"# {note.display_title}", ""]
        facts = [f":material-calendar: {meta.date.isoformat()}"]
        if meta.day is not None:
            facts.insert(0, f"**Day {meta.day}**")
        facts.append(meta.kind)
        if meta.series:
            facts.append(f"series: *{html.escape(meta.series)}*")
        lines += [" · ".join(facts), "{ .lj-note-facts }"]
        if meta.video:
            lines += ["", f"[:material-video: Lecture video]({meta.video})"]
        return "\n".join(lines) + "\n"

    def _stale_notice(self, note: Note, state: State) -> str:
        command = f"labjournal run {self._command_path(note)}"
        if state is State.NEEDS_GPU:
            return _admonition(
                "info",
                "Needs a GPU",
                f"This note runs on a GPU and this host has none, so it has no current outputs here. "
                f"Run `{command}` on a GPU machine and commit the store.",
            )
        if state is State.NEVER_RUN:
            return _admonition("warning", "This note has not been executed yet", f"Run `{command}` to see its outputs.")
        return _admonition(
            "warning",
            "Outputs are stale",
            f"The code changed after its last run, so no outputs are shown. Run `{command}`.",
        )

    def _banners(self, note: Note, state: State, entry: Entry) -> str:
        prov = entry.provenance
        text = ""
        if state is State.NEEDS_GPU:
            text += _admonition(
                "info", "Needs a GPU", "This host has no GPU, so the note was not run here; outputs are from the store."
            )
        failure = prov.last_failure
        if failure is not None:
            text += self._failure_banner(failure, "the outputs below are from the last good run")
        elif not prov.ok:
            text += _admonition("failure", f"This note failed: {prov.status}", html.escape(prov.message))
        return text

    @staticmethod
    def _failure_banner(failure: Failure, consequence: str) -> str:
        """ "Re-run failed on DATE", with the message and traceback folded (both literal text)."""
        body = html.escape(failure.message)
        if failure.traceback:
            trace = _strip_ansi(failure.traceback)
            body += f"\n\n{fence(trace)} pytb\n{trace}\n{fence(trace)}"
        banner = _admonition("bug", f"Re-run failed on {failure.finished[:10]}: {consequence}")
        return banner + _admonition("failure", f"Traceback of the failed re-run ({failure.status})", body, folded=True)

    def _footer(self, note: Note, entry: Entry | None, files: dict[str, bytes]) -> str:
        stem = Path(note.rel).name
        files[stem] = self._publish_text(note.text).encode()
        links = [f'<a href="{html.escape(stem)}" download>:material-download: note source</a>']
        if entry is not None:
            executed = Path(stem).stem + ".executed.ipynb"
            published = self.sanitize(copy.deepcopy(entry.notebook), note) if self.sanitize else entry.notebook
            files[executed] = dumps_deterministic(published).encode()
            links.append(f'<a href="{html.escape(executed)}" download>:material-notebook: executed notebook</a>')
            links.insert(0, provenance_line(entry))
        return "\n---\n\n" + " · ".join(links) + "\n{ .lj-provenance }\n"


def run_label(record: RunRecord, varying: Sequence[str]) -> str:
    label = " ".join(f"{name}={record.parameters.get(name)!r}" for name in varying)
    return label or record.id


def runs_section(runs: Sequence[RunRecord], files: dict[str, bytes]) -> str:
    """The Runs section of a page: a table of every run and one chart per metric recorded with steps."""
    from .charts import run_curves

    varying, metrics = varying_parameters(runs), metric_names(runs)
    intro = (
        f"Every execution of this note ({len(runs)}), oldest first. `labjournal runs` prints the same table; "
        "the page's outputs come from the run marked *page*."
    )
    lines = ["", "## Runs", "", intro, ""]
    header = ["run", *[f"`{p}`" for p in varying], *[f"{m} (final)" for m in metrics], "status", "seconds", "device"]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for run in runs:
        name = f"`{run.id}`" + (" *page*" if run.canonical else "")
        cells = [f"`{run.parameters.get(p)!r}`" for p in varying]
        cells += ["" if run.final(m) is None else f"{run.final(m):.6g}" for m in metrics]
        lines.append("| " + " | ".join([name, *cells, run.status, f"{run.seconds:.1f}", run.where]) + " |")
    labels = [run_label(run, varying) for run in runs]
    for metric in metrics:
        stepped = [r for r in runs if len(r.metrics.get(metric, {}).get("values", [])) > 1]
        if not stepped:
            continue
        name = f"runs-{re.sub(r'[^A-Za-z0-9_.-]+', '-', metric)}.svg"
        files[name] = run_curves(metric, stepped, [labels[runs.index(r)] for r in stepped]).encode()
        lines += ["", f"![{metric} across runs]({name})"]
    return "\n".join(lines) + "\n"


def provenance_line(entry: Entry) -> str:
    """ "Outputs from a run on cpu, finished ..., 3.1 s, torch 2.13.0"."""
    prov = entry.provenance
    where = prov.where
    torch = prov.versions.get("torch")
    bits = [
        f"Outputs from a run on {where}",
        f"finished {short_time(prov.finished)}",
        f"{prov.seconds:.1f} s",
    ]
    if torch:
        bits.append(f"torch {torch}")
    bits.append(f"python {prov.versions.get('python', '?')}")
    return ", ".join(bits)


def _strip_ansi(text: str) -> str:
    from nbconvert.filters import strip_ansi

    return strip_ansi(text)


def _yaml_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
