"""The MkDocs plugin: notes become pages, with listing pages and a small navigation.

Nothing is executed here and nothing is written into ``docs/``: every page, figure and listing is
a generated ``File``. Notes' pages are rendered through a cache (``pages``), listing pages come
from the registry of listings (``listings``, rendered from ``templates/``), and the navigation's
Journal section holds recent entries and listings, never every note (``nav``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from labjournal.errors import LabjournalError
from labjournal.execution import Journal
from labjournal.store import cached_text, content_digest

from .config import LabjournalConfig
from .connections import Connections
from .csp import add_policy
from .feeds import fix_feeds
from .links import NoteLinks
from .listings import BuiltPage, JournalView, PublishedNote, build_listings, listings
from .listings.base import page_url
from .listings.build import shown_path
from .listings.templating import render
from .nav import EntryNeighbours, add_section, journal_section
from .pages import NotePages, not_found_page
from .search_text import readable_search_index
from .titles import escape_titles, striptags

RECENT_MARKER = re.compile(r"^[ \t]*<!-- labjournal:recent -->[ \t]*$", re.M)
"""The marker on a line of its own (a block), so that a page can mention it in code without being changed."""
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", re.M | re.S)


class LabjournalPlugin(BasePlugin[LabjournalConfig]):
    """Adds notes, listings and an execution report to a MkDocs site."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.is_serve = False
        self.journal: Journal | None = None
        self.view: JournalView | None = None
        self.listing_pages: list[BuiltPage] = []
        self.neighbours: EntryNeighbours | None = None
        self.links: NoteLinks | None = None
        self.connections: Connections | None = None
        self.excerpts: dict[str, str | None] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_serve = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        self.journal = self.config.journal(Path(config.config_file_path).parent)
        return config

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.journal is not None:
            for folder in (self.journal.notes_root, self.journal.store.root):
                if folder.exists():
                    server.watch(str(folder))
        return server

    # -- pages -----------------------------------------------------------------------------------

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if self.journal is None:
            return files
        try:
            view = self._view(config)
            taken = self._taken_urls(view, files)
            self.links = NoteLinks(view.notes, self.journal.notes_root)
            note_pages = NotePages(self.journal, config)
            self.view = view = view.with_notes(note_pages.add(files, config, item) for item in view.notes)
            self.listing_pages = build_listings(view, listings(), taken)
            self.connections = Connections(view.notes, self.links)
            self.excerpts = {item.src_uri: item.excerpt for item in view.notes}
        except LabjournalError as exc:
            raise PluginError(str(exc)) from None
        sources = self._listing_sources()
        for built in self.listing_pages:
            listing = File.generated(config, built.src_uri, abs_src_path=str(sources(built)))
            listing.inclusion = InclusionLevel.NOT_IN_NAV  # on_nav adds them to the Journal section
            files.append(listing)
        sources.prune()
        self.journal.save_caches()
        return files

    def _listing_sources(self) -> ListingSources:
        assert self.journal is not None
        return ListingSources(self.journal.cache / "listings")

    def _view(self, config: MkDocsConfig) -> JournalView:
        """The notes to publish (drafts only in ``mkdocs serve``, unless ``drafts`` says), oldest first."""
        assert self.journal is not None
        drafts = self.is_serve if self.config.drafts is None else bool(self.config.drafts)
        notes = [note for note in self.journal.notes() if drafts or not note.meta.draft]
        prefix = self.config.url_prefix.strip("/")
        published = []
        for note in sorted(notes, key=lambda note: note.chronological_key):
            src_uri = f"{prefix}/{note.id}/index.md" if prefix else f"{note.id}/index.md"
            url = page_url(src_uri, config.use_directory_urls)
            published.append(PublishedNote(self.journal.status(note), src_uri, url))
        return JournalView(tuple(published), prefix, config.use_directory_urls, self.journal.cache)

    def _taken_urls(self, view: JournalView, files: Files) -> dict[str, str]:
        """URL -> the file published there: the notes and the site's own pages (``docs/``)."""
        assert self.journal is not None
        root = self.journal.root
        taken = {f.url: shown_path(f.abs_src_path, root, f.src_uri) for f in files.documentation_pages()}
        taken.update({item.url: shown_path(item.note.path, root, item.note.rel) for item in view.notes})
        return taken

    # -- navigation --------------------------------------------------------------------------------

    def _recent(self) -> tuple[PublishedNote, ...]:
        return self.view.newest_first[: self.config.recent] if self.view else ()

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if self.journal is None or self.view is None:
            return nav
        section = journal_section(self.listing_pages, self._recent(), files, config)
        add_section(nav, section)
        self.neighbours = EntryNeighbours(self.view.notes, files, section)
        return nav

    def on_pre_page(self, page: Page, /, *, config: MkDocsConfig, files: Files) -> Page | None:
        """Entries link to the previous and next entry by date, and sit in the Journal section."""
        if self.neighbours is not None:
            self.neighbours.link(page)
        return page

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.links is not None and self.links.is_note_page(page.file.src_uri):
            markdown = self.links.rewrite(markdown, page.file.src_uri)
            # feeds and <meta name="description">: the entry's excerpt, taken when its page was rendered
            excerpt = self.excerpts.get(page.file.src_uri)
            page.meta.setdefault("description", html.escape(excerpt) if excerpt else None)
            if self.connections is not None:
                markdown += self.connections.block(page.file.src_uri)
        outside_code = _FENCE.sub("", markdown)
        if not RECENT_MARKER.search(outside_code):
            return markdown
        entries = render("recent.md.j2", notes=self._recent(), page_uri=page.file.src_uri)
        return _replace_outside_fences(markdown, lambda text: RECENT_MARKER.sub(lambda _: entries.rstrip("\n"), text))

    @event_priority(150)  # before the tags plugin's (100) lists pages by their titles
    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
        """Every page has been read: titles become text for the theme's templates (``titles``)."""
        escape_titles(files)
        env.filters["striptags"] = striptags
        if self.journal is not None:  # the theme's templates compiled once, not on every build (0.4 s)
            env.bytecode_cache = FileSystemBytecodeCache(str(ensure_folder(self.journal.cache / "templates")))
        return env

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        return add_policy(output, page.content or "")

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str | None:
        if template_name == "404.html" and self.journal is not None:
            output_content = not_found_page(output_content, config.site_url, self.config.url_prefix)
        return add_policy(output_content, "")  # 404.html (sitemap.xml has no head: left as it is)

    @event_priority(-50)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """After the RSS and search plugins have written their files, wherever the configuration lists them."""
        if self.journal is not None:
            fix_feeds(config.plugins, Path(config.site_dir))
            readable_search_index(Path(config.site_dir) / "search" / "search_index.json")


def ensure_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ListingSources:
    """Listing pages as files named by their content: a listing whose Markdown did not change keeps
    its file and its time, so the preview's dirty builds (which rebuild what is newer than its HTML)
    leave it alone; a build removes the files of listings it no longer has."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.used = folder, set[Path]()

    def __call__(self, built: BuiltPage) -> Path:
        path = self.folder / f"{content_digest(built.src_uri, built.markdown)[:24]}.md"
        cached_text(path, lambda: built.markdown)
        self.used.add(path)
        return path

    def prune(self) -> None:
        for path in self.folder.glob("*.md"):
            if path not in self.used:
                path.unlink(missing_ok=True)


def _replace_outside_fences(markdown: str, replace: Callable[[str], str]) -> str:
    """``replace`` applied to the text between fenced code blocks, the blocks left as they are."""
    parts, start = [], 0
    for fence in _FENCE.finditer(markdown):
        parts += [replace(markdown[start : fence.start()]), fence.group(0)]
        start = fence.end()
    return "".join([*parts, replace(markdown[start:])])


__all__ = ["LabjournalConfig", "LabjournalPlugin"]
