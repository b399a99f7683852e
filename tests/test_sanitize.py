"""The output sanitiser: the XSS corpus is neutralised, and what notebooks legitimately show survives."""

from __future__ import annotations

import copy
import html
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import nbformat
import pytest

from labjournal.rendering.sanitize import (
    HIDDEN_MARKDOWN,
    LINK_REL,
    css_is_safe,
    is_executable_mime,
    sanitize_html,
    sanitize_markdown,
    sanitize_outputs,
    sanitize_svg,
)

from .xss_payloads import PAYLOADS, PRINTED_PAYLOADS, Payload

SANITIZERS = {"text/html": sanitize_html, "image/svg+xml": sanitize_svg, "text/markdown": sanitize_markdown}
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

# What pandas 2.x writes for a DataFrame and for a Styler (captured from pandas, trimmed).
DATAFRAME_HTML = """<div>
<style scoped>
    .dataframe tbody tr th:only-of-type {
        vertical-align: middle;
    }

    .dataframe thead th {
        text-align: right;
    }
</style>
<table border="1" class="dataframe">
  <thead>
    <tr style="text-align: right;">
      <th></th>
      <th>a</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th>r1</th>
      <td>x&lt;y</td>
    </tr>
  </tbody>
</table>
</div>"""
STYLER_HTML = """<style type="text/css">
#T_105e5_row0_col0 {
  background-color: #fff7fb;
  color: #000000;
}
</style>
<table id="T_105e5">
  <caption>Cap</caption>
  <thead>
    <tr>
      <th class="blank level0" >&nbsp;</th>
      <th id="T_105e5_level0_col0" class="col_heading level0 col0" >a</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th id="T_105e5_level0_row0" class="row_heading level0 row0" >r1</th>
      <td id="T_105e5_row0_col0" class="data row0 col0" style="font-weight: bold" >1.50</td>
    </tr>
  </tbody>
</table>
"""


def _notebook(*outputs: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    cell = nbformat.v4.new_code_cell("x", outputs=list(outputs))
    return dict(nbformat.v4.new_notebook(cells=[cell], metadata=metadata))


def _display(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return nbformat.v4.new_output("display_data", data=data, metadata=metadata or {})


@pytest.fixture(scope="module")
def matplotlib_svg() -> str:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [1, 4, 9], marker="o", label="squares")
    ax.imshow([[0, 1], [1, 0]], extent=(0, 1, 0, 1))
    ax.set_title("Title")
    ax.legend()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


# --- the corpus ---------------------------------------------------------------------------------


def test_corpus_is_big_varied_and_meaningful() -> None:
    assert len(PAYLOADS) >= 30
    assert len({p.name for p in PAYLOADS}) == len(PAYLOADS)
    assert set(Counter(p.mime for p in PAYLOADS)) == set(SANITIZERS)
    for payload in PAYLOADS:
        # every marker is in the attack (as written or as a parser decodes it), so its absence
        # afterwards means something
        assert payload.forbidden
        seen = (payload.payload + html.unescape(payload.payload)).lower()
        assert all(marker.lower() in seen for marker in payload.forbidden), payload.name


def test_printed_payloads_are_the_templates_job() -> None:
    """Printed text is not HTML: the sanitiser keeps it verbatim, the page template must escape it."""
    assert {p.mime for p in PRINTED_PAYLOADS} == {"stream", "text/plain", "error"}
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=p.payload) for p in PRINTED_PAYLOADS]
    outputs += [
        nbformat.v4.new_output("error", ename="E", evalue=p.payload, traceback=[p.payload]) for p in PRINTED_PAYLOADS
    ]
    outputs += [_display({"text/plain": p.payload}) for p in PRINTED_PAYLOADS]
    notebook = _notebook(*outputs)
    assert sanitize_outputs(notebook, trusted=False) == notebook


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.name)
def test_payload_is_neutralised(payload: Payload) -> None:
    cleaned = SANITIZERS[payload.mime](payload.payload).lower()
    assert [marker for marker in payload.forbidden if marker.lower() in cleaned] == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.name)
