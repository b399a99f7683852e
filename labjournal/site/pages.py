"""Notes' pages: rendered into ``<cache>/render`` and added to the site as generated files.

A page is rendered again only when something it shows changed: its cache key covers the
rendering code, the note's text, its state, its store entry (through the provenance, which a
re-run always changes) and its runs. Nothing is written into ``docs/``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from labjournal.rendering.fingerprint import renderer_fingerprint
from labjournal.rendering.runs import build_versions
from labjournal.store import cached_text, content_digest

from .listings import PublishedNote
from .summary import plain_summary

if TYPE_CHECKING:
    from markdown import Markdown

    from labjournal.execution import Journal, NoteStatus
    from labjournal.rendering.page import Renderer

log = logging.getLogger("mkdocs.plugins.labjournal")


class NotePages:
    """Adds each published note's page and files to the site, rendering only what changed."""

    def __init__(self, journal: Journal, config: MkDocsConfig) -> None:
        self.journal = journal
        self.config = config
        self._renderer: Renderer | None = None
        self._markdown: Markdown | None = None
        # once per build, not per note: it lists the registered output handlers' source files
        self.fingerprint = renderer_fingerprint()

    def check_markdown(self, text: str) -> None:
        """Convert ``text`` as MkDocs will (same extensions): a page that would stop the build raises
        here, where one note's failure is contained, instead of inside MkDocs' build."""
        if self._markdown is None:
            from markdown import Markdown

            self._markdown = Markdown(
                extensions=self.config.markdown_extensions, extension_configs=self.config.mdx_configs
            )
        try:
            self._markdown.reset().convert(text)
        finally:
            self._markdown.reset()

    @property
    def renderer(self) -> Renderer:
        """Made on the first page that must be rendered: a build with nothing new never imports nbconvert."""
        if self._renderer is None:
            from labjournal.execution.scrub import scrub_text
            from labjournal.rendering.page import Renderer

            self._renderer = Renderer(
                command_root=self.journal.root, sanitize=_sanitizer(), scrub_text=scrub_text, limits=self.journal.limits
            )
        return self._renderer

    def add(self, files: Files, config: MkDocsConfig, item: PublishedNote) -> PublishedNote:
        """Add the note's page and files; return the note with its excerpt and thumbnail for listings."""
        cached = self.render_cached(item.status)
        page_file = File.generated(config, item.src_uri, abs_src_path=str(cached / "index.md"))
        page_file.inclusion = InclusionLevel.NOT_IN_NAV  # listings reach every note; the nav does not
        files.append(page_file)
        folder = item.src_uri.rsplit("/", 1)[0]
        assets = sorted(p for p in cached.iterdir() if p.name != "index.md")
        for asset in assets:
            _add_asset(files, config, f"{folder}/{asset.name}", asset)
        figures = [a.name for a in assets if a.name.startswith("figure-") and a.suffix in FIGURE_SUFFIXES]
        # beside the render (same key): a build reads it instead of converting every page's Markdown again
        excerpt_file = cached.with_name(cached.name + ".excerpt")
        excerpt = cached_text(excerpt_file, lambda: plain_summary((cached / "index.md").read_text("utf-8")) or "")
        thumbnail = f"{folder}/{min(figures, key=_figure_order)}" if figures else None
        return dataclasses.replace(item, excerpt=excerpt or None, thumbnail=thumbnail)

    def render_cached(self, status: NoteStatus) -> Path:
        """The folder of the note's rendered page, rendered now unless an identical render is there."""
        provenance = status.entry.provenance.to_dict() if status.entry else None
        runs_digest = self.journal.store.runs.digest(status.note.id)
        limits = repr(self.journal.limits)  # the caps shape the page too
        parts = (
            self.fingerprint,
            limits,
            status.state.value,
            status.note.text,
            status.note.rel,
            runs_digest,
            provenance,
            build_versions(),  # the page says when its outputs were made with another torch or Python
        )
        folder = self.journal.cache / "render" / status.note.id / content_digest(*parts)[:16]
        if (folder / "index.md").exists():
            return folder
        try:
            runs = self.journal.store.runs.list(status.note.id)
            page = self.renderer.render(status, runs)
            self.check_markdown(page.markdown)
        except Exception as exc:  # one note that cannot be rendered must not sink the site
            log.warning("%s: cannot be rendered: %s: %s", status.note.path, type(exc).__name__, exc)
            page = self.renderer.render_error(status.note, exc)
            folder = folder.with_name("not-rendered")  # never cached: tried again (and warned) next build
        if folder.parent.exists():
            shutil.rmtree(folder.parent)  # old renders of this note
        tmp = folder.with_name(folder.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "index.md").write_text(page.markdown, encoding="utf-8")
        for name, data in page.files.items():
            (tmp / name).write_bytes(data)
        tmp.rename(folder)
        return folder


FIGURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif")


def _figure_order(name: str) -> tuple[int, ...]:
    """``figure-12-0.png`` after ``figure-3-1.png``: by cell, then by output."""
    return tuple(int(part) for part in name.split(".")[0].split("-")[1:] if part.isdigit())


def _add_asset(files: Files, config: MkDocsConfig, uri: str, path: Path) -> None:
    if uri.endswith((".md", ".markdown")):
        # a note's source offered for download must not become a page
        file = File.generated(config, uri + ".download", abs_src_path=str(path))
        file.dest_uri = uri
        file.url = uri
    else:
        file = File.generated(config, uri, abs_src_path=str(path))
    files.append(file)


def _sanitizer() -> Any:
    """Outputs bound for the public site: sanitised (unless the note is trusted) and scrubbed of secrets."""
    from labjournal.rendering.sanitize import public_notebook

    return lambda notebook, note: public_notebook(notebook, trusted=note.meta.trusted)


_NOT_FOUND = re.compile(r"<h1>404 - Not found</h1>")


def not_found_page(html: str, site_url: str | None, url_prefix: str) -> str:
    """The theme's 404 page with a way on: links home and to the journal (absolute: a 404 is
    served at any address), and a word about search."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    base = urlsplit(site_url or "/").path or "/"
    base = base if base.endswith("/") else base + "/"
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())
    body = env.get_template("404.html.j2").render(base=base, prefix=url_prefix.strip("/"))
    return _NOT_FOUND.sub(lambda _: body, html, count=1)
