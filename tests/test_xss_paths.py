"""One regression test per path by which a cell's output (or a note's front matter) ran script.

Each path found by the browser test over the payload corpus (``test_xss_browser.py``) gets a small
note here, run with real kernels and built, and the built HTML is checked: none of the payload's
markup is live (no ``on*`` attribute, no script URL once whitespace, control characters and Unicode
spaces are removed, no ``<script>`` holding it, no frame or ``<base>``), and its text is still
there for the reader, shown as text. The paths:

- a ``text/latex`` output (``Latex(...)`` and a raw ``text/latex`` value);
- a metric name given to ``labjournal.record``: in the note's metrics panel (backticks end its code
  span), in the Runs table, on the Metrics page (two notes share it), and in matplotlib's error
  message when the name is not valid mathtext;
- a parameter value given with ``labjournal run -p`` (with backticks), in the Runs table;
- a carriage return in an exception message and in printed text, also in a ``hide-output`` cell;
- titles, tags and series from front matter (heading, navigation, listings, tag index, search index,
  feeds) and a ``video:`` URL with a script scheme;
- ``href`` values that start with a Unicode space before ``javascript:`` (nh3 keeps them; a Markdown
  link destination is stripped of that space by Python-Markdown);
- ``application/pdf`` outputs that are not PDFs;
- outputs that stop the whole site build (forged metric values, undecodable data).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import defusedxml.ElementTree as ElementTree
import pytest

from .conftest import JournalDir, code, note_text

pytestmark = [pytest.mark.kernel, pytest.mark.site]

ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
_SPACES = re.compile(
    r"[\s\u0000-\u001f\u007f-\u009f\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]+"
)
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|livescript):|^data:(?:text/html|application/xhtml|image/svg)")
_URL_ATTRIBUTES = {"href", "xlink:href", "src", "action", "formaction", "data", "poster", "background", "srcset"}


class _Live(HTMLParser):
    """Markup a browser would act on that holds ``marker``: a handler or ``srcdoc`` attribute, a script
    URL, a script, a frame; and any ``<base>``."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = f"<{tag} " + " ".join(f'{k}="{v}"' for k, v in attrs) + ">"
        for name, value in attrs:
            value = value or ""
            if self.marker not in value:
                continue
            if name.startswith("on") or name == "srcdoc":
                self.found.append(f"{name} attribute: {shown}")
            elif name in _URL_ATTRIBUTES and _SCRIPT_URL.match(_SPACES.sub("", value).lower()):
                self.found.append(f"script URL in {name}: {shown}")
        framing = tag in ("iframe", "frame", "object", "embed") or (tag == "meta" and dict(attrs).get("http-equiv"))
        if tag == "base" or (framing and self.marker in shown):
            self.found.append(f"<{tag}> element: {shown}")
        self._script = tag == "script"
        if tag == "script" and self.marker in shown:
            self.found.append(f"script element: {shown}")

    def handle_data(self, data: str) -> None:
        if self._script and self.marker in data:
            self.found.append(f"script element running {data[:120]!r}")

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def live_markup(page: str, marker: str) -> list[str]:
    """What of ``page`` a browser would run that holds ``marker`` (each payload has its own; the
    theme's scripts are left out that way)."""
    parser = _Live(marker)
    parser.feed(page)
    parser.close()
    return parser.found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(page: str) -> str:
    """The text a reader sees (entities decoded, tags gone), whitespace runs as one space."""
    parser = _Text()
    parser.feed(page)
    parser.close()
    return " ".join("".join(parser.parts).split())


def article(journal: JournalDir, note_id: str) -> str:
    found = ARTICLE.findall(journal.page(note_id))
    assert len(found) == 1, f"no single article in {note_id}"
    return found[0]


def site_pages(journal: JournalDir) -> Iterator[tuple[str, str]]:
    for path in sorted((journal.root / "site").rglob("*.html")):
        if "assets" not in path.relative_to(journal.root / "site").parts:
            yield path.relative_to(journal.root / "site").as_posix(), path.read_text(encoding="utf-8")


