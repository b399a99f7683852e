"""``text/html`` (DataFrames, Styler tables, rich reprs): sanitised, then kept as raw HTML on the page.

As in JupyterLab, math in the HTML's text (``$x$``, ``$$x$$``, a DataFrame of symbols) is typeset:
each formula becomes an ``arithmatex`` element, which the site's MathJax renders (a formula that
could make a link or load an extension stays text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..cleaners import latex_is_safe, sanitize_html
from .base import OutputHandler, as_text, unless_emptied

_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")  # a tag, its quoted attributes whole
_LITERAL = re.compile(r"<(/?)(pre|code|style|script|textarea|svg|math)\b", re.I)
# pymdownx.arithmatex's rules: no space inside the dollars, no digit right after the closing one
_DISPLAY_MATH = re.compile(r"\$\$(?P<tex>[^$]+?)\$\$")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])(?P<tex>[^$\n]+?)(?<![\s\\])\$(?!\d)")
_WHITESPACE_KEPT = re.compile(r"<(?:pre|textarea)\b|white-space", re.I)


def _formula(match: re.Match[str], display: bool) -> str:
    tex = match.group("tex")
    if not latex_is_safe(tex):
        return match.group(0)
    return f'<div class="arithmatex">\\[{tex}\\]</div>' if display else f'<span class="arithmatex">\\({tex}\\)</span>'


def typeset_math(html: str) -> str:
    """``html`` with the formulas of its text (outside ``<pre>``, ``<code>``, ``<style>``...) marked
    for MathJax, as JupyterLab typesets an HTML output."""
    if "$" not in html:
        return html
    parts = _TAG.split(html)
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            literal = _LITERAL.match(part)
            if literal is not None and not part.endswith("/>"):
                depth = max(0, depth + (-1 if literal.group(1) else 1))
        elif depth == 0 and "$" in part:
            part = _DISPLAY_MATH.sub(lambda m: _formula(m, display=True), part)
            parts[index] = _INLINE_MATH.sub(lambda m: _formula(m, display=False), part)
    return "".join(parts)


def compact(html: str) -> str:
    """``html`` without blank lines and indentation (which HTML ignores, unless a ``<pre>`` or a
    ``white-space`` style keeps them): nothing in it can read as a Markdown code block or end an
    HTML block, wherever the page puts it (a folded output is indented)."""
    if _WHITESPACE_KEPT.search(html):
        return html
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


class HtmlHandler(OutputHandler):
    """The richest built-in type: shown as raw HTML that Markdown leaves alone."""

    mime = "text/html"
    priority = 700
    html_block = True

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else unless_emptied(value, sanitize_html(as_text(value)))

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return f'<div class="lj-output-html">\n{typeset_math(compact(as_text(value)))}\n</div>'
