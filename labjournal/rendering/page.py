"""Stored outputs + current prose -> page Markdown, with nbconvert.

The page always shows the note's current prose. Outputs come from the store, merged cell by cell
into the current code cells, and only when the stored result was made from the same code
(same execution key); otherwise the page shows the code with a notice that outputs are stale.
Which representation of an output the page shows, and how, is up to the handler of its MIME type
(:mod:`labjournal.rendering.outputs`), each output a block of its own within the page's caps
(:mod:`labjournal.rendering.blocks`); figures are extracted into files beside the page (never
base64 inside the Markdown, :mod:`labjournal.rendering.figures`). The prose is prepared by
:mod:`labjournal.rendering.prose` (MyST directives, one H1, raw cells, cells' titles). remove-*
tags are applied by nbconvert's TagRemovePreprocessor and hide-* tags by the page template.
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
from labjournal.limits import OutputLimits
from labjournal.markup import md_literal
from labjournal.metrics import METRIC_MIME, collect
from labjournal.notes import Note
from labjournal.states import State
from labjournal.store import (
    INJECTED_TAG,
    Entry,
    RunRecord,
    dumps_deterministic,
    metric_names,
    varying_parameters,
)

from .banners import admonition, banners, failure_banner, provenance_line, stale_notice
from .blocks import OutputBlocks, StreamsPreprocessor
from .figures import FigurePreprocessor
from .fingerprint import TEMPLATES
from .outputs import assets_for, display_priority, extracted_types, fence, scripts_for
from .prose import cell_title, prepare_cells, raw_cell


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


class Renderer:
    """Renders notes to page Markdown. One instance serves a whole build (nbconvert setup is costly)."""

    def __init__(
        self,
        command_root: Path | None = None,
        sanitize: Any = None,
        scrub_text: Any = None,
        limits: OutputLimits = OutputLimits(),  # noqa: B008 (frozen: one shared default is fine)
    ) -> None:
        self.command_root = command_root
        self.sanitize = sanitize
        self.scrub_text = scrub_text
        self.limits = limits
        self.blocks = OutputBlocks(limits)
        self._trusted = False  # the note being rendered vouches for its outputs (raw HTML cells kept)

    @property
    def _shown(self) -> set[str]:
        """The MIME types the page being rendered shows (for their assets and scripts)."""
        return self.blocks.shown

    def _publish_text(self, text: str) -> str:
        return self.scrub_text(text) if self.scrub_text else text

    @cached_property
    def exporter(self) -> MarkdownExporter:
        """One exporter per build: nbconvert's Jinja setup is the costly part of rendering.

        The output handlers registered when it is made decide which representation of an output
        is shown (display priority), which are written to files, and how each is rendered."""
        config = TraitletsConfig()
        config.NbConvertBase.display_data_priority = display_priority()
        config.ExtractOutputPreprocessor.enabled = False  # FigurePreprocessor writes the files
        exporter = MarkdownExporter(config=config, template_name="labjournal", extra_template_basedirs=[str(TEMPLATES)])
        exporter.register_filter("fence", fence)
        exporter.register_filter("md_literal", md_literal)
        exporter.register_filter("output_block", self.blocks.render)
        exporter.register_filter("raw_cell", lambda cell: raw_cell(cell, self._trusted))
        exporter.register_filter("cell_title", cell_title)
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
        exporter.register_preprocessor(StreamsPreprocessor(), enabled=True)
        exporter.register_preprocessor(FigurePreprocessor(types=extracted_types()), enabled=True)
        return exporter

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
            parts.append(banners(state, entry))
        else:
            notebook = copy.deepcopy(note.notebook)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
            parts.append(stale_notice(state, f"labjournal run {self._command_path(note)}"))
            failure = entry.provenance.last_failure if entry is not None else None
            if failure is not None and failure.key == status.key:  # the current code was run, and failed
                parts.append(failure_banner(failure, "the code changed since the last good run"))
        if self.sanitize is not None:
            notebook = self.sanitize(notebook, note)
        prepare_cells(notebook, self._command_path(note), {note.meta.title, note.display_title}, _is_myst(note))
        self._trusted = self.sanitize is None or note.meta.trusted
        self.blocks.start(Path(note.rel).stem + ".executed.ipynb" if usable else "")
        body, resources = self.exporter.from_notebook_node(notebook, resources={"unique_key": "figure"})
        parts.append(body)
        for name, data in resources.get("outputs", {}).items():
            files[name] = data if isinstance(data, bytes) else str(data).encode()
        files.update(assets_for(self._shown))
        parts.append("".join(f'<script src="{html.escape(name)}"></script>\n' for name in scripts_for(self._shown)))
        if any(not run.canonical for run in runs):
            parts.append(runs_section(runs, files))
        parts.append(self._footer(note, entry if usable else None, files))
        return RenderedPage(markdown="\n".join(p for p in parts if p), files=files)

    def render_error(self, note: Note, exc: Exception) -> RenderedPage:
        """A page that says why the note could not be rendered (the build logs a warning)."""
        body = admonition("failure", "This note could not be rendered", f"{type(exc).__name__}: {exc}")
        return RenderedPage(markdown=self._header(note) + "\n" + body)

    def _header(self, note: Note) -> str:
        meta = note.meta
        front = {"title": note.display_title, "date": meta.date.isoformat()}
        lines = ["---", f"title: {_yaml_str(front['title'])}", f"date: {front['date']}"]
        if meta.tags:
            lines.append("tags:")
            # the theme shows tags as HTML (chips, the tags index, search): escaped, they read as written
            lines.extend(f"  - {_yaml_str(html.escape(tag))}" for tag in meta.tags)
        lines += ["---", "", f"# {md_literal(note.display_title)}", ""]
        facts = [f":material-calendar: {meta.date.isoformat()}"]
        if meta.day is not None:
            facts.insert(0, f"**Day {meta.day}**")
        facts.append(meta.kind)
        if meta.series:
            facts.append(f"series: *{md_literal(meta.series)}*")
        lines += [" · ".join(facts), "{ .lj-note-facts }"]
        if meta.video:
            lines += ["", f"[:material-video: Lecture video]({meta.video})"]
        return "\n".join(lines) + "\n"

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


def _is_myst(note: Note) -> bool:
    """Whether the note is written in MyST (its code cells are ``{code-cell}`` directives)."""
    return "{code-cell}" in note.text


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


def _yaml_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