def cli(journal: JournalDir, *args: str) -> tuple[int, str]:
    """Exit code and output of the in-process CLI; a crash is exit code -1 with its message."""
    out = io.StringIO()
    with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):
        try:
            return journal.cli(*args), out.getvalue()
        except Exception as exc:
            return -1, out.getvalue() + f"\n{type(exc).__name__}: {exc}"


# --- outputs: one journal, one note per path -------------------------------------------------------

LATEX_HTML = "<img src=x onerror=alert(101)>"
LATEX_MIXED = "$x^2$ and <script>alert(102)</script>"
PANEL_NAME = "a` <img src=x onerror=alert(103)> `b"
SHARED_NAME = "s` <img src=x onerror=alert(104)> `s"
MATHTEXT_SHARED = "$\\foo<img src=x onerror=alert(105)>$"
RUNS_METRIC = "r` <img src=x onerror=alert(106)> `r"
RUNS_MATH_METRIC = "$\\href{javascript:alert(121)}{x}$"  # MathJax would make it a javascript: link
PARAM_VALUE = "a`<img src=x onerror=alert(107)>`b"
MATHTEXT_STEPPED = "$\\foo<img src=x onerror=alert(108)>$"
CR_HIDDEN_PRINT = "line\r<img src=x onerror=alert(109)>"
CR_ERROR = "boom\r<img src=x onerror=alert(110)>"
CR_HIDDEN_ERROR = "hidden\r<img src=x onerror=alert(111)>"
CR_PRINT = "ok\r\r<img src=x onerror=alert(112)>"
CR_HIDDEN_CRLF = "ok\r\n\r\n<img src=x onerror=alert(113)>"
UNICODE_HREFS = {  # marker -> output
    "alert(114)": ("text/html", '<a href="\u2003javascript:alert(114)">em space</a>'),
    "alert(115)": ("text/html", '<a href="&#x3000;javascript:alert(115)">ideographic space</a>'),
    "alert(116)": ("text/html", '<a href="\u00a0javascript:alert(116)">no-break space</a>'),
    "alert(117)": ("text/markdown", "[no-break space](\u00a0javascript:alert(117))"),
    "alert(118)": ("text/markdown", "[em space](\u2003javascript:alert(118))"),
    "alert(119)": ("text/markdown", "[line separator][r]\n\n[r]: \u2028javascript:alert(119)\n"),
    "alert(120)": (
        "image/svg+xml",
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="\u2003javascript:alert(120)"><text y="9">x</text></a></svg>',
    ),
}


def _data_note(title: str, date: str, outputs: list[tuple[str, str]], tags: list[str] | None = None) -> str:
    """A note whose one cell displays each (MIME type, value) raw, from JSON (no payload in its source)."""
    payload = json.dumps(outputs)
    source = f"import json\nfrom IPython.display import display\nfor mime, value in json.loads({payload!r}):\n"
    source += "    display({mime: value}, raw=True)"
    return note_text(title, date, "Outputs.\n\n" + code(source, tags))


def _record_note(title: str, date: str, names: list[str], steps: int = 1, params: str | None = None) -> str:
    record = "import json, labjournal\n"
    record += f"for name in json.loads({json.dumps(names)!r}):\n"
    record += f"    for step in range({steps}):\n"
    record += "        labjournal.record(name, step + 1.5" + (", step=step)" if steps > 1 else ")")
    cells = (code(params, ["parameters"]) if params else "") + code(record)
    return note_text(title, date, "Metrics.\n\n" + cells)


def _cr_note() -> str:
    cells = code(f"print({CR_HIDDEN_PRINT!r})\nprint({CR_HIDDEN_CRLF!r})", ["hide-output"])
    cells += code(f"print({CR_PRINT!r})")
    cells += code(f"raise ValueError({CR_ERROR!r})", ["raises-exception"])
    cells += code(f"raise ValueError({CR_HIDDEN_ERROR!r})", ["hide-output", "raises-exception"])
    return note_text("Carriage returns", "2026-06-05", "Printed and raised.\n\n" + cells)


