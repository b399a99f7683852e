"""Make a notebook's outputs safe to publish on the journal's public site.

Each output value is judged by the handler of its MIME type (:mod:`labjournal.rendering.outputs`),
which applies the string-level sanitisers of :mod:`labjournal.rendering.cleaners`: HTML through nh3,
SVG rebuilt from an allowlist, Markdown's HTML and links checked, risky LaTeX and invalid base64
images dropped. Whatever the handlers allow, executable MIME types (JavaScript, Bokeh/HoloViews
exec and load payloads, widget views) never leave an untrusted note, and neither does its widget
state: the output keeps only their names (``metadata.labjournal.withheld``), so that the page can
say what it does not show. Types without a handler are kept as they are (the page shows their
``text/plain`` or a notice naming them).
"""

from __future__ import annotations

import copy
from typing import Any

from .cleaners import (
    HIDDEN_MARKDOWN,
    LINK_REL,
    css_is_safe,
    is_executable_mime,
    latex_is_safe,
    link_is_safe,
    sanitize_html,
    sanitize_markdown,
    sanitize_svg,
    source_is_local,
)
from .outputs import OUTPUT_KEY, handler_for

__all__ = [
    "HIDDEN_MARKDOWN",
    "LINK_REL",
    "css_is_safe",
    "is_executable_mime",
    "latex_is_safe",
    "link_is_safe",
    "sanitize_html",
    "sanitize_markdown",
    "sanitize_outputs",
    "sanitize_svg",
    "source_is_local",
]


def _sanitize_data(data: dict[str, Any], trusted: bool, withheld: list[str]) -> dict[str, Any]:
    """Each representation as its handler publishes it; those it rejects are left out, and the
    executable ones named in ``withheld``."""
    result: dict[str, Any] = {}
    for mime, value in data.items():
        if not trusted and is_executable_mime(mime):
            withheld.append(mime)
            continue
        handler = handler_for(mime)
        cleaned = value if handler is None else handler.sanitize(value, trusted)
        if cleaned is not None:
            result[mime] = cleaned
    return result


def _sanitize_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Image sizes must be numbers: nbconvert writes them into tags unescaped."""
    result: dict[str, Any] = {}
    for key, value in metadata.items():
        if isinstance(value, dict):
            value = {
                k: v
                for k, v in value.items()
                if k not in ("width", "height") or (isinstance(v, int | float) and not isinstance(v, bool))
            }
        elif key in ("width", "height") and (not isinstance(value, int | float) or isinstance(value, bool)):
            continue
        result[key] = value
    return result


def sanitize_outputs(notebook: dict[str, Any], trusted: bool) -> dict[str, Any]:
    """A copy of ``notebook`` whose outputs are safe to publish.

    Untrusted: HTML, SVG and Markdown outputs are sanitised, LaTeX that could make links or load
    extensions and image data that is not base64 are dropped (each by its type's handler), and so
    are executable MIME types (their names kept in the output's ``metadata.labjournal.withheld``)
    and the notebook's widget state (nbconvert would load the widget manager's script for it from
    a CDN). A representation that sanitises to nothing is dropped so that renderers fall back to
    another (a PNG or ``text/plain``); an output left with none is dropped, unless code was withheld
    from it (the page says so). ``trusted``: every handler is asked with ``trusted=True`` (the
    built-ins then keep everything) and nothing else changes.
    """
    result = copy.deepcopy(notebook)
    if not trusted:
        result.get("metadata", {}).pop("widgets", None)
    for cell in result.get("cells", []):
        if "outputs" in cell:
            cell["outputs"] = [output for output in cell["outputs"] if _publishable(output, trusted)]
    return result


def _publishable(output: dict[str, Any], trusted: bool) -> bool:
    """Sanitises ``output`` in place; whether it is still worth publishing (it has data left)."""
    if not trusted and isinstance(output.get("metadata"), dict):
        output["metadata"] = _sanitize_metadata(output["metadata"])
        output["metadata"].pop(OUTPUT_KEY, None)  # labjournal's own notes: never the output's word
    if "data" not in output:
        return True
    had_data = bool(output["data"])
    withheld: list[str] = []
    output["data"] = _sanitize_data(output["data"], trusted, withheld)
    if withheld:
        output.setdefault("metadata", {})[OUTPUT_KEY] = {"withheld": withheld}
    return bool(output["data"]) or bool(withheld) or (trusted and not had_data)


def public_notebook(notebook: dict[str, Any], trusted: bool) -> dict[str, Any]:
    """A notebook bound for the public site: outputs sanitised (unless the note is trusted) and
    secrets scrubbed from sources and outputs, each output type by its handler."""
    from labjournal.execution.scrub import scrub_notebook

    from .outputs import scrub_output_data

    return scrub_notebook(sanitize_outputs(notebook, trusted=trusted), data_scrubber=scrub_output_data)
