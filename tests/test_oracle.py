"""The oracle test: every output Jupyter shows is on the built page.

The corpus (``tests/corpus/``) is a handful of notes written to do what real notebooks do: every
output type (stream stdout/stderr, display_data, execute_result, error), every common MIME type,
bare values, IPython.display objects, rich reprs, cell tags, MyST and percent features. It is
executed and built once for the module. Then, for every code cell of every executed notebook in the
journal's store, the oracle works out what JupyterLab would show for each output, and looks for it
on the page:

* which representation of a rich output is shown: JupyterLab's rendermime ranks (see ``RANKS``);
* streams: consecutive streams of one name merged, then backspaces and carriage returns applied,
  as JupyterLab's output area does; ANSI colour codes are not text;
* text (stream, ``text/plain``, tracebacks): every line, in order, whitespace normalised;
* ``text/html`` and ``text/markdown``: the visible text of each block (``<script>``, ``<style>`` and
  hidden elements are not shown), tables as tables (their cells' text, row by row), math as math;
* ``text/latex``: its text, and each formula as a formula: the LaTeX inside MathJax's
  ``arithmatex`` elements on the page;
* images: an ``<img>`` whose file exists beside the page and holds the same pixels (SVG: an SVG
  file or inline ``<svg>``); audio and video players (in HTML outputs): the same media data;
* ``application/json``: what JupyterLab's collapsed JSON tree shows (top-level keys and values);
* interactive types (``application/vnd.*``): a chart the site draws, by its data (a JSON file
  beside the page); the others as JupyterLab shows them without their renderer (the next type);
  JavaScript and types JupyterLab cannot render: nothing to see, nothing expected;
* errors: the traceback (or ``ename: evalue`` when there is none).

Each output is searched for in its own cell's part of the page: after the cell's code, before the
next cell's code. Outputs of cells tagged ``remove-output``/``remove-cell`` must be absent, and the
code of ``remove-input``/``remove-cell`` cells; ``hide-*`` parts must be present, folded (inside a
``<details>``). Every miss is reported, all in one assertion message.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdown_it import MarkdownIt
from nbconvert.filters import strip_ansi

from .conftest import JournalDir

pytestmark = [pytest.mark.kernel, pytest.mark.site]

CORPUS = Path(__file__).resolve().parent / "corpus"
NOTE_SUFFIXES = (".md", ".py", ".ipynb")
INJECTED = "injected-parameters"

# Which representation JupyterLab shows: of the MIME types a bundle holds, the one with the lowest
# rank among those it has a renderer for (rendermime's ``preferredMimeType``, trusted outputs).
# * packages/rendermime/src/factories.ts: text/html 50, text/markdown 60, text/latex 70,
#   image/svg+xml 80, images 90 (bmp, png, jpeg, gif, webp, in that order), text/javascript and
#   application/javascript 110, text/plain 120;
# * packages/json-extension/src/index.tsx: application/json, rank 0 (so JSON beats HTML);
# * packages/pdf-extension: application/pdf, rank 100;
# * packages/vega5-extension: Vega and Vega-Lite, rank 57 (interactive, see INTERACTIVE).
# A type JupyterLab has no renderer for is never shown; an output with none shows nothing
# (outputarea/src/widget.ts, createRenderedMimetype returns null).
RANKS: dict[str, float] = {
    "application/json": 0,
    "text/html": 50,
    "text/markdown": 60,
    "text/latex": 70,
    "image/svg+xml": 80,
    "image/bmp": 90,
    "image/png": 90.1,
    "image/jpeg": 90.2,
    "image/gif": 90.3,
    "image/webp": 90.4,
    "application/pdf": 100,
    "text/javascript": 110,
    "application/javascript": 110,
    "text/plain": 120,
}
# Interactive types (JupyterLab's Vega renderer, or an extension: Plotly, widgets, Bokeh). Those the
# site draws (SITE_DRAWS) are expected as such: the page refers to a JSON file beside it, or holds a
# <script type="application/json">, with the same data. The others are expected as JupyterLab shows
# an output without their renderer: the next representation by rank.
INTERACTIVE = re.compile(r"^application/vnd\.")
SITE_DRAWS = {"application/vnd.plotly.v1+json"}
# Shown by running code: nothing to see that a page could hold, so nothing is expected.
EXECUTED = {"text/javascript", "application/javascript"}
# What a page cannot show and the oracle does not check beyond the page's existence.
UNCHECKED = {"application/pdf"}
RASTER = {"image/bmp", "image/png", "image/jpeg", "image/gif", "image/webp"}
MATH_CLASSES = {"arithmatex", "lj-oracle-math"}

BLOCK = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div"),
        *("dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5"),
        *("h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table"),
        *("tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    }
)
SKIP = frozenset({"script", "style", "template", "noscript", "head", "title"})
WORD = re.compile(r"\w")


# ---------------------------------------------------------------- what Jupyter shows


def append_stream(current: str, new: str) -> str:
    """``new`` appended to a stream's ``current`` text, backspaces deleting characters, as
    JupyterLab 4 does (outputarea/src/model.ts, ``Private.concatenateText``)."""
    text = new
    while True:
        first = text.find("\b")
        if first == -1:
            return current + text
        count = len(text[first:]) - len(text[first:].lstrip("\b"))
        append = ""
        newline = text[:first].rfind("\n")
        if newline != -1:  # only delete up to the new line
            append = text[: newline + 1]
            text = text[first + count :]
            count = 0
        else:
            if count < first:
                append = text[: first - count]
            text = text[first + count :]
            count -= first
        if count > 0:
            newline = current.rfind("\n")
            current = current[: newline + 1] if newline != -1 else current[: max(len(current) - count, 0)]
        else:
            current += append


def fix_carriage_return(text: str) -> str:
    """JupyterLab's ``fixCarriageReturn``: text after a carriage return overwrites its line from the start.

    A translation of outputarea/src/model.ts (``Private.fixCarriageReturn``, JupyterLab 3.x; a
    terminal does the same); JavaScript's ``.`` and multiline ``^``/``$`` stop at both
    ``\\n`` and ``\\r``, hence the explicit classes."""
    text = re.sub(r"\r+\n", "\n", text)
    while re.search(r"\r[^$]", text, re.S):
        base = re.search(r"(?:^|(?<=[\n\r]))([^\n\r]*)\r+", text)
        insert = re.search(r"\r+([^\n\r]*)", text)
        assert base is not None and insert is not None
        head = insert.group(1) + base.group(1)[len(insert.group(1)) :]
        text = re.sub(r"\r+[^\n\r]*", "\r", text, count=1)
        text = re.sub(r"(?:^|(?<=[\n\r]))[^\n\r]*\r", lambda _, head=head: head, text, count=1)
    return text


def joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def merged_streams(outputs: list[dict]) -> Iterator[tuple[int, dict]]:
    """The outputs as JupyterLab's output area holds them: consecutive streams of one name are one
    (``OutputAreaModel._add``), backspaces applied. Yields (index of the first stored output, output)."""
    pending: tuple[int, dict] | None = None
    for index, output in enumerate(outputs):
        if output.get("output_type") == "stream":
            if pending is not None and pending[1]["name"] == output.get("name"):
                pending[1]["text"] = append_stream(pending[1]["text"], joined(output.get("text", "")))
                continue
            if pending is not None:
                yield pending
            text = append_stream("", joined(output.get("text", "")))
            pending = (index, {"output_type": "stream", "name": output.get("name"), "text": text})
            continue
        if pending is not None:
            yield pending
            pending = None
        yield index, output
    if pending is not None:
        yield pending


def choose(data: dict[str, Any]) -> str | None:
    """The MIME type JupyterLab shows of a bundle, interactive types the site does not draw left out."""
    drawn = [m for m in data if m in SITE_DRAWS]
    if drawn:
        return drawn[0]
    known = [m for m in data if m in RANKS and not INTERACTIVE.match(m)]
    return min(known, key=lambda m: RANKS[m]) if known else None


def data_token(value: Any) -> str:
    """Data for a chart drawn in the browser, by its content."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return f"⟦DATA:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}⟧"