@pytest.fixture(scope="module")
def outputs(make_journal) -> JournalDir:
    journal = make_journal("xss-paths")
    journal.write(
        "latex.md", _data_note("Latex", "2026-06-01", [("text/latex", LATEX_HTML), ("text/latex", LATEX_MIXED)])
    )
    journal.write(
        "latex-object.md",
        note_text(
            "Latex object", "2026-06-01",
            "Latex().\n\n" + code(f"from IPython.display import Latex, display\ndisplay(Latex({LATEX_HTML!r}))"),
        ),
    )  # fmt: skip
    journal.write("panel.md", _record_note("Panel", "2026-06-02", [PANEL_NAME, SHARED_NAME, MATHTEXT_SHARED]))
    journal.write("shared.md", _record_note("Shared", "2026-06-03", [SHARED_NAME, MATHTEXT_SHARED]))
    journal.write(
        "runs.md", _record_note("Runs", "2026-06-04", [RUNS_METRIC, RUNS_MATH_METRIC], params='name = "plain"')
    )
    journal.write("curves.md", _record_note("Curves", "2026-06-04", [MATHTEXT_STEPPED], steps=3, params="x = 0"))
    journal.write("cr.md", _cr_note())
    journal.write("unicode.md", _data_note("Unicode spaces", "2026-06-06", list(UNICODE_HREFS.values())))
    code_, output = cli(journal, "run", "notes/runs.md", "-p", f"name={PARAM_VALUE}")
    assert code_ == 0, output
    code_, output = cli(journal, "run", "notes/curves.md", "-p", "x=1")
    assert code_ == 0, output
    code_, output = cli(journal, "build")
    assert code_ == 0, output[-3000:]
    return journal


def test_latex_output_is_never_raw_html(outputs: JournalDir) -> None:
    for note in ("latex", "latex-object"):
        content = article(outputs, note)
        assert live_markup(content, "alert(10") == [], note
    assert "<script>alert(102)" not in article(outputs, "latex")


def test_a_metric_name_stays_text_in_the_metrics_panel(outputs: JournalDir) -> None:
    content = article(outputs, "panel")
    assert live_markup(content, "alert(103)") == []
    assert "<img src=x onerror=alert(103)>" in text_of(content)  # shown, as text


def test_a_shared_metric_name_stays_text_on_the_metrics_page(outputs: JournalDir) -> None:
    page = (outputs.root / "site" / "journal" / "metrics" / "index.html").read_text(encoding="utf-8")
    content = ARTICLE.findall(page)[0]
    assert live_markup(content, "alert(104)") == [] and live_markup(content, "alert(105)") == []
    assert "<img src=x onerror=alert(104)>" in text_of(content)
    assert "<img src=x onerror=alert(105)>" in text_of(content)  # not drawable: its heading still names it


def test_a_metric_name_stays_text_in_the_runs_table(outputs: JournalDir) -> None:
    content = article(outputs, "runs")
    assert "Runs" in text_of(content)
    assert live_markup(content, "alert(106)") == []
    assert "<img src=x onerror=alert(106)>" in text_of(content)


def test_a_metric_name_is_not_read_as_math_in_the_runs_table(outputs: JournalDir) -> None:
    """Text in an ``arithmatex`` span is typeset by MathJax, whose ``\\href`` makes a live link."""
    content = article(outputs, "runs")
    math = re.findall(r'<span class="arithmatex">(.*?)</span>', content, re.S)
    assert [m for m in math if "alert(121)" in m] == []
    assert RUNS_MATH_METRIC in text_of(content)


def test_a_parameter_value_with_backticks_stays_text_in_the_runs_table(outputs: JournalDir) -> None:
    content = article(outputs, "runs")
    assert live_markup(content, "alert(107)") == []
    assert "<img src=x onerror=alert(107)>" in text_of(content)


