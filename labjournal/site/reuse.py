"""Reusing the two costly steps of a page's build from the last build: ``build`` after one edit.

A full MkDocs build converts every page's Markdown to HTML and renders every page through the
theme's templates; after a prose edit, all but a few pages would come out exactly as before. Every
plugin event still runs for every page (feeds, tags, the search index and the navigation see the
whole site, as in a full build), but these two steps are looked up first:

- *reading*: a page's HTML, table of contents, title and anchors depend on its Markdown (after the
  plugins' ``on_page_markdown``), its place and the files its links point at. They are kept under a
  key of the first two, with the links' targets as MkDocs resolved them; a target moved or gone is
  a miss.
- *writing*: a page's HTML file depends on the template context: the page (HTML, title, table of
  contents, metadata, neighbours, place in the navigation), the navigation, and what plugins added
  to the context. The template's output is kept under a key of all of it.

Both keys include the *engine*: a fingerprint of the configuration, the theme, the ``docs/`` folder
(its pages aside: each is in its own key), the installed packages and labjournal's code
(``incremental.input_digest`` without notes and store), so that a change there renders everything
again. A page whose reading or writing logged a warning is never kept (a ``--strict`` build must
see the warning again), nor one whose context holds something that cannot be described. Kept
results live in the journal's cache, one folder per site folder; a build removes those it did not
use.
"""

from __future__ import annotations

import datetime
import enum
import gzip
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MethodType
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from .site_folder import SiteFolder

log = logging.getLogger("mkdocs.plugins.labjournal")

_KEPT_SUFFIXES = (".read.json", ".html.gz", ".search.json")
_STANDARD_CONTEXT = {"nav", "pages", "config", "page", "build_date_utc", "mkdocs_version"}
"""Template context entries the key covers through the engine, the navigation and the page."""


class Uncacheable(Exception):
    """Something in a page's context cannot be described: the page is rendered as usual."""


def _digest(*parts: object) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=_refuse).encode())
        sha.update(b"\0")
    return sha.hexdigest()


def _refuse(value: object) -> object:
    raise Uncacheable(type(value).__qualname__)


def _write(path: Path, data: bytes) -> None:
    """A kept result, written in place: a file cut short (a crash, two builds at once) does not parse
    (JSON) or fails its check (gzip's CRC), and is a miss."""
    with open(path, "wb") as handle:
        handle.write(data)


