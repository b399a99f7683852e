"""Outputs in a real browser: set apart from code, stderr from stdout, figures legible in the dark,
and a Plotly chart drawn with plotly.js served by the site itself (or its notice) with no request
to another host.

A module fixture writes a small journal whose mkdocs.yml loads this repository's style sheet (as
the repository's own site does), runs its notes in a real kernel, builds it and serves ``site/`` on
127.0.0.1; pages are watched as in ``test_browser``: a console error, an uncaught exception or a
request to any other host fails the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from labjournal.rendering.outputs.interactive import plotly_js

from .conftest import MKDOCS_YML, REPO, JournalDir, code, note_text

# test_browser skips (and so this module) without playwright or chromium
from .test_browser import TIMEOUT_MS, VIEWPORT, Site, Tab, chromium, serve_folder  # isort: skip
from playwright.sync_api import Browser, expect  # isort: skip

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

OUTPUTS = "2026/outputs"
PLOTLY = "2026/plotly-chart"
MATH = "2026/math"
STYLED_YML = (
    MKDOCS_YML.replace(
        "theme:\n  name: material\n",
        "theme:\n  name: material\n  font: false\n  palette:\n"
        "    - scheme: default\n      toggle: {icon: material/weather-night, name: dark}\n"
        "    - scheme: slate\n      toggle: {icon: material/weather-sunny, name: light}\n",
    )
    + "extra_css:\n  - stylesheets/labjournal.css\n"
    + "extra_javascript:\n  - javascripts/mathjax.js\n  - javascripts/vendor/mathjax-tex-svg.js\n"
)
# TeX that would reach the DOM if MathJax let it: a link, attributes set on a node, an extension loaded
HOSTILE_TEX = (
    "$\\href{javascript:alert(1)}{x}$ $\\mmlToken{mi}[href='javascript:alert(2)']{y}$ "
    "$\\require{html}\\class{x}{z}$ $\\unicode{x41}$"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    journal = JournalDir(tmp_path_factory.mktemp("browser-outputs") / "journal")
    (journal.root / "mkdocs.yml").write_text(STYLED_YML)
    (journal.root / "docs" / "stylesheets").mkdir()
    shutil.copy(REPO / "docs" / "stylesheets" / "labjournal.css", journal.root / "docs" / "stylesheets")
    shutil.copytree(REPO / "docs" / "javascripts", journal.root / "docs" / "javascripts")
    latex = (
        "from IPython.display import Latex\n"
        + "Latex(r'The update $\\theta \\leftarrow \\theta - \\eta g$ when $a<b$.')"
    )
    journal.write(f"{MATH}.md", note_text("Math", "2026-03-03", HOSTILE_TEX + "\n\n" + code(latex)))
    journal.write(
        f"{OUTPUTS}.md",
        note_text(
            "Outputs",
            "2026-03-01",
            "Code, its outputs, a figure.\n\n"
            + code('import sys\nprint("to stdout")\nprint("to stderr", file=sys.stderr)\n6 * 7')
            + code(
                """
                import matplotlib.pyplot as plt
                fig, ax = plt.subplots(figsize=(2, 2))
                fig.patch.set_alpha(0)
                ax.plot([1, 3, 2], color="black")
                ax.set_title("Black on transparent")
                plt.show()
                """
            ),
        ),
    )
    chart = "import plotly.graph_objects as go\ngo.Figure(go.Bar(x=['a', 'b'], y=[2, 3]))"
    if plotly_js() is None:  # the note saved its figure where plotly was installed: a stored output
        chart = (
            "from IPython.display import display\n"
            "display({'application/vnd.plotly.v1+json': {'data': [{'type': 'bar', 'y': [2, 3]}], 'layout': {}}},"
            " raw=True)"
        )
    journal.write(f"{PLOTLY}.md", note_text("Plotly chart", "2026-03-02", "An interactive chart.\n\n" + code(chart)))
    assert journal.cli("build") == 0
    with serve_folder(journal.root / "site") as base:
        yield Site(journal.root, [], base)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser: Browser, site: Site) -> Iterator[Tab]:
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light", locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = Tab(context.new_page(), site)
    context.route("**/*", tab.on_route)
    context.on("request", tab.on_request)
    tab.page.on("console", tab.on_console)
    tab.page.on("pageerror", tab.on_page_error)
    yield tab
    context.close()
    assert not tab.problems, "\n".join(tab.problems)


STYLE = """el => {
    const s = getComputedStyle(el), box = el.closest('.lj-output') || el.closest('.highlight');
    const b = getComputedStyle(box);
    return {code: s.backgroundColor, box: b.backgroundColor, bar: b.borderLeftWidth + ' ' + b.borderLeftColor};
}"""


def test_a_latex_output_is_typeset_and_tex_cannot_reach_the_dom(tab: Tab) -> None:
    """The LaTeX output's formula is drawn by MathJax, its text shown as text (``a<b`` included);
    the prose's ``\\href``, ``\\mmlToken``, ``\\class`` and ``\\unicode`` make no link or attribute."""
    tab.open(f"journal/{MATH}/")
    output = tab.page.locator("article .lj-output-latex")
    expect(output).to_have_count(1)
    tab.page.wait_for_function(
        "[...document.querySelectorAll('article .arithmatex')].every(el => el.querySelector('mjx-container'))"
    )
    assert output.locator("mjx-container").count() == 2
    assert output.inner_text().startswith("The update")
    dom = tab.page.evaluate("document.querySelector('article').innerHTML")
    assert "javascript:" not in dom and 'class="x"' not in dom
    assert tab.page.locator("article a[href^='javascript'], article [href^='javascript']").count() == 0


