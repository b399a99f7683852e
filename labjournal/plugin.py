"""The MkDocs plugin: notes become pages, with listings and a small navigation.

Nothing is executed here and nothing is written into ``docs/``: every page, figure and listing is
a generated ``File``. Rendered pages are cached under ``.labjournal/cache/render`` by a hash of the
note's text and its store entry, so a rebuild re-renders only what changed, and the navigation
holds recent entries and listings, never every note (every page of a mkdocs-material site carries
the whole navigation, so a nav of all notes makes the site grow with notes x notes).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from . import __version__
from .errors import LabjournalError
from .fingerprint import renderer_fingerprint
from .journal import Journal, NoteStatus, Settings
from .runs import RunLog
from .store import State

if TYPE_CHECKING:
    from .render import Renderer

log = logging.getLogger("mkdocs.plugins.labjournal")

RECENT_MARKER = "<!-- labjournal:recent -->"


class LabjournalConfig(Config):
    """Options of the ``labjournal`` plugin in ``mkdocs.yml``."""

    enabled = c.Type(bool, default=True)
    notes_dir = c.Type(str, default="notes")
    """Folder of the notes, relative to mkdocs.yml."""
    store_dir = c.Type(str, default="store")
    """Folder of the committed store of executed notebooks."""
    cache_dir = c.Type(str, default=".labjournal")
    """Folder for caches (rendered pages); not committed."""
    url_prefix = c.Type(str, default="journal")
    """Notes are published under this folder of the site."""
    recent = c.Type(int, default=8)
    """How many recent entries the navigation and the home page list."""
    drafts = c.Optional(c.Type(bool))
    """Publish draft notes; default: only in ``mkdocs serve``."""
    executor = c.Type(str, default="local")
    """Executor used by ``labjournal run``/``build`` (see ``labjournal.executors``)."""
    jobs = c.Optional(c.Type(int))
    """Parallel jobs for the executor; default: the number of cores."""
    preload = c.Optional(c.Type(bool))
    """Fork each note's kernel from a server that imported the heavy modules once; default: the
    executor's (local: on where fork is supported; ray: off)."""
    preload_modules = c.Optional(c.ListOfItems(c.Type(str)))
    """Modules the preload server may import (those the run's notes use); default: numpy,
    matplotlib.pyplot, torch, torch.optim and their helpers."""


@dataclass
class PublishedNote:
    """A note as the site sees it."""

    status: NoteStatus
    src_uri: str

    @property
    def note(self):
        return self.status.note


