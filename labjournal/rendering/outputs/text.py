"""Text outputs: ``text/plain`` (fenced, literal), ``text/markdown`` and ``text/latex`` (as Markdown)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..cleaners import latex_is_safe, sanitize_markdown
from ..headings import demote_headings, outside_fences
from .base import OutputHandler, as_text, fenced, unless_emptied

_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_STRIKE = re.compile(r"~~(?=\S)([^~<>\n]+?)(?<=\S)~~")
_SHORTCODE = re.compile(r"(?<![\w/&#]):([a-z][a-z0-9_+-]*):(?![\w/])")


def _gfm_span(text: str) -> str:
    text = _STRIKE.sub(r"<del>\1</del>", text)
    return _SHORTCODE.sub(r"&#58;\1&#58;", text)


def as_jupyter_markdown(text: str) -> str:
    """``text`` read as JupyterLab reads Markdown (GitHub's): ``~~struck~~`` is struck through and
    ``:tada:`` stays text (the site's emoji extension would make it a picture). Code is left alone."""
    if "~~" not in text and ":" not in text:
        return text
    lines = text.split("\n")
    for index in outside_fences(lines):
        line, out, at = lines[index], [], 0
        for span in _CODE_SPAN.finditer(line):
            out += [_gfm_span(line[at : span.start()]), span.group(0)]
            at = span.end()
        lines[index] = "".join([*out, _gfm_span(line[at:])])
    return "\n".join(lines)


class PlainTextHandler(OutputHandler):
    """Printed text: fenced, so that Markdown never reads it as markup; ANSI colours removed."""

    mime = "text/plain"
    priority = 100

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        from nbconvert.filters import strip_ansi

        text = as_text(value)
        return fenced(strip_ansi(text).strip("\n")) if text.strip() else ""


class MarkdownHandler(OutputHandler):
    """``IPython.display.Markdown``: sanitised (its HTML, links, images, attribute lists), then inlined,
    its headings a level down when it has an H1 (the page's title is its one H1)."""

    mime = "text/markdown"
    priority = 600

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else unless_emptied(value, sanitize_markdown(as_text(value)))

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return as_jupyter_markdown(demote_headings(as_text(value)))


class LatexHandler(OutputHandler):
    """``IPython.display.Latex``: inlined for MathJax; dropped when it could make links or load extensions."""

    mime = "text/latex"
    priority = 500

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted or latex_is_safe(as_text(value)) else None

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return as_text(value)
