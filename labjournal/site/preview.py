"""``labjournal serve``: MkDocs' live-reloading server in this process, rebuilding only what changed.

What ``mkdocs serve`` does (a temporary site folder, a rebuild when a watched file is saved, the
browser reloaded by MkDocs' livereload script), with four differences:

- it runs in the command's own process, so stopping the command stops the server and frees its
  port (no child to orphan);
- ``before_build`` runs before every build (the command line re-runs the notes whose code was saved);
- saves are heard from the system's file events (:func:`_change_observer`), not by polling every
  watched file; a full build takes the pages the last preview rendered (``reuse``);
- after the first, full build, each build is MkDocs' *dirty* build: only the pages whose source is
  newer than their HTML are read and rendered again (a saved note is rendered into a new cached
  file, so its page is one of them, and :class:`PreviewMemory` adds its previous and next entries
  and the entries it links to; a listing is a file named by its content, rebuilt when it changed).
  What that leaves stale, until the next full build (``mkdocs.yml`` saved, or ``serve``
  restarted): other pages' navigation, the home page's recent entries, the feeds and the tags
  index. The search index is merged: the rebuilt pages' entries replace theirs, the others are
  kept. :class:`PreviewMemory` keeps the titles of pages a dirty build did not read, for the
  rebuilt pages' navigation and links.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from os.path import isfile, join
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.plugins import BasePlugin, event_priority

from .errors import SiteBuildError
from .site_folder import DirtyBuildNotes

log = logging.getLogger("mkdocs.commands.serve")


def _serve_url(host: str, port: int, path: str) -> str:
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{path.rstrip('/')}/"


class PreviewMemory(BasePlugin):
    """A plugin added to each preview build: the titles of the pages read so far, given back to the
    pages a dirty build does not read (MkDocs leaves their title empty: "Previous: None"); and in a
    dirty build, the previous and next entries of every entry rebuilt, and the entries it links to
    or linked to at the last build, are rebuilt too (their links and backlinks show its title, and a
    new entry is their neighbour)."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: dict[str, str] = {}
        self.dirty = False
        self.links: dict[str, set[str]] = {}
        """Each entry's page -> the entries' pages it linked to at the last build (their backlinks)."""

    def add_to(self, config: Any) -> None:
        config.plugins["labjournal-preview"] = self

    @event_priority(-100)  # after the labjournal plugin added the entries' pages
    def on_files(self, files: Any, /, *, config: Any) -> Any:
        journal = config.plugins.get("labjournal")
        view, connections = getattr(journal, "view", None), getattr(journal, "connections", None)
        if view is None or connections is None:
            return files
        links: dict[str, set[str]] = {}
        for target, sources in connections.backlinks.items():
            for source in sources:
                links.setdefault(source.src_uri, set()).add(target)
        if self.dirty:
            entries = [files.get_file_from_path(item.src_uri) for item in view.notes]
            rebuilt = [i for i, file in enumerate(entries) if file is not None and file.is_modified()]
            also = {view.notes[j].src_uri for i in rebuilt for j in (i - 1, i + 1) if 0 <= j < len(entries)}
            for i in rebuilt:  # the pages it links to, or linked to: their backlinks name it
                uri = view.notes[i].src_uri
                also |= links.get(uri, set()) | self.links.get(uri, set())
            for uri in also:
                file = files.get_file_from_path(uri)
                if file is not None:
                    file.is_modified = _always
        self.links = links
        return files

    @event_priority(-100)  # after the labjournal plugin escaped the titles
    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        for file in files.documentation_pages():
            page = file.page
            if page is not None and page.title is None and file.src_uri in self.titles:
                page.title = self.titles[file.src_uri]
        return env

    def on_page_context(self, context: Any, /, *, page: Any, config: Any, nav: Any) -> Any:
        if page.title is not None:
            self.titles[page.file.src_uri] = page.title
        return context


def _always() -> bool:
    return True


