"""Which handler serves which MIME type: the built-ins, then entry points, then registrations.

Like the executor and note-format registries: a package adds output types by declaring entry
points in the ``labjournal.outputs`` group (each naming an :class:`OutputHandler` subclass, which
is instantiated without arguments); code and tests call :func:`register_output_handler`. A later
source wins for the same MIME type.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from .base import OutputHandler, ScrubText
from .data import JavaScriptHandler, JsonHandler, MetricHandler
from .html import HtmlHandler
from .images import builtin_images
from .text import LatexHandler, MarkdownHandler, PlainTextHandler

ENTRY_POINT_GROUP = "labjournal.outputs"
RENDERING = Path(__file__).resolve().parents[1]
_registered: dict[str, OutputHandler] = {}


def builtin_handlers() -> list[OutputHandler]:
    """The output types labjournal knows by itself."""
    text: list[OutputHandler] = [PlainTextHandler(), MarkdownHandler(), LatexHandler(), HtmlHandler()]
    data: list[OutputHandler] = [JsonHandler(), MetricHandler(), JavaScriptHandler()]
    return text + builtin_images() + data


@cache
def _installed() -> dict[str, OutputHandler]:
    found = {handler.mime: handler for handler in builtin_handlers()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        handler = ep.load()()
        found[handler.mime] = handler
    return found


def register_output_handler(handler: OutputHandler) -> None:
    """Publish ``handler.mime`` with ``handler`` (replacing any handler of that type) from now on.

    A renderer made before the call keeps the display priority it was made with."""
    if not handler.mime:
        raise ValueError(f"{handler!r} names no MIME type")
    _registered[handler.mime] = handler


def unregister_output_handler(mime: str) -> None:
    """Undo :func:`register_output_handler` for ``mime`` (built-ins and entry points stay)."""
    _registered.pop(mime, None)


def output_handlers() -> dict[str, OutputHandler]:
    """Every handler by MIME type: built-ins, then entry points, then registrations."""
    return {**_installed(), **_registered}


def handler_for(mime: str) -> OutputHandler | None:
    return output_handlers().get(mime)


def display_priority() -> list[str]:
    """The MIME types a page can show, richest first: nbconvert's ``display_data_priority``."""
    shown = [h for h in output_handlers().values() if h.priority is not None]
    return [h.mime for h in sorted(shown, key=lambda h: -(h.priority or 0))]


def extracted_types() -> set[str]:
    """The MIME types written to files beside the page (``ExtractOutputPreprocessor``'s types)."""
    return {h.mime for h in output_handlers().values() if h.extract}


def render_output(output: Mapping[str, Any], mime: str) -> str:
    """The page's Markdown for the ``mime`` value of ``output``, set apart by blank lines."""
    handler = handler_for(mime)
    body = handler.render(output["data"][mime], output) if handler is not None else ""
    return f"\n\n{body}\n" if body else ""


def scrub_output_data(mime: str, value: Any, scrub_text: ScrubText) -> Any:
    """``value`` scrubbed by its type's handler, or by the generic rule when it has none
    (a ``data_scrubber`` for :func:`labjournal.execution.scrub.scrub_notebook`)."""
    handler = handler_for(mime)
    if handler is None:
        from labjournal.execution.scrub import scrub_data

        return scrub_data(mime, value, scrub_text)
    return handler.scrub(value, scrub_text)


def assets_for(mimes: Iterable[str]) -> dict[str, bytes]:
    """The files that pages showing ``mimes`` need beside them, by name."""
    handlers = output_handlers()
    return {
        path.name: path.read_bytes()
        for mime in sorted(set(mimes))
        if mime in handlers
        for path in handlers[mime].assets
    }


def handler_sources() -> tuple[Path, ...]:
    """What registered handlers defined outside this package are made of: their modules' source
    files and their assets (for the render cache's fingerprint)."""
    found: set[Path] = set()
    for handler in output_handlers().values():
        try:
            source = inspect.getsourcefile(type(handler))
        except TypeError:  # defined in a built-in module
            source = None
        if source is not None and not Path(source).resolve().is_relative_to(RENDERING):
            found.add(Path(source).resolve())
        found.update(Path(path).resolve() for path in handler.assets)
    return tuple(sorted(found))
