"""One H1 per page: the page's title. Headings in a note's prose (and in Markdown outputs) move a level down.

The page header writes ``# {title}``. A note whose first Markdown cell opens with an H1 repeating
that title loses that line (it would be the title twice); when the prose still has an H1 (a note
written as a notebook, sections as H1s), every heading of the prose moves one level down, so that
the page keeps its one H1 and the prose keeps its hierarchy. Text inside code fences is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")


def outside_fences(lines: list[str]) -> Iterator[int]:
    """The indexes of the lines that are not inside a fenced code block."""
    fence = ""
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if not fence:
            if match:
                fence = match.group(1)
            else:
                yield index
        elif match and match.group(1).startswith(fence) and not line[match.end() :].strip():
            fence = ""  # a closing fence: the same character, at least as long, nothing after it


def _is_setext_h1(lines: list[str], index: int) -> bool:
    return (
        index > 0
        and bool(_SETEXT_H1.match(lines[index]))
        and bool(lines[index - 1].strip())
        and not _ATX.match(lines[index - 1])
    )


def has_h1(text: str) -> bool:
    lines = text.split("\n")
    return any(
        ((m := _ATX.match(lines[i])) is not None and len(m.group(2)) == 1) or _is_setext_h1(lines, i)
        for i in outside_fences(lines)
    )


def shift_headings(text: str) -> str:
    """Every heading of ``text`` one level down (H6 stays H6); a setext H1 becomes an ATX H2."""
    lines = text.split("\n")
    for index in list(outside_fences(lines)):
        match = _ATX.match(lines[index])
        if match is not None:
            hashes = "#" * min(6, len(match.group(2)) + 1)
            lines[index] = match.group(1) + hashes + lines[index][match.end() :]
        elif _is_setext_h1(lines, index):
            lines[index - 1] = "## " + lines[index - 1].strip()
            lines[index] = ""
    return "\n".join(lines)


def demote_headings(text: str) -> str:
    """``text`` with its headings a level down when it has an H1; else as it is."""
    return shift_headings(text) if has_h1(text) else text


def _normal(title: str) -> str:
    return " ".join(_CLOSING_HASHES.sub("", title).split()).casefold()


def drop_title_heading(text: str, titles: Iterable[str]) -> str:
    """``text`` without its first line when that line is an ATX H1 saying one of ``titles``."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return text
    match = _ATX.match(lines[first])
    if match is None or len(match.group(2)) != 1:
        return text
    if _normal(lines[first][match.end() :]) not in {_normal(title) for title in titles}:
        return text
    return "\n".join(lines[first + 1 :]).lstrip("\n")


def one_h1(sources: list[str], titles: Iterable[str]) -> list[str]:
    """The Markdown cells' sources of a page whose header is its H1 (see the module's docstring)."""
    result = list(sources)
    if result:
        result[0] = drop_title_heading(result[0], titles)
    if any(has_h1(text) for text in result):
        result = [shift_headings(text) for text in result]
    return result
