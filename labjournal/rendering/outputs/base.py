"""One output type: how labjournal makes it safe, scrubs it and shows it on a page.

An output (``display_data``, ``execute_result``) holds one value per MIME type; each MIME type has
at most one :class:`OutputHandler`. The handlers of the types an output holds decide, in turn:

1. ``sanitize``: what of each value may be published (for notes that are not ``trusted``);
2. ``scrub``: the value with secrets replaced (see :mod:`labjournal.execution.scrub`);
3. ``priority``: which one value the page shows (the richest: the highest priority);
4. ``render``: the Markdown for that value, and ``assets``: files it needs beside the page.

Kept apart from the page renderer so that importing a handler imports nothing heavy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..cleaners import as_text

ScrubText = Callable[[str], str]


class OutputHandler:
    """How labjournal publishes one MIME type. Subclass it, set :attr:`mime` (and :attr:`priority`
    for the type to be shown), override what differs from the defaults, and register an instance
    (:func:`labjournal.rendering.outputs.register_output_handler`, or an entry point in the
    ``labjournal.outputs`` group naming the class).

    The defaults publish the value unchanged, scrub it as :func:`labjournal.execution.scrub.scrub_data`
    does (text types as text, JSON types string by string) and show nothing.
    """

    #: the MIME type handled, e.g. ``"text/html"``
    mime: str = ""
    #: Jupyter's display priority: of an output's representations, the page shows the one whose
    #: handler has the highest priority (the richest). ``None``: never shown (the value is still
    #: sanitised, scrubbed and kept in the published notebook).
    priority: int | None = None
    #: the value is a file (a figure): nbconvert writes it beside the page and :meth:`render` finds
    #: its name in ``output["metadata"]["filenames"][mime]`` (see :func:`extracted_name`)
    extract: bool = False
    #: files the rendering needs (a style sheet, a script): written beside every page showing this type
    assets: tuple[Path, ...] = ()

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        """``value`` safe to publish on the public site, or ``None`` to drop this representation
        (the page then falls back to the next one by priority; an output left with none is dropped).
        ``trusted``: the note's author vouches for its outputs."""
        return value

    def scrub(self, value: Any, scrub_text: ScrubText) -> Any:
        """``value`` with every text in it passed through ``scrub_text``."""
        from labjournal.execution.scrub import scrub_data

        return scrub_data(self.mime, value, scrub_text)

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        """The Markdown that shows ``value`` (``output["data"][mime]``, already sanitised and
        scrubbed) on the page; ``""`` shows nothing. It must not let the value become markup it
        does not mean (escape or fence it): the sanitiser only checks what :meth:`sanitize` checks."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.mime!r}, priority={self.priority})"


def unless_emptied(value: Any, cleaned: str) -> str | None:
    """``cleaned``, or ``None`` when cleaning removed everything a non-blank ``value`` had
    (so that the page falls back to another representation: a PNG, ``text/plain``)."""
    return cleaned if cleaned.strip() or not as_text(value).strip() else None


def fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``, so printed text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def fenced(text: str, language: str = "text") -> str:
    """``text`` as a fenced code block: literal, whatever it contains."""
    f = fence(text)
    return f"{f} {language}\n{text}\n{f}"


def extracted_name(output: Mapping[str, Any], mime: str) -> str:
    """The file name nbconvert gave an extracted value (a figure) of ``output``."""
    return str(output.get("metadata", {}).get("filenames", {}).get(mime, ""))