@dataclass
class Shown:
    """What Jupyter shows for one output: text blocks (atoms) to find in order, or not in order."""

    kind: str  # stream:stdout, text/html, error, ...
    atoms: list[str] = field(default_factory=list)
    ordered: bool = True
    note: str = ""  # why nothing is expected


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def lines_of(text: str) -> list[str]:
    return [line for line in (normalise(x) for x in text.split("\n")) if line]


def image_token(raw: bytes) -> str:
    """An image by what it shows: SVG as SVG, a raster image by its size and pixels."""
    head = raw.lstrip()[:200].lower()
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        return "⟦IMG:svg⟧"
    from PIL import Image

    try:
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            rgba = img.convert("RGBA")
            digest = hashlib.sha256(f"{rgba.size}".encode() + rgba.tobytes()).hexdigest()[:16]
    except Exception:  # PIL raises many types for bytes that are no image
        return "⟦IMG:undecodable⟧"
    return f"⟦IMG:{digest}⟧"


def math_token(source: str) -> str:
    """A formula by its LaTeX: delimiters and whitespace do not count."""
    text = source.strip()
    for left, right in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$"), ("$", "$")):
        if text.startswith(left) and text.endswith(right) and len(text) >= len(left) + len(right):
            text = text[len(left) : len(text) - len(right)]
            break
    return "⟦MATH:" + re.sub(r"\s+", "", text) + "⟧"


