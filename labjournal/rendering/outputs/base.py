"""One output type: how labjournal makes it safe, scrubs it and shows it on a page.

An output (``display_data``, ``execute_result``) holds one value per MIME type; each MIME type has
at most one :class:`OutputHandler`. The handlers of the types an output holds decide, in turn:

1. ``sanitize``: what of each value may be published (for notes that are not ``trusted``);
2. ``scrub``: the value with secrets replaced (see :mod:`labjournal.execution.scrub`);
3. ``priority``: which one value the page shows (the richest: the highest priority);
4. ``render``: the Markdown for that value, and ``assets``: files it needs beside the page;
5. ``notice``: what the page says when the output holds this type but shows another (an
   interactive chart drawn by code the site does not run, a type with no view here).

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
    #: of :attr:`assets`, the names of the scripts that a page showing this type loads, in this
    #: order, at the end of its content (``<script src>`` from the site itself, never inline)
    scripts: tuple[str, ...] = ()
    #: :meth:`render` returns one HTML element, not Markdown: the output's block is then raw HTML
    #: (Markdown never reads inside it: indented or blank lines in the HTML cannot turn into code)
    html_block: bool = False
    #: the output's other types that are no stand-in for this one (the ``text/html`` that draws an
    #: interactive chart with a script the site never runs, a ``text/plain`` repr of the chart's
    #: object): not shown for an output holding this type
    hides: tuple[str, ...] = ()

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

    def notice(self, value: Any, output: Mapping[str, Any]) -> str:
        """One line of Markdown for an output that holds this type while the page shows another of
        its representations, or none: what the reader does not see here and where it is. ``value``
        is ``None`` when the sanitiser withheld the value (code never published for untrusted
        notes). ``""``: nothing to say (the other representation stands in for this one)."""
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


OUTPUT_KEY = "labjournal"
"""The key in an output's metadata that labjournal writes: ``withheld`` (the MIME types the sanitiser
took out, for their notices) and, on the page's copy only, ``alt`` (a figure's text)."""


def output_info(output: Mapping[str, Any]) -> Mapping[str, Any]:
    """What labjournal noted in ``output``'s metadata (:data:`OUTPUT_KEY`), or an empty mapping."""
    metadata = output.get("metadata")
    info = metadata.get(OUTPUT_KEY) if isinstance(metadata, Mapping) else None
    return info if isinstance(info, Mapping) else {}


def notice(text: str, kind: str = "") -> str:
    """``text`` (inline HTML: words, ``<code>``, links) as a notice on the page, an HTML paragraph
    (so that it stands in Markdown and in raw HTML blocks alike) set apart by its class
    (``lj-notice``, and ``lj-{kind}`` when given)."""
    classes = "lj-notice" + (f" lj-{kind}" if kind else "")
    return f'<p class="{classes}">{" ".join(text.split())}</p>'


def mime_name(mime: str) -> str:
    """A MIME type as literal text in a notice, in a code span (whatever characters it holds)."""
    from labjournal.markup import md_literal

    return f"<code>{md_literal(mime)}</code>"
