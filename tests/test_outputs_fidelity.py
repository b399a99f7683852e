"""Outputs as Jupyter shows them: every output type and every MIME type JupyterLab shows out of the box.

Real notes run in a real kernel and are built by MkDocs (module fixture ``built``): bare expressions
of an int, a tensor, a list, ``Math``, ``Markdown``, ``Image``, a returned matplotlib figure, an HTML
table, ``JSON``, a GIF, unknown MIME types with and without ``text/plain``, JavaScript, stderr and
stdout; a cell printing 50 MB; MyST admonitions and an unsupported ``:load:``; a py:percent note with
a cell title and raw cells. Faster checks render hand-made notebooks with :class:`Renderer`.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from labjournal.limits import OutputLimits
from labjournal.rendering.blocks import cut_text, figure_alt
from labjournal.rendering.headings import one_h1
from labjournal.rendering.myst import convert_directives
from labjournal.rendering.outputs import choose
from labjournal.rendering.page import Renderer
from labjournal.rendering.prose import raw_cell

from .conftest import JournalDir, code, note_text

ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
GIF = "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"

BARE = note_text(
    "Bare values",
    "2026-02-01",
    "# Bare values\n\nEach value below is a bare expression.\n\n## Numbers\n\n"
    + code("6 * 7")
    + code("import torch\ntorch.arange(3)")
    + code("[1, 2, 3]")
    + code('from IPython.display import HTML, JSON, Image, Markdown, Math, display\nMath(r"\\frac{a}{b}")')
    + code('Markdown("**markdownbold** text")')
    + code(
        """
        import io
        import matplotlib
        import matplotlib.pyplot as plt
        buffer = io.BytesIO()
        plt.figure(figsize=(1, 1)).savefig(buffer, format="png")
        plt.close("all")
        # a tiny white square
        Image(data=buffer.getvalue())
        """
    )
    + code(
        """
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([3, 1, 2])
        ax.set_title("Training loss")
        plt.close(fig)
        fig
        """
    )
    + code('HTML("<table><tr><th>col</th></tr><tr><td>cellvalue</td></tr></table>")')
    + code('JSON({"alpha": [1, 2], "beta": "jsonvalue"})')
    + code(
        f"""
        import base64
        display({{"image/gif": base64.b64encode(bytes.fromhex("{GIF}")).decode(), "text/plain": "giftext"}}, raw=True)
        """
    )
    + code('display({"application/vnd.lj.unknown+json": {"a": 1}, "text/plain": "unknownfallback"}, raw=True)')
    + code('display({"application/x-lj-mystery": "zz"}, raw=True)')
    + code('import sys\nprint("stdoutline")\nprint("stderrline", file=sys.stderr)')
    + code('from IPython.display import Javascript\ndisplay(Javascript("console.log(1)"))'),
)
LOUD = note_text(
    "Loud",
    "2026-02-02",
    "A cell that prints 50 MB.\n\n"
    + code('import sys\nsys.stdout.write(("0123456789" * 9 + "\\n") * 580_000)\nprint("lastline")'),
)
MYST = """---
title: Myst directives
date: 2026-02-03
kernelspec:
  name: python3
  display_name: Python 3
---

:::{note} Remember this
An admonition *body*.
:::

```{warning}
Careful.
```

```{code-cell} ipython3
:load: helper.py
print("loadedcell")
```
"""
PERCENT = """# ---
# title: Percent
# date: 2026-02-04
# ---

# %% Setup the data
x = 41

# %% [raw]
# plainrawtext

# %% [raw] raw_mimetype="text/html"
# <b>rawbold</b><script>alert(1)</script>

