"""Links between notes written as paths to their source files.

An author links to yesterday's entry as ``[yesterday](2026-09-02-target.md)`` or
``[lesson 1](../2024/2024-01-20-fastai-lesson-1.md)`` (relative to the note's folder), or by a path
relative to ``notes/``. MkDocs knows only the generated pages, so each such link is rewritten to
the page of that note before MkDocs reads the Markdown (it then validates it and makes the URL).
A link to a note file that is not published is a warning naming the note's file and line: a
failure under ``--strict``.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from labjournal.notes import note_suffixes

from .listings import PublishedNote

log = logging.getLogger("mkdocs.plugins.labjournal")

_INLINE = re.compile(r"(\]\(\s*<?)([^)\s>]+)(>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\))")
_REFERENCE = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(\S+?)(>?(?:\s.*)?)$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class NoteLinks:
    """Rewrites links to note files in the Markdown of note pages."""

    def __init__(self, notes: Iterable[PublishedNote], notes_root: Path) -> None:
        self.notes_root = notes_root
        self.by_path = {item.note.rel: item for item in notes}
        self.by_page = {item.src_uri: item for item in self.by_path.values()}

    def is_note_page(self, page_uri: str) -> bool:
        return page_uri in self.by_page

    def rewrite(self, markdown: str, page_uri: str) -> str:
        source = self.by_page.get(page_uri)
        if source is None:
            return markdown
        lines, fence = markdown.split("\n"), None
        for index, line in enumerate(lines):
            opened = _FENCE.match(line)
            if opened and (fence is None or (opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence))):
                fence = None if fence else opened.group(1)
                continue
            if fence is None:
                line = _INLINE.sub(lambda m: m.group(1) + self._target(m.group(2), source) + m.group(3), line)
                lines[index] = _REFERENCE.sub(
                    lambda m: m.group(1) + self._target(m.group(2), source) + m.group(3), line
                )
        return "\n".join(lines)

    def _target(self, target: str, source: PublishedNote) -> str:
        path, hashmark, anchor = target.partition("#")
        if not path or _SCHEME.match(path) or path.startswith("/") or PurePosixPath(path).suffix not in note_suffixes():
            return target
        linked = self._resolve(unquote(path), source)
        if linked is None:
            line = _line_of(source.note.text, path)
            where = f"{source.note.path}:{line}" if line else str(source.note.path)
            log.warning("%s: the link '%s' matches no published note (a path relative to the note or to %s/)",
                        where, target, self.notes_root.name)  # fmt: skip
            return target
        relative = posixpath.relpath(linked.src_uri, posixpath.dirname(source.src_uri))
        return relative + hashmark + anchor

    def resolve(self, path: str, source: PublishedNote) -> PublishedNote | None:
        """The published note a link from ``source`` to ``path`` (a note file) points at, if any."""
        if _SCHEME.match(path) or path.startswith("/") or PurePosixPath(path).suffix not in note_suffixes():
            return None
        return self._resolve(unquote(path), source)

    def _resolve(self, path: str, source: PublishedNote) -> PublishedNote | None:
        beside = posixpath.normpath(posixpath.join(posixpath.dirname(source.note.rel), path))
        return self.by_path.get(beside) or self.by_path.get(posixpath.normpath(path.lstrip("./")))


def _line_of(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else None
