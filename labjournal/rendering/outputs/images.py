"""Figures: SVG and every raster type JupyterLab shows (PNG, JPEG, GIF, WebP, BMP) become files
beside the page (never base64 inside the Markdown), shown with the cell's alt text. PDF outputs are
written beside the page and linked.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from labjournal.markup import md_literal

from ..cleaners import as_text, is_base64, sanitize_svg
from .base import OutputHandler, extracted_name, output_info, unless_emptied

DEFAULT_ALT = "Figure"


def alt_text(info: Mapping[str, Any]) -> str:
    """The figure's title or its cell's comment; else the section it is in ("Figure: Results")."""
    for key, prefix in (("alt", ""), ("section", f"{DEFAULT_ALT}: ")):
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            return prefix + value.strip()
    return DEFAULT_ALT


def figure(output: Mapping[str, Any], mime: str) -> str:
    """``![alt](file)``: the alt text the renderer found for the output's cell (its figure's title,
    its comment or its section's heading), as literal text."""
    text = md_literal(alt_text(output_info(output)))
    return f"![{text}]({extracted_name(output, mime)})"


class ImageHandler(OutputHandler):
    """A base64 raster image: dropped unless it is valid base64; shown as its extracted file."""

    def __init__(self, mime: str, priority: int | None = None, extract: bool = False) -> None:
        self.mime, self.priority, self.extract = mime, priority, extract

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted or is_base64(value) else None

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return figure(output, self.mime) if self.extract else ""


class SvgHandler(OutputHandler):
    """SVG, rebuilt from an allowlist (:func:`~labjournal.rendering.cleaners.sanitize_svg`), as a file."""

    mime = "image/svg+xml"
    priority = 400
    extract = True

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else unless_emptied(value, sanitize_svg(as_text(value)))

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return figure(output, self.mime)


def is_pdf(value: Any) -> bool:
    """Whether ``value`` is base64 of a PDF file (it starts as every PDF does): anything else sent
    as ``application/pdf`` (an HTML page, a script) is never published as a file of the site."""
    if not is_base64(value):
        return False
    return base64.b64decode("".join(as_text(value).split())[:16]).startswith(b"%PDF-")


class PdfHandler(OutputHandler):
    """PDF: written beside the page by nbconvert (when it is one); a link when the output has nothing richer."""

    mime = "application/pdf"
    priority = 50
    extract = True

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if is_pdf(value) else None

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return f"[PDF output]({extracted_name(output, self.mime)})"


def builtin_images() -> list[OutputHandler]:
    """JupyterLab's order: SVG (below LaTeX), then its image renderer's types."""
    return [
        SvgHandler(),
        ImageHandler("image/png", priority=300, extract=True),
        ImageHandler("image/jpeg", priority=290, extract=True),
        ImageHandler("image/gif", priority=280, extract=True),
        ImageHandler("image/webp", priority=270, extract=True),
        ImageHandler("image/bmp", priority=260, extract=True),
        PdfHandler(),
    ]
