"""What a file handed to ``labjournal import`` holds: its text (in whatever encoding it was saved) and its format.

Text: a byte-order mark decides (UTF-8, UTF-16, UTF-32); UTF-16 without one is recognised by its zero bytes;
then UTF-8; then ``charset-normalizer`` detects a legacy encoding (CP1252, CP949, Shift JIS...), and the
import names what it detected. Format: WebVTT (a ``WEBVTT`` line; Teams, Zoom, YouTube and HLS files are
WebVTT), SRT (``-->`` timings without that line, cue numbers or not), or YouTube's "Show transcript" text
(``MM:SS`` lines followed by the words). Anything else is refused in one line naming the file, what it holds
and what is accepted.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from labjournal.errors import UsageError

ACCEPTED = (
    "labjournal import reads WebVTT (.vtt from YouTube, yt-dlp, Teams, Zoom, HLS), SRT (.srt) "
    "and YouTube's 'Show transcript' text (MM:SS lines, each followed by its words)"
)
MAX_PREAMBLE = 8  # lines a lecture-capture export may carry before its header (a page title, a byline)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.pptx)"),
    (b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"),
    (b"ID3", "an MP3 file"),
)
_COMMON = ("cp1252", "cp949", "euc_kr", "cp932", "shift_jis", "gb18030", "gbk", "big5", "cp1251", "latin_1")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SBV_TIMING = re.compile(r"^\d+:\d{2}:\d{2}\.\d{3},\d+:\d{2}:\d{2}\.\d{3}\s*$")
YOUTUBE_STAMP = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:\s+(.*))?$")


@dataclass(frozen=True)
class SubtitleText:
    """A subtitle file's lines, its encoding (``guessed`` when detected rather than certain) and its format."""

    lines: list[str]
    encoding: str
    guessed: bool
    format: str  # "vtt", "srt" or "youtube"
    skipped: int  # lines before the header or the first cue (a lecture-capture page's title)


def refuse(path: Path, found: str, where: int | None = None) -> UsageError:
    """The one-line refusal: the file (and line), what it holds, what is accepted."""
    at = f"{path}:{where}" if where else str(path)
    return UsageError(f"{at}: {found}, not subtitles labjournal can import; {ACCEPTED}")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte of the start is mostly zero (ASCII timings in UTF-16)."""
    head = data[:4096]
    if len(head) < 4 or len(data) % 2:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return "utf-16-le"
    if even > len(head) // 4 and odd == 0:
        return "utf-16-be"
    return None


def decode(path: Path, data: bytes) -> tuple[str, str, bool]:
    """The text of ``data``, its encoding, and whether the encoding was guessed (detected) rather than certain."""
    if not data.strip():
        raise refuse(path, "an empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.removesuffix("-sig"), False
            except UnicodeDecodeError:
                break
    wide = _utf16_without_bom(data)
    if wide:
        try:
            return data.decode(wide), wide, False
        except UnicodeDecodeError:
            pass
    kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
    if kind or b"\x00" in data[:65536]:
        raise refuse(path, f"binary data ({kind or 'it holds NUL bytes'})")
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    return _detect(path, data)


def _detect(path: Path, data: bytes) -> tuple[str, str, bool]:
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    best = results[0] if results else None
    if best is not None:  # a tie (same chaos and coherence) goes to the encoding subtitles are most often in
        tied = [m for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
        best = min(tied, key=lambda m: _COMMON.index(m.encoding) if m.encoding in _COMMON else len(_COMMON))
    if best is None:
        name = path.name
        raise UsageError(
            f"{path}: text in an encoding that could not be read (tried UTF-8, UTF-16 and UTF-32, then "
            f"charset-normalizer's detection of legacy encodings such as CP1252, CP949, Shift JIS and GB18030); "
            f"convert it to UTF-8, e.g. iconv -f CP1252 -t UTF-8 '{name}' > '{Path(name).stem}-utf8{path.suffix}' "
            f"(with the encoding it was saved in), then import that file"
        )
    return str(best), best.encoding, True


def split_lines(text: str) -> list[str]:
    """Lines as WebVTT and SRT break them (CR, LF, CRLF; not U+2028 or form feeds)."""
    lines = _LINE_BREAK.split(text)
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _no_timings(path: Path, lines: list[str]) -> SubtitleText | None:
    """A file without ``-->``: YouTube's transcript text (returned as such), SBV or prose (refused)."""
    for number, line in enumerate(lines, 1):
        if _SBV_TIMING.match(line):
            raise refuse(path, f"SubViewer (.sbv) captions (timings like {line.strip()!r})", number)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and first <= MAX_PREAMBLE and YOUTUBE_STAMP.match(lines[first]):
        return None
    if lines and lines[0].startswith("WEBVTT"):
        raise refuse(path, "a WebVTT file without any cue")
    raise refuse(path, "text without cue timings (no '00:00:01.000 --> 00:00:04.000' lines nor MM:SS lines)")


def classify(path: Path, lines: list[str]) -> tuple[str, int]:
    """The format of ``lines`` and the number of lines before its header or first cue, or a refusal."""
    for number, line in enumerate(lines, 1):
        if _FENCE.match(line):
            raise refuse(path, "a Markdown document that quotes subtitles in a code block", number)
    first_cue = next((i for i, line in enumerate(lines) if "-->" in line), None)
    if first_cue is None:
        _no_timings(path, lines)
        return "youtube", 0
    header = next((i for i in range(first_cue) if lines[i].startswith("WEBVTT")), None)
    if header is not None:
        start, fmt = header, "vtt"
    else:
        start = first_cue - 1 if first_cue and lines[first_cue - 1].strip().isdigit() else first_cue
        fmt = "srt"
    preamble = [line for line in lines[:start] if line.strip()]
    if len(preamble) > MAX_PREAMBLE:
        raise refuse(path, f"a document with {len(preamble)} lines of text before its first cue", start + 1)
    return fmt, start


def read_subtitle_text(path: Path) -> SubtitleText:
    """The file's lines from its header (or first cue) on, with its encoding and format, or a refusal."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise refuse(path, "a folder") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror}); check the path") from None
    text, encoding, guessed = decode(path, data)
    lines = split_lines(text.lstrip("\ufeff"))
    fmt, start = classify(path, lines)
    return SubtitleText(lines[start:], encoding, guessed, fmt, start)