# LaTeX delimiters MathJax looks for in JupyterLab (inline $ and \(, display $$ and \[, environments)
LATEX_MATH = re.compile(
    r"(?P<d>\$\$.+?\$\$)|(?P<b>\\\[.+?\\\])|(?P<p>\\\(.+?\\\))|(?P<e>\\begin\{(?P<env>[A-Za-z*]+)\}.*?\\end\{(?P=env)\})"
    r"|(?P<i>(?<!\\)\$[^$]+?(?<!\\)\$)",
    re.S,
)


def typeset(text: str) -> str:
    """``text`` as MathJax shows it in JupyterLab: each formula becomes a formula (a block when it
    is display math), ``\\$`` a dollar (mathjax-extension: ``$``/``\\(`` inline, ``$$``/``\\[``
    display, environments, ``processEscapes``)."""
    out, pos = [], 0
    for m in LATEX_MATH.finditer(text):
        out.append(text[pos : m.start()].replace("\\$", "$"))
        display = m.group("i") is None and m.group("p") is None
        token = math_token(m.group(0))
        out.append(f"\n{token}\n" if display else f" {token} ")
        pos = m.end()
    out.append(text[pos:].replace("\\$", "$"))
    return "".join(out)


CODE_SPANS = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]+`)", re.S)
MD_MATH = re.compile(
    r"\$\$.+?\$\$|\\begin\{(?P<env>[A-Za-z*]+)\}.*?\\end\{(?P=env)\}|(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$", re.S
)


def markdown_html(source: str) -> str:
    """``text/markdown`` as JupyterLab renders it: math taken out first (``removeMath``), the rest
    rendered as CommonMark with GFM tables (JupyterLab uses marked), math put back as math."""
    formulas: list[str] = []

    def stash(m: re.Match[str]) -> str:
        formulas.append(m.group(0))
        return f"@@{len(formulas) - 1}@@"

    parts = CODE_SPANS.split(source)
    text = "".join(p if i % 2 else MD_MATH.sub(stash, p) for i, p in enumerate(parts))
    rendered = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)
    return re.sub(
        r"@@(\d+)@@",
        lambda m: f'<span class="lj-oracle-math">{html.escape(formulas[int(m.group(1))])}</span>',
        rendered,
    )


def json_atoms(value: Any, expanded: bool, depth: int = 0) -> list[str]:
    """What JupyterLab's JSON tree shows: keys and scalar values of the root level (deeper levels
    start collapsed, json-extension/src/component.tsx ``shouldExpandNodeInitially``)."""
    atoms: list[str] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    if depth > 0 and not expanded:
        return atoms
    for key, item in items:
        if isinstance(value, dict):
            atoms.append(normalise(str(key)))
        if isinstance(item, dict | list):
            atoms += json_atoms(item, expanded, depth + 1)
        elif isinstance(item, str):
            atoms.append(normalise(item))
        else:
            atoms.append(json.dumps(item))
    if not isinstance(value, dict | list):
        atoms.append(normalise(value) if isinstance(value, str) else json.dumps(value))
    return [a for a in atoms if a]


def shown(output: dict) -> Shown:
    """What JupyterLab shows for one output (streams already merged)."""
    kind = output.get("output_type")
    if kind == "stream":
        text = strip_ansi(fix_carriage_return(joined(output.get("text", ""))))
        return Shown(f"stream:{output.get('name')}", lines_of(text))
    if kind == "error":
        trace = strip_ansi("\n".join(output.get("traceback") or []))
        if not trace.strip():
            trace = f"{output.get('ename')}: {output.get('evalue')}"
        return Shown("error", lines_of(trace))
    data = output.get("data", {})
    mime = choose(data)
    if mime is None:
        return Shown("none", note=f"no representation Jupyter renders: {sorted(data)}")
    value = data[mime]
    if mime in EXECUTED:
        return Shown(mime, note="JavaScript: run, not shown")
    if mime in UNCHECKED:
        return Shown(mime, note="not checked")
    if mime in SITE_DRAWS:
        return Shown(mime, [data_token(value)])
    if mime == "application/json":
        expanded = bool(output.get("metadata", {}).get(mime, {}).get("expanded"))
        return Shown(mime, json_atoms(value, expanded), ordered=False)
    if mime in RASTER:
        return Shown(mime, [image_token(base64.b64decode(joined(value)))])
    if mime == "image/svg+xml":
        return Shown(mime, ["⟦IMG:svg⟧"])
    if mime == "text/plain":
        return Shown(mime, lines_of(strip_ansi(joined(value))))
    if mime == "text/latex":
        return Shown(mime, lines_of(typeset(joined(value))))
    # JupyterLab typesets the formulas in HTML outputs too (renderHTML: ``latexTypesetter.typeset``)
    source = markdown_html(joined(value)) if mime == "text/markdown" else joined(value)
    extractor = Extractor(resolve=data_uri_only, typeset=True)
    return Shown(mime, lines_of(extractor.blocks(BeautifulSoup(source, "html.parser"))))


# ---------------------------------------------------------------- what the page shows


def data_uri_only(src: str) -> bytes | None:
    if src.startswith("data:") and "," in src:
        meta, payload = src.split(",", 1)
        from urllib.parse import unquote_to_bytes

        return base64.b64decode(payload) if meta.endswith(";base64") else unquote_to_bytes(payload)
    return None


def hidden(tag: Tag) -> bool:
    style = re.sub(r"\s+", "", str(tag.get("style", ""))).lower()
    return tag.has_attr("hidden") or "display:none" in style or "visibility:hidden" in style


class Extractor:
    """Visible content of HTML as a block stream: text, ``\\n`` between blocks, and tokens for
    images, formulas and tables (``⟦TABLE⟧ ¶ ¦ cell ¦ cell ¶ ... ⟦/TABLE⟧``). Records, for the page,
    which parts lie inside a ``<details>`` (folded) and which ``<pre>`` blocks are a cell's code."""

    def __init__(
        self,
        resolve: Callable[[str], bytes | None],
        inputs: Callable[[str], int | None] | None = None,
        typeset: bool = False,
    ) -> None:
        self.resolve = resolve
        self.inputs = inputs
        self.typeset = typeset  # find formulas in text, as MathJax does in JupyterLab's outputs
        self.literal = 0  # inside elements MathJax leaves alone (pre, code, textarea)
        self.pieces: list[tuple[str, bool]] = []
        self.input_at: list[tuple[int, int, bool]] = []  # (piece index, code cell, folded)

    @staticmethod
    def json_token(raw: bytes) -> str:
        try:
            return data_token(json.loads(raw))
        except ValueError:
            return "⟦DATA:invalid⟧"

    def blocks(self, node: Tag) -> str:
        self.walk(node, folded=False, table=False, pre=False)
        return "".join(text for text, _ in self.pieces)

    def emit(self, text: str, folded: bool) -> None:
        self.pieces.append((text, folded))

    def walk(self, node: Tag, folded: bool, table: bool, pre: bool) -> None:
        for child in node.children:
            if isinstance(child, Comment) or not isinstance(child, NavigableString | Tag):
                continue
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not CData, Doctype, ...
                    text = str(child)
                    if self.typeset and not self.literal:
                        text = typeset(text)
                    # in <pre>, a line is a block; elsewhere whitespace is a space
                    text = re.sub(r"[^\S\n]+" if pre and not table else r"\s+", " ", text)
                    self.emit(text, folded)
                continue
            self.element(child, folded, table, pre)

    def element(self, tag: Tag, folded: bool, table: bool, pre: bool) -> None:
        name = tag.name.lower()
        classes = set(tag.get("class") or [])
        if name == "script" and str(tag.get("type", "")).endswith("json"):
            self.emit(f" {self.json_token(tag.get_text().encode())} ", folded)
            return
        if name in SKIP or hidden(tag) or classes & {"headerlink", "lj-provenance", "twemoji"}:
            return
        for attr, value in tag.attrs.items():
            if attr.startswith("data-") and isinstance(value, str) and value.endswith(".json"):
                raw = self.resolve(value)
                self.emit(f" {self.json_token(raw) if raw is not None else '⟦DATA:missing⟧'} ", folded)
        sep = " " if table else "\n"
        if name == "img":
            raw = self.resolve(str(tag.get("src", "")))
            self.emit(f" {image_token(raw) if raw is not None else '⟦IMG:missing⟧'} ", folded)
            return
        if name == "svg":
            self.emit(" ⟦IMG:svg⟧ ", folded)
            return
        if name in {"audio", "video"}:  # a player; its fallback text is for browsers without one
            source = tag if tag.get("src") else tag.find("source")
            raw = self.resolve(str(source.get("src", ""))) if isinstance(source, Tag) else None
            digest = hashlib.sha256(raw).hexdigest()[:16] if raw is not None else "missing"
            self.emit(f" ⟦MEDIA:{name}:{digest}⟧ ", folded)
            return
        if classes & MATH_CLASSES:
            token = math_token(tag.get_text())
            self.emit(f"{sep}{token}{sep}" if name == "div" else f" {token} ", folded)
            return
        if name == "pre" and self.inputs is not None:
            cell = self.inputs(tag.get_text())
            if cell is not None:
                self.input_at.append((len(self.pieces), cell, folded))
                self.emit("\n⟦INPUT⟧\n", folded)
                return
        if name == "details":
            folded = True
        if name == "table" and not table:
            self.emit("\n⟦TABLE⟧ ", folded)
            self.walk(tag, folded, table=True, pre=pre)
            self.emit(" ⟦/TABLE⟧\n", folded)
            return
        if name == "tr":
            self.emit(" ¶ ", folded)
        elif name in {"td", "th"}:
            self.emit(" ¦ ", folded)
        elif name in BLOCK:
            self.emit(sep, folded)
        literal = name in {"pre", "code", "textarea"}
        self.literal += literal
        self.walk(tag, folded, table, pre or name == "pre")
        self.literal -= literal
        if name in BLOCK and name not in {"td", "th", "tr"}:
            self.emit(sep, folded)


@dataclass
class Page:
    """A page's content as one whitespace-normalised string, with what is folded and where each
    cell's code is."""

    text: str
    folded: list[bool]
    inputs: dict[int, tuple[int, bool]]  # code cell -> (position of its code, folded)


def read_page(page_html: str, page_dir: Path, sources: list[str | None]) -> Page:
    soup = BeautifulSoup(page_html, "html.parser")
    article = soup.find("article") or soup
    wanted = [normalise(s) if s is not None else None for s in sources]
    state = {"next": 0}

    def input_cell(text: str) -> int | None:
        norm = normalise(text)
        if not norm:
            return None
        for cell in range(state["next"], len(wanted)):
            if wanted[cell] == norm:
                state["next"] = cell + 1
                return cell
        return None

    def resolve(src: str) -> bytes | None:
        raw = data_uri_only(src)
        if raw is not None:
            return raw
        if not src or re.match(r"^[a-z]+:", src) or src.startswith("/"):
            return None
        path = (page_dir / src.split("#")[0].split("?")[0]).resolve()
        return path.read_bytes() if path.is_file() and path.is_relative_to(page_dir.parent) else None

    extractor = Extractor(resolve, input_cell)
    extractor.walk(article, folded=False, table=False, pre=False)
    chars: list[str] = []
    flags: list[bool] = []
    starts: dict[int, int] = {}
    for index, (text, folded) in enumerate(extractor.pieces):
        starts[index] = len(chars)
        for ch in text:
            if ch.isspace():
                if not chars or chars[-1] == " ":
                    continue
                ch = " "
            chars.append(ch)
            flags.append(folded)
    inputs = {cell: (starts[index], folded) for index, cell, folded in extractor.input_at}
    return Page("".join(chars), flags, inputs)


def find(text: str, atom: str, start: int, end: int) -> int:
    """Where ``atom`` starts in ``text[start:end]``, not inside a word; -1 when it is not there."""
    pos = text.find(atom, start, end)
    while pos != -1:
        before = text[pos - 1] if pos > 0 else " "
        after = text[pos + len(atom)] if pos + len(atom) < len(text) else " "
        if not (WORD.match(atom[0]) and WORD.match(before)) and not (WORD.match(atom[-1]) and WORD.match(after)):
            return pos
        pos = text.find(atom, pos + 1, end)
    return -1


# ---------------------------------------------------------------- the comparison


@dataclass
class Findings:
    missing: list[str] = field(default_factory=list)  # shown by Jupyter, not on the page
    not_removed: list[str] = field(default_factory=list)  # tagged remove-*, yet on the page
    not_folded: list[str] = field(default_factory=list)  # tagged hide-*, on the page but not folded
    checked: list[tuple[str, str]] = field(default_factory=list)  # (where, kind) of each output checked
    nothing: list[str] = field(default_factory=list)  # outputs Jupyter shows nothing of (why)


def short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compare(name: str, notebook: dict, page_html: str, page_dir: Path, findings: Findings) -> None:
    """Compare one executed notebook with its page, adding to ``findings``."""
    cells = [
        c
        for c in notebook["cells"]
        if c.get("cell_type") == "code" and INJECTED not in c.get("metadata", {}).get("tags", [])
    ]
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in cells]
    sources = [
        None if t & {"remove-input", "remove-cell"} else joined(c.get("source", ""))
        for c, t in zip(cells, tags, strict=True)
    ]
    page = read_page(page_html, page_dir, sources)
    text = page.text
    marks = sorted(pos for pos, _ in page.inputs.values())
    cursor = 0
    for number, (cell, tagset) in enumerate(zip(cells, tags, strict=True), start=1):
        where = f"{name} cell {number} (In [{cell.get('execution_count')}])"
        removed_input = bool(tagset & {"remove-input", "remove-cell"})
        if removed_input:
            for line in lines_of(joined(cell.get("source", ""))):
                if len(line) >= 12 and find(text, line, 0, len(text)) != -1:
                    findings.not_removed.append(f"{where}: code line {short(line)!r} is on the page")
        elif normalise(joined(cell.get("source", ""))):
            if number - 1 not in page.inputs:
                findings.missing.append(f"{where}: its code is not on the page")
            elif tagset & {"hide-input", "hide-cell"} and not page.inputs[number - 1][1]:
                findings.not_folded.append(f"{where}: code tagged hide-input/hide-cell is not folded")
        if number - 1 in page.inputs:
            cursor = max(cursor, page.inputs[number - 1][0])
        end = next((pos for pos in marks if pos > cursor), len(text))
        removed_output = bool(tagset & {"remove-output", "remove-cell"})
        folded = bool(tagset & {"hide-output", "hide-cell"})
        for index, output in merged_streams(cell.get("outputs", [])):
            what = shown(output)
            label = f"{where} output {index + 1} [{what.kind}]"
            if not what.atoms:
                findings.nothing.append(f"{label}: {what.note or 'blank'}")
                continue
            if removed_output:
                for atom in what.atoms:  # what is distinctive enough to tell
                    distinctive = (len(atom) >= 8 or atom.startswith("⟦IMG:")) and atom != "⟦IMG:svg⟧"
                    if distinctive and find(text, atom, 0, len(text)) != -1:
                        findings.not_removed.append(f"{label}: tagged remove-*, yet {short(atom)!r} is on the page")
                continue
            findings.checked.append((label, what.kind))
            lost: list[str] = []
            start = cursor
            for atom in what.atoms:
                pos = find(text, atom, start if what.ordered else cursor, end)
                if pos == -1:
                    lost.append(atom)
                    continue
                if folded and not page.folded[pos]:
                    findings.not_folded.append(f"{label}: {short(atom)!r} is not folded (hide-output/hide-cell)")
                if what.ordered:
                    start = pos + len(atom)
            if lost:
                findings.missing.append(
                    f"{label}: {len(lost)} of {len(what.atoms)} parts missing, first {short(lost[0])!r}"
                    + (f", last {short(lost[-1])!r}" if len(lost) > 1 else "")
                    + f"; the page there: {short(text[cursor:end].strip(), 120)!r}"
                )
            cursor = max(cursor, start)


def compare_journal(root: Path, pages: dict[str, str] | None = None) -> Findings:
    """Compare every executed notebook of a built journal with its page (``pages``: page HTML by
    note id, to compare with instead of the built files)."""
    findings = Findings()
    store = root / "store" / "notes"
    for path in sorted(store.rglob("*.ipynb")):
        note_id = path.relative_to(store).with_suffix("").as_posix()
        page_dir = root / "site" / "journal" / note_id
        page_file = page_dir / "index.html"
        if not page_file.is_file():
            findings.missing.append(f"{note_id}: no page")
            continue
        page_html = pages[note_id] if pages and note_id in pages else page_file.read_text(encoding="utf-8")
        compare(note_id, nbformat.reads(path.read_text(encoding="utf-8"), as_version=4), page_html, page_dir, findings)
    return findings


# ---------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> JournalDir:
    """The corpus in a journal, executed and built once."""
    journal = JournalDir(tmp_path_factory.mktemp("oracle") / "journal")
    folder = journal.root / "notes" / "corpus"
    folder.mkdir(parents=True)
    for note in sorted(CORPUS.iterdir()):
        if note.suffix in NOTE_SUFFIXES:
            shutil.copy2(note, folder / note.name)
    journal.cli("build")  # one corpus note ends in an unexpected error, as real notebooks do: exit code 1
    return journal


@pytest.fixture(scope="module")
def findings(built: JournalDir) -> Findings:
    return compare_journal(built.root)


def corpus_notes() -> list[str]:
    return sorted(f"corpus/{p.stem}" for p in CORPUS.iterdir() if p.suffix in NOTE_SUFFIXES)


def test_every_corpus_note_runs_as_written_and_has_a_page(built: JournalDir) -> None:
    """Each note runs to its end (an unexpected error where one is written), so that the oracle
    sees every output the corpus makes."""
    for note_id in corpus_notes():
        assert (built.root / "store" / "notes" / f"{note_id}.ipynb").is_file(), note_id
        assert (built.root / "site" / "journal" / note_id / "index.html").is_file(), note_id
        runs = sorted((built.root / "store" / "runs" / note_id).glob("*.json"))
        status = json.loads(runs[-1].read_text())["status"] if runs else None
        expected = "error" if note_id == "corpus/ends-in-error" else "ok"
        assert status == expected, f"{note_id}: {status}: {json.loads(runs[-1].read_text()).get('message')}"


def test_the_corpus_covers_every_output_type(findings: Findings) -> None:
    kinds = {kind for _, kind in findings.checked}
    wanted = {
        "stream:stdout",
        "stream:stderr",
        "error",
        "text/plain",
        "text/html",
        "text/markdown",
        "text/latex",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/svg+xml",
        "application/json",
        "application/vnd.plotly.v1+json",
    }
    assert wanted <= kinds, f"the corpus shows none of {sorted(wanted - kinds)}"
    assert any("application/javascript" in why for why in findings.nothing)


def test_every_output_jupyter_shows_is_on_the_page(findings: Findings) -> None:
    if findings.missing:
        pytest.fail(
            f"{len(findings.missing)} of {len(findings.checked)} outputs Jupyter shows are not (all) on the pages:\n"
            + "\n".join(findings.missing),
            pytrace=False,
        )


def test_removed_parts_are_absent_and_hidden_parts_folded(findings: Findings) -> None:
    problems = findings.not_removed + findings.not_folded
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _strip(page_html: str, selector: str) -> str:
    soup = BeautifulSoup(page_html, "html.parser")
    for tag in soup.select(selector):
        tag.decompose()
    return str(soup)


@pytest.mark.parametrize(
    ("selector", "kinds"),
    [
        ("article img, article svg:not(.twemoji svg)", {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}),
        (".arithmatex", {"text/latex"}),
        ("article table", {"text/html"}),
        ("article pre", {"stream:stdout", "stream:stderr", "error", "text/plain"}),
    ],
)
def test_the_oracle_misses_what_a_page_lacks(built: JournalDir, selector: str, kinds: set[str]) -> None:
    """The oracle does not accept a page without its images, formulas, tables or text blocks."""
    pages = {
        note_id: _strip(built.page(note_id), selector)
        for note_id in corpus_notes()
        if (built.root / "site" / "journal" / note_id / "index.html").is_file()
    }
    stripped = compare_journal(built.root, pages)
    for kind in kinds:
        assert any(f"[{kind}]" in miss for miss in stripped.missing), f"no {kind} output missed without {selector}"


def test_the_oracle_sees_removed_parts_shown_and_hidden_parts_unfolded(built: JournalDir) -> None:
    soup = BeautifulSoup(built.page("corpus/cell-tags"), "html.parser")
    for details in soup.select("article details"):
        details.unwrap()
    article = soup.find("article")
    assert isinstance(article, Tag)
    leaked = soup.new_tag("pre")
    leaked.string = "removed output must not appear zzremovedoutput"
    article.append(leaked)
    findings = compare_journal(built.root, {"corpus/cell-tags": str(soup)})
    assert any("zzremovedoutput" in problem for problem in findings.not_removed), findings.not_removed
    for word in ("magpie", "jackdaw"):
        assert any(word in problem for problem in findings.not_folded), (word, findings.not_folded)
