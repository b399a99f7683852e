"""Figures: PNG, JPEG and SVG become files beside the page (never base64 inside the Markdown).

Other base64 images (GIF, WebP, BMP) are checked and kept in the published notebook but not shown,
and PDF outputs are written beside the page but not shown: both as before the registry existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..cleaners import as_text, is_base64, sanitize_svg
from .base import OutputHandler, extracted_name, unless_emptied


class ImageHandler(OutputHandler):
    """A base64 raster image: dropped unless it is valid base64; shown as its extracted file."""

    def __init__(self, mime: str, priority: int | None = None, extract: bool = False) -> None:
        self.mime, self.priority, self.extract = mime, priority, extract

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted or is_base64(value) else None

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return f"![Figure]({extracted_name(output, self.mime)})" if self.extract else ""


class SvgHandler(OutputHandler):
    """SVG, rebuilt from an allowlist (:func:`~labjournal.rendering.cleaners.sanitize_svg`), as a file."""

    mime = "image/svg+xml"
    priority = 500
    extract = True

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted else unless_emptied(value, sanitize_svg(as_text(value)))

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        return f"![Figure]({extracted_name(output, self.mime)})"


class PdfHandler(OutputHandler):
    """PDF: written beside the page by nbconvert, not shown."""

    mime = "application/pdf"
    extract = True


def builtin_images() -> list[OutputHandler]:
    return [
        SvgHandler(),
        ImageHandler("image/png", priority=300, extract=True),
        ImageHandler("image/jpeg", priority=200, extract=True),
        ImageHandler("image/gif"),
        ImageHandler("image/webp"),
        ImageHandler("image/bmp"),
        PdfHandler(),
    ]