def test_payload_is_neutralised_in_a_notebook(payload: Payload) -> None:
    notebook = _notebook(_display({payload.mime: payload.payload, "text/plain": "fallback"}))
    published = json.dumps(sanitize_outputs(notebook, trusted=False)).lower()
    assert [marker for marker in payload.forbidden if json.dumps(marker.lower())[1:-1] in published] == []


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p.mime != "text/markdown"], ids=lambda p: p.name)
def test_sanitising_is_stable(payload: Payload) -> None:
    """A second pass changes nothing: what the first pass wrote parses back to the same tree."""
    sanitize = SANITIZERS[payload.mime]
    once = sanitize(payload.payload)
    assert sanitize(once) == once


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p.mime == "image/svg+xml"], ids=lambda p: p.name)
def test_sanitised_svg_is_empty_or_wellformed_xml(payload: Payload) -> None:
    cleaned = sanitize_svg(payload.payload)
    if cleaned:
        assert ET.fromstring(cleaned).tag == "{http://www.w3.org/2000/svg}svg"


# --- HTML that notebooks legitimately show --------------------------------------------------------


def test_pandas_dataframe_table_survives() -> None:
    cleaned = sanitize_html(DATAFRAME_HTML)
    assert '<table border="1" class="dataframe">' in cleaned
    assert '<tr style="text-align: right;">' in cleaned
    assert "<style>" in cleaned and ".dataframe thead th" in cleaned
    assert "<td>x&lt;y</td>" in cleaned


def test_pandas_styler_keeps_ids_classes_and_css() -> None:
    cleaned = sanitize_html(STYLER_HTML)
    assert '<style type="text/css">' in cleaned and "#T_105e5_row0_col0 {" in cleaned
    assert '<table id="T_105e5">' in cleaned
    assert 'id="T_105e5_row0_col0" class="data row0 col0" style="font-weight: bold"' in cleaned
    assert "<caption>Cap</caption>" in cleaned


def test_an_unsafe_style_block_removes_all_style_blocks_but_keeps_the_table() -> None:
    cleaned = sanitize_html(STYLER_HTML + "<style>td{background:url(https://evil.example/x)}</style>")
    assert "<style" not in cleaned and "evil.example" not in cleaned
    assert 'id="T_105e5_row0_col0"' in cleaned


def test_common_markup_survives() -> None:
    text = (
        '<h2>Results</h2><ul><li>one</li></ul><ol start="3"><li>three</li></ol>'
        "<pre><code>x = 1</code></pre><details open><summary>More</summary><p><em>hidden</em></p></details>"
        "<blockquote>q</blockquote><p><strong>b</strong> <sub>1</sub><sup>2</sup> <kbd>k</kbd></p>"
    )
    assert sanitize_html(text) == text.replace("<details open>", '<details open="">')


def test_inline_images_and_media_survive() -> None:
    img = f'<img src="data:image/png;base64,{PNG_1PX}" alt="plot" width="10">'
    assert sanitize_html(img) == img
    video = '<video controls=""><source src="data:video/mp4;base64,AAAA" type="video/mp4"></video>'
    assert sanitize_html(video) == video
    assert sanitize_html('<img src="figure-1.png">') == '<img src="figure-1.png">'


def test_links_stay_with_rel() -> None:
    cleaned = sanitize_html('<a href="https://example.org/x?a=1&amp;b=2">doc</a> <a href="#top">top</a>')
    assert f'<a href="https://example.org/x?a=1&amp;b=2" rel="{LINK_REL}">doc</a>' in cleaned
    assert f'<a href="#top" rel="{LINK_REL}">top</a>' in cleaned


def test_ids_that_could_shadow_the_theme_are_dropped() -> None:
    assert sanitize_html('<p id="__search">x</p><p id="results">y</p>') == '<p>x</p><p id="results">y</p>'


def test_comments_are_stripped() -> None:
    assert sanitize_html("a<!-- secret note -->b") == "ab"


