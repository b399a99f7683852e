"""Building and serving the site with MkDocs: the only place that runs the site engine."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import SiteBuildError

__all__ = ["SiteBuildError", "build_site", "serve_site"]


@contextmanager
def _mkdocs_log_to_stderr() -> Iterator[None]:
    """MkDocs' log as its command line prints it (``INFO    -  ...``), for the length of a build."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    saved = (logger.level, logger.propagate)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def build_site(config_file: Path, *, strict: bool = False, site_dir: Path | None = None) -> None:
    """``mkdocs build`` in this process, as its command line does it (no second interpreter to
    start and no second import of MkDocs, material and labjournal: most of a no-op build's
    difference from a plain MkDocs build). Skipped when nothing it reads changed since the last
    build of the same site folder (``incremental``)."""
    from mkdocs import config
    from mkdocs.exceptions import MkDocsException

    site = str(site_dir.resolve()) if site_dir else None
    with _mkdocs_log_to_stderr():
        try:
            cfg = config.load_config(config_file=str(config_file), strict=strict, site_dir=site)
            _build_unless_unchanged(cfg, strict=strict)
        except MkDocsException as exc:
            raise SiteBuildError(f"mkdocs: {exc}") from None


def _build_unless_unchanged(cfg: Any, *, strict: bool) -> None:
    from mkdocs.commands.build import build

    from .incremental import BuildManifest, input_digest, journal_folders, snippet_folders
    from .reuse import reuse_for
    from .site_folder import DirtyBuildNotes

    folders = journal_folders(cfg)
    if folders is None:
        manifest = None
    else:
        cache_dir, watched = folders
        watched = [*watched, *snippet_folders(cfg)]
        manifest = BuildManifest(cache_dir, Path(cfg.site_dir))

        def inputs_now() -> str:
            return input_digest(cfg, strict=strict, folders=watched, skip=[cache_dir, Path(cfg.site_dir)])

        inputs = inputs_now()
        if manifest.unchanged(inputs):
            logging.getLogger("mkdocs").info("Nothing changed since the last build of %s: kept as it is", cfg.site_dir)
            return
        manifest.forget()
    reuse = reuse_for(cfg, strict=strict, cache_dir=folders[0]) if folders else None
    cfg.plugins.on_startup(command="build", dirty=False)
    quiet = DirtyBuildNotes()
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    try:
        build(cfg, dirty=reuse is not None and reuse.keeps_site)
    finally:
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)
        cfg.plugins.on_shutdown()
    if reuse is not None:
        reuse.finished()
    if manifest is not None and inputs_now() == inputs:  # an input saved while we built: the next is not skipped
        manifest.record(inputs)


def serve_site(config_file: Path, dev_addr: str | None = None, before_build: Callable[[], None] | None = None) -> int:
    """The live preview in this process, until it is stopped (Ctrl-C, or SIGTERM: ``labjournal.cli``
    turns it into the same interrupt). No second process: nothing can be left serving an old preview
    once the command has gone. ``before_build`` runs before each (re)build (``preview``)."""
    from mkdocs.exceptions import MkDocsException

    from .preview import serve_preview

    # mkdocs-material prints a banner about MkDocs 2 on every build; labjournal pins mkdocs<2
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    with _mkdocs_log_to_stderr():
        try:
            serve_preview(config_file, dev_addr, before_build)
        except MkDocsException as exc:
            raise SiteBuildError(f"mkdocs: {exc}") from None
    return 0
