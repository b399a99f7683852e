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
from collections.abc import Mapping, Sequence
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
from labjournal.notes.params import default_parameters
from labjournal.states import State
from labjournal.store import INJECTED_TAG, Entry, RunRecord, dumps_deterministic
from labjournal.store.runs import short_run_id

from .banners import (
    admonition,
    banners,
    failure_banner,
    partly_stale_notice,
    provenance_line,
    stale_cell_notice,
    stale_notice,
)
from .blocks import OutputBlocks, StreamsPreprocessor
from .figures import FigurePreprocessor
from .fingerprint import TEMPLATES
from .outputs import assets_for, display_priority, extracted_types, fence, scripts_for
from .prose import cell_title, prepare_cells, raw_cell
from .runs import build_versions, drift_note, rerun_command, runs_section, shown_parameters


@dataclass
class RenderedPage:
    """A page's Markdown and the files that go beside it (figures, downloads)."""

    markdown: str
    files: dict[str, bytes] = field(default_factory=dict)


_SHOWN_STATES = (State.FRESH, State.FAILED, State.NEEDS_GPU)


@dataclass
class RunStory:
    """Which stored outputs a page shows, from which run, made with which parameters."""

    status: NoteStatus
    runs: Sequence[RunRecord] = ()

    @property
    def usable(self) -> bool:
        """Every output of the entry is current (it was made from the note's code as it is)."""
        return self.status.entry is not None and self.status.state in _SHOWN_STATES and self.status.outputs_current

    @property
    def cells(self) -> int:
        return len(self.status.note.code_cells) if self.status.note.has_code else 0

    @cached_property
    def kept(self) -> int:
        """How many of the first code cells show their stored outputs (all, some after a code edit, none)."""
        if self.usable:
            return self.cells
        if self.status.entry is None or self.status.state is State.NEVER_RUN:
            return 0
        return self.status.current_cells

    @property
    def shown(self) -> Entry | None:
        """The entry whose outputs the page shows (all or some of them), if any."""
        return self.status.entry if self.status.note.has_code and (self.usable or self.kept > 0) else None

    @property
    def run_id(self) -> str:
        """The run the shown outputs come from: the one the entry names, else the one marked the page's."""
        if self.shown is None:
            return ""
        return self.shown.provenance.run_id or next((r.id for r in self.runs if r.canonical), "")

    @cached_property
    def parameters(self) -> dict[str, Any]:
        """The parameters the shown outputs were made with (without outputs: the note's defaults)."""
        if not self.status.note.has_code:
            return {}
        defaults = default_parameters(self.status.note)
        return {**defaults, **self.shown.provenance.parameters} if self.shown is not None else defaults


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
            rows.append(f"| {md_literal(item.name)} | {item.last:.6g} | {steps} |")
        panel = '<div class="lj-metrics" markdown="1">\n\n' + "\n".join(rows) + "\n\n</div>"
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/markdown": panel}))
        return cell, resources


def merge_outputs(note: Note, stored: NotebookNode, cells: int | None = None) -> NotebookNode:
    """The note's current cells with the outputs of the matching stored code cells (of the first
    ``cells`` code cells only, when given: the later ones show none)."""
    merged = copy.deepcopy(note.notebook)
    stored_code = [c for c in stored.cells if c.cell_type == "code" and INJECTED_TAG not in c.metadata.get("tags", [])]
    current_code = [c for c in merged.cells if c.cell_type == "code"]
    for index, current in enumerate(current_code):
        executed = stored_code[index] if index < len(stored_code) and (cells is None or index < cells) else {}
        current.outputs = executed.get("outputs", [])
        current.execution_count = executed.get("execution_count")
    return merged


def mark_stale_cells(notebook: NotebookNode, kept: int, notice: str) -> None:
    """Put ``notice`` in place of the outputs of every code cell after the first ``kept``."""
    for index, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        if index >= kept:
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": notice})]


