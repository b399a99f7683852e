"""Search results that read as prose: formulas without their MathJax delimiters.

The theme's search index holds each section's HTML; a formula there is the ``arithmatex`` span's
source, ``\\(n-1\\)``, which a result snippet shows as written. Once the index is written, the
delimiters are taken off (``n-1``) outside code, where a guide may quote them on purpose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_CODE = re.compile(r"(<code\b.*?</code>)", re.S)
_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)


def readable_math(html: str) -> str:
    """``html`` with ``\\(x\\)`` and ``\\[x\\]`` read as ``x``, code left as it is."""
    if "\\(" not in html and "\\[" not in html:
        return html
    parts = _CODE.split(html)
    for index in range(0, len(parts), 2):  # the text between code elements
        parts[index] = _MATH.sub(lambda m: (m.group(1) or m.group(2) or "").strip(), parts[index])
    return "".join(parts)


def readable_search_index(index_file: Path) -> None:
    """Rewrite mkdocs-material's ``search_index.json`` (if there is one) with readable formulas,
    serialised as the theme serialises it."""
    if not index_file.is_file():
        return
    data: dict[str, Any] = json.loads(index_file.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        if isinstance(doc.get("text"), str):
            doc["text"] = readable_math(doc["text"])
    index_file.write_text(json.dumps(data, separators=(",", ":"), default=str), encoding="utf-8")
