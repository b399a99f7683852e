"""What a build of ``site/`` was made from, so that a build where nothing changed is skipped.

After a successful build, a fingerprint of every input (``mkdocs.yml`` and the YAML beside it, the
docs folder, the notes, the store, the theme's override folder, hooks and watched paths, labjournal's
own code, the installed packages' versions, the output handlers registered in the process, the
environment variables ``mkdocs.yml`` reads, the ``--strict`` flag and the site folder's path) and
one of the files written to the site folder are kept in the journal's cache
(``.labjournal/site-builds.json``). The next build compares them before doing any MkDocs work.
Files are compared by path, size and modification time (as ``make`` and ``rsync`` do), not by
content: a build is redone when anything was saved, even unchanged.

The folders ``pymdownx.snippets`` includes from (its ``base_path``) are watched too. Not seen: a
file that ``mkdocs.yml`` reaches outside those folders (``INHERIT`` of a file elsewhere, a Markdown
extension that reads files of its own). ``labjournal build`` after editing one of those needs the
site folder removed, or any input touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import labjournal
from labjournal.store import read_json_object

_ENV_TAG = re.compile(r"!ENV\s*\[?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)")
_SKIPPED_DIRS = {"__pycache__", ".git"}
MANIFEST_NAME = "site-builds.json"
_ENVIRONMENT = ("CUDA_VISIBLE_DEVICES", "SOURCE_DATE_EPOCH")
"""Variables a page can depend on without ``mkdocs.yml`` naming them (a note needs a GPU here or not; dates)."""


def _files(folder: Path, skip: Iterable[Path] = ()) -> Iterator[tuple[str, int, int]]:
    """(path, size, mtime in ns) of every file under ``folder``, in a stable order; ``skip``: folders left out."""
    skipped = {os.path.abspath(p) for p in skip}
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and os.path.join(top, d) not in skipped)
        for name in sorted(names):
            path = os.path.join(top, name)
            try:
                st = os.stat(path)
            except OSError:  # removed while we looked: the digest differs anyway
                continue
            yield path, st.st_size, st.st_mtime_ns


def _digest(parts: Iterable[object]) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(repr(part).encode())
        sha.update(b"\0")
    return sha.hexdigest()


def _installed_versions() -> list[str]:
    """The distributions installed beside MkDocs (their ``*.dist-info`` names carry the versions)."""
    names: list[str] = []
    for entry in sys.path:  # site-packages only: the current folder on sys.path must not count
        if entry.endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
            names += sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info", ".pth")))
    return names


def _config_inputs(config_file: Path) -> list[object]:
    """``mkdocs.yml`` and the YAML files beside it (``INHERIT``), and the environment variables they read."""
    parts: list[object] = []
    for path in sorted(config_file.parent.glob("*.y*ml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        parts += [path.name, text]
        parts += [(name, os.environ.get(name)) for name in sorted(set(_ENV_TAG.findall(text)))]
    return parts


def _output_handlers() -> list[object]:
    """The output handlers registered in this process (entry points, or ``register_output_handler``
    from Python): which type each mime goes to, and their source files and assets."""
    from labjournal.rendering.outputs import handler_sources, output_handlers

    kinds = sorted((mime, f"{type(h).__module__}.{type(h).__qualname__}") for mime, h in output_handlers().items())
    sources = [(str(path), path.is_file() and path.stat().st_mtime_ns) for path in handler_sources()]
    return [*kinds, *sources]


def snippet_folders(cfg: Any) -> list[Path]:
    """Where ``pymdownx.snippets`` includes files from, relative to the current folder as it reads
    them (by default the current folder: then every edit renders every page again, as a page may
    include any file)."""
    if "pymdownx.snippets" not in cfg.markdown_extensions:
        return []
    options = cfg.mdx_configs.get("pymdownx.snippets") or {}
    bases = options.get("base_path", ["."])
    return [Path(base).absolute() for base in ([bases] if isinstance(bases, str) else bases)]


def journal_folders(cfg: Any) -> tuple[Path, list[Path]] | None:
    """The journal's cache folder and its notes and store folders (None: the plugin is not used)."""
    plugin = cfg.plugins.get("labjournal")
    if plugin is None or not plugin.config.enabled:
        return None
    root = Path(cfg.config_file_path).parent
    return root / plugin.config.cache_dir, [root / plugin.config.notes_dir, root / plugin.config.store_dir]


