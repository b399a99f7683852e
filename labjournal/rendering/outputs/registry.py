"""Which handler serves which MIME type: the built-ins, then entry points, then registrations.

Like the executor and note-format registries: a package adds output types by declaring entry
points in the ``labjournal.outputs`` group (each naming an :class:`OutputHandler` subclass, which
is instantiated without arguments); code and tests call :func:`register_output_handler`. A later
source wins for the same MIME type.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from .base import OutputHandler, ScrubText, mime_name, notice, output_info
from .data import JavaScriptHandler, JsonHandler, MetricHandler
from .html import HtmlHandler
from .images import builtin_images
from .interactive import builtin_interactive
from .text import LatexHandler, MarkdownHandler, PlainTextHandler

ENTRY_POINT_GROUP = "labjournal.outputs"
RENDERING = Path(__file__).resolve().parents[1]
_registered: dict[str, OutputHandler] = {}


def builtin_handlers() -> list[OutputHandler]:
    """The output types labjournal knows by itself."""
    text: list[OutputHandler] = [PlainTextHandler(), MarkdownHandler(), LatexHandler(), HtmlHandler()]
    data: list[OutputHandler] = [JsonHandler(), MetricHandler(), JavaScriptHandler()]
    return text + builtin_images() + data + builtin_interactive()


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


@dataclass(frozen=True)
class Choice:
    """What the page shows of one output: the MIME type whose value it renders (``None``: none), and
    the notices about what it does not show (each a line of Markdown)."""

    mime: str | None
    notices: tuple[str, ...] = ()


def withheld(output: Mapping[str, Any]) -> list[str]:
    """The MIME types the sanitiser took out of ``output`` (code: JavaScript, widget views)."""
    found = output_info(output).get("withheld", [])
    return [str(mime) for mime in found] if isinstance(found, list) else []


def choose(output: Mapping[str, Any], excluded: Collection[str] = ()) -> Choice:
    """The representation of ``output`` the page shows, as Jupyter picks it: the one whose handler
    has the highest priority, leaving out ``excluded`` (too large for the page) and what the
    output's other types hide (an interactive chart's script-driven HTML). Every type that is
    not shown and has something to say adds its notice; an output with types but none shown says
    which."""
    data = output.get("data", {})
    handlers = output_handlers()
    present = [*data, *withheld(output)]
    hidden = {mime for t in present if t in handlers for mime in handlers[t].hides}
    shown = [
        m for m in data if m in handlers and handlers[m].priority is not None and m not in hidden and m not in excluded
    ]
    chosen = max(shown, key=lambda m: handlers[m].priority or 0, default=None)
    notices = [
        text
        for mime in dict.fromkeys(present)
        if mime != chosen and mime in handlers and (text := handlers[mime].notice(data.get(mime), output))
    ]
    if chosen is None and not notices and present:
        names = ", ".join(mime_name(mime) for mime in dict.fromkeys(present))
        notices.append(
            notice(f"This output ({names}) has no representation this site can show; it is in the executed notebook.")
        )
    return Choice(chosen, tuple(notices))


def scripts_for(mimes: Iterable[str]) -> list[str]:
    """The scripts (asset names) that pages showing ``mimes`` load, in order, each once."""
    handlers = output_handlers()
    return list(
        dict.fromkeys(name for mime in sorted(set(mimes)) if mime in handlers for name in handlers[mime].scripts)
    )


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
