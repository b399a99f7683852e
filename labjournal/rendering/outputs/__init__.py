"""Output handlers: one per MIME type, each deciding how its outputs are sanitised, scrubbed,
chosen (display priority) and rendered on a page, and which files they need.

To add an output type: one module with an :class:`OutputHandler` subclass, and its registration:
an entry point in the ``labjournal.outputs`` group (``[project.entry-points."labjournal.outputs"]
greeting = "mypackage.greeting:GreetingHandler"``), or :func:`register_output_handler` (code and
tests), or, for a built-in, a line in :func:`~labjournal.rendering.outputs.registry.builtin_handlers`.
"""

from __future__ import annotations

from .base import OutputHandler, ScrubText, extracted_name, fence, fenced, unless_emptied
from .registry import (
    ENTRY_POINT_GROUP,
    assets_for,
    builtin_handlers,
    display_priority,
    extracted_types,
    handler_for,
    handler_sources,
    output_handlers,
    register_output_handler,
    render_output,
    scrub_output_data,
    unregister_output_handler,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "OutputHandler",
    "ScrubText",
    "assets_for",
    "builtin_handlers",
    "display_priority",
    "extracted_name",
    "extracted_types",
    "fence",
    "fenced",
    "handler_for",
    "handler_sources",
    "output_handlers",
    "register_output_handler",
    "render_output",
    "scrub_output_data",
    "unless_emptied",
    "unregister_output_handler",
]