def test_a_metric_name_that_is_not_mathtext_stays_text_in_the_error_shown(outputs: JournalDir) -> None:
    content = article(outputs, "curves")
    assert live_markup(content, "alert(108)") == []
    assert "<img src=x onerror=alert(108)>" in text_of(content)  # in the chart's notice or the error


@pytest.mark.parametrize(
    ("marker", "text"),
    [
        ("alert(109)", "<img src=x onerror=alert(109)>"),
        ("alert(110)", "<img src=x onerror=alert(110)>"),
        ("alert(111)", "<img src=x onerror=alert(111)>"),
        ("alert(112)", "<img src=x onerror=alert(112)>"),
        ("alert(113)", "<img src=x onerror=alert(113)>"),
    ],
    ids=["hide-output-print", "traceback", "hide-output-traceback", "print", "hide-output-crlf"],
)
def test_a_carriage_return_does_not_end_the_block_of_printed_text(outputs: JournalDir, marker: str, text: str) -> None:
    content = article(outputs, "cr")
    assert live_markup(content, marker) == []
    assert text in text_of(content)


@pytest.mark.parametrize("marker", sorted(UNICODE_HREFS))
def test_a_unicode_space_before_javascript_does_not_keep_a_link(outputs: JournalDir, marker: str) -> None:
    content = article(outputs, "unicode")
    assert live_markup(content, marker) == []
    folder = outputs.root / "site" / "journal" / "unicode"
    for figure in folder.glob("*.svg"):  # SVG outputs are files beside the page
        assert live_markup(figure.read_text(encoding="utf-8"), marker) == [], figure.name


# --- front matter --------------------------------------------------------------------------------

TITLE = "<img src=x onerror=alert(201)> `code` $x$"
TAGS = ["<img src=x onerror=alert(202)>", "a`b<svg onload=alert(203)>"]
SERIES = "<img src=x onerror=alert(204)>"


@pytest.fixture(scope="module")
def front_matter(make_journal) -> JournalDir:
    journal = make_journal("xss-front-matter")
    journal.write("titled.md", note_text(json.dumps(TITLE), "2026-07-01", "First paragraph of the titled note.\n"))
    journal.write("tagged.md", note_text('"Tagged"', "2026-07-02", "Tagged prose.\n", tags=json.dumps(TAGS)))
    journal.write("series-1.md", note_text('"Part one"', "2026-07-03", "One.\n", series=json.dumps(SERIES)))
    journal.write("series-2.md", note_text('"Part two"', "2026-07-04", "Two.\n", series=json.dumps(SERIES)))
    code_, output = cli(journal, "build")
    assert code_ == 0, output[-3000:]
    return journal


@pytest.mark.parametrize(
    ("marker", "pages"),
    [("alert(201)", "title"), ("alert(202)", "tags"), ("alert(203)", "tags"), ("alert(204)", "series")],
)
def test_front_matter_text_is_never_markup_on_any_page(front_matter: JournalDir, marker: str, pages: str) -> None:
    found = {rel: live for rel, page in site_pages(front_matter) if (live := live_markup(page, marker))}
    assert found == {}


def test_the_title_reads_as_written_in_the_heading(front_matter: JournalDir) -> None:
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", article(front_matter, "titled"), re.S)
    assert heading is not None and text_of(heading.group(1)) == TITLE


def test_the_tags_and_series_read_as_written(front_matter: JournalDir) -> None:
    tagged = text_of(front_matter.page("tagged"))
    assert all(tag in tagged for tag in TAGS)
    assert SERIES in text_of(front_matter.page("series-1"))