@contextmanager
def _warnings_seen() -> Iterator[list[logging.LogRecord]]:
    """The records of level INFO and above logged meanwhile (MkDocs' logger does not propagate
    during ``labjournal build``: both it and the root logger are listened to)."""
    seen: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    catch = Catch(logging.INFO)
    loggers = [logging.getLogger("mkdocs"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(catch)
    try:
        yield seen
    finally:
        for logger in loggers:
            logger.removeHandler(catch)


# -- descriptions of what a page's output depends on -----------------------------------------------


def describe(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-able data that changes when what a template can read of it changes."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (Page, Link)):
        return [type(value).__name__, value.title, value.url]
    if isinstance(value, Section):
        return ["Section", value.title]
    if isinstance(value, File):
        return ["File", value.src_uri, value.url]
    if isinstance(value, enum.Enum):
        return repr(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if depth > 8:
        raise Uncacheable("too deep")
    if isinstance(value, Mapping):
        return sorted([str(key), describe(item, depth + 1)] for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [describe(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(describe(item, depth + 1), sort_keys=True, default=_refuse) for item in value)
    if hasattr(value, "__dict__") and not callable(value):
        return [type(value).__qualname__, describe(vars(value), depth + 1)]
    raise Uncacheable(type(value).__qualname__)


def _toc_data(items: list[AnchorLink]) -> list[Any]:
    rows: list[Any] = []
    for item in items:
        active = bool(getattr(item, "active", False))
        rows.append((item.title, item.id, item.level, active, _toc_data(item.children)))
    return rows


def _toc_from(data: list[Any]) -> list[AnchorLink]:
    items = []
    for title, anchor, level, active, children in data:
        item = AnchorLink(title, anchor, level)
        item.children = _toc_from(children)
        if active:
            item.active = True  # type: ignore[attr-defined]  # as mkdocs.structure.toc.get_toc marks the first
        items.append(item)
    return items


def _nav_data(items: list[Any]) -> list[Any]:
    described: list[Any] = []
    for item in items:
        if isinstance(item, Section):
            described.append(["Section", item.title, _nav_data(item.children)])
        elif isinstance(item, Page):
            described.append(["Page", item.title, item.url, item.is_index, describe(item.meta)])
        else:
            described.append(describe(item))
    return described


def _page_data(page: Page) -> list[Any]:
    """What a theme's templates read of the page being rendered."""
    parents = []
    parent = page.parent
    while parent is not None:
        parents.append(parent.title)
        parent = parent.parent
    return [
        page.file.src_uri,
        page.file.dest_uri,
        page.url,
        page.canonical_url,
        page.abs_url,
        page.edit_url,
        page.title,
        page.content,
        _toc_data(list(page.toc)),
        describe(page.meta),
        page.is_homepage,
        describe(page.previous_page),
        describe(page.next_page),
        parents,
    ]


# -- the two memos ---------------------------------------------------------------------------------


class _FilesSeen:
    """``files`` as a page's rendering sees it, noting every lookup (a link's target)."""

    def __init__(self, files: Files) -> None:
        self._files = files
        self.lookups: dict[str, list[Any] | None] = {}

    def get_file_from_path(self, path: str) -> File | None:
        file = self._files.get_file_from_path(path)
        self.lookups[path] = _target(file)
        return file

    def __getattr__(self, name: str) -> Any:
        return getattr(self._files, name)


def _target(file: File | None) -> list[Any] | None:
    return None if file is None else [file.url, file.inclusion.name]


class PageReuse:
    """The reading and writing memos of one site folder, for one build at a time."""

    def __init__(self, folder: Path, engine: str) -> None:
        self.folder = folder
        self.engine = engine
        self.used: set[str] = set()
        self.pages: set[str] = set()
        self.rendered: set[str] = set()
        """The pages seen, and those of them that one step or more rendered again (``src_uri``)."""
        self._nav: str | None = None
        folder.mkdir(parents=True, exist_ok=True)

    # reading

    def reuse_reading(self, page: Page) -> None:
        """Make ``page.render`` look its result up first (called before MkDocs renders the page)."""
        render = page.render
        memo = self

        def cached_render(self: Page, config: Any, files: Files) -> None:
            memo._render(self, render, config, files)

        page.render = MethodType(cached_render, page)  # type: ignore[method-assign]

    def _render(self, page: Page, render: Any, config: Any, files: Files) -> None:
        file = page.file
        key = _digest("read", self.engine, file.src_uri, file.url, file.inclusion.name, page.markdown)
        path = self.folder / f"{key}.read.json"
        self.pages.add(file.src_uri)
        if self._restore(page, path, files):
            self.used.add(path.name)
            return
        self.rendered.add(file.src_uri)
        seen = _FilesSeen(files)
        with _warnings_seen() as warnings:
            render(config, seen)
        if warnings:
            return
        links = {target.src_uri: anchors for target, anchors in (page.links_to_anchors or {}).items()}
        data = {
            "content": page.content,
            "toc": _toc_data(list(page.toc)),
            "title": page._title_from_render,
            "anchors": list(page.present_anchor_ids or ()),
            "links_to_anchors": links if page.links_to_anchors is not None else None,
            "lookups": seen.lookups,
        }
        _write(path, json.dumps(data, ensure_ascii=False).encode())
        self.used.add(path.name)

    @staticmethod
    def _restore(page: Page, path: Path, files: Files) -> bool:
        try:
            data = json.loads(path.read_bytes())
            if any(_target(files.get_file_from_path(uri)) != target for uri, target in data["lookups"].items()):
                return False  # a link's target moved, appeared or went
            links = data["links_to_anchors"]
            toc = TableOfContents(_toc_from(data["toc"]))
            content, title, anchors = data["content"], data["title"], set(data["anchors"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):  # missing, cut short or not ours
            return False
        page.content, page.toc, page._title_from_render, page.present_anchor_ids = content, toc, title, anchors
        if links is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): anchors for uri, anchors in links.items()}  # type: ignore[misc]
        return True

    # writing

    def reuse_writing(self, env: Any) -> None:
        """Make the templates ``env`` gives out look a page's output up first."""
        get_template = env.get_template
        memo = self
        self._nav = None

        def cached_get_template(name: Any, *args: Any, **kwargs: Any) -> Any:
            return _ReusedTemplate(get_template(name, *args, **kwargs), memo)

        env.get_template = cached_get_template

    def nav_key(self, context: Mapping[str, Any]) -> str:
        if self._nav is None:
            nav = context["nav"]
            pages = [[f.src_uri, f.url] for f in context["pages"]]
            homepage = nav.homepage.url if nav.homepage else None
            config = context["config"]  # what plugins and hooks may set while building (the rest is the engine's)
            settings = [config.site_url, config.site_name, config.copyright, describe(config.extra)]
            self._nav = _digest(_nav_data(nav.items), homepage, pages, settings)
        return self._nav

    def output_of(self, template: Any, context: Mapping[str, Any]) -> str:
        page = context.get("page")
        if page is None:
            return str(template.render(context))
        self.pages.add(page.file.src_uri)
        try:
            others = {k: describe(v) for k, v in context.items() if k not in _STANDARD_CONTEXT}
            key = _digest("write", self.engine, template.name, self.nav_key(context), _page_data(page), others)
        except Uncacheable:
            self.rendered.add(page.file.src_uri)
            return str(template.render(context))
        path = self.folder / f"{key}.html.gz"
        try:
            output = gzip.decompress(path.read_bytes()).decode("utf-8")
        except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError):
            pass
        else:
            self.used.add(path.name)
            return output
        self.rendered.add(page.file.src_uri)
        with _warnings_seen() as warnings:
            output = str(template.render(context))
        if not warnings:
            _write(path, gzip.compress(output.encode("utf-8"), compresslevel=1, mtime=0))
            self.used.add(path.name)
        return output

    # the search index

    def reuse_search_entries(self, index: Any) -> None:
        """Make mkdocs-material's search index look a page's entries up first: splitting a page's
        HTML into sections costs as much as rendering it (its ``SearchIndex``, whose entries are a list)."""
        if not isinstance(getattr(index, "entries", None), list) or not callable(index.add_entry_from_context):
            return  # not the index this was written for: it indexes every page, as it would
        add_entry = index.add_entry_from_context
        memo = self

        def cached_add_entry(page: Page) -> None:
            memo._index(index, add_entry, page)

        index.add_entry_from_context = cached_add_entry

    def _index(self, index: Any, add_entry: Any, page: Page) -> None:
        try:
            key = _digest(
                "search",
                self.engine,
                page.url,
                page.title,
                page.content,
                _toc_data(list(page.toc)),
                describe(page.meta),
            )
        except Uncacheable:
            self.rendered.add(page.file.src_uri)
            add_entry(page)
            return
        path = self.folder / f"{key}.search.json"
        try:
            entries = json.loads(path.read_bytes())
        except (OSError, ValueError):
            entries = None
        if isinstance(entries, list):
            index.entries.extend(entries)
            self.used.add(path.name)
            return
        self.rendered.add(page.file.src_uri)
        before = len(index.entries)
        add_entry(page)
        _write(path, json.dumps(index.entries[before:], ensure_ascii=False).encode())
        self.used.add(path.name)

    def prune(self) -> None:
        """After a build: remove what it did not use (a journal keeps one build's worth)."""
        for path in self.folder.iterdir():
            if path.name.endswith(_KEPT_SUFFIXES) and path.name not in self.used:
                path.unlink(missing_ok=True)


class _ReusedTemplate:
    """A theme template whose ``render`` looks a page's output up first; everything else as it is."""

    def __init__(self, template: Any, memo: PageReuse) -> None:
        self._template, self._memo = template, memo

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = dict(*args, **kwargs)
        return self._memo.output_of(self._template, context)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


class ReusePlugin(BasePlugin):
    """Added to the configuration of a ``labjournal build``: puts :class:`PageReuse` in the way of
    MkDocs' rendering (``on_pre_page``, just before a page is read) and of the theme's templates
    (``on_env``, last: after every plugin that renders with the theme for its own needs), and keeps
    the site folder between builds (:class:`~.site_folder.SiteFolder`)."""

    def __init__(self, memo: PageReuse, site: SiteFolder | None) -> None:
        super().__init__()
        self.memo, self.site = memo, site
        self.files: Files | None = None

    def add_to(self, config: Any) -> None:
        config.plugins["labjournal-reuse"] = self

    @property
    def keeps_site(self) -> bool:
        """Whether the build may keep the site folder as the last build left it (MkDocs' dirty mode)."""
        return self.site is not None and self.site.kept

    @event_priority(-100)  # after every plugin added its files
    def on_files(self, files: Files, /, *, config: Any) -> Files:
        self.files = files
        if self.site is not None:
            self.site.watch(files)
        return files

    def on_pre_page(self, page: Page, /, *, config: Any, files: Files) -> Page:
        self.memo.reuse_reading(page)
        return page

    @event_priority(-100)
    def on_env(self, env: Any, /, *, config: Any, files: Files) -> Any:
        self.memo.reuse_writing(env)
        search = config.plugins.get("search") or config.plugins.get("material/search")
        if search is not None and hasattr(search, "search_index"):
            self.memo.reuse_search_entries(search.search_index)
        if self.site is not None:
            self.site.remove_strays(files)  # the last event before MkDocs writes
        return env

    def finished(self) -> None:
        """After a build that finished: keep what it used, record the site folder, say what was rendered."""
        self.memo.prune()
        if self.files is not None and self.site is not None:
            self.site.record(self.files)
        again = sorted(self.memo.rendered)
        shown = ", ".join(again[:5]) + (f" and {len(again) - 5} more" if len(again) > 5 else "")
        log.info(
            "Pages rendered again: %d of %d (%s); the others as the last build left them",
            len(again), len(self.memo.pages), shown or "none",
        )  # fmt: skip


def reuse_for(cfg: Any, *, strict: bool, cache_dir: Path, preview: bool = False) -> ReusePlugin:
    """The reuse of the last build of ``cfg``'s site folder, added to ``cfg``'s plugins; for the
    preview (``preview``: a new temporary folder each time), of its last full build, pages only."""
    site_dir = Path(cfg.site_dir)
    name = "preview" if preview else hashlib.sha256(str(site_dir.resolve()).encode()).hexdigest()[:16]
    folder = cache_dir / "site-pages" / name
    engine = engine_digest(cfg, strict=strict, skip=[cache_dir, site_dir])
    plugin = ReusePlugin(PageReuse(folder, engine), None if preview else SiteFolder(folder, site_dir, engine))
    plugin.add_to(cfg)
    return plugin


def engine_digest(cfg: Any, *, strict: bool, skip: list[Path]) -> str:
    """What every page's output may depend on besides its own source (``incremental``): not the notes,
    the store or the docs folder's pages, but its other files (includes, images a page may embed),
    and the day when a theme's own template shows a build date."""
    from mkdocs.utils import get_build_date

    from .incremental import input_digest, snippet_folders

    dated = any(_mentions_dates(Path(folder)) for folder in cfg.theme.dirs)
    folders = snippet_folders(cfg)
    inputs = input_digest(cfg, strict=strict, folders=folders, skip=skip, with_site_dir=False, with_pages=False)
    return _digest(inputs, get_build_date() if dated else None)


def _mentions_dates(folder: Path) -> bool:
    for path in folder.rglob("*.html"):
        text = path.read_text("utf-8", "replace")
        if "update_date" in text or "build_date" in text:
            return True
    return False