def test_scikit_learn_estimator_repr_keeps_its_css_and_loses_its_script() -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    raw = linear_model.LogisticRegression()._repr_html_()
    cleaned = sanitize_html(raw)
    assert "<script" not in cleaned and "onclick" not in cleaned
    assert "<style>" in cleaned and "sk-top-container" in cleaned
    assert "LogisticRegression" in cleaned


@pytest.mark.parametrize(
    ("css", "safe"),
    [
        ("color: red; background-color: #fff", True),
        ("fill: url(#p12ab); clip-path: url('#c1')", True),
        ("background: linear-gradient(90deg, rgb(0 0 0), hsl(0 50% 50%))", True),
        ("@media (min-width: 3em) { td:not(.x):nth-child(2n) { width: calc(100% - 2px) } }", True),
        ("background-image: url(data:image/png;base64,AAAA)", True),
        ("/* <a> in a comment */ a { color: red }", True),
        ("background: url(https://evil.example/x)", False),
        ("background: url(//evil.example/x)", False),
        ("background: URL( 'x.png' )", False),
        ("background: url(data:text/html,x)", False),
        ("@import 'x.css';", False),
        ("@font-face { font-family: x; src: local(x) }", False),
        ("background: image-set('x.png' 1x)", False),
        ("width: expression(alert(1))", False),
        ("background: u\\72l(x)", False),
        ("-moz-binding: url(x.xml#b)", False),
        ("content: '</style><script>'", False),
        ("a { color: red } /* unterminated", False),
    ],
)
def test_css_safety(css: str, safe: bool) -> None:
    assert css_is_safe(css) is safe


# --- SVG ------------------------------------------------------------------------------------------


