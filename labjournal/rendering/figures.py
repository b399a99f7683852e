"""Figures and other file-like outputs written beside the page, in place of nbconvert's extractor.

nbconvert's ``ExtractOutputPreprocessor`` decodes base64 only for PNG, JPEG and PDF (a GIF would be
written as its base64 text) and takes an output's ``metadata.filename`` as the file's name, which
an output could set to ``index.md``. Here every base64 type is decoded, JSON-valued types are
written as JSON, and names are always ``figure-{cell}-{output}{extension}``.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import re
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Set

from .cleaners import as_text
from .outputs.base import OUTPUT_KEY

_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<text>.+?)[ \t#]*$", re.M)

_EXTENSIONS = {"image/jpeg": ".jpg", "image/svg+xml": ".svg", "application/vnd.plotly.v1+json": ".json"}


def extension(mime: str) -> str:
    known = _EXTENSIONS.get(mime) or mimetypes.guess_extension(mime)
    return known or ".bin"


def file_bytes(mime: str, value: Any) -> bytes | None:
    """The file for ``value`` of type ``mime``; ``None`` when base64 data does not decode."""
    if not isinstance(value, str | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    text = as_text(value)
    if (mime.startswith("image/") and mime != "image/svg+xml") or mime == "application/pdf":
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            return None
    return text.encode()


def _plain(heading: str) -> str:
    """A heading's words: links as their text, no emphasis or code marks."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "").strip()


class FigurePreprocessor(Preprocessor):
    """Writes the values of :attr:`types` to ``resources["outputs"]`` and names them in each
    output's ``metadata.filenames`` (where :func:`~labjournal.rendering.outputs.extracted_name`
    finds them)."""

    types = Set(help="the MIME types written to files").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        section = ""
        for index, cell in enumerate(nb.cells):
            if cell.get("cell_type") == "markdown":
                headings = _HEADING.findall(as_text(cell.get("source", "")))
                section = _plain(headings[-1]) if headings else section
            nb.cells[index], resources = self.preprocess_cell(cell, resources, index, section)
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, index: int, section: str = ""
    ) -> tuple[NotebookNode, dict]:
        """Each figure's file, and ``section`` (the heading the cell sits under: a figure whose
        code gives no title is described by it)."""
        files = resources.setdefault("outputs", {})
        for number, output in enumerate(cell.get("outputs", [])):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            metadata = output.setdefault("metadata", {})
            metadata.pop("filenames", None)
            for mime in sorted(self.types & set(output.get("data", {}))):
                data = file_bytes(mime, output["data"][mime])
                if data is None:
                    del output["data"][mime]  # not shown: the page falls back to another representation
                    continue
                name = f"figure-{index}-{number}{extension(mime)}"
                if name in files:  # two types of one output with one extension
                    name = f"figure-{index}-{number}-{len(files)}{extension(mime)}"
                files[name] = data
                metadata.setdefault("filenames", {})[mime] = name
                if section:
                    metadata[OUTPUT_KEY] = {**dict(metadata.get(OUTPUT_KEY) or {}), "section": section}
        return cell, resources