# %%
x + 1
"""


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[JournalDir, list[str]]]:
    journal = JournalDir(tmp_path_factory.mktemp("fidelity") / "journal")
    journal.write("2026/bare.md", BARE)
    journal.write("2026/loud.md", LOUD)
    journal.write("2026/myst.md", MYST)
    journal.write("2026/percent.py", PERCENT)
    records = _Records()
    logger = logging.getLogger("labjournal.rendering")
    logger.addHandler(records)
    try:
        assert journal.cli("build") == 0
    finally:
        logger.removeHandler(records)
    yield journal, records.messages


def _article(journal: JournalDir, note_id: str) -> str:
    (found,) = ARTICLE.findall(journal.page(note_id))
    return found


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# --- end to end: a real kernel, a real build -------------------------------------------------------------


@pytest.mark.kernel
@pytest.mark.site
def test_every_bare_expression_shows_its_value(built: tuple[JournalDir, list[str]]) -> None:
    journal, _ = built
    article = _article(journal, "2026/bare")
    text = _text(article)
    assert "42" in text and "tensor([0, 1, 2])" in text and "[1, 2, 3]" in text
    assert '<span class="arithmatex">\\(\\displaystyle \\frac{a}{b}\\)</span>' in article  # Math, for MathJax
    assert "<strong>markdownbold</strong> text" in article
    folder = journal.root / "site/journal/2026/bare"
    images = dict(re.findall(r'<img alt="([^"]*)" src="([^"]+)"', article))
    assert {"a tiny white square", "Training loss"} <= set(images)  # alt: the cell's comment, the figure's title
    for alt in ("a tiny white square", "Training loss"):
        assert (folder / images[alt]).read_bytes().startswith(b"\x89PNG")
    assert "<td>cellvalue</td>" in article and 'class="lj-output-html"' in article
    assert 'class="abstract lj-json"' in article and "jsonvalue" in article  # JSON: a collapsible view
    gif = next(src for src in images.values() if src.endswith(".gif"))
    gif_alt = next(html.unescape(alt) for alt, src in images.items() if src == gif)
    assert gif_alt == "Figure: Numbers"  # no title, no comment: the section it sits in
    assert (folder / gif).read_bytes() == bytes.fromhex(GIF) and "lj-mime-image-gif" in article  # the richer type


@pytest.mark.kernel
@pytest.mark.site
def test_unknown_types_show_their_text_or_a_notice_naming_them(built: tuple[JournalDir, list[str]]) -> None:
    journal, _ = built
    article = _article(journal, "2026/bare")
    assert "unknownfallback" in article
    assert re.search(r'<p class="lj-notice">This output \(<code>application/x-lj-mystery</code>\)', article)
    assert "<code>application/javascript</code>" in article and "never run on this site" in article
    assert "console.log(1)" not in article.split("</code></pre></div>", 1)[-1].split("Javascript")[-1]


@pytest.mark.kernel
@pytest.mark.site
def test_outputs_are_blocks_of_their_own_and_stderr_is_told_apart(built: tuple[JournalDir, list[str]]) -> None:
    journal, _ = built
    article = _article(journal, "2026/bare")
    assert re.search(
        r'<div class="lj-output lj-stream lj-stdout">\s*<div class="highlight"><pre>.*?stdoutline', article, re.S
    )
    assert re.search(
        r'<div class="lj-output lj-stream lj-stderr">\s*<div class="highlight"><pre>.*?stderrline', article, re.S
    )
    assert 'class="lj-output lj-result lj-execute-result lj-mime-text-plain"' in article


@pytest.mark.kernel
@pytest.mark.site
def test_one_h1_per_page(built: tuple[JournalDir, list[str]]) -> None:
    journal, _ = built
    page = journal.page("2026/bare")
    assert page.count("<h1") == 1 and 'id="numbers"' in page  # the note's own "# Bare values" was the title


@pytest.mark.kernel
@pytest.mark.site
def test_a_50_mb_print_makes_a_small_page_with_a_notice_and_the_notebook_keeps_it(
    built: tuple[JournalDir, list[str]],
) -> None:
    journal, _ = built
    page_path = journal.root / "site/journal/2026/loud/index.html"
    assert page_path.stat().st_size < 2**20
    article = _article(journal, "2026/loud")
    assert "Truncated: showing 1,000 of 580,001 lines / 88.9 KB of 50.3 MB; the full output is in the " in article
    assert '<a href="loud.executed.ipynb" download>executed notebook</a>' in article
    for stored in (
        journal.root / "store/notes/2026/loud.ipynb",
        journal.root / "site/journal/2026/loud/loud.executed.ipynb",
    ):
        outputs = json.loads(stored.read_text())["cells"][-1]["outputs"]
        text = "".join("".join(o["text"]) for o in outputs if o["output_type"] == "stream")
        assert len(text) > 50 * 10**6 and text.endswith("lastline\n")
    index = json.loads((journal.root / "site/search/search_index.json").read_text())
    entries = [doc for doc in index["docs"] if doc["location"].startswith("journal/2026/loud/")]
    assert entries and all(len(json.dumps(doc)) < 10_000 for doc in entries)  # long logs stay out of search


@pytest.mark.kernel
@pytest.mark.site
def test_myst_admonitions_render_and_load_is_a_warning_naming_the_file(built: tuple[JournalDir, list[str]]) -> None:
    journal, warnings = built
    article = _article(journal, "2026/myst")
    assert '<div class="admonition note">\n<p class="admonition-title">Remember this</p>' in article
    assert "An admonition <em>body</em>." in article and '<div class="admonition warning">' in article
    assert ":::" not in article and "{note}" not in article and "loadedcell" in article
    assert any("notes/2026/myst.md" in w and ":load:" in w for w in warnings), warnings


@pytest.mark.kernel
@pytest.mark.site
def test_percent_titles_and_raw_cells_show(built: tuple[JournalDir, list[str]]) -> None:
    journal, _ = built
    article = _article(journal, "2026/percent")
    assert '<p class="lj-cell-title">Setup the data</p>' in article
    assert "plainrawtext" in article and "<b>rawbold</b>" in article
    assert "<script" not in article.split('class="lj-raw lj-raw-html"')[1].split("</div>")[0]
    assert "42" in _text(article)


# --- rendering hand-made notebooks ------------------------------------------------------------------------


def _render(*outputs: dict, limits: OutputLimits = OutputLimits(), source: str = "x") -> tuple[str, dict]:  # noqa: B008
    cell = nbformat.v4.new_code_cell(source, outputs=list(outputs))
    renderer = Renderer(limits=limits)
    renderer.blocks.start("note.executed.ipynb")
    body, resources = renderer.exporter.from_notebook_node(
        nbformat.from_dict(nbformat.v4.new_notebook(cells=[cell])), resources={"unique_key": "figure"}
    )
    return body, resources


def test_caps_cut_a_long_output_and_say_so() -> None:
    text = "".join(f"line {i}\n" for i in range(500))
    body, _ = _render(nbformat.v4.new_output("stream", name="stdout", text=text), limits=OutputLimits(page_lines=50))
    assert "line 49\n" in body and "line 50\n" not in body
    assert "Truncated: showing 50 of 500 lines" in body and "lj-truncated" in body
    one_line = "x" * 10_000
    shown, cut = cut_text(one_line, OutputLimits(page_bytes=1_000))
    assert len(shown) == 1_000 and cut is not None and cut.lines == 1 and cut.size == 10_000


def test_a_long_output_scrolls_and_counts_its_lines() -> None:
    body, _ = _render(nbformat.v4.new_output("stream", name="stdout", text="row\n" * 40))
    assert "lj-scroll" in body and '<p class="lj-output-lines">40 lines</p>' in body


def test_many_stream_messages_are_one_block() -> None:
    pieces = [nbformat.v4.new_output("stream", name="stdout", text=f"piece {i}\n") for i in range(200)]
    body, _ = _render(*pieces)
    assert body.count("lj-stdout") == 1 and "piece 0\npiece 1\n" in body and "piece 199" in body


def test_a_rich_representation_over_the_cap_gives_way_to_text() -> None:
    html = "<p>" + "big " * 50_000 + "</p>"
    body, _ = _render(
        nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "small text"}),
        limits=OutputLimits(page_bytes=10_000),
    )
    assert "small text" in body and "big big" not in body and "is too large for this page" in body


def test_interactive_types_without_a_view_fall_back_to_their_static_image_with_a_notice() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    vega = {"application/vnd.vegalite.v5+json": {"mark": "bar"}, "text/html": "<div id='vis'></div>"}
    choice = choose({"data": {**vega, "image/png": png, "text/plain": "alt.Chart(...)"}})
    assert choice.mime == "image/png" and "Vega-Lite" in choice.notices[0]
    choice = choose({"data": {**vega, "text/plain": "alt.Chart(...)"}})  # as JupyterLab without the renderer
    assert choice.mime == "text/plain" and "vnd.vegalite.v5" in choice.notices[0]  # never the blank html box
    plotly = {"application/vnd.plotly.v1+json": {"data": []}, "text/html": "<div id='p'></div>", "text/plain": "Figure"}
    assert choose({"data": plotly}).mime in ("application/vnd.plotly.v1+json", None)  # no blank box, no repr
    widget = {
        "data": {"text/plain": "IntSlider(value=3)"},
        "metadata": {"labjournal": {"withheld": ["application/vnd.jupyter.widget-view+json"]}},
    }
    choice = choose(widget)
    assert choice.mime == "text/plain" and "widget" in choice.notices[0]


def test_an_output_cannot_name_its_own_files() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    output = nbformat.v4.new_output("display_data", data={"image/png": png}, metadata={"filename": "index.md"})
    body, resources = _render(output)
    assert set(resources["outputs"]) == {"figure-0-0.png"} and "(figure-0-0.png)" in body


def test_figure_alt_text_is_the_title_or_the_comment() -> None:
    assert figure_alt('fig.suptitle("Loss by epoch")') == "Loss by epoch"
    assert figure_alt("# noqa\n# the learning rate sweep\nplt.plot(x)") == "the learning rate sweep"
    assert figure_alt('plt.title(f"{name}")') == "" and figure_alt("plt.plot(x)") == ""


def test_headings_leave_one_h1() -> None:
    assert one_h1(["# My note\n\ntext", "# Part one\n\n## Detail"], ["My note"]) == [
        "text",
        "## Part one\n\n### Detail",
    ]
    assert one_h1(["Intro\n\n```python\n# comment\n```"], ["T"]) == ["Intro\n\n```python\n# comment\n```"]
    assert one_h1(["Title\n=====\n\ntext"], ["Other"]) == ["## Title\n\n\ntext"]


def test_myst_directives_become_admonitions_and_the_rest_is_reported() -> None:
    text, problems = convert_directives(
        "::::{admonition} Read me\n:class: tip dropdown\n:name: here\n\n:::{seealso}\nmore\n:::\n::::\n\n"
        "```{figure} x.png\ncaption\n```\n"
    )
    assert text.startswith('??? tip "Read me"\n\n\n    !!! info "See also"\n\n        more')
    assert "```{figure} x.png\ncaption\n```" in text
    assert problems == [
        "the option ':name:' of the MyST directive {admonition} is not supported (ignored)",
        "the MyST directive {figure} is not supported (shown as written)",
    ]


def test_raw_cells_follow_their_mime_type() -> None:
    raw = nbformat.v4.new_raw_cell
    assert raw_cell(raw("**md**", metadata={"raw_mimetype": "text/markdown"}), trusted=False) == "**md**"
    html = raw_cell(raw("<i>x</i><img src=x onerror=alert(1)>", metadata={"raw_mimetype": "text/html"}), trusted=False)
    assert "<i>x</i>" in html and "onerror" not in html
    assert "``` text\n\\section{x}\n```" in raw_cell(
        raw("\\section{x}", metadata={"raw_mimetype": "text/latex"}), False
    )


PLOTLY_FIGURE = {"data": [{"type": "bar", "y": [2, 3]}], "layout": {}}


def test_a_plotly_figure_is_a_file_drawn_by_scripts_from_the_site(monkeypatch: pytest.MonkeyPatch) -> None:
    from labjournal.rendering.outputs import interactive

    monkeypatch.setattr(interactive, "plotly_js", lambda: Path(interactive.__file__))  # "installed"
    output = nbformat.v4.new_output("display_data", data={"application/vnd.plotly.v1+json": PLOTLY_FIGURE})
    body, resources = _render(output)
    assert '<div class="lj-plotly" data-figure="figure-0-0.json">' in body
    assert json.loads(resources["outputs"]["figure-0-0.json"]) == PLOTLY_FIGURE
    page = Renderer().exporter  # a new exporter sees the handler's priority; the page loads its scripts
    assert "application/vnd.plotly.v1+json" in page.environment.filters["filter_data_type"].display_data_priority


def test_without_plotly_a_plotly_figure_is_a_notice_not_a_blank_box(monkeypatch: pytest.MonkeyPatch) -> None:
    from labjournal.rendering.outputs import interactive

    monkeypatch.setattr(interactive, "plotly_js", lambda: None)
    blank_box = '<div id="f" class="plotly-graph-div" style="height:525px"></div>'
    output = nbformat.v4.new_output(
        "display_data", data={"application/vnd.plotly.v1+json": PLOTLY_FIGURE, "text/html": blank_box}
    )
    body, resources = _render(output)
    assert "plotly-graph-div" not in body and "lj-plotly" not in body and not resources.get("outputs")
    assert "An interactive Plotly chart (<code>application/vnd.plotly.v1&#43;json</code>) is not drawn" in body


def test_untrusted_plotly_figures_keep_no_script_url_and_load_nothing_from_elsewhere() -> None:
    from labjournal.rendering.outputs.interactive import PlotlyHandler

    handler = PlotlyHandler()
    bad = {"data": [{"type": "bar", "text": ["<a href='javascript:alert(1)'>x</a>"]}], "layout": {}}
    assert handler.sanitize(bad, trusted=False) is None and handler.sanitize(bad, trusted=True) == bad
    images = [{"source": "https://example.com/x.png"}, {"source": "data:image/png;base64,iVBO"}]
    kept = handler.sanitize({"data": [], "layout": {"images": images}}, trusted=False)
    assert kept == {"data": [], "layout": {"images": [images[1]]}}
    assert "other hosts" in handler.render({"data": [{"type": "scattergeo"}]}, {})


def test_html_outputs_keep_their_tables_and_math_and_markdown_reads_as_in_jupyterlab() -> None:
    trainer = '\n    <div>\n\n      <progress value="2" max="2"></progress>\n      [2/2 00:21, Epoch 2/2]\n    </div>\n'
    trainer += '    <table border="1" class="dataframe">\n  <tr>\n      <td>$\\delta$</td>\n  </tr>\n</table>\n'
    body, _ = _render(nbformat.v4.new_output("display_data", data={"text/html": trainer, "text/plain": "t"}))
    import markdown

    page = markdown.markdown(body, extensions=["attr_list", "md_in_html", "pymdownx.superfences"])
    assert '<table border="1" class="dataframe">' in page and "&lt;table" not in page
    assert '<td><span class="arithmatex">\\(\\delta\\)</span></td>' in page
    body, _ = _render(nbformat.v4.new_output("display_data", data={"text/markdown": "a ~~b~~ :tada: `~~c~~`"}))
    assert "a <del>b</del> &#58;tada&#58; `~~c~~`" in body
