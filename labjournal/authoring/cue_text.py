"""The words of one cue: markup removed without eating text, speakers found, rolling repeats left out.

* Tags are the cue tags of WebVTT and the HTML of SRT (``<i>``, ``<c.colorE5E5E5>``, ``<font color=...>``,
  word timings ``<00:00:01.200>``): a ``<`` that opens none of them is text ("loss < 0.1", "2<3").
  Tags go first, then entities are decoded, so ``&lt;b&gt;`` stays as the text ``<b>``.
* SSA/ASS leftovers in SRT: override blocks (``{\\an8}``, ``{\\i1}``) removed, ``\\h`` (hard space) and
  ``\\N`` (line break) are spaces.
* Speakers: WebVTT voices ``<v Prof. Smith>`` (Teams writes one per cue) and Zoom's ``Name: text``.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TAG_NAMES = "c|i|b|u|s|v|lang|ruby|rt|font|span|br|em|strong|sub|sup|p|div"
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:[.\s/][^<>]*)?>|<\d+(?::\d+)+(?:[.,]\d+)?>", re.IGNORECASE)
_VOICE = re.compile(r"<v(?:\.[\w-]+)*[ \t]+([^<>]*?)\s*>", re.IGNORECASE)
_RUBY_TEXT = re.compile(r"<rt\b[^<>]*>.*?</rt>", re.IGNORECASE)  # a reading aid over the word, not a word
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
_ASS_SPACE = re.compile(r"\\[hN]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff"), " ")
_MARKS = re.compile("[<&\\\\{" + "".join(map(chr, _INVISIBLE)) + "]")
_ZOOM_SPEAKER = re.compile(r"^([^:<>\n]{1,60}?):\s+(?=\S)")


@dataclass(frozen=True)
class Line:
    """One line of a cue's text, cleaned, with the speaker named on it (or carried from before it in the cue)."""

    text: str
    speaker: str | None = None


def clean(text: str) -> str:
    """Text without tags, ASS overrides and entities, whitespace collapsed."""
    if not _MARKS.search(text):
        return " ".join(text.split())
    text = _ASS_OVERRIDE.sub("", _RUBY_TEXT.sub("", text))
    text = _ASS_SPACE.sub(" ", text)
    text = html.unescape(_TAG.sub("", text)).translate(_INVISIBLE)
    return " ".join(text.split())


def cue_lines(raw: str) -> list[Line]:
    """The lines of a cue's raw text, cleaned, each with its WebVTT voice (a voice lasts to the next one)."""
    lines: list[Line] = []
    speaker: str | None = None
    for raw_line in raw.split("\n"):
        parts = (
            _VOICE.split(raw_line) if "<v" in raw_line or "<V" in raw_line else [raw_line]
        )  # text, name, text, name, text...
        for index, part in enumerate(parts):
            if index % 2:
                speaker = " ".join(clean(part).split()) or speaker
                continue
            text = clean(part)
            if text:
                lines.append(Line(text, speaker))
    return lines


def zoom_speakers(cues: Sequence[Sequence[Line]]) -> bool:
    """Whether the cues are a Zoom transcript: nearly every cue starts with ``Name: `` and has no voice."""
    firsts = [lines[0] for lines in cues if lines]
    named = sum(1 for line in firsts if line.speaker is None and _ZOOM_SPEAKER.match(line.text))
    return bool(firsts) and named >= 0.8 * len(firsts)


def zoom_lines(lines: Sequence[Line]) -> list[Line]:
    """``Name: text`` lines as text spoken by Name; a line without a name continues its speaker."""
    result: list[Line] = []
    speaker = None
    for line in lines:
        match = _ZOOM_SPEAKER.match(line.text)
        if match:
            speaker = match.group(1).strip()
            line = Line(line.text[match.end() :], speaker)
        result.append(Line(line.text, speaker))
    return result


def is_rolling(cues: Sequence[Sequence[Line]]) -> bool:
    """Whether the captions roll (YouTube's automatic ones): a third or more of the cues open with a line of
    the cue before, or with the line it was growing. In ordinary subtitles a cue repeats the one before only
    when speech does."""
    repeats = 0
    for before, cue in itertools.pairwise(cues):
        if before and cue:
            shown = {line.text for line in before}
            repeats += cue[0].text in shown or cue[0].text.startswith(before[-1].text)
    return len(cues) > 2 and repeats * 3 >= len(cues)


def new_words(tail: Sequence[str], words: Sequence[str]) -> int:
    """How many of a rolling cue's first ``words`` are already on screen: the longest run of them that the
    ``tail`` of what was shown ends with (youtube-dl's three rolling lines and the lines they grow, yt-dlp's
    two, and the short cues that show the same lines again)."""
    if not words:
        return 0
    for start in range(max(0, len(tail) - len(words)), len(tail)):
        if tail[start] == words[0] and list(tail[start:]) == list(words[: len(tail) - start]):
            return len(tail) - start
    return 0


def dedupe_rolling(cues: Iterable[Sequence[Line]], keep: int = 80) -> tuple[list[list[Line]], int]:
    """Each cue's words that were not on screen yet (as one line), and how many repeated words were left out."""
    tail: list[str] = []
    result: list[list[Line]] = []
    dropped = 0
    for lines in cues:
        words = " ".join(line.text for line in lines).split()
        seen = new_words(tail, words)
        fresh = words[seen:]
        dropped += seen
        tail = (tail + fresh)[-keep:]
        speaker = lines[-1].speaker if lines else None
        result.append([Line(" ".join(fresh), speaker)] if fresh else [])
    return result, dropped
