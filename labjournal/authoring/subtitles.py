"""A subtitle file -> its cues: webvtt-py parses WebVTT, srt parses SRT; labjournal mends timings, cleans
the text, finds speakers and leaves out the repeats of rolling captions.

HLS subtitles arrive as segments, each a WebVTT file whose ``X-TIMESTAMP-MAP=MPEGTS:...,LOCAL:...`` maps its
cue times onto the stream; segments saved into one file are placed as yt-dlp places them: the first
segment's map is time zero of the video, and each later one is shifted by how far its map differs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labjournal.errors import UsageError

from .cue_text import Line, cue_lines, dedupe_rolling, is_rolling, zoom_lines, zoom_speakers
from .cue_timings import Prepared, prepare
from .subtitle_files import ACCEPTED, YOUTUBE_STAMP, read_subtitle_text, refuse

_TIMESTAMP_MAP = re.compile(r"X-TIMESTAMP-MAP=(.*)")
_MAP_LOCAL = re.compile(r"LOCAL:((?:\d+:)?\d+:\d+\.\d+)")
_MAP_MPEGTS = re.compile(r"MPEGTS:(\d+)")
_FORMAT_NAMES = {"vtt": "WebVTT", "srt": "SRT", "youtube": "YouTube transcript text", "zoom": "Zoom transcript"}


@dataclass(frozen=True)
class Cue:
    """One cue, or the part of it one speaker says: start and end in seconds, text with whitespace collapsed."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass
class Reading:
    """What ``read_subtitles`` found: the cues, and what to tell the author about the file."""

    cues: list[Cue]
    format: str
    encoding: str
    guessed: bool
    repeats: int = 0  # words of rolling captions left out as already shown
    notes: list[str] = field(default_factory=list)

    @property
    def format_name(self) -> str:
        return _FORMAT_NAMES[self.format]

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(cue.speaker for cue in self.cues if cue.speaker))


def _seconds(text: str) -> float:
    parts = [float(part) for part in text.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def _segments(lines: Sequence[str]) -> list[tuple[int, list[str]]]:
    """WebVTT files saved one after the other (HLS segments): each with the index of its header line."""
    starts = [i for i, line in enumerate(lines) if line.startswith("WEBVTT")] or [0]
    return [(a, list(lines[a:b])) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _segment_offset(header: Sequence[str]) -> float | None:
    for line in header:
        found = _TIMESTAMP_MAP.search(line)
        if found:
            local, mpegts = _MAP_LOCAL.search(found.group(1)), _MAP_MPEGTS.search(found.group(1))
            return int(mpegts.group(1)) / 90000 - _seconds(local.group(1)) if local and mpegts else None
        if not line.strip() or "-->" in line:
            break
    return None


def _parse_vtt(path: Path, prepared: Prepared) -> list[tuple[float, float, str]]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_string("\n".join(prepared.lines)).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise UsageError(f"{path}: WebVTT that webvtt-py cannot read ({exc}); {ACCEPTED}") from None
    return [(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.raw_text) for c in captions]


def _parse_srt(path: Path, prepared: Prepared) -> list[tuple[float, float, str]]:
    import srt

    try:
        subtitles = list(srt.parse("\n".join(prepared.lines)))
    except srt.SRTParseError as exc:
        raise UsageError(f"{path}: SRT that the srt library cannot read ({exc}); {ACCEPTED}") from None
    return [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subtitles]


def _parse_youtube(lines: Sequence[str]) -> list[tuple[float, float, str]]:
    """YouTube's "Show transcript" text: a ``M:SS`` line (or ``M:SS words``), then the words until the next."""
    raw: list[tuple[float, list[str]]] = []
    for line in lines:
        match = YOUTUBE_STAMP.match(line)
        if match and (not raw or _stamp(match) >= raw[-1][0]):
            raw.append((_stamp(match), [match.group(4)] if match.group(4) else []))
        elif line.strip() and raw:
            raw[-1][1].append(line)
    ends = [start for start, _ in raw[1:]] + [raw[-1][0]] if raw else []
    return [(start, max(end, start), "\n".join(text)) for (start, text), end in zip(raw, ends, strict=True)]


def _stamp(match: re.Match[str]) -> float:
    hours, minutes, seconds = (int(group or 0) for group in match.groups()[:3])
    return float(hours * 3600 + minutes * 60 + seconds)


def _raw_cues(path: Path, lines: list[str], fmt: str, skipped: int) -> tuple[list[tuple[float, float, str]], list[str]]:
    if fmt == "youtube":
        return _parse_youtube(lines), []
    if fmt == "srt":
        prepared = prepare(path, lines, fmt, skipped)
        _check_stray(path, prepared)
        return _parse_srt(path, prepared), prepared.notes
    raw: list[tuple[float, float, str]] = []
    notes: list[str] = []
    base: float | None = None
    for start, segment in _segments(lines):
        prepared = prepare(path, segment, fmt, skipped + start)
        _check_stray(path, prepared)
        offset = _segment_offset(segment)
        base = offset if base is None else base
        shift = (offset - base) if offset is not None and base is not None else 0.0
        raw += [(a + shift, b + shift, text) for a, b, text in _parse_vtt(path, prepared)]
        notes += prepared.notes
    return raw, notes


def _check_stray(path: Path, prepared: Prepared) -> None:
    if prepared.stray_lines > max(prepared.cue_lines, 3):
        raise refuse(path, f"mostly text outside cues ({prepared.stray_lines} lines, {prepared.cue_lines} in cues)")


def read_subtitles(path: Path) -> Reading:
    """The cues of a subtitle file, in time order, speakers found and rolling repeats left out."""
    text = read_subtitle_text(path)
    raw, notes = _raw_cues(path, text.lines, text.format, text.skipped)
    raw.sort(key=lambda cue: cue[0])  # stable: cues that start together keep the file's order
    per_cue = [cue_lines(body) for _, _, body in raw]
    fmt = text.format
    if fmt == "vtt" and zoom_speakers(per_cue):
        fmt, per_cue = "zoom", [zoom_lines(lines) for lines in per_cue]
    repeats = 0
    if is_rolling(per_cue):
        per_cue, repeats = dedupe_rolling(per_cue)
    cues = [cue for (start, end, _), lines in zip(raw, per_cue, strict=True) for cue in _split(start, end, lines)]
    if not cues:
        raise refuse(path, f"{_FORMAT_NAMES[fmt]} without any words in its cues")
    return Reading(cues, fmt, text.encoding, text.guessed, repeats, notes)


def _split(start: float, end: float, lines: Sequence[Line]) -> list[Cue]:
    """One cue per speaker turn within a cue's lines."""
    cues: list[Cue] = []
    for line in lines:
        if cues and cues[-1].speaker == line.speaker:
            last = cues[-1]
            cues[-1] = Cue(last.start, last.end, f"{last.text} {line.text}", last.speaker)
        else:
            cues.append(Cue(start, max(end, start), line.text, line.speaker))
    return cues
