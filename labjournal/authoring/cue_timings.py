"""Cue timing lines as real tools write them, made canonical before webvtt-py or srt parse the file.

Microsoft Teams writes ``0:0:0.0 --> 0:0:0.570``, many tools leave hours out (``01:02.500``), long
recordings have 3- or 4-digit hours, SRT tools write ``,`` or ``.`` before the milliseconds and some
leave the milliseconds out. Each timing line becomes ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` (``,`` in SRT),
without its cue settings (where text goes on screen); text after the timings (a broken export) moves
to the next line, so it stays in the cue, and is reported. A timing line that cannot be read is an
error naming its line.

Blocks without timings after the first cue are text of the cue before them (files with blank lines
inside a cue, or a cue whose timing line is missing): joined to it, without the cue number that
opened them, and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labjournal.errors import UsageError

_TIME = r"(?:(\d+):)?(\d+):(\d+)(?:[.,](\d+))?"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(.*)$")
_CANONICAL_VTT = re.compile(r"\d\d:[0-5]\d:[0-5]\d\.\d{3} --> \d\d:[0-5]\d:[0-5]\d\.\d{3}(?=\s|$)")
_CANONICAL_SRT = re.compile(r"\d\d:[0-5]\d:[0-5]\d,\d{3} --> \d\d:[0-5]\d:[0-5]\d,\d{3}(?=\s|$)")
_SETTING = re.compile(r"^[A-Za-z][\w-]*:\S+$")
_BLOCK_KEYWORDS = ("NOTE", "STYLE", "REGION", "WEBVTT")
FIX = "write cue timings as 00:01:02.500 --> 00:01:04.000"


@dataclass
class Prepared:
    """Canonical lines for the parser, what was mended (one line each), and the lines of text outside cues."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stray_lines: int = 0
    cue_lines: int = 0
    cues: int = 0


def _millis(groups: Sequence[str | None]) -> int | None:
    hours, minutes, seconds, fraction = groups
    if fraction is not None and len(fraction) > 3:
        return None
    if int(seconds or 0) > 59 or (hours is not None and int(minutes or 0) > 59):
        return None
    total = (int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds or 0)
    return total * 1000 + int((fraction or "0").ljust(3, "0"))


def format_millis(millis: int, comma: bool = False) -> str:
    """``3723500`` -> ``"01:02:03.500"`` (``,`` for SRT)."""
    seconds, ms = divmod(millis, 1000)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    return f"{hours:02d}:{mins:02d}:{secs:02d}{',' if comma else '.'}{ms:03d}"


def timing_line(line: str, comma: bool) -> tuple[str, str] | None:
    """A canonical timing line and any text written after the timings, or None when ``line`` has no timings."""
    canonical = (_CANONICAL_SRT if comma else _CANONICAL_VTT).match(line)
    if canonical and not line[canonical.end() :].strip():
        return canonical.group(), ""  # already as the parser reads it: the common case, kept fast
    match = _TIMING.match(line)
    if not match:
        return None
    start, end = _millis(match.groups()[0:4]), _millis(match.groups()[4:8])
    if start is None or end is None:
        return None
    rest = match.group(9)
    if rest[:1] and not rest[:1].isspace():
        return None  # a longer number than a timestamp holds: 00:00:04.3001
    text = "" if all(_SETTING.match(token) for token in rest.split()) else rest.strip()
    # cue settings (position, alignment, SRT's X1:... coordinates) place text on screen: not needed here
    return f"{format_millis(start, comma)} --> {format_millis(end, comma)}", text


def _blocks(lines: Sequence[str], fmt: str) -> list[tuple[int, list[str]]]:
    """Blocks of lines with the index of their first line; a timing line after text opens a new one (files
    without blank lines between cues), unless it follows only a cue identifier. In WebVTT only an empty line
    ends a block (yt-dlp writes cues whose first line is a space); in SRT a line of spaces does too."""
    blocks: list[tuple[int, list[str]]] = []
    for index, line in enumerate(lines):
        if not (line if fmt == "vtt" else line.strip()):
            continue
        if blocks and blocks[-1][0] + len(blocks[-1][1]) == index:
            current = blocks[-1][1]
            starts_cue = "-->" in line and (len(current) > 1 or "-->" in current[0])
            if not starts_cue:
                current.append(line)
                continue
        blocks.append((index, [line]))
    return blocks


def prepare(path: Path, lines: Sequence[str], fmt: str, skipped: int) -> Prepared:
    """Canonical lines for webvtt-py (``fmt`` "vtt") or srt, with each mended cue reported."""
    prepared = Prepared()
    seen_cue = False
    for start, block in _blocks(lines, fmt):
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            if not seen_cue or block[0].startswith(_BLOCK_KEYWORDS):
                prepared.lines += [*block, ""]
            else:
                _join_stray(prepared, block, start + skipped + 1)
            continue
        if timing_at and fmt == "srt" and not block[0].strip().isdigit():
            if seen_cue:  # a line of the cue before, without the blank line that would have ended it
                _join_stray(prepared, block[:1], start + skipped + 1)
            block, timing_at, start = block[1:], 0, start + 1
        seen_cue = True
        _add_cue(prepared, path, block, timing_at, start + skipped + 1, fmt)
    return prepared


def _add_cue(prepared: Prepared, path: Path, block: list[str], timing_at: int, number: int, fmt: str) -> None:
    line = block[timing_at]
    made = timing_line(line, comma=fmt == "srt")
    if made is None:
        raise UsageError(f"{path}:{number + timing_at}: malformed cue timings {line.strip()!r}; {FIX}")
    canonical, text = made
    body = block[timing_at + 1 :]
    if text:
        prepared.notes.append(f"line {number + timing_at}: text after the cue timings kept as the cue's text")
        body = [text, *body]
    if not body:
        return  # a cue without words: nothing to keep
    prepared.cue_lines += len(body)
    prepared.cues += 1
    # a WebVTT cue keeps its identifier; SRT cues are numbered anew (the srt library finds cues by number)
    head = [block[0]] if timing_at and fmt == "vtt" else [str(prepared.cues)] if fmt == "srt" else []
    prepared.lines += [*head, canonical, *body, ""]


def _join_stray(prepared: Prepared, block: list[str], number: int) -> None:
    numbered = block[0].strip().isdigit() and len(block) > 1
    text = block[1:] if numbered else block
    if numbered:
        prepared.notes.append(f"line {number}: cue {block[0].strip()} has no timing line, its text joins the last")
    else:
        prepared.notes.append(f"line {number}: text outside any cue joins the cue before")
    prepared.stray_lines += len(text)
    while prepared.lines and not prepared.lines[-1]:
        prepared.lines.pop()
    prepared.lines += [*text, ""]
