"""``text/html`` (DataFrames, Styler tables, rich reprs): sanitised, then kept as raw HTML on the page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..cleaners import sanitize_html
from .base import OutputHandler, as_text, unless_emptied


class HtmlHandler(OutputHandler):
    """The richest built-in type: shown in a block that Markdown leaves alone (``markdown="0"``)."""

    mime = "text/html"
    priority = 700

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else unless_emptied(value, sanitize_html(as_text(value)))

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return f'<div class="lj-output-html" markdown="0">\n{as_text(value)}\n</div>'
