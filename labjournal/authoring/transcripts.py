"""``labjournal import``: a lecture's subtitles (WebVTT or SRT) -> a lecture note with a readable transcript.

Cues are a few words each; :func:`paragraphs` merges them into paragraphs that end at a sentence end once
they have some length, and last at most about a minute. Each paragraph is led by its timestamp, a link to
that second of the video when there is one. The transcript goes in a collapsed ``??? note "Transcript"``
block (pymdownx.details) at the end of the lecture template, under the summary the author writes.

Files exported by lecture-capture tools often carry lines before the ``WEBVTT`` header; they are skipped,
and errors still name the line of the original file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from labjournal.errors import UsageError
from labjournal.markup import md_readable

from .new import new_note

MIN_CHARS = 400
MAX_SECONDS = 60.0
_TIME = r"(?:(\d+):)?([0-5]?\d):([0-5]\d)[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s|$)")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_YOUTUBE_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be")
_NOT_SUBTITLES = "not WebVTT or SRT subtitles"
_FIX = "export the captions as .vtt or .srt (cues like '00:01:02.500 --> 00:01:04.000')"


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: start and end in seconds, text with whitespace collapsed."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Consecutive cues merged into one paragraph of the transcript."""

    start: float
    end: float
    text: str


def _seconds(timestamp: webvtt.models.Timestamp) -> float:
    hours, minutes, seconds, millis = timestamp.to_tuple()
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _subtitle_lines(path: Path) -> tuple[list[str], int, str]:
    """The file's lines from its header on, the number of lines skipped before it, and the format."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text, so {_NOT_SUBTITLES}; {_FIX}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    first_cue = next((i for i, line in enumerate(lines) if "-->" in line), None)
    if first_cue is None:
        raise UsageError(f"{path}: {_NOT_SUBTITLES}: it has no cue timings; {_FIX}")
    header = next((i for i in range(first_cue) if lines[i].startswith("WEBVTT")), None)
    if header is not None:
        start, fmt = header, "vtt"
    elif first_cue > 0 and lines[first_cue - 1].strip().isdigit():
        start, fmt = first_cue - 1, "srt"
    else:
        raise UsageError(
            f"{path}:{first_cue + 1}: {_NOT_SUBTITLES}: a WebVTT file starts with a 'WEBVTT' line, "
            f"an SRT cue with its number on the line before the timings; {_FIX}"
        )
    for number, line in enumerate(lines[start:], start + 1):
        if "-->" in line and not _TIMING.match(line):
            raise UsageError(f"{path}:{number}: malformed cue timings {line.strip()!r}; {_FIX}")
    return lines[start:], start, fmt


def read_cues(path: Path) -> list[Cue]:
    """The cues of a WebVTT or SRT file, in order, without empty ones and rolling-caption repeats."""
    lines, skipped, fmt = _subtitle_lines(path)
    try:
        captions = webvtt.from_buffer(io.StringIO("\n".join(lines)), format=fmt).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        where = f"{path}:{skipped + 1}" if skipped else str(path)
        raise UsageError(f"{where}: {_NOT_SUBTITLES} ({exc}); {_FIX}") from None
    cues: list[Cue] = []
    previous_last = ""
    for caption in captions:
        caption_lines = [" ".join(line.split()) for line in caption.text.split("\n")]
        caption_lines = [line for line in caption_lines if line]
        start, end = _seconds(caption.start_time), _seconds(caption.end_time)
        # Rolling captions (YouTube's automatic ones) repeat the previous cue's last line as their first
        # line, or flash it alone for a few milliseconds; a speaker repeating words is one line a cue.
        if caption_lines and caption_lines[0] == previous_last and (len(caption_lines) > 1 or end - start < 0.05):
            caption_lines = caption_lines[1:]
        if not caption_lines:
            continue
        previous_last = caption_lines[-1]
        cues.append(Cue(start, end, " ".join(caption_lines)))
    if not cues:
        raise UsageError(f"{path}: the subtitles have no cues with text; {_FIX}")
    return cues


def paragraphs(cues: Iterable[Cue], min_chars: int = MIN_CHARS, max_seconds: float = MAX_SECONDS) -> list[Paragraph]:
    """Merge cues into paragraphs: one ends at a sentence end once it has ``min_chars`` characters.

    A paragraph that would run past ``max_seconds`` ends at its last sentence end (the cues after it open
    the next one), or at a cue boundary when it has no sentence end; cue boundaries are word boundaries.
    """
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
        lines += ["", f"    {stamp} {md_readable(para.text)}"]
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
) -> Path:
    """Create a lecture note from the subtitles at ``path``; return the note's path.

    ``date`` defaults to an ISO date in the file name (``cs441-2023-02-16.vtt``), else today.
    """
    video = check_video(video) if video else None
    cues = read_cues(path)
    block = render_transcript(paragraphs(cues), video=video, source=path.name)
    return new_note(
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