def _not_pages(cfg: Any, files: Iterable[tuple[str, int, int]]) -> Iterator[tuple[str, int, int]]:
    """The files of the docs folder that MkDocs does not read as pages (images, styles, includes)."""
    from mkdocs.structure.files import File, set_exclusions
    from mkdocs.utils import is_markdown_file

    docs = os.path.abspath(cfg.docs_dir)
    for entry in files:
        rel = os.path.relpath(entry[0], docs).replace(os.sep, "/")
        if is_markdown_file(rel):
            page = File(rel, docs, cfg.site_dir, cfg.use_directory_urls)
            set_exclusions([page], cfg)
            if not page.inclusion.is_excluded():
                continue
        yield entry


def input_digest(
    cfg: Any,
    *,
    strict: bool,
    folders: Iterable[Path],
    skip: Iterable[Path],
    with_site_dir: bool = True,
    with_pages: bool = True,
) -> str:
    """The fingerprint of everything a build of ``cfg`` reads (``folders``: the journal's notes and
    store), and of where it writes. ``with_site_dir=False``: what a page shows does not depend on
    where it is written; ``with_pages=False``: the docs folder's pages left out (each is part of its
    own page's key, ``reuse``)."""
    config_file = Path(cfg.config_file_path)
    theme_dir = cfg.theme.custom_dir
    docs = Path(cfg.docs_dir)
    watched = [docs, *folders, *(Path(p) for p in cfg.watch), *(Path(p) for p in cfg.hooks)]
    watched += [Path(theme_dir)] if theme_dir else []
    watched.append(Path(labjournal.__file__).parent)  # the plugin, templates and renderers

    def parts() -> Iterator[object]:
        yield from ("strict", strict, "site_dir", with_site_dir and os.path.abspath(cfg.site_dir), sys.version)
        yield from ((name, os.environ.get(name)) for name in _ENVIRONMENT)
        yield from _config_inputs(config_file)
        yield from _installed_versions()
        yield from _output_handlers()
        for path in watched:
            yield str(path)
            if not path.is_dir():
                yield path.is_file() and path.stat().st_mtime_ns
            elif path == docs and not with_pages:
                yield from _not_pages(cfg, _files(path, skip))
            else:
                yield from _files(path, skip)

    return _digest(parts())


def output_digest(site_dir: Path) -> str:
    """The fingerprint of what the site folder holds now (a file removed or changed there: rebuild)."""
    return _digest(_files(site_dir))


class BuildManifest:
    """The last build of each site folder of a journal: its inputs' and outputs' fingerprints."""

    def __init__(self, cache_dir: Path, site_dir: Path) -> None:
        self.path = cache_dir / MANIFEST_NAME
        self.key = os.path.abspath(site_dir)
        self.site_dir = site_dir

    def _read(self) -> dict[str, Any]:
        return read_json_object(self.path)

    def unchanged(self, inputs: str) -> bool:
        """True when the site folder is what the last build with these inputs left there."""
        last = self._read().get(self.key)
        if not isinstance(last, dict) or last.get("inputs") != inputs or not self.site_dir.is_dir():
            return False
        return bool(last.get("outputs") == output_digest(self.site_dir))

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

    def forget(self) -> None:
        """Before a build: if it stops halfway, the next one is not skipped."""
        data = self._read()
        if data.pop(self.key, None) is not None:
            self._write(data)

    def record(self, inputs: str) -> None:
        data = self._read()
        data[self.key] = {"inputs": inputs, "outputs": output_digest(self.site_dir)}
        self._write(data)
