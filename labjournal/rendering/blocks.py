"""One output of a code cell as a block of the page, as Jupyter shows it and within the page's caps.

Every output of the nbformat model gets a block of its own, set apart from code by its classes
(``lj-output`` and one of ``lj-stream lj-stdout``, ``lj-stream lj-stderr``, ``lj-result``,
``lj-error``; the style sheet draws them): printed text and ``text/plain`` fenced (literal), rich
representations as their handler renders them (:mod:`labjournal.rendering.outputs`). Text longer
than the page's caps (:class:`labjournal.limits.OutputLimits`) is cut, with a notice saying how
much and pointing to the executed notebook, which keeps it whole; a rich representation over the
cap gives way to the next one. Blocks are HTML ``<div>``s whose content is Markdown (``md_in_html``).
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode

from labjournal.limits import OutputLimits
from labjournal.markup import md_literal

from .cleaners import as_text
from .outputs import OUTPUT_KEY, choose, extracted_types, fence, fenced, handler_for, mime_name, notice

SCROLL_LINES = 30
"""An output longer than this scrolls in its box (the style sheet) and says how many lines it has."""
_TITLE_CALL = re.compile(r"""\b(?:set_title|suptitle|title)\s*(?:\(|=)\s*[rRuU]?(["'])(?P<title>[^"'\n]{1,200})\1""")
_COMMENT = re.compile(r"^\s*#(?![!%|])\s*(?P<text>\S.*)$", re.M)
_NOT_PROSE = re.compile(r"^(?:type:|noqa|fmt:|pragma|pylint:|ruff:|isort:|-\*-)", re.I)


@dataclass(frozen=True)
class Cut:
    """How much of a text the page shows."""

    shown_lines: int
    lines: int
    shown_bytes: int
    size: int


def line_count(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def size_text(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.1f} KB" if size >= 2**10 else f"{size} B"


def cut_text(text: str, limits: OutputLimits) -> tuple[str, Cut | None]:
    """``text`` within ``limits.page_lines`` lines and ``limits.page_bytes`` bytes (cut at a line
    end when one is within the bytes), and what was cut (``None``: nothing)."""
    lines = line_count(text)
    if lines <= limits.page_lines and len(text) <= limits.page_bytes // 4:
        return text, None  # short: no need to count its bytes
    size = len(text.encode("utf-8", "replace"))
    if lines <= limits.page_lines and size <= limits.page_bytes:
        return text, None
    end = -1
    for _ in range(limits.page_lines):
        end = text.find("\n", end + 1)
        if end < 0:
            break
    shown = text if end < 0 else text[: end + 1]
    encoded = shown.encode("utf-8", "replace")
    if len(encoded) > limits.page_bytes:
        shown = encoded[: limits.page_bytes].decode("utf-8", "ignore")
        if "\n" in shown:
            shown = shown[: shown.rfind("\n") + 1]
    return shown, Cut(line_count(shown), lines, len(shown.encode("utf-8", "replace")), size)


def figure_alt(source: str) -> str:
    """A figure's alt text from its cell: the title the code gives it, else the cell's first comment."""
    match = _TITLE_CALL.search(source)
    if match is not None:
        return match.group("title").strip()
    for comment in _COMMENT.finditer(source):
        text = comment.group("text").strip()
        if not _NOT_PROSE.match(text):
            return text[:200]
    return ""


def _fold_carriage_returns(text: str) -> str:
    """What a terminal (and Jupyter) shows of text rewritten in place with ``\\r`` (progress bars)."""
    if "\r" not in text:
        return text
    text = text.replace("\r\n", "\n")
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


class StreamsPreprocessor(Preprocessor):
    """Consecutive prints to one stream are one output, as Jupyter shows them (a kernel sends long
    output in many messages). Joined once, not appended piece by piece: 50 MB in 8 KB messages."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        outputs = cell.get("outputs", [])
        if sum(1 for output in outputs if output.get("output_type") == "stream") < 2:
            return cell, resources
        merged: list[Any] = []
        pieces: list[str] = []
        for output in outputs:
            last = merged[-1] if merged else None
            if (
                output.get("output_type") == "stream"
                and last is not None
                and last.get("output_type") == "stream"
                and last.get("name") == output.get("name")
            ):
                pieces.append(as_text(output.get("text", "")))
                continue
            if pieces:
                merged[-1]["text"] = as_text(merged[-1].get("text", "")) + "".join(pieces)
                pieces = []
            merged.append(copy.copy(output))
        if pieces:
            merged[-1]["text"] = as_text(merged[-1].get("text", "")) + "".join(pieces)
        cell.outputs = merged
        return cell, resources


def _block(classes: str, parts: list[str], raw: bool = False, searchable: bool = True) -> str:
    """The output's block: a ``<div>`` whose content is Markdown, or (``raw``: every part is HTML)
    raw HTML that Markdown leaves alone. Not ``searchable``: mkdocs-material's search leaves it out
    of the index (``data-search-exclude``), as long logs and tensor dumps should be."""
    # a lone "\r" is a line break to Markdown but not to the template's indent filter (folded
    # outputs): made "\n" here, no printed text can leave its fence or its fold
    body = "\n\n".join(part for part in parts if part).replace("\r\n", "\n").replace("\r", "\n")
    if not body:
        return ""
    exclude = "" if searchable else " data-search-exclude"
    if raw:
        return f'\n\n<div class="{classes}"{exclude}>\n{body}\n</div>\n'
    return f'\n\n<div class="{classes}"{exclude} markdown="1">\n\n{body}\n\n</div>\n'


def _class_name(mime: str) -> str:
    return "lj-mime-" + re.sub(r"[^a-z0-9]+", "-", mime.lower()).strip("-")


def _size(value: Any) -> int:
    if isinstance(value, str | list):
        return len(as_text(value).encode("utf-8", "replace"))
    return len(json.dumps(value, default=str).encode())


class OutputBlocks:
    """Renders outputs for one build's pages; :meth:`start` before each page."""

    def __init__(self, limits: OutputLimits) -> None:
        self.limits = limits
        self.notebook = ""  # the executed notebook's file name, beside the page
        self.shown: set[str] = set()  # the MIME types the page shows (their assets and scripts)

    def start(self, notebook: str) -> None:
        self.notebook, self.shown = notebook, set()

    def render(self, output: Mapping[str, Any], cell: Mapping[str, Any]) -> str:
        """The page's Markdown for ``output`` of ``cell`` (any output type)."""
        kind = output.get("output_type")
        if kind == "stream":
            return self.stream(output)
        if kind == "error":
            return self.error(output)
        if kind in ("display_data", "execute_result"):
            return self.rich(output, cell)
        return ""

    def _cut_notice(self, cut: Cut) -> str:
        # an HTML link: a Markdown link to an .ipynb file would be read as a link to a note
        where = (
            f'<a href="{html.escape(self.notebook)}" download>executed notebook</a>'
            if self.notebook
            else "executed notebook"
        )
        return notice(
            f"Truncated: showing {cut.shown_lines:,} of {cut.lines:,} lines / {size_text(cut.shown_bytes)} of "
            f"{size_text(cut.size)}; the full output is in the {where}.",
            kind="truncated",
        )

    def _text_parts(self, text: str) -> tuple[str, list[str], int]:
        """``text`` cut to the caps, the notes that follow it (truncation, line count), its lines."""
        shown, cut = cut_text(text, self.limits)
        if cut is not None:
            return shown, [self._cut_notice(cut)], cut.shown_lines
        lines = line_count(text)
        count = f'<p class="lj-output-lines">{lines:,} lines</p>' if lines > SCROLL_LINES else ""
        return shown, [count], lines

    def stream(self, output: Mapping[str, Any]) -> str:
        from nbconvert.filters import strip_ansi

        text = as_text(output.get("text", ""))
        if not text.strip():
            return ""
        shown, notes, lines = self._text_parts(text)
        shown = strip_ansi(_fold_carriage_returns(shown)).strip("\n")
        name = "stderr" if output.get("name") == "stderr" else "stdout"
        scroll = " lj-scroll" if lines > SCROLL_LINES else ""
        searchable = len(text) <= self.limits.search_chars
        return _block(f"lj-output lj-stream lj-{name}{scroll}", [fenced(shown), *notes], searchable=searchable)

    def error(self, output: Mapping[str, Any]) -> str:
        from nbconvert.filters import strip_ansi

        evalue = strip_ansi(str(output.get("evalue", "")))
        evalue = evalue if len(evalue) <= 120 else evalue[:117] + "..."
        title = f"{md_literal(str(output.get('ename', 'Error')))}: {md_literal(evalue)}"
        trace, notes, _ = self._text_parts(strip_ansi("\n".join(map(str, output.get("traceback", [])))))
        trace = trace.strip("\n")
        f = fence(trace)
        body = "\n".join(f"    {line}" if line else "" for line in f"{f} pytb\n{trace}\n{f}".splitlines())
        searchable = len(trace) <= self.limits.search_chars
        return _block("lj-output lj-error", [f'!!! failure "{title}"\n\n{body}', *notes], searchable=searchable)

    def rich(self, output: Mapping[str, Any], cell: Mapping[str, Any]) -> str:
        """``display_data`` and ``execute_result``: the representation Jupyter would show, its notices."""
        data = output.get("data", {})
        extracted = extracted_types()
        large = {m: _size(v) for m, v in data.items() if m != "text/plain" and m not in extracted}
        large = {m: size for m, size in large.items() if size > self.limits.page_bytes}
        choice = choose(output, excluded=large)
        parts: list[str] = []
        classes = f"lj-output lj-result lj-{str(output.get('output_type', '')).replace('_', '-')}"
        lines = 0
        if choice.mime is not None:
            self.shown.add(choice.mime)
            classes += " " + _class_name(choice.mime)
            parts, lines = self._representation(output, choice.mime, cell)
        for mime, size in large.items():
            if mime != choice.mime:
                parts.append(
                    notice(
                        f"Its {mime_name(mime)} representation ({size_text(size)}) is too large for this page; "
                        "the full output is in the executed notebook."
                    )
                )
        classes += " lj-scroll" if lines > SCROLL_LINES else ""
        handler = handler_for(choice.mime) if choice.mime is not None else None
        raw = handler is not None and handler.html_block
        text_size = _size(data[choice.mime]) if choice.mime is not None and choice.mime not in extracted else 0
        searchable = text_size <= self.limits.search_chars
        return _block(classes, [*parts, *choice.notices], raw=raw, searchable=searchable)

    def _representation(self, output: Mapping[str, Any], mime: str, cell: Mapping[str, Any]) -> tuple[list[str], int]:
        handler = handler_for(mime)
        if handler is None:
            return [], 0
        value = output["data"][mime]
        notes: list[str] = []
        lines = 0
        if mime == "text/plain":
            value, notes, lines = self._text_parts(as_text(value))
            value = _fold_carriage_returns(value)
        metadata = dict(output.get("metadata") or {})
        metadata[OUTPUT_KEY] = {**dict(metadata.get(OUTPUT_KEY) or {}), "alt": figure_alt(str(cell.get("source", "")))}
        return [handler.render(value, {**output, "metadata": metadata}), *notes], lines
