"""Text outputs: ``text/plain`` (fenced, literal), ``text/markdown`` and ``text/latex`` (as Markdown)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..cleaners import latex_is_safe, sanitize_markdown
from .base import OutputHandler, as_text, fenced, unless_emptied


class PlainTextHandler(OutputHandler):
    """Printed text: fenced, so that Markdown never reads it as markup; ANSI colours removed."""

    mime = "text/plain"
    priority = 100

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        from nbconvert.filters import strip_ansi

        text = as_text(value)
        return fenced(strip_ansi(text).strip("\n")) if text.strip() else ""


class MarkdownHandler(OutputHandler):
    """``IPython.display.Markdown``: sanitised (its HTML, links, images, attribute lists), then inlined."""

    mime = "text/markdown"
    priority = 600

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else unless_emptied(value, sanitize_markdown(as_text(value)))

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return as_text(value)


class LatexHandler(OutputHandler):
    """``IPython.display.Latex``: inlined for MathJax; dropped when it could make links or load extensions."""

    mime = "text/latex"
    priority = 400

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted or latex_is_safe(as_text(value)) else None

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return as_text(value)
