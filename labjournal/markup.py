"""Text in Markdown: literal text, and slugs. Used by every layer that writes Markdown."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

_MARKUP = re.compile(r"[\\`*_{}\[\]()#+!$:|~^=<>&\"']")
_READABLE = re.compile(r"([\\`*_\[\]$])")
MAX_SLUG = 60


def md_literal(text: str) -> str:
    """``text`` as literal characters on one line of a generated page: no HTML, links, emphasis, math
    or emoji survive (each markup character becomes a numeric character reference)."""
    return _MARKUP.sub(lambda m: f"&#{ord(m.group())};", " ".join(text.split()))


def md_readable(text: str) -> str:
    """``text`` shown literally in Markdown that a person will edit (an imported transcript):
    backslash escapes, which stay readable, and ``&lt;`` for ``<``. ``\\$`` is an escape where
    pymdownx.arithmatex is on, as in labjournal's mkdocs.yml: "$5 or $10" is speech."""
    return _READABLE.sub(r"\\\1", text).replace("<", "&lt;")


@cache
def _slugify() -> Any:
    from pymdownx.slugs import slugify

    return slugify(case="fold", normalize="NFKD")


def slug(text: str, fallback: str, max_length: int = MAX_SLUG) -> str:
    """A stable slug for file names and URLs, made by ``pymdownx.slugs`` (what the site's headings
    use): case-folded, accents dropped where a letter has an ASCII base, other scripts kept
    (``"CS 441 강의"`` -> ``"cs-441-강의"``), cut at a word under ``max_length``; ``fallback`` when
    nothing is left."""
    made = unicodedata.normalize("NFC", _slugify()(text.replace("_", " "), "-"))
    made = re.sub(r"-{2,}", "-", made).strip("-")
    if len(made) > max_length:
        cut = made.rfind("-", 0, max_length + 1)
        made = made[: cut if cut > 0 else max_length].strip("-")
    return made or fallback
