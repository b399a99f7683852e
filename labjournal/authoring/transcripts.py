"""``labjournal import``: a lecture's subtitles or transcript -> a lecture note with a readable transcript.

Reading the file (encodings, formats, timings, markup, speakers, rolling captions) is ``subtitles``'s
job. Here cues are merged into paragraphs that end at a sentence end once they have some length, last
at most about a minute, and start again when the speaker changes. Each paragraph is led by its
timestamp, a link to that second of the video when there is one, and the first paragraph of a speaker's
turn by the speaker's name in bold. The transcript goes in a collapsed ``??? note "Transcript"`` block
(pymdownx.details) at the end of the lecture template, under the summary the author writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from labjournal.errors import UsageError
from labjournal.markup import md_readable

from .new import new_note
from .subtitles import Cue, Reading, read_subtitles

__all__ = ["Cue", "Imported", "Paragraph", "import_transcript", "paragraphs", "read_cues", "render_transcript"]

MIN_CHARS = 400
MAX_SECONDS = 60.0
_SENTENCE_END = re.compile(r"[.!?…。？！][\"'”’)\]]*$")
_YOUTUBE_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be")


@dataclass(frozen=True)
class Paragraph:
    """Consecutive cues merged into one paragraph; ``speaker`` is set on the first paragraph of a turn."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Imported:
    """The note ``import_transcript`` wrote and what it read."""

    path: Path
    reading: Reading
    paragraphs: int

    def summary(self) -> str:
        """What was read, in one line: ``SRT in cp949 (detected: not UTF-8), 412 cues, 2 speakers -> 37 paragraphs``."""
        reading = self.reading
        encoding = f"{reading.encoding} (detected: not UTF-8)" if reading.guessed else reading.encoding
        parts = [f"{reading.format_name} in {encoding}", _count(len(reading.cues), "cue")]
        if reading.speakers:
            parts.append(_count(len(reading.speakers), "speaker"))
        if reading.repeats:
            parts.append(f"{_count(reading.repeats, 'repeated word')} of rolling captions left out")
        return f"{', '.join(parts)} -> {_count(self.paragraphs, 'paragraph')}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def read_cues(path: Path) -> list[Cue]:
    """The cues of a subtitle file, in time order, without empty ones and rolling-caption repeats."""
    return read_subtitles(path).cues


def paragraphs(cues: Iterable[Cue], min_chars: int = MIN_CHARS, max_seconds: float = MAX_SECONDS) -> list[Paragraph]:
    """Merge cues into paragraphs: one ends at a sentence end once it has ``min_chars`` characters, and
    where another speaker starts (a cue without a speaker continues the turn).

    A paragraph that would run past ``max_seconds`` ends at its last sentence end (the cues after it open
    the next one), or at a cue boundary when it has no sentence end; cue boundaries are word boundaries.
    """
    turns: list[tuple[str | None, list[Cue]]] = []
    for cue in cues:
        if not turns or (cue.speaker is not None and cue.speaker != turns[-1][0]):
            turns.append((cue.speaker, []))
        turns[-1][1].append(cue)
    result: list[Paragraph] = []
    for speaker, turn in turns:
        paras = _turn_paragraphs(turn, min_chars, max_seconds)
        if paras and speaker:
            first = paras[0]
            paras[0] = Paragraph(first.start, first.end, first.text, speaker)
        result += paras
    return result


def _turn_paragraphs(cues: Iterable[Cue], min_chars: int, max_seconds: float) -> list[Paragraph]:
    result: list[Paragraph] = []
    current: list[Cue] = []
    length = 0

    def flush(count: int) -> None:
        nonlocal current, length
        chunk, current = current[:count], current[count:]
        length = sum(len(cue.text) + 1 for cue in current)
        if chunk:
            result.append(Paragraph(chunk[0].start, chunk[-1].end, " ".join(cue.text for cue in chunk)))

    for cue in cues:
        while current and cue.start - current[0].start > max_seconds:
            ends = [i for i, c in enumerate(current) if _SENTENCE_END.search(c.text)]
            flush(ends[-1] + 1 if ends else len(current))
        current.append(cue)
        length += len(cue.text) + 1
        if length > min_chars and _SENTENCE_END.search(cue.text):
            flush(len(current))
    flush(len(current))
    return result


def timestamp(seconds: float) -> str:
    """``754.2`` -> ``"12:34"``; an hour or more -> ``"1:02:03"``."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def check_video(video: str) -> str:
    """The video URL, stripped, or a UsageError when it is not an http(s) URL."""
    video = video.strip()
    parts = urlsplit(video)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--video {video!r}: not a web address; give it as https://...")
    return video


def video_link(video: str, seconds: float) -> str:
    """The video URL at ``seconds``: YouTube's ``t=754s`` (``start=`` for embeds), else ``#t=754``."""
    parts = urlsplit(video)
    host = (parts.hostname or "").lower()
    at = int(seconds)
    if any(host == name or host.endswith("." + name) for name in _YOUTUBE_HOSTS):
        embed = parts.path.startswith("/embed/")
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("t", "start")]
        query.append(("start", str(at)) if embed else ("t", f"{at}s"))
        url = urlunsplit(parts._replace(query=urlencode(query)))
    else:
        url = urlunsplit(parts._replace(fragment=f"t={at}"))
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def render_transcript(paras: Sequence[Paragraph], video: str | None = None, source: str | None = None) -> str:
    """The collapsed ``??? note "Transcript"`` block, one timestamped paragraph per line."""
    lines: list[str] = []
    if source:
        origin = source.replace("--", "-")
        lines += [f"<!-- Transcript produced by `labjournal import` from {origin}: re-import rather than edit. -->", ""]
    lines.append('??? note "Transcript"')
    for para in paras:
        at = timestamp(para.start)
        stamp = f"[{at}]({video_link(video, para.start)})" if video else f"**[{at}]**"
        label = f"**{md_readable(para.speaker)}:** " if para.speaker else ""
        lines += ["", f"    {stamp} {label}{md_readable(para.text)}"]
    return "\n".join(lines)


def _date_in_name(path: Path) -> dt.date | None:
    match = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1))
        except ValueError:
            return None
    return None


def import_transcript(
    path: Path,
    notes_root: Path,
    title: str,
    video: str | None = None,
    date: dt.date | None = None,
    *,
    tags: Iterable[str] = ("transcript",),
    series: str | None = None,
    templates_dir: Path | None = None,
) -> Imported:
    """Create a lecture note (a draft) from the subtitles at ``path``; return it with what was read.

    ``date`` defaults to an ISO date in the file name (``cs441-2023-02-16.vtt``), else today.
    """
    video = check_video(video) if video else None
    reading = read_subtitles(path)
    paras = paragraphs(reading.cues)
    block = render_transcript(paras, video=video, source=path.name)
    note = new_note(
        notes_root,
        kind="lecture",
        title=title,
        date=date or _date_in_name(path) or dt.date.today(),
        series=series,
        tags=tags,
        templates_dir=templates_dir,
        video=video,
        fields={"transcript": block},
    )
    return Imported(note, reading, len(paras))