def _merge_search_index(site_dir: str, before: bytes | None) -> None:
    """The index a dirty build wrote holds only the rebuilt pages: add the other pages' entries back."""
    path = join(site_dir, "search", "search_index.json")
    if before is None or not isfile(path):
        return
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    rebuilt = {doc["location"].split("#")[0] for doc in index.get("docs", [])}
    kept = [doc for doc in json.loads(before).get("docs", []) if doc["location"].split("#")[0] not in rebuilt]
    index["docs"] = kept + index.get("docs", [])
    with open(path, "w", encoding="utf-8") as f:
        json.dump(index, f, ensure_ascii=False, separators=(",", ":"))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


class _Builder:
    """Builds the preview: in full the first time and after ``mkdocs.yml`` changed, else dirty."""

    def __init__(self, config_file: Path, site_dir: str, options: dict[str, Any], before_build: Any) -> None:
        self.config_file, self.site_dir, self.options = config_file, site_dir, options
        self.before_build = before_build
        self.memory = PreviewMemory()
        self.serve_url = ""
        self.config_stamp: int | None = None

    def config(self) -> Any:
        from mkdocs.config import load_config

        config = load_config(config_file=str(self.config_file), site_dir=self.site_dir, **self.options)
        self.memory.add_to(config)
        return config

    def __call__(self, config: Any = None) -> None:
        from mkdocs.commands.build import build

        if self.before_build is not None:
            self.before_build()
        log.info("Building documentation...")
        config = config or self.config()
        config.site_url = self.serve_url
        stamp = os.stat(self.config_file).st_mtime_ns
        dirty, self.config_stamp = stamp == self.config_stamp, stamp
        self.memory.dirty = dirty
        index = _read(join(self.site_dir, "search", "search_index.json")) if dirty else None
        stale_ok = {name: _read(join(self.site_dir, name)) for name in _AGGREGATES} if dirty else {}
        reuse = None if dirty else _reuse(config)
        build(config, serve_url=self.serve_url, dirty=dirty)
        if reuse is not None:
            reuse.finished()
        if dirty:
            _merge_search_index(self.site_dir, index)
            for name, data in stale_ok.items():  # a dirty build's feeds list only the rebuilt pages
                if data is not None:
                    with open(join(self.site_dir, name), "wb") as f:
                        f.write(data)


def _reuse(config: Any) -> Any:
    """A full build of the preview takes the pages its last one rendered (``reuse``)."""
    from .incremental import journal_folders
    from .reuse import reuse_for

    folders = journal_folders(config)
    return None if folders is None else reuse_for(config, strict=False, cache_dir=folders[0], preview=True)


_FEEDS = ("feed_rss_created.xml", "feed_rss_updated.xml", "feed_json_created.json", "feed_json_updated.json")
_AGGREGATES = (*_FEEDS, "tags.json")


@contextmanager
def _theme_files_listed_once(config_dir: Path) -> Iterator[None]:
    """While the preview runs, an installed theme's static files are listed once, not on every save
    (MkDocs walks and pattern-matches the theme's thousand files for each build: 0.15 s). A theme
    folder inside the journal (``custom_dir``) is listed every time: it may be edited while serving."""
    from mkdocs.structure.files import File, Files

    listed: dict[tuple[object, ...], list[tuple[str, str]]] = {}
    add_files_from_theme = Files.add_files_from_theme

    def listed_once(self: Files, env: Any, config: Any) -> None:
        dirs = tuple(config.theme.dirs)
        if any(Path(d).resolve().is_relative_to(config_dir) for d in dirs):
            return add_files_from_theme(self, env, config)
        key = (dirs, tuple(config.theme.static_templates), tuple(config.markdown_extensions))
        if key not in listed:
            probe = Files([])
            add_files_from_theme(probe, env, config)
            listed[key] = [(f.src_uri, str(f.src_dir)) for f in probe]
        for path, folder in listed[key]:
            if self.get_file_from_path(path) is None:  # a docs file of that name wins, as in MkDocs
                self.append(File(path, folder, config.site_dir, config.use_directory_urls))
        return None

    Files.add_files_from_theme = listed_once  # type: ignore[method-assign]
    try:
        yield
    finally:
        Files.add_files_from_theme = add_files_from_theme  # type: ignore[method-assign]


