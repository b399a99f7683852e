"""A hash of the code that shapes a rendered page (kept apart from ``page`` to import nothing heavy)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .outputs import handler_sources

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "nbconvert_templates"
LABJOURNAL = PACKAGE.parent
# what else a page's text depends on: secret scrubbing, metrics panels, run records
OTHER_SOURCES = ("execution/scrub.py", "metrics.py", "store/runs.py", "store/entries.py")


def _sources(extra: Iterable[Path]) -> list[Path]:
    own = sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".py", ".j2", ".json"} and p.is_file())
    return own + [LABJOURNAL / name for name in OTHER_SOURCES] + sorted(set(extra))


def renderer_fingerprint(extra: tuple[Path, ...] = ()) -> str:
    """Changes whenever rendering code or templates change: every file of this package, the modules
    and assets of output handlers registered from elsewhere (entry points, tests), and ``extra``.
    So cached renders never outlive the code that made them, nor a handler's (un)registration."""
    return _fingerprint(tuple(sorted({*extra, *handler_sources()})))


@cache
def _fingerprint(extra: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for source in _sources(extra):
        digest.update(source.name.encode() + b"\x00" + source.read_bytes())
    return digest.hexdigest()