def show_promoted_parameters(notebook: NotebookNode, overrides: dict[str, Any], run_id: str) -> None:
    """After the parameters cell, the values a promoted run was given (what papermill injected), so that
    the page's code says what its outputs were made with. Written with ``repr``: literal Python."""
    cells = notebook.cells
    tagged = (i for i, c in enumerate(cells) if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    at = next(tagged, None)
    if at is None or not overrides:
        return
    source = "\n".join(f"{name} = {value!r}" for name, value in overrides.items())
    run = f"run {short_run_id(run_id)}" if run_id else "the run"
    title = f"Parameters of {run}, promoted with labjournal run --promote: they replace the defaults above"
    cell = nbformat.v4.new_code_cell(source, metadata={"title": title, "tags": ["lj-promoted-parameters"]})
    cells.insert(at + 1, cell)


class Renderer:
    """Renders notes to page Markdown. One instance serves a whole build (nbconvert setup is costly)."""

    def __init__(
        self,
        command_root: Path | None = None,
        sanitize: Any = None,
        scrub_text: Any = None,
        limits: OutputLimits = OutputLimits(),  # noqa: B008 (frozen: one shared default is fine)
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.command_root = command_root
        self._environment = environment  # the versions this site is built with (default: this Python's)
        self.sanitize = sanitize
        self.scrub_text = scrub_text
        self.limits = limits
        self.blocks = OutputBlocks(limits)
        self._trusted = False  # the note being rendered vouches for its outputs (raw HTML cells kept)

    @property
    def _shown(self) -> set[str]:
        """The MIME types the page being rendered shows (for their assets and scripts)."""
        return self.blocks.shown

    @property
    def environment(self) -> Mapping[str, str]:
        """The torch and Python versions of the environment building the site (compared with each run's)."""
        if self._environment is None:
            self._environment = build_versions()
        return self._environment

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
        note, entry = status.note, status.entry
        story = RunStory(status, runs)
        parts = [self._header(note), self._notices(status, story)]
        notebook = self._merged(status, story)
        if self.sanitize is not None:
            notebook = self.sanitize(notebook, note)
        if story.kept < story.cells and story.shown is not None:
            mark_stale_cells(notebook, story.kept, stale_cell_notice(status.state))
        if story.shown is not None:
            show_promoted_parameters(notebook, story.shown.provenance.overrides, story.run_id)
        prepare_cells(notebook, self._command_path(note), {note.meta.title, note.display_title}, _is_myst(note))
        self._trusted = self.sanitize is None or note.meta.trusted
        self.blocks.start(Path(note.rel).stem + ".executed.ipynb" if story.shown is not None else "")
        body, resources = self.exporter.from_notebook_node(notebook, resources={"unique_key": "figure"})
        parts.append(body)
        files: dict[str, bytes] = {}
        for name, data in resources.get("outputs", {}).items():
            files[name] = data if isinstance(data, bytes) else str(data).encode()
        files.update(assets_for(self._shown))
        parts.append("".join(f'<script src="{html.escape(name)}"></script>\n' for name in scripts_for(self._shown)))
        parts.append(self._run_story(note, story, files))
        parts.append(self._footer(note, entry if story.shown is not None else None, files, story))
        return RenderedPage(markdown="\n".join(p for p in parts if p), files=files)

    def _merged(self, status: NoteStatus, story: RunStory) -> NotebookNode:
        """The note's cells with the stored outputs the page shows (none when the entry is not current)."""
        if story.shown is not None:
            return merge_outputs(status.note, story.shown.notebook, story.kept)
        notebook = copy.deepcopy(status.note.notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        return notebook

    def _notices(self, status: NoteStatus, story: RunStory) -> str:
        """What the page says above the note about its outputs: where from, whether current, what failed."""
        note, state, entry = status.note, status.state, status.entry
        if not note.has_code:
            return ""
        command = f"labjournal run {self._command_path(note)}"
        if story.usable and entry is not None:
            return banners(state, entry)
        text = stale_notice(state, command) if story.shown is None else partly_stale_notice(state, command, story.kept)
        failure = entry.provenance.last_failure if entry is not None else None
        if failure is not None and failure.key == status.key:  # the current code was run, and failed
            text += failure_banner(failure, "the code changed since the last good run")
        return text

    def _run_story(self, note: Note, story: RunStory, files: dict[str, bytes]) -> str:
        """After the note: the Runs section (when it has experiments) and the re-run command."""
        parts = []
        if any(run.overrides for run in story.runs):
            parts.append(runs_section(story.runs, files))
        if any(name != "device" for name in story.parameters):
            parts.append(rerun_command(self._command_path(note), story.parameters))
        return "\n".join(parts)

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

    def _footer(self, note: Note, entry: Entry | None, files: dict[str, bytes], story: RunStory) -> str:
        stem = Path(note.rel).name
        files[stem] = self._publish_text(note.text).encode()
        links = [f'<a href="{html.escape(stem)}" download>:material-download: note source</a>']
        drift = ""
        if entry is not None:
            executed = Path(stem).stem + ".executed.ipynb"
            published = self.sanitize(copy.deepcopy(entry.notebook), note) if self.sanitize else entry.notebook
            files[executed] = dumps_deterministic(published).encode()
            links.append(f'<a href="{html.escape(executed)}" download>:material-notebook: executed notebook</a>')
            links.insert(0, provenance_line(entry, shown_parameters(story.parameters), story.run_id))
            if not entry.provenance.saved:
                drift = drift_note(entry.provenance.versions, self.environment)
        return "\n---\n\n" + " · ".join(links) + "\n{ .lj-provenance }\n" + (f"\n{drift}" if drift else "")


def _is_myst(note: Note) -> bool:
    """Whether the note is written in MyST (its code cells are ``{code-cell}`` directives)."""
    return "{code-cell}" in note.text


def _yaml_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
