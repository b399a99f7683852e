"""Building and serving the site with MkDocs: the only place that runs the site engine."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from labjournal.errors import LabjournalError


class SiteBuildError(LabjournalError):
    """MkDocs stopped: a configuration error, or a warning under ``--strict``."""


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
    difference from a plain MkDocs build)."""
    from mkdocs import config
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    site = str(site_dir.resolve()) if site_dir else None
    with _mkdocs_log_to_stderr():
        try:
            cfg = config.load_config(config_file=str(config_file), strict=strict, site_dir=site)
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                build(cfg)
            finally:
                cfg.plugins.on_shutdown()
        except MkDocsException as exc:
            raise SiteBuildError(f"mkdocs: {exc}") from None


def serve_site(config_file: Path, dev_addr: str | None = None) -> int:
    """``mkdocs serve`` in its own process, until it is stopped; returns its exit code."""
    command = [sys.executable, "-m", "mkdocs", "serve", "-f", str(config_file)]
    command += ["-a", dev_addr] if dev_addr else []
    # mkdocs-material prints a banner about MkDocs 2 on every build; labjournal pins mkdocs<2
    env = {**os.environ, "NO_MKDOCS_2_WARNING": os.environ.get("NO_MKDOCS_2_WARNING", "1")}
    return subprocess.call(command, cwd=config_file.parent, env=env)