def test_the_search_index_holds_titles_and_tags_as_text(front_matter: JournalDir) -> None:
    """The theme puts each entry's title, text and tags into the search results as HTML."""
    index = json.loads((front_matter.root / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    found = []
    for doc in index["docs"]:
        fields = [("title", doc.get("title", "")), ("text", doc.get("text", ""))]
        fields += [("tags", tag) for tag in doc.get("tags", [])]
        for key, value in fields:
            for marker in ("alert(201)", "alert(202)", "alert(203)", "alert(204)"):
                found += [f"{doc['location']} {key}: {live}" for live in live_markup(value, marker)]
    assert found == []


def test_the_json_feed_holds_plain_titles_and_inert_html(front_matter: JournalDir) -> None:
    feed = json.loads((front_matter.root / "site" / "feed_json_created.json").read_text(encoding="utf-8"))
    items = {item["url"].rstrip("/").rsplit("/", 1)[-1]: item for item in feed["items"]}
    assert items["titled"]["title"] == TITLE  # JSON Feed: "title" is plain text
    assert sorted(items["tagged"]["tags"]) == sorted(TAGS)
    for item in feed["items"]:
        for marker in ("alert(201)", "alert(202)", "alert(203)", "alert(204)"):
            assert live_markup(item.get("content_html") or "", marker) == [], item["url"]
            assert live_markup(item.get("summary") or "", marker) == [], item["url"]


def test_a_series_with_line_breaks_other_than_newline_stays_text(make_journal) -> None:
    """U+0085 (NEL) is a line break to ``str.splitlines``: a series written with it must not open a
    fence or a link in the page's facts line."""
    journal = make_journal("xss-series-nel")
    series = "ok\x85```\x85\x85[click](javascript:alert(205))\x85"
    journal.write("nel.md", note_text('"NEL"', "2026-07-06", "Prose.\n", series=json.dumps(series)))
    code_, output = cli(journal, "build", "--no-execute")
    assert code_ == 0, output[-3000:]
    content = article(journal, "nel")
    assert live_markup(content, "alert(205)") == []
    assert "[click](javascript:alert(205))" in text_of(content)


def test_the_rss_feed_is_xml_with_the_tags_as_text(front_matter: JournalDir) -> None:
    rss = (front_matter.root / "site" / "feed_rss_created.xml").read_bytes()
    root = ElementTree.fromstring(rss)  # raw markup in a <category> would not even parse
    categories = [element.text for element in root.iter("category")]
    assert sorted(categories) == sorted(TAGS)


VIDEO_URLS = {
    "javascript": "javascript:alert(301)",
    "mixed-case": "JaVaScRiPt:alert(301)",
    "em-space": "\u2003javascript:alert(301)",
    "no-break-space": "\u00a0javascript:alert(301)",
    "tab": "java\tscript:alert(301)",
    "vbscript": "vbscript:msgbox(301)",
    "data-html": "data:text/html,<script>alert(301)</script>",
    "paren-breakout": "https://example.org/v)<img src=x onerror=alert(301)>",
    "link-breakout": "https://example.org/v) [x](javascript:alert(301)",
    "attr-list-breakout": "https://example.org/v){: onclick=alert(301) }",
}


@pytest.mark.parametrize("url", list(VIDEO_URLS.values()), ids=list(VIDEO_URLS))
def test_a_video_url_with_a_script_scheme_is_refused_or_inert(make_journal, url: str) -> None:
    journal = make_journal("xss-video")
    journal.write("lecture.md", note_text('"Lecture"', "2026-07-05", "A lecture.\n", video=json.dumps(url)))
    code_, output = cli(journal, "build")
    if code_ != 0:  # refused: an error naming the field, not a crash
        assert code_ > 0 and "video" in output and "Traceback" not in output, output[-3000:]
        return
    assert live_markup(journal.page("lecture"), "301") == []


# --- PDF outputs -----------------------------------------------------------------------------------

NOT_A_PDF = b"<html><body><script>alert(401)</script></body></html>"


def test_an_application_pdf_output_that_is_not_a_pdf_is_not_published(make_journal) -> None:
    journal = make_journal("xss-pdf")
    encoded = base64.b64encode(NOT_A_PDF).decode()
    journal.write("pdf.md", _data_note("PDF", "2026-08-01", [("application/pdf", encoded), ("text/plain", "a pdf")]))
    code_, output = cli(journal, "build")
    assert code_ == 0, output[-3000:]
    folder = journal.root / "site" / "journal" / "pdf"
    assert folder.is_dir()
    published = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    carrying = [
        name for name, data in published.items() if b"<script>alert(401)" in data and name != "pdf.executed.ipynb"
    ]
    assert carrying == [], "the HTML sent as application/pdf is published as a file"
    assert all(data.startswith(b"%PDF-") for name, data in published.items() if name.endswith(".pdf"))
    assert live_markup(journal.page("pdf"), "alert(401)") == []


# --- outputs that stop the whole build ------------------------------------------------------------

METRIC = "application/vnd.labjournal.metric+json"
HOSTILE_OUTPUTS = {
    "metric-value-not-a-number": {METRIC: {"name": "m", "value": "abc"}, "text/plain": "m"},
    "metric-value-null": {METRIC: {"name": "m", "value": None}, "text/plain": "m"},
    "metric-not-a-mapping": {METRIC: [1, 2], "text/plain": "m"},
    "metric-without-name": {METRIC: {"value": 1}, "text/plain": "m"},
    "metric-name-not-text": {METRIC: {"name": {"a": 1}, "value": 1}, "text/plain": "m"},
    "pdf-not-base64": {"application/pdf": "not base64 <script>alert(1)</script>", "text/plain": "pdf"},
    "png-not-base64": {"image/png": "<img src=x onerror=alert(1)>", "text/plain": "png"},
    "svg-not-xml": {"image/svg+xml": "<svg><unclosed", "text/plain": "svg"},
    "markdown-nested-3000-deep": {"text/markdown": ">" * 3000 + " deep"},
    "plotly-not-a-figure": {"application/vnd.plotly.v1+json": "not a figure", "text/plain": "plot"},
}


@pytest.mark.parametrize("data", list(HOSTILE_OUTPUTS.values()), ids=list(HOSTILE_OUTPUTS))
def test_one_hostile_output_cannot_stop_the_site_build(make_journal, data: dict[str, object]) -> None:
    journal = make_journal("xss-hostile")
    source = f"import json\nfrom IPython.display import display\ndisplay(json.loads({json.dumps(data)!r}), raw=True)"
    journal.write("hostile.md", note_text('"Hostile"', "2026-09-01", "One output.\n\n" + code(source)))
    journal.write("clean.md", note_text('"Clean"', "2026-09-02", "Nothing to see.\n"))
    code_, output = cli(journal, "build")
    assert code_ == 0, output[-3000:]
    site = journal.root / "site"
    assert (site / "journal" / "clean" / "index.html").is_file() and (
        site / "journal" / "hostile" / "index.html"
    ).is_file()
    assert live_markup(journal.page("hostile"), "alert(1)") == []


def test_the_live_markup_check_sees_what_it_looks_for() -> None:
    """The checker itself: entity-encoded and space-prefixed script URLs, handlers, scripts, frames."""
    page = (
        '<a href="&#x2003;java&#x09;script:alert(1)">a</a><img src=x onerror="alert(1)">'
        "<script>alert(1)</script><iframe srcdoc='&lt;b&gt;alert(1)'></iframe><p>alert(1) as text</p>"
        '<svg><a xlink:href=" javascript:alert(1)"><text>t</text></a></svg>'
    )
    found = live_markup(page, "alert(1)")
    assert len(found) == 6, found  # the link, the handler, the script, srcdoc, the frame holding it, the SVG link
    assert live_markup("<p>&lt;img src=x onerror=alert(1)&gt;</p><code>javascript:alert(1)</code>", "alert(1)") == []
    assert text_of("<p>&lt;img src=x onerror=alert(1)&gt;</p>") == "<img src=x onerror=alert(1)>"
