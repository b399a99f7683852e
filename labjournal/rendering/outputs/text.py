"""Text outputs: ``text/plain`` (fenced, literal), ``text/markdown`` (as Markdown) and ``text/latex``
(its text, typeset by MathJax)."""

from __future__ import annotations

import html
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


# the formulas MathJax finds in JupyterLab's LaTeX outputs: $$ and \[ display, environments, \( and $ inline
_LATEX_FORMULA = re.compile(
    r"\$\$(?P<d>.+?)\$\$|\\\[(?P<b>.+?)\\\]|(?P<e>\\begin\{(?P<env>[A-Za-z*]+)\}.*?\\end\{(?P=env)\})"
    r"|\\\((?P<p>.+?)\\\)|(?<!\\)\$(?P<i>[^$]+?)(?<!\\)\$",
    re.S,
)


def _one_line(text: str) -> str:
    return html.escape(text).replace("\r\n", "&#10;").replace("\r", "&#10;").replace("\n", "&#10;")


def _formula(match: re.Match[str]) -> str:
    if match.group("e") is not None:
        return f'<span class="arithmatex lj-display">{_one_line(match.group("e"))}</span>'
    inline = match.group("p") if match.group("p") is not None else match.group("i")
    if inline is not None:
        return f'<span class="arithmatex">\\({_one_line(inline)}\\)</span>'
    display = match.group("d") if match.group("d") is not None else match.group("b")
    return f'<span class="arithmatex lj-display">\\[{_one_line(display)}\\]</span>'


def latex_element(tex: str) -> str:
    """``tex`` as JupyterLab shows a LaTeX output: its text as text (never HTML), each formula in
    it typeset by MathJax (an ``arithmatex`` span with the delimiters the site's MathJax reads).

    Escaped, and its line breaks written as ``&#10;``, the element is one line of raw HTML that
    Markdown leaves whole wherever the page puts it (a folded output, a list)."""
    parts, at = [], 0
    for match in _LATEX_FORMULA.finditer(tex):
        parts += [_one_line(tex[at : match.start()].replace("\\$", "$")), _formula(match)]
        at = match.end()
    parts.append(_one_line(tex[at:].replace("\\$", "$")))
    return f'<div class="lj-output-latex">{"".join(parts).strip()}</div>'


class LatexHandler(OutputHandler):
    """``IPython.display.Latex``: its text for MathJax; dropped when it could make links or load extensions."""

    mime = "text/latex"
    priority = 500
    html_block = True

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted or latex_is_safe(as_text(value)) else None

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return latex_element(as_text(value))