def _shape(svg: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Elements and attributes of an SVG document, metadata left out."""
    root = ET.fromstring(svg)
    for metadata in root.findall("{http://www.w3.org/2000/svg}metadata"):
        root.remove(metadata)
    return [(element.tag, sorted(element.attrib.items())) for element in root.iter()]


def test_matplotlib_svg_keeps_every_drawing_element_and_attribute(matplotlib_svg: str) -> None:
    cleaned = sanitize_svg(matplotlib_svg)
    assert _shape(cleaned) == _shape(matplotlib_svg)
    tags = Counter(tag.rsplit("}", 1)[-1] for tag, _ in _shape(cleaned))
    assert tags["path"] >= 10 and tags["use"] >= 5 and tags["clipPath"] >= 1 and tags["image"] == 1
    assert "<metadata" not in cleaned and "rdf:" not in cleaned
    assert 'xlink:href="#' in cleaned and 'clip-path="url(#' in cleaned


def test_matplotlib_svg_survives_a_notebook_round_trip(matplotlib_svg: str) -> None:
    notebook = _notebook(_display({"image/svg+xml": matplotlib_svg.splitlines(keepends=True), "text/plain": "fig"}))
    svg = sanitize_outputs(notebook, trusted=False)["cells"][0]["outputs"][0]["data"]["image/svg+xml"]
    assert _shape(svg) == _shape(matplotlib_svg)


def test_svg_local_references_and_links_stay() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>'
        '<style>.a { fill: url(#g) }</style><rect class="a" width="9" height="9"/>'
        '<use xlink:href="#g"/><use href="#g"/><a href="https://example.org"><text x="1">hi &amp; bye</text></a></svg>'
    )
    cleaned = sanitize_svg(svg)
    for kept in ('<stop offset="0" stop-color="red">', "<style>.a { fill: url(#g) }</style>",
                 '<use xlink:href="#g">', '<use href="#g">', '<a href="https://example.org">',
                 "hi &amp; bye", 'viewBox="0 0 9 9"'):  # fmt: skip
        assert kept in cleaned


def test_svg_that_is_not_svg_is_dropped() -> None:
    assert sanitize_svg("<html><body>x</body></html>") == ""
    assert sanitize_svg("not xml at all <") == ""
    assert sanitize_svg('<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><svg>&b;</svg>') == ""


# --- Markdown -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "# Title\n\nSome *text* with a [link](https://example.org) and `code`.",
        "a < b and c > d & e",
        "![figure](figure-1.png) and ![inline](data:image/png;base64,AAAA)",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted",
        "A dict {'a': 1} and a set {1, 2}",
        "$$x^2 + \\frac{1}{2}$$",
    ],
)
def test_plain_markdown_is_left_exactly_as_written(text: str) -> None:
    assert sanitize_markdown(text) == text


def test_markdown_with_html_is_sanitised_and_keeps_its_prose() -> None:
    cleaned = sanitize_markdown("## Report\n\n- item <b onclick=alert(1)>bold</b>\n- [docs](https://example.org)\n")
    assert cleaned == "## Report\n\n- item <b>bold</b>\n- [docs](https://example.org)\n"


def test_markdown_snippet_includes_are_escaped() -> None:
    assert sanitize_markdown('--8<-- "mkdocs.yml"\ntext') == ';--8<-- "mkdocs.yml"\ntext'
    assert sanitize_markdown("  ---8<---\nsecret.txt\n  ---8<---") == "  ;---8<---\nsecret.txt\n  ;---8<---"


def test_markdown_attr_list_with_classes_only_is_kept() -> None:
    assert sanitize_markdown("**bold**{: .note }") == "**bold**{: .note }"


def test_markdown_reference_images_from_elsewhere_lose_their_source() -> None:
    text = "![pixel][p] and ![ok][local]\n\n[p]: https://evil.example/t.png\n[local]: figure.png\n"
    assert sanitize_markdown(text).startswith("pixel and ![ok][local]")


def test_markdown_with_a_hidden_script_url_is_hidden() -> None:
    assert sanitize_markdown("see $\\href{javascript:alert(1)}{here}$") == HIDDEN_MARKDOWN


@pytest.mark.parametrize("dest", ["javascript\\:alert(1)", "JavaScript\\:alert(1)", "javascript&#58;alert(1)"])
def test_a_script_link_written_with_markdown_escapes_is_neutralised(dest: str) -> None:
    """Markdown reads ``\\:`` as ``:``: the link the browser gets is ``javascript:``."""
    assert "alert" not in sanitize_markdown(f"[click]({dest})").split("](", 1)[-1]


# --- notebooks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mime",
    [
        "application/javascript",
        "text/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "application/vnd.bokehjs_exec.v0+json",
        "application/vnd.bokehjs_load.v0+json",
        "application/vnd.holoviews_exec.v0+json",
        "application/vnd.jupyter.widget-view+json",
    ],
)
def test_executable_outputs_are_dropped(mime: str) -> None:
    assert is_executable_mime(mime)
    notebook = _notebook(_display({mime: "alert(1)", "text/plain": "plot"}))
    data = sanitize_outputs(notebook, trusted=False)["cells"][0]["outputs"][0]["data"]
    assert data == {"text/plain": "plot"}


@pytest.mark.parametrize("mime", ["text/plain", "image/png", "application/json", "application/vnd.plotly.v1+json"])
def test_data_mime_types_are_not_executable(mime: str) -> None:
    assert not is_executable_mime(mime)


def test_trusted_notebooks_are_left_alone() -> None:
    notebook = _notebook(
        _display({"text/html": "<script>alert(1)</script>", "application/javascript": "alert(1)"}),
        widgets={"application/vnd.jupyter.widget-state+json": {}},
    )
    result = sanitize_outputs(notebook, trusted=True)
    assert result == notebook and result is not notebook


def test_untrusted_notebook_outputs_are_cleaned_and_the_input_is_not_touched() -> None:
    stream = nbformat.v4.new_output("stream", name="stdout", text="<script>shown as text</script>\n")
    notebook = _notebook(
        stream,
        _display(
            {
                "text/html": ["<p>ok</p>", "<script>alert(1)</script>"],
                "text/markdown": "**bold** <img src=x onerror=alert(1)>",
                "image/png": PNG_1PX,
                "text/plain": "repr",
            },
            metadata={"image/png": {"width": "1 onerror=alert(1)", "height": 40}},
        ),
        _display({"text/latex": "$\\href{https://x.org}{x}$", "text/plain": "l"}),
        _display({"text/latex": "$x^2$", "image/png": '"><script>alert(1)</script>'}),
        widgets={"application/vnd.jupyter.widget-state+json": {"state": {}}},
    )
    before = copy.deepcopy(notebook)
    result = sanitize_outputs(notebook, trusted=False)
    assert notebook == before
    outputs = result["cells"][0]["outputs"]
    assert outputs[0] == stream  # printed text is escaped by the page template, not here
    assert outputs[1]["data"] == {
        "text/html": "<p>ok</p>",
        "text/markdown": '**bold** <img src="x">',
        "image/png": PNG_1PX,
        "text/plain": "repr",
    }
    assert outputs[1]["metadata"] == {"image/png": {"height": 40}}
    assert outputs[2]["data"] == {"text/plain": "l"}
    assert outputs[3]["data"] == {"text/latex": "$x^2$"}
    assert "widgets" not in result["metadata"]


def test_a_representation_that_sanitises_to_nothing_is_dropped() -> None:
    notebook = _notebook(_display({"text/html": "<script>alert(1)</script>", "text/plain": "x"}))
    assert sanitize_outputs(notebook, trusted=False)["cells"][0]["outputs"][0]["data"] == {"text/plain": "x"}


def test_an_output_left_with_no_representation_is_dropped() -> None:
    """nbconvert would warn that it cannot represent it (an error where warnings are errors)."""
    notebook = _notebook(_display({"text/html": "<script>alert(1)</script>"}), _display({"text/plain": "kept"}))
    outputs = sanitize_outputs(notebook, trusted=False)["cells"][0]["outputs"]
    assert [output["data"] for output in outputs] == [{"text/plain": "kept"}]


def test_withheld_code_is_named_so_that_the_page_can_say_so() -> None:
    """An output of only code keeps no code, but its types' names: the page shows a notice for it."""
    notebook = _notebook(
        _display({"application/javascript": "alert(1)"}),
        _display({"application/vnd.jupyter.widget-view+json": {"model_id": "m"}, "text/plain": "IntSlider()"}),
        _display({"text/plain": "x"}, metadata={"labjournal": {"withheld": ["forged"], "alt": "forged"}}),
    )
    script, widget, forged = sanitize_outputs(notebook, trusted=False)["cells"][0]["outputs"]
    assert script["data"] == {} and script["metadata"] == {"labjournal": {"withheld": ["application/javascript"]}}
    assert widget["data"] == {"text/plain": "IntSlider()"}
    assert widget["metadata"]["labjournal"] == {"withheld": ["application/vnd.jupyter.widget-view+json"]}
    assert "labjournal" not in forged["metadata"]  # an output never speaks for labjournal
    assert "alert(1)" not in json.dumps(sanitize_outputs(notebook, trusted=False))


def test_inline_svg_in_html_is_rebuilt_from_the_allowlist() -> None:
    """Rich reprs (xarray) draw icons with inline SVG: kept, as the SVG sanitiser rebuilds it."""
    html_in = (
        '<div><svg style="display:none"><symbol id="icon-db"><path d="M0 0"/></symbol></svg>'
        '<svg class="icon" onload="alert(1)"><use xlink:href="#icon-db"></use><script>alert(2)</script>'
        '<a href="javascript:alert(3)"><text>t</text></a></svg>Dataset</div>'
    )
    cleaned = sanitize_html(html_in)
    assert '<use xlink:href="#icon-db"></use>' in cleaned and '<symbol id="icon-db">' in cleaned
    assert "alert" not in cleaned and "Dataset" in cleaned and "lj-svg-" not in cleaned
    assert sanitize_html("<svg><p>not xml<br></svg>x") == "x"  # what does not parse goes, as before