class LabjournalPlugin(BasePlugin[LabjournalConfig]):
    """Adds notes, listings and an execution report to a MkDocs site."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.is_serve = False
        self.published: list[PublishedNote] = []
        self.journal_section: Section | None = None
        self.entry_order: dict[str, int] = {}
        self.entry_pages: list[File | None] = []
        self.journal: Journal | None = None
        self._renderer: Renderer | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_serve = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        root = Path(config.config_file_path).parent
        settings = Settings.from_mapping(dict(self.config))
        self.journal = Journal(root, settings)
        self.runs = RunLog(self.journal.store.root / "runs")
        return config

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.journal is not None:
            for folder in (self.journal.notes_root, self.journal.store.root):
                if folder.exists():
                    server.watch(str(folder))
        return server

    # -- pages -----------------------------------------------------------------------------------

    def _publish_drafts(self) -> bool:
        return self.is_serve if self.config.drafts is None else bool(self.config.drafts)

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if self.journal is None:
            return files
        journal = self.journal
        try:
            notes = journal.notes()
        except LabjournalError as exc:
            raise PluginError(str(exc)) from None
        if not self._publish_drafts():
            notes = [n for n in notes if not n.meta.draft]
        self._renderer = None
        prefix = self.config.url_prefix.strip("/")
        self.published = []
        for note in notes:
            status = journal.status(note)
            if status.state is not State.FRESH and note.meta.device == "cuda" and status.entry is not None:
                from .devices import gpu_available

                if not gpu_available() and status.entry.provenance.key == status.key:
                    status.state = State.NEEDS_GPU
            folder = f"{prefix}/{note.id}"
            cached = self._render_cached(status)
            page_uri = f"{folder}/index.md"
            page_file = File.generated(config, page_uri, abs_src_path=str(cached / "index.md"))
            page_file.inclusion = InclusionLevel.NOT_IN_NAV  # listings reach every note; the nav does not
            files.append(page_file)
            for asset in sorted(p for p in cached.iterdir() if p.name != "index.md"):
                self._add_asset(files, config, f"{folder}/{asset.name}", asset)
            self.published.append(PublishedNote(status, page_uri))
        self._add_listings(files, config)
        journal.save_caches()
        return files

    @property
    def renderer(self) -> Renderer:
        """Made on the first page that must be rendered: a build with nothing new never imports nbconvert."""
        if self._renderer is None:
            from .render import Renderer
            from .scrub import scrub_text

            assert self.journal is not None
            self._renderer = Renderer(command_root=self.journal.root, sanitize=_sanitizer(), scrub_text=scrub_text)
        return self._renderer

    def _render_cached(self, status: NoteStatus) -> Path:
        """Render a note into the cache unless an identical render is there already.

        The cache key covers everything a page shows: the rendering code, the note's text, its
        state, its store entry (through the provenance, which a re-run always changes) and its runs.
        """
        assert self.journal is not None
        provenance = status.entry.provenance.to_dict() if status.entry else None
        digest = hashlib.sha256()
        runs_digest = self.runs.digest(status.note.id)
        parts = (renderer_fingerprint(), status.state.value, status.note.text, status.note.rel, runs_digest, provenance)
        for part in parts:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode() + b"\x00")
        folder = self.journal.cache / "render" / status.note.id / digest.hexdigest()[:16]
        if (folder / "index.md").exists():
            return folder
        try:
            runs = self.runs.list(status.note.id)
            page = self.renderer.render(status.note, status.state, status.entry, runs, status.key)
        except Exception as exc:  # one note that cannot be rendered must not sink the site
            log.warning("%s: cannot be rendered: %s: %s", status.note.path, type(exc).__name__, exc)
            page = self.renderer.render_error(status.note, exc)
        if folder.parent.exists():
            shutil.rmtree(folder.parent)  # old renders of this note
        tmp = folder.with_name(folder.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "index.md").write_text(page.markdown, encoding="utf-8")
        for name, data in page.files.items():
            (tmp / name).write_bytes(data)
        tmp.rename(folder)
        return folder

    @staticmethod
    def _add_asset(files: Files, config: MkDocsConfig, uri: str, path: Path) -> None:
        if uri.endswith((".md", ".markdown")):
            # a note's source offered for download must not become a page
            file = File.generated(config, uri + ".download", abs_src_path=str(path))
            file.dest_uri = uri
            file.url = uri
        else:
            file = File.generated(config, uri, abs_src_path=str(path))
        files.append(file)

    # -- listings --------------------------------------------------------------------------------

    def _link(self, item: PublishedNote, from_uri: str) -> str:
        depth = from_uri.count("/")
        return "../" * depth + item.src_uri

    def _entry_line(self, item: PublishedNote, from_uri: str) -> str:
        note = item.note
        return f"- {note.meta.date.isoformat()} · [{_md_escape(note.display_title)}]({self._link(item, from_uri)})"

    def _newest_first(self) -> list[PublishedNote]:
        return sorted(self.published, key=lambda p: (p.note.meta.date, p.note.meta.day or 0, p.note.id), reverse=True)

    def _add_listings(self, files: Files, config: MkDocsConfig) -> None:
        prefix = self.config.url_prefix.strip("/")
        pages = {
            f"{prefix}/index.md": self._archive_page(f"{prefix}/index.md"),
            f"{prefix}/report.md": self._report_page(f"{prefix}/report.md"),
        }
        by_series: dict[str, list[PublishedNote]] = defaultdict(list)
        for item in self.published:
            if item.note.meta.series:
                by_series[item.note.meta.series].append(item)
        for series, items in sorted(by_series.items()):
            uri = f"{prefix}/series/{_slug(series)}.md"
            pages[uri] = self._series_page(series, items, uri)
        metrics_page = self._metrics_page(f"{prefix}/metrics.md", files, config)
        if metrics_page:
            pages[f"{prefix}/metrics.md"] = metrics_page
        for uri, text in pages.items():
            listing = File.generated(config, uri, content=text)
            listing.inclusion = InclusionLevel.NOT_IN_NAV  # on_nav adds them to the Journal section
            files.append(listing)

    def _archive_page(self, uri: str) -> str:
        lines = ["---", "title: Journal", "---", "", "# Journal", "", "Every entry, newest first.", ""]
        year = month = None
        for item in self._newest_first():
            date = item.note.meta.date
            if date.year != year:
                year, month = date.year, None
                lines += ["", f"## {year}", ""]
            if date.month != month:
                month = date.month
                lines += ["", f"### {date.strftime('%B %Y')}", ""]
            lines.append(self._entry_line(item, uri))
        if not self.published:
            lines.append("No entries yet: `labjournal new` writes the first one.")
        return "\n".join(lines) + "\n"

    def _series_page(self, series: str, items: list[PublishedNote], uri: str) -> str:
        lines = ["---", f"title: 'Series: {series}'", "---", "", f"# Series: {series}", ""]
        ordered = sorted(items, key=lambda p: (p.note.meta.date, p.note.meta.day or 0, p.note.id))
        lines += [self._entry_line(item, uri).replace("- ", "1. ", 1) for item in ordered]
        return "\n".join(lines) + "\n"

    def _metrics_page(self, uri: str, files: Files, config: MkDocsConfig) -> str | None:
        """Each metric that several notes record, charted by date; every point links to its note."""
        from mkdocs.utils import get_relative_url

        from .charts import Point, metric_by_date

        page_url = File(uri, "", "", config.use_directory_urls).url
        by_metric: dict[str, list[Point]] = defaultdict(list)
        links: dict[str, str] = {}  # page URL -> Markdown link target (validated by MkDocs)
        for item in sorted(self.published, key=lambda p: (p.note.meta.date, p.note.id)):
            entry = item.status.entry
            if entry is None or item.status.state is not State.FRESH:
                continue
            url = get_relative_url(files.get_file_from_path(item.src_uri).url, page_url)
            links[url] = self._link(item, uri)
            for name, value in entry.provenance.metrics.items():  # final values, kept in the store's index
                by_metric[name].append(Point(item.note.meta.date.isoformat(), value, item.note.display_title, url))
        shared = {name: points for name, points in sorted(by_metric.items()) if len({p.url for p in points}) > 1}
        if not shared:
            return None
        intro = "Metrics that several entries record with `labjournal.record`, by date. Each point links to its entry."
        lines = ["---", "title: Metrics", "---", "", "# Metrics across the journal", "", intro, ""]
        for name, points in shared.items():
            svg = self._cached_chart(name, points, metric_by_date)
            svg = svg[svg.index("<svg") :]
            lines += [f"## {name}", "", '<div class="lj-chart">', svg, "</div>", ""]
            lines += ["| date | entry | final value |", "| --- | --- | ---: |"]
            for point in points:
                lines.append(f"| {point.date} | [{_md_escape(point.label)}]({links[point.url]}) | {point.value:.6g} |")
            lines.append("")
        return "\n".join(lines)

    def _cached_chart(self, name: str, points: list[Any], draw: Any) -> str:
        """Charts are redrawn only when their data changes (matplotlib costs a second to import)."""
        assert self.journal is not None
        digest = hashlib.sha256(repr((__version__, name, points)).encode()).hexdigest()[:20]
        path = self.journal.cache / "charts" / f"{digest}.svg"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(draw(name, points), encoding="utf-8")
        return path.read_text(encoding="utf-8")

    def _report_page(self, uri: str) -> str:
        lines = [
            "---",
            "title: Execution report",
            "---",
            "",
            "# Execution report",
            "",
            "Every note with the state of its stored outputs (`labjournal status` prints the same).",
            "",
            "| note | state | seconds | device | last run |",
            "| --- | --- | ---: | --- | --- |",
        ]
        for item in self._newest_first():
            entry = item.status.entry
            prov = entry.provenance if entry else None
            seconds = f"{prov.seconds:.1f}" if prov else ""
            device = (prov.device + (f" ({prov.gpu})" if prov.gpu else "")) if prov else ""
            when = prov.finished.replace("T", " ")[:16] if prov else ""
            title = _md_escape(item.note.display_title)
            lines.append(
                f"| [{title}]({self._link(item, uri)}) | {item.status.state} | {seconds} | {device} | {when} |"
            )
        return "\n".join(lines) + "\n"

    # -- navigation --------------------------------------------------------------------------------

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if self.journal is None:
            return nav
        prefix = self.config.url_prefix.strip("/")

        def page(title: str | None, uri: str) -> Page | None:
            file = files.get_file_from_path(uri)
            return None if file is None else _page(title, file, config)

        recent = [page(p.note.display_title, p.src_uri) for p in self._newest_first()[: self.config.recent]]
        series_uris = sorted(f.src_uri for f in files if f.src_uri.startswith(f"{prefix}/series/"))
        children = [
            page("All entries", f"{prefix}/index.md"),
            _section("Recent", recent),
            _section("Series", [page(None, uri) for uri in series_uris]),
            page("Metrics", f"{prefix}/metrics.md"),
            page("Execution report", f"{prefix}/report.md"),
        ]
        self.journal_section = _section("Journal", children)
        if self.journal_section is not None:
            nav.items.insert(1 if nav.items else 0, self.journal_section)
        nav.pages = [item for item in _walk(nav.items) if isinstance(item, Page)]
        _link_previous_and_next(nav.pages)
        chronological = sorted(self.published, key=lambda p: (p.note.meta.date, p.note.meta.day or 0, p.note.id))
        self.entry_order = {p.src_uri: index for index, p in enumerate(chronological)}
        self.entry_pages = [files.get_file_from_path(p.src_uri) for p in chronological]
        return nav

    def on_pre_page(self, page: Page, /, *, config: MkDocsConfig, files: Files) -> Page | None:
        """Entries link to the previous and next entry by date (most of them are not in the nav),
        and sit in the Journal section, so its tab is highlighted on every entry."""
        index = self.entry_order.get(page.file.src_uri)
        if index is None:
            return page
        before = self.entry_pages[index - 1] if index > 0 else None
        after = self.entry_pages[index + 1] if index + 1 < len(self.entry_pages) else None
        page.previous_page = before.page if before else None
        page.next_page = after.page if after else None
        if page.parent is None and self.journal_section is not None:
            page.parent = self.journal_section
        return page

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if RECENT_MARKER not in markdown:
            return markdown
        lines = [self._entry_line(item, page.file.src_uri) for item in self._newest_first()[: self.config.recent]]
        return markdown.replace(RECENT_MARKER, "\n".join(lines) or "No entries yet.")


def _page(title: str | None, file: File | None, config: MkDocsConfig) -> Page:
    assert file is not None
    return file.page if file.page is not None else Page(title, file, config)


def _section(title: str, children: list[Any]) -> Section | None:
    """A nav section of the children that exist, each knowing its parent (the theme needs that)."""
    children = [child for child in children if child is not None]
    if not children:
        return None
    section = Section(title, children)
    for child in children:
        child.parent = section
    return section


def _link_previous_and_next(pages: list[Page]) -> None:
    """What MkDocs does for the nav it reads, redone after the Journal section was added."""
    for before, after in itertools.pairwise(pages):
        before.next_page, after.previous_page = after, before
    if pages:
        pages[0].previous_page = pages[-1].next_page = None


def _walk(items: list[Any]) -> list[Any]:
    found: list[Any] = []
    for item in items:
        found.append(item)
        if isinstance(item, Section):
            found.extend(_walk(item.children))
    return found


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^\w]+", "-", text.lower()).strip("-") or "series"


def _md_escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def _sanitizer() -> Any:
    """Outputs bound for the public site: sanitised (unless the note is trusted) and scrubbed of secrets."""
    from .sanitize import sanitize_outputs
    from .scrub import scrub_notebook

    return lambda notebook, note: scrub_notebook(sanitize_outputs(notebook, trusted=note.meta.trusted))


__all__ = ["LabjournalConfig", "LabjournalPlugin"]
