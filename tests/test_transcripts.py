"""`labjournal import`: subtitles -> readable timestamped paragraphs -> a lecture note."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from pathlib import Path

import pytest

from labjournal.authoring.transcripts import (
    Cue,
    import_transcript,
    paragraphs,
    read_cues,
    render_transcript,
    timestamp,
    video_link,
)
from labjournal.errors import UsageError
from labjournal.notes import read_note

# A real lecture-capture export (CS 441, 16 February 2023): three lines before the WEBVTT header, a NOTE,
# no blank lines between cues, 1,985 cues of which 14 have no text.
LECTURE = Path(__file__).parent / "data" / "cs441-2023-02-16.vtt"
TITLE = "CS 441 Lecture: MLPs, optimizers and residual networks"
YOUTUBE = "https://www.youtube.com/watch?v=abc123XYZ&t=5s"

SRT = """1
00:00:01,000 --> 00:00:03,500
Welcome to <i>the</i> lecture
on backprop.

2
00:00:04,000 --> 00:00:06,000
Gradients flow   backwards.

3
00:01:10,000 --> 00:01:12,000
Questions?
"""


@pytest.fixture(scope="module")
def cues() -> list[Cue]:
    return read_cues(LECTURE)


def words(text: str) -> list[str]:
    return text.split()


def test_reads_every_cue_of_the_real_lecture_despite_the_leading_lines(cues: list[Cue]) -> None:
    assert len(cues) == 1985 - 14
    assert (cues[0].start, cues[0].text) == (122.64, "Good morning, everybody.")
    assert cues[-1].text == "Have a good weekend."
    # the speaker repeats a cue's words in the next cue (01:12:42-01:12:46): kept, speech is not a rolling caption
    assert sum(c.text == "layer and transform it with the next" for c in cues) == 2


def test_paragraphs_read_well(cues: list[Cue]) -> None:
    paras = paragraphs(cues)
    assert 70 <= len(paras) <= 200  # 73 minutes: about half a minute each
    starts = [p.start for p in paras]
    assert all(a < b for a, b in itertools.pairwise(starts))
    assert all(p.end - p.start <= 75 for p in paras)  # at most about a minute
    assert all(re.search(r"[.!?]$", p.text) for p in paras)  # this lecture always reaches a sentence end
    assert all(p.text == " ".join(p.text.split()) for p in paras)  # whitespace collapsed
    # nothing lost, nothing split inside a word: the paragraphs' words are the cues' words, in order
    assert [w for p in paras for w in words(p.text)] == [w for c in cues for w in words(c.text)]


def test_a_paragraph_past_a_minute_ends_at_its_last_sentence_end() -> None:
    cues = [Cue(0, 5, "One thought."), Cue(20, 25, "And then"), Cue(50, 55, "more and"), Cue(70, 72, "more.")]
    paras = paragraphs(cues, min_chars=1000)
    assert [(p.start, p.text) for p in paras] == [(0, "One thought."), (20, "And then more and more.")]
    no_end = [Cue(0, 5, "and so"), Cue(30, 35, "on and"), Cue(65, 70, "on")]
    assert [p.text for p in paragraphs(no_end, min_chars=1000)] == ["and so on and", "on"]


def test_links_carry_the_second_of_their_paragraph(cues: list[Cue]) -> None:
    text = render_transcript(paragraphs(cues), video=YOUTUBE)
    # the cue "So the first part is and I'll take" starts at 00:11:27.850 and opens a paragraph
    assert "    [11:27](https://www.youtube.com/watch?v=abc123XYZ&t=687s) So the first part is and I'll take" in text
    assert text.count("&t=") == len(paragraphs(cues)) and "t=5s" not in text
    assert "[1:15:43](https://www.youtube.com/watch?v=abc123XYZ&t=4543s) So thank you." in text


def test_without_a_video_timestamps_are_bold() -> None:
    text = render_transcript(paragraphs(read_cues(LECTURE)))
    assert "    **[02:02]** Good morning, everybody." in text
    assert "](" not in text


@pytest.mark.parametrize(
    ("video", "link"),
    [
        ("https://www.youtube.com/watch?v=abc&t=30s", "https://www.youtube.com/watch?v=abc&t=754s"),
        ("https://youtu.be/abc", "https://youtu.be/abc?t=754s"),
        ("https://www.youtube.com/embed/abc", "https://www.youtube.com/embed/abc?start=754"),
        ("https://media.example.edu/cs441/lecture 11.mp4", "https://media.example.edu/cs441/lecture%2011.mp4#t=754"),
        ("https://example.org/v.mp4#t=3", "https://example.org/v.mp4#t=754"),
    ],
)
def test_video_link(video: str, link: str) -> None:
    assert video_link(video, 754.9) == link


def test_timestamp() -> None:
    assert (timestamp(0), timestamp(754.9), timestamp(3723)) == ("00:00", "12:34", "1:02:03")


def test_import_makes_a_lecture_note_in_under_a_second(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    started = time.perf_counter()
    path = import_transcript(LECTURE, root, TITLE, video=YOUTUBE)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"import took {elapsed:.2f} s"
    assert path == root / "2023" / "2023-02-16-cs-441-lecture-mlps-optimizers-and-residual-networks.md"
    note = read_note(path, root)
    assert (note.meta.kind, note.meta.title, note.meta.video) == ("lecture", TITLE, YOUTUBE)
    assert note.meta.date == dt.date(2023, 2, 16) and note.meta.tags == ("transcript",)
    text = path.read_text(encoding="utf-8")
    assert text.index("## Summary") < text.index("labjournal import") < text.index('??? note "Transcript"')
    # the collapsed block is one Markdown cell (Jupytext splits cells at two blank lines)
    cell = next(c for c in note.notebook.cells if '??? note "Transcript"' in c.source)
    assert cell.source.rstrip().endswith("So thank you. Have a good weekend.")


def test_srt_files_work(tmp_path: Path) -> None:
    srt = tmp_path / "week2.srt"
    srt.write_text(SRT, encoding="utf-8")
    cues = read_cues(srt)
    assert [c.text for c in cues] == ["Welcome to the lecture on backprop.", "Gradients flow backwards.", "Questions?"]
    path = import_transcript(srt, tmp_path / "notes", "Week 2", date=dt.date(2026, 1, 20))
    text = path.read_text(encoding="utf-8")
    assert "    **[00:01]** Welcome to the lecture on backprop. Gradients flow backwards." in text
    assert "    **[01:10]** Questions?" in text
    assert read_note(path, tmp_path / "notes").meta.date == dt.date(2026, 1, 20)


def test_rolling_captions_are_not_repeated(tmp_path: Path) -> None:
    vtt = tmp_path / "auto.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nwe start with\n\n"
        "00:00:02.000 --> 00:00:02.010\nwe start with\n\n"
        "00:00:02.010 --> 00:00:04.000\nwe start with\nthe chain rule.\n",
        encoding="utf-8",
    )
    assert [c.text for c in read_cues(vtt)] == ["we start with", "the chain rule."]


def test_markdown_in_speech_is_shown_literally() -> None:
    text = render_transcript([paragraphs([Cue(1, 2, "x_1 * w_1 [sic] <b>bold</b> `code` $5 or $10")])[0]])
    assert r"x\_1 \* w\_1 \[sic\] &lt;b>bold&lt;/b> \`code\` \$5 or \$10" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# Lecture notes\n\nNo cues here.\n", r"notes\.md: not WebVTT or SRT subtitles: it has no cue timings"),
        ("Intro\n00:00:01.000 --> 00:00:02.000\nHi\n", r"notes\.md:2: not WebVTT or SRT subtitles"),
        ("junk\njunk\nWEBVTT\n\n00:00:01.000 --> 00:61:02.000\nHi\n", r"notes\.md:5: malformed cue timings"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", r"notes\.md: the subtitles have no cues with text"),
    ],
)
def test_files_that_are_not_subtitles_are_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "notes.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        import_transcript(path, tmp_path / "notes", "X")
    assert not (tmp_path / "notes").exists()


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "slides.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(UsageError, match=r"slides\.png: not UTF-8 text, so not WebVTT or SRT subtitles"):
        read_cues(path)


def test_a_video_that_is_not_a_web_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--video 'lecture\.mp4': not a web address"):
        import_transcript(LECTURE, tmp_path / "notes", TITLE, video="lecture.mp4")