def test_an_output_block_and_a_code_block_look_different(tab: Tab) -> None:
    tab.open(f"journal/{OUTPUTS}/")
    code_block = tab.page.locator("article div.highlight:not(.lj-output div.highlight) pre > code").first
    result = tab.page.locator("article .lj-output.lj-result pre > code").first
    expect(result).to_have_text("42")
    code_style, result_style = code_block.evaluate(STYLE), result.evaluate(STYLE)
    assert code_style["code"] != result_style["code"], (code_style, result_style)  # no code background
    assert result_style["bar"].split()[0] != "0px" and code_style["bar"].split()[0] == "0px"


def test_stderr_and_stdout_look_different(tab: Tab) -> None:
    tab.open(f"journal/{OUTPUTS}/")
    stdout = tab.page.locator("article .lj-output.lj-stdout pre > code")
    stderr = tab.page.locator("article .lj-output.lj-stderr pre > code")
    expect(stdout).to_have_text("to stdout")
    expect(stderr).to_have_text("to stderr")
    out, err = stdout.evaluate(STYLE), stderr.evaluate(STYLE)
    assert out["box"] != err["box"] and out["bar"] != err["bar"], (out, err)


def test_figures_sit_on_white_in_the_dark_scheme(tab: Tab) -> None:
    tab.open(f"journal/{OUTPUTS}/")
    figure = tab.page.locator('article .lj-output img[alt="Black on transparent"]')
    expect(figure).to_be_visible()
    tab.page.locator('form[data-md-component="palette"] label.md-header__button:not([hidden])').click()
    expect(tab.page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    assert figure.evaluate("img => getComputedStyle(img).backgroundColor") == "rgb(255, 255, 255)"


def test_a_plotly_note_shows_a_chart_or_its_notice_and_loads_nothing_from_elsewhere(tab: Tab) -> None:
    tab.open(f"journal/{PLOTLY}/", wait_until="networkidle")
    if plotly_js() is not None:
        box = tab.page.locator('article .lj-plotly[data-lj-state="drawn"]')
        expect(box.locator("svg.main-svg").first).to_be_visible()
        expect(box.locator(".lj-plotly-waiting")).to_be_hidden()
        expect(box.locator("g.point").first).to_be_visible()  # the bars
    else:
        notice = tab.page.locator("article .lj-notice").first
        expect(notice).to_contain_text("interactive Plotly chart")
        expect(notice).to_contain_text("application/vnd.plotly.v1+json")
    assert not tab.problems, tab.problems  # no request to another host, no console error
    assert not [path for path in Path(tab.site.root / "site").rglob("*.html") if "cdn.plot.ly" in path.read_text()]
