"""Output handlers: one per MIME type, each deciding how its outputs are sanitised, scrubbed,
chosen (display priority) and rendered on a page, and which files they need.

To add an output type: one module with an :class:`OutputHandler` subclass, and its registration:
an entry point in the ``labjournal.outputs`` group (``[project.entry-points."labjournal.outputs"]
greeting = "mypackage.greeting:GreetingHandler"``), or :func:`register_output_handler` (code and
tests), or, for a built-in, a line in :func:`~labjournal.rendering.outputs.registry.builtin_handlers`.
"""

from __future__ import annotations

from .base import (
    OUTPUT_KEY,
    OutputHandler,
    ScrubText,
    extracted_name,
    fence,
    fenced,
    mime_name,
    notice,
    output_info,
    unless_emptied,
)
from .registry import (
    ENTRY_POINT_GROUP,
    Choice,
    assets_for,
    builtin_handlers,
    choose,
    display_priority,
    extracted_types,
    handler_for,
    handler_sources,
    output_handlers,
    register_output_handler,
    render_output,
    scripts_for,
    scrub_output_data,
    unregister_output_handler,
    withheld,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "OUTPUT_KEY",
    "Choice",
    "OutputHandler",
    "ScrubText",
    "assets_for",
    "builtin_handlers",
    "choose",
    "display_priority",
    "extracted_name",
    "extracted_types",
    "fence",
    "fenced",
    "handler_for",
    "handler_sources",
    "mime_name",
    "notice",
    "output_handlers",
    "output_info",
    "register_output_handler",
    "render_output",
    "scripts_for",
    "scrub_output_data",
    "unless_emptied",
    "unregister_output_handler",
    "withheld",
]
