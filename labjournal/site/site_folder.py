"""The site folder between builds: a build after an edit writes what changed, not every file.

A full MkDocs build empties the site folder and copies every static file again (the theme's
assets, every figure of every entry). When the last build of the folder finished with the same
engine (``reuse``'s fingerprint of configuration, theme, ``docs/`` and packages), ``labjournal
build`` keeps the folder (MkDocs' *dirty* mode), and:

- reads and writes every page (``reuse`` makes that cheap), so every plugin sees the whole site;
- copies a static file when its source's size or modification time is not what the last build
  copied, or its copy in the site folder changed or is gone;
- removes, before anything is written, every file the site should not hold: neither a file of this
  build nor one that the last build's plugins and theme wrote themselves (the search index, feeds,
  sitemap, 404 page), which they write again.

The state is recorded after a build that finished; a build that stops halfway leaves none, and the
next one is a full build.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from labjournal.store import atomic_write, read_json_object

STATE_NAME = "site-folder.json"


class DirtyBuildNotes(logging.Filter):
    """MkDocs warns on every dirty build (and notes the files it finds there); labjournal chooses the
    dirty build knowing what it leaves, and says so in the guide."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "'dirty' build" not in message and "contains stale files" not in message


def _always() -> bool:
    return True


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class SiteFolder:
    """What the last build left in one site folder, and what this build must write there."""

    def __init__(self, state_folder: Path, site_dir: Path, engine: str) -> None:
        self.path = state_folder / STATE_NAME
        self.site_dir = os.path.abspath(site_dir)
        state = self._read()
        self.kept = state.get("engine") == engine and os.path.isdir(self.site_dir)
        self.engine = engine
        self.copied: dict[str, Any] = state.get("copied", {}) if self.kept else {}
        self.extras: set[str] = set(state.get("extras", [])) if self.kept else set()
        self.path.unlink(missing_ok=True)  # until this build has finished

    def _read(self) -> dict[str, Any]:
        return read_json_object(self.path)

    def _rel(self, path: str) -> str:
        return os.path.relpath(path, self.site_dir).replace(os.sep, "/")

    def watch(self, files: Files) -> None:
        """Tell MkDocs' dirty build what to write: every page, and the static files that changed."""
        if not self.kept:
            return
        for file in files:
            if file.is_documentation_page():
                file.is_modified = _always  # type: ignore[method-assign]
            else:
                file.is_modified = functools.partial(self._changed, file)  # type: ignore[method-assign]

    def _changed(self, file: File) -> bool:
        if file.abs_src_path is None:  # generated from content: always written
            return True
        last = self.copied.get(self._rel(file.abs_dest_path))
        return last != [_stat(file.abs_src_path), _stat(file.abs_dest_path)]

    def _wanted(self, files: Files) -> set[str]:
        return {os.path.normpath(f.abs_dest_path) for f in files if f.inclusion.is_included()}

    def remove_strays(self, files: Files) -> None:
        """Before anything is written: remove what a full build would not leave in the folder."""
        if not self.kept:
            return
        wanted = self._wanted(files)
        for top, _, names in os.walk(self.site_dir, topdown=False):
            for name in names:
                path = os.path.join(top, name)
                if path not in wanted and self._rel(path) not in self.extras:
                    os.unlink(path)
            if top != self.site_dir and not os.listdir(top):
                os.rmdir(top)

    def record(self, files: Files) -> None:
        """After a build that finished: what was copied, and what the plugins and theme wrote."""
        wanted = self._wanted(files)
        copied = {
            self._rel(f.abs_dest_path): [_stat(f.abs_src_path), _stat(f.abs_dest_path)]
            for f in files
            if f.inclusion.is_included() and not f.is_documentation_page() and f.abs_src_path is not None
        }
        extras = sorted(
            self._rel(os.path.join(top, name))
            for top, _, names in os.walk(self.site_dir)
            for name in names
            if os.path.join(top, name) not in wanted
        )
        state = {"engine": self.engine, "copied": copied, "extras": extras}
        atomic_write(self.path, json.dumps(state, separators=(",", ":")))
