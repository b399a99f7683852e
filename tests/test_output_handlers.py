"""Output handlers: a new output type is one class plus its registration.

This module is that class (:class:`GreetingHandler`, for ``application/vnd.test.greeting+json``).
Registered, a real note that displays a greeting shows the handler's rendering on its built page;
unregistered, the page falls back to the output's ``text/plain`` as it always did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import nbformat
import pytest

from labjournal.execution.scrub import scrub_data, scrub_notebook
from labjournal.markup import md_literal
from labjournal.rendering.fingerprint import renderer_fingerprint
from labjournal.rendering.outputs import (
    ENTRY_POINT_GROUP,
    OutputHandler,
    ScrubText,
    display_priority,
    extracted_types,
    handler_for,
    handler_sources,
    output_handlers,
    register_output_handler,
    registry,
    scrub_output_data,
    unregister_output_handler,
)
from labjournal.rendering.page import Renderer
from labjournal.rendering.sanitize import sanitize_outputs

from .conftest import JournalDir, code, note_text

GREETING = "application/vnd.test.greeting+json"
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)


class GreetingHandler(OutputHandler):
    """``{"name": ...}`` shown as "Hello, NAME!", the name as literal text; richer than HTML."""

    mime = GREETING
    priority = 800

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if isinstance(value, Mapping) and isinstance(value.get("name"), str) else None

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return f'<p class="lj-greeting" markdown="1">Hello, {md_literal(value["name"])}!</p>'


@pytest.fixture
def greeting() -> Iterator[GreetingHandler]:
    handler = GreetingHandler()
    register_output_handler(handler)
    try:
        yield handler
    finally:
        unregister_output_handler(GREETING)


def _notebook(*outputs: dict[str, Any]) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("greet()", outputs=list(outputs))
    return nbformat.from_dict(nbformat.v4.new_notebook(cells=[cell]))


def _greeting(name: Any, output_type: str = "display_data") -> dict[str, Any]:
    data = {GREETING: {"name": name}, "text/plain": f"greeting for {name}"}
    if output_type == "execute_result":
        return nbformat.v4.new_output("execute_result", data=data, execution_count=1)
    return nbformat.v4.new_output("display_data", data=data)


def _page(notebook: nbformat.NotebookNode) -> str:
    body, _ = Renderer().exporter.from_notebook_node(notebook, resources={"unique_key": "figure"})
    return body


# --- the registry --------------------------------------------------------------------------------


def test_builtin_display_priority_is_jupyterlabs_and_the_exporter_uses_it() -> None:
    from labjournal.rendering.outputs.interactive import plotly_js

    plotly = ["application/vnd.plotly.v1+json"] if plotly_js() is not None else []
    assert display_priority() == [
        *plotly,
        "application/json",
        "text/html",
        "text/markdown",
        "text/latex",
        "image/svg+xml",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "text/plain",
        "application/pdf",
    ]
    exporter = Renderer().exporter
    assert exporter.environment.filters["filter_data_type"].display_data_priority == display_priority()
    images = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/svg+xml", "application/pdf"}
    assert extracted_types() == images | set(plotly)


def test_a_registered_handler_takes_its_place_in_the_priority_of_new_renderers(greeting: GreetingHandler) -> None:
    priority = display_priority()
    assert priority.index(GREETING) < priority.index("text/html")  # 800: richer than text/html (700)
    assert handler_for(GREETING) is greeting
    exporter = Renderer().exporter
    assert exporter.environment.filters["filter_data_type"].display_data_priority == priority


def test_every_type_the_sanitiser_treats_specially_has_a_builtin_handler() -> None:
    handlers = output_handlers()
    for mime in ("text/html", "image/svg+xml", "text/markdown", "text/latex", "application/javascript"):
        assert mime in handlers
    for mime in ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"):
        assert handlers[mime].sanitize("not base64!", trusted=False) is None
        assert handlers[mime].sanitize("iVBORw0KGgo=", trusted=False) == "iVBORw0KGgo="


def test_unregistering_restores_the_builtins_and_entry_points() -> None:
    before = dict(output_handlers())
    register_output_handler(GreetingHandler())
    unregister_output_handler(GREETING)
    assert output_handlers() == before


def test_a_handler_without_a_mime_type_is_refused() -> None:
    with pytest.raises(ValueError, match="names no MIME type"):
        register_output_handler(OutputHandler())


def test_entry_points_add_handlers_after_the_builtins(monkeypatch: pytest.MonkeyPatch) -> None:
    point = EntryPoint("greeting", f"{__name__}:GreetingHandler", ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [point] if group == ENTRY_POINT_GROUP else [])
    registry._installed.cache_clear()
    try:
        assert isinstance(output_handlers()[GREETING], GreetingHandler)
        assert output_handlers()["text/html"].mime == "text/html"
    finally:
        registry._installed.cache_clear()
    monkeypatch.undo()
    assert GREETING not in output_handlers()


def test_the_render_fingerprint_covers_handlers_registered_from_elsewhere(greeting: GreetingHandler) -> None:
    assert Path(__file__).resolve() in handler_sources()
    with_greeting = renderer_fingerprint()
    unregister_output_handler(GREETING)
    assert Path(__file__).resolve() not in handler_sources()
    assert renderer_fingerprint() != with_greeting


# --- sanitising, scrubbing, rendering ------------------------------------------------------------


def test_the_sanitiser_asks_the_handler(greeting: GreetingHandler) -> None:
    notebook = _notebook(_greeting("Ada"), _greeting(["not", "a", "name"]))
    kept, rejected = sanitize_outputs(notebook, trusted=False)["cells"][0]["outputs"]
    assert kept["data"][GREETING] == {"name": "Ada"}
    assert GREETING not in rejected["data"] and rejected["data"]["text/plain"]


def test_the_scrubber_asks_the_handler_when_given_the_registry() -> None:
    class TokenHandler(OutputHandler):  # an opaque type that the generic rule leaves alone
        mime = "application/x-test-token"

        def scrub(self, value: Any, scrub_text: ScrubText) -> Any:
            return scrub_text(value)

    notebook = _notebook(nbformat.v4.new_output("display_data", data={TokenHandler.mime: "key sekrit-value-1"}))
    env = {"MY_TOKEN": "sekrit-value-1"}
    register_output_handler(TokenHandler())
    try:
        scrubbed = scrub_notebook(notebook, env=env, home="/", data_scrubber=scrub_output_data)
    finally:
        unregister_output_handler(TokenHandler.mime)
    assert scrubbed["cells"][0]["outputs"][0]["data"][TokenHandler.mime] == "key [secret:MY_TOKEN]"
    generic = scrub_notebook(notebook, env=env, home="/")
    assert generic["cells"][0]["outputs"][0]["data"][TokenHandler.mime] == "key sekrit-value-1"


@pytest.mark.parametrize(
    ("mime", "value"),
    [("text/plain", "a ~ b"), ("image/svg+xml", "<svg/>"), ("application/json", {"k": ["v"]}), ("image/png", "iVBO")],
)
def test_builtin_handlers_scrub_as_the_generic_rule(mime: str, value: Any) -> None:
    def scrub(text: str) -> str:
        return text.upper()

    assert scrub_output_data(mime, value, scrub) == scrub_data(mime, value, scrub)


def test_the_page_shows_the_handlers_rendering_with_the_name_escaped(greeting: GreetingHandler) -> None:
    page = _page(_notebook(_greeting("<b>Ada</b>")))
    assert '<p class="lj-greeting" markdown="1">Hello, &#60;b&#62;Ada&#60;/b&#62;!</p>' in page
    assert "greeting for" not in page  # one representation per output: the richest


def test_unregistered_the_page_falls_back_to_text_plain() -> None:
    page = _page(_notebook(_greeting("Ada")))
    assert "Hello" not in page
    assert "``` text\ngreeting for Ada\n```" in page


def test_execute_results_are_rendered_like_display_data(greeting: GreetingHandler) -> None:
    page = _page(_notebook(_greeting("Bo", "execute_result"), nbformat.v4.new_output("stream", text="x\n")))
    assert "Hello, Bo!" in page


def test_a_handlers_assets_go_beside_pages_that_show_its_type(tmp_path: Path) -> None:
    style = tmp_path / "greeting.css"
    style.write_text(".lj-greeting { color: teal }")
    handler = GreetingHandler()
    handler.assets = (style,)
    renderer = Renderer()
    register_output_handler(handler)
    try:
        renderer.exporter.from_notebook_node(_notebook(_greeting("Ada")), resources={"unique_key": "figure"})
        assert registry.assets_for(renderer._shown) == {"greeting.css": style.read_bytes()}
        assert style.resolve() in handler_sources()
    finally:
        unregister_output_handler(GREETING)


# --- end to end: a real kernel displays the type, a real build publishes it ----------------------

GREETING_NOTE = note_text(
    "Greetings",
    "2026-03-01",
    "A custom output type.\n\n"
    + code(
        """
        from IPython.display import display
        display({"application/vnd.test.greeting+json": {"name": "<i>Ada</i>"},
                 "text/plain": "plain greeting"}, raw=True)
        """
    )
    + code("6 * 7"),
)


def _article(journal: JournalDir) -> str:
    (found,) = ARTICLE.findall(journal.page("2026/greetings"))
    return found


@pytest.mark.kernel
@pytest.mark.site
def test_a_registered_output_type_shows_on_the_built_page(journal: JournalDir, tmp_path: Path) -> None:
    journal.write("2026/greetings.md", GREETING_NOTE)
    assert journal.cli("build") == 0
    plain = _article(journal)
    assert "<code>plain greeting\n</code>" in plain and "Hello" not in plain  # unregistered: text/plain
    assert "<code>42\n</code>" in plain  # the bare expression's result is on the page

    style = tmp_path / "greeting.css"
    style.write_text(".lj-greeting { color: teal }")
    handler = GreetingHandler()
    handler.assets = (style,)
    register_output_handler(handler)
    try:
        assert journal.cli("build") == 0  # the stored outputs, rendered anew: the fingerprint changed
    finally:
        unregister_output_handler(GREETING)
    greeted = _article(journal)
    assert '<p class="lj-greeting">Hello, &#60;i&#62;Ada&#60;/i&#62;!</p>' in greeted
    assert "<code>plain greeting" not in greeted and "<i>Ada</i>" not in greeted
    assert (journal.root / "site/journal/2026/greetings/greeting.css").read_bytes() == style.read_bytes()