def serve_preview(
    config_file: Path, dev_addr: str | None = None, before_build: Callable[[], None] | None = None
) -> None:
    """Serve the site until interrupted (``KeyboardInterrupt``: Ctrl-C, or SIGTERM via the command line)."""
    logging.getLogger("mkdocs.commands.build").addFilter(DirtyBuildNotes())
    site_dir = tempfile.mkdtemp(prefix="labjournal-preview-")
    try:
        with _theme_files_listed_once(config_file.parent.resolve()):
            _serve(config_file, site_dir, dev_addr, before_build)
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)


def _check_address(host: str, port: int) -> None:
    """Fail before the first build, not after it, when the address is taken."""
    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        raise SiteBuildError(f"cannot serve on {host}:{port}: {exc.strerror}; choose another with -a IP:PORT") from None


def _serve(config_file: Path, site_dir: str, dev_addr: str | None, before_build: Any) -> None:
    from mkdocs.livereload import LiveReloadServer

    builder = _Builder(config_file, site_dir, {"dev_addr": dev_addr} if dev_addr else {}, before_build)
    config = builder.config()
    host, port = config.dev_addr
    _check_address(host, port)
    config.plugins.on_startup(command="serve", dirty=True)
    mount_path = urlsplit(config.site_url or "/").path
    builder.serve_url = _serve_url(host, port, mount_path)
    server = LiveReloadServer(
        builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path, polling_interval=0.2
    )
    server.error_handler = lambda code: _error_page(site_dir, code)
    server.observer = _change_observer()  # before anything is watched
    try:
        builder(config)
        server.watch(config.docs_dir)
        server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()


class _ChangesOnly:
    """The handler MkDocs schedules, told of changes only: a native observer also reports files being
    opened and closed, and the build reads every note (each read would ask for another build)."""

    KINDS = ("created", "modified", "deleted", "moved")

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def dispatch(self, event: Any) -> None:
        if event.event_type in self.KINDS:
            self.handler.dispatch(event)


def _change_observer() -> Any:
    """The system's file events (inotify, FSEvents, ReadDirectoryChangesW) instead of MkDocs' polling
    of every watched file every interval (a thousand notes and their store entries): a save is seen
    at once and no core is kept busy looking. Where the system gives no events (some network and
    container mounts refuse the watches), it falls back to polling."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class ChangeObserver(Observer):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.scheduled: list[tuple[Any, str, bool]] = []
            self.fallback: Any = None

        def schedule(self, handler: Any, path: str, recursive: bool = False, **kwargs: Any) -> Any:
            self.scheduled.append((handler, path, recursive))
            return super().schedule(_ChangesOnly(handler), path, recursive=recursive, **kwargs)

        def start(self) -> None:
            try:
                super().start()
            except OSError as exc:
                log.warning("No file events here (%s): watching by polling every 0.5 s", exc)
                self.fallback = PollingObserver(timeout=0.5)
                for handler, path, recursive in self.scheduled:
                    self.fallback.schedule(handler, path, recursive=recursive)
                self.fallback.start()

        def stop(self) -> None:
            if self.fallback is not None:
                self.fallback.stop()
            super().stop()

        def join(self, timeout: float | None = None) -> None:
            if self.fallback is not None:
                self.fallback.join(timeout)
            if self.is_alive():
                super().join(timeout)

    return ChangeObserver()


def _error_page(site_dir: str, code: int) -> bytes | None:
    if code in (404, 500):
        page = join(site_dir, f"{code}.html")
        if isfile(page):
            with open(page, "rb") as f:
                return f.read()
    return None
