"""`labjournal import`: subtitles -> readable timestamped paragraphs -> a lecture note."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from pathlib import Path

import pytest

from labjournal.authoring.subtitles import read_subtitles
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

from .conftest import JournalDir

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
    path = import_transcript(LECTURE, root, TITLE, video=YOUTUBE).path
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
    path = import_transcript(srt, tmp_path / "notes", "Week 2", date=dt.date(2026, 1, 20)).path
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


# ---------------------------------------------------------------------------------------------------------
# The corpus: files as the real tools write them (tests/data/subtitles/), imported with the real CLI.

CORPUS = Path(__file__).parent / "data" / "subtitles"
STAMP_LINE = re.compile(
    r"^    (?:\[(?P<link_at>[\d:]+)\]\((?P<url>[^)]*)\)|\*\*\[(?P<at>[\d:]+)\]\*\*) "
    r"(?:\*\*(?P<speaker>.+?):\*\* )?(?P<text>.*)$"
)
SPEECH = {
    "teams.vtt": (
        "Good morning, everyone. Today we look at gradient descent & its step size. If the loss < 0.1 we stop. "
        "Does it always converge? Not always. It depends on the learning rate. Thanks.",
        ["Prof. Smith", "Alex Kim", "Prof. Smith", "Alex Kim"],
    ),
    "youtube-dl-auto.en.vtt": (
        "good morning everyone today we look at gradient descent and the step size if the loss is small we stop "
        "and that is the whole trick",
        [],
    ),
    "yt-dlp-auto.en.vtt": (
        "good morning everyone today we look at gradient descent and the the step size if the loss is small "
        "we stop we stop",
        [],
    ),
    "manual-youtube.en.srt": (
        "Welcome back to CS 441. Today: CNNs & pooling, then a short quiz. Note that 3 < 4 > 2 is not how you "
        "chain comparisons. See you on Thursday.",
        [],
    ),
    "voices-styles.vtt": (
        "Welcome to lecture seven. We cover attention and transformers, c'est la vie. Is this on the exam? "
        "Yes, it is. 漢 means Chinese character.",
        ["Dr. Lee", "Sam", "Dr. Lee"],
    ),
    "zoom.vtt": (
        "Okay, let's get started with the recap. Last week we covered backpropagation. Could you repeat the chain "
        "rule part? Sure. The gradient flows backwards, layer by layer.",
        ["Maria Garcia", "Tom O'Neil", "Maria Garcia"],
    ),
    "youtube-transcript.txt": (
        "good morning everyone and welcome today we look at gradient descent if the loss is small we stop "
        "and that is the whole trick thanks for watching",
        [],
    ),
    "hls-segments.vtt": (
        "First segment, first cue. First segment, second cue. Second segment starts ten seconds in. "
        "Third segment, twenty seconds in.",
        [],
    ),
    "ass-leftovers.srt": (
        "So if the loss < 0.1 we stop, and if x > 5 we clip. Hard spaces join words and lines. 2<3 and 5>1 hold.",
        [],
    ),
    "no-numbers.srt": (
        "No cue numbers here. And text on the timing line that goes on below it. A cue whose timing line was "
        "lost. Coordinates are not text. No milliseconds either.",
        [],
    ),
    "hours.vtt": ("Minutes and seconds only. An hour without a leading zero. Four-digit hours.", []),
    "cp1252.srt": (
        "Le café “préféré” du professeur… C’est l’été: déjà 25 °C à Zürich – naïve façade. "
        "Œuvres complètes, coûts réduits, ça va?",
        [],
    ),
    "cp949.srt": (
        "안녕하세요, 여러분. 오늘은 경사 하강법을 배웁니다. 학습률이 너무 크면 발산합니다. "
        "질문이 있으면 손을 들어 주세요.",
        [],
    ),
    "utf16le-bom.srt": ("UTF-16 from a Windows subtitle editor: naïve café. 日本語の字幕もあります。", []),
    "utf16be-nobom.srt": ("UTF-16 from a Windows subtitle editor: naïve café. 日本語の字幕もあります。", []),
}
ENCODINGS = {
    "cp1252.srt": "cp1252",
    "cp949.srt": "cp949",
    "utf16le-bom.srt": "utf-16",
    "utf16be-nobom.srt": "utf-16-be",
}


def seconds_of(stamp: str) -> int:
    total = 0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return total


def transcript_lines(note: str) -> list[re.Match[str]]:
    block = note[note.index('??? note "Transcript"') :]
    lines = [line for line in block.splitlines()[1:] if line.strip()]
    matches = [STAMP_LINE.match(line) for line in lines]
    assert all(matches), [line for line, match in zip(lines, matches, strict=True) if not match]
    return [match for match in matches if match]


def unescape(text: str) -> str:
    """What the reader sees of ``md_readable`` text."""
    return re.sub(r"\\(.)", r"\1", text).replace("&lt;", "<")


def test_the_corpus_covers_every_file() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_file()) == sorted(SPEECH)


@pytest.mark.parametrize("name", sorted(SPEECH))
def test_each_file_imports_with_every_word_once(
    name: str, journal: JournalDir, capsys: pytest.CaptureFixture[str]
) -> None:
    speech, speakers = SPEECH[name]
    video = "https://www.youtube.com/watch?v=lecture7"
    assert (
        journal.cli("import", str(CORPUS / name), "--title", "Lecture", "--date", "2026-03-02", "--video", video) == 0
    )
    out, err = capsys.readouterr()
    path = journal.root / out.strip()
    assert path.parent == journal.root / "notes" / "2026"
    assert f"read {name}: " in err and "a draft: remove 'draft: true'" in err
    if name in ENCODINGS:
        assert f" in {ENCODINGS[name]}" in err
    note = read_note(path, journal.root / "notes")
    assert note.meta.draft and note.meta.kind == "lecture"
    lines = transcript_lines(path.read_text(encoding="utf-8"))
    # every word of every cue, once, in order (rolling captions' repeats left out)
    assert [w for m in lines for w in unescape(m["text"]).split()] == speech.split()
    # a bold label at the start of each speaker's turn
    assert [unescape(m["speaker"]) for m in lines if m["speaker"]] == speakers
    stamps = [seconds_of(m["link_at"]) for m in lines]  # two voices of one cue share its second
    pairs = zip(itertools.pairwise(stamps), lines[1:], strict=False)
    assert all(a < b or (a == b and m["speaker"]) for (a, b), m in pairs)
    assert all(m["url"].endswith(f"t={seconds_of(m['link_at'])}s") for m in lines)


def test_timings_as_tools_write_them() -> None:
    starts = {name: [cue.start for cue in read_cues(CORPUS / name)] for name in ("teams.vtt", "hours.vtt")}
    assert starts["teams.vtt"] == [0.0, 3.57, 7.12, 9.0, 12.3, 62.5]  # 0:0:0.0, 0:1:2.50
    assert starts["hours.vtt"] == [62.5, 3598.0, 3723.0]  # 01:02.500, 59:58.000, 0001:02:03.000
    # HLS segments saved into one file: each shifted by its X-TIMESTAMP-MAP against the first one's
    assert [cue.start for cue in read_cues(CORPUS / "hls-segments.vtt")] == [1.0, 5.0, 11.0, 22.5]


def test_rolling_captions_say_how_much_they_left_out() -> None:
    reading = read_subtitles(CORPUS / "youtube-dl-auto.en.vtt")
    assert reading.repeats > 0 and len(reading.cues) == 8
    assert read_subtitles(CORPUS / "manual-youtube.en.srt").repeats == 0


def test_mended_cues_are_reported_with_their_line(journal: JournalDir, capsys: pytest.CaptureFixture[str]) -> None:
    assert journal.cli("import", str(CORPUS / "no-numbers.srt"), "--title", "Mended") == 0
    err = capsys.readouterr().err
    assert "no-numbers.srt: line 4: text after the cue timings kept as the cue's text" in err
    assert "no-numbers.srt: line 7: cue 3 has no timing line, its text joins the last" in err


BAD = {
    "prose.txt": "text without cue timings",
    "README.md": "README.md:5: a Markdown document that quotes subtitles in a code block",
    "slides.png": "binary data (a PNG image)",
    "empty.vtt": "an empty file",
    "captions.sbv": "captions.sbv:1: SubViewer (.sbv) captions",
    "malformed.vtt": "malformed.vtt:6: malformed cue timings '00:00:03.000 --> 00:61:04.000'",
    "undecodable.srt": "iconv -f CP1252 -t UTF-8 'undecodable.srt'",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_refused_in_one_line_naming_the_file(
    name: str, journal: JournalDir, capsys: pytest.CaptureFixture[str]
) -> None:
    before = journal.tree_digest()
    assert journal.cli("import", str(CORPUS / "bad" / name), "--title", "X") == 2
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert not out and len(lines) == 1, err
    assert str(CORPUS / "bad" / name) in lines[0] and BAD[name] in lines[0]
    if name != "malformed.vtt":
        assert "labjournal import reads WebVTT" in lines[0] or "convert it to UTF-8" in lines[0]
    assert journal.tree_digest() == before


def test_a_readme_quoting_subtitles_without_a_fence_is_refused(tmp_path: Path) -> None:
    readme = tmp_path / "notes.txt"
    prose = "\n".join(f"Line {i} of a long explanation of our caption format." for i in range(12))
    readme.write_text(f"{prose}\n\nWEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"notes\.txt:14: a document with 12 lines of text before its first cue"):
        read_cues(readme)


def test_a_5_mb_transcript_imports_into_a_readable_page(tmp_path: Path) -> None:
    """How long it takes is measured by ``bench/transcripts.py`` (README, Performance), not here."""
    from bench.transcripts import make_transcript

    transcript = tmp_path / "semester.vtt"
    cues = make_transcript(transcript, megabytes=5.0)
    assert cues > 86_000
    imported = import_transcript(transcript, tmp_path / "notes", "Semester")
    text = imported.path.read_text(encoding="utf-8")
    # readable: paragraphs of about half a minute, collapsed; the speech once (no copy outside the block)
    assert imported.paragraphs > 2000 and text.count('??? note "Transcript"') == 1
    assert text.index('??? note "Transcript"') > text.index("## Summary")


def test_the_search_index_holds_the_speech_once(journal: JournalDir) -> None:
    """Rolling captions say each word two or three times; the published page and its search entry say it once."""
    assert journal.cli("import", str(CORPUS / "youtube-dl-auto.en.vtt"), "--title", "Auto", "--date", "2026-03-02") == 0
    note = next((journal.root / "notes").rglob("*.md"))
    note.write_text(note.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    assert journal.cli("build", "--no-execute") == 0
    index = (journal.root / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert index.count("today we look at gradient") == 1 and index.count("and that is the whole trick") == 1


@pytest.mark.parametrize(
    ("name", "content", "texts"),
    [
        (  # a WebVTT cue without its timing line: its text is not lost (webvtt-py drops it)
            "lost-timing.vtt",
            "WEBVTT\n\n00:00:00.500 --> 00:00:07.000\nCaption one\n\nCaption two\n\n"
            "00:00:11.890 --> 00:00:16.320\nThree\n",
            ["Caption one Caption two", "Three"],
        ),
        (  # WebVTT timings without the WEBVTT line: read as subtitles all the same
            "no-header.vtt",
            "00:00:00.500 --> 00:00:07.000\nOne\n\n00:00:07.000 --> 00:00:11.890\nTwo\n",
            ["One", "Two"],
        ),
        (  # an SRT cue with blank lines for text must not swallow the next cue's timing line
            "blank-cue.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n00:00:03,000 --> 00:00:04,000\n\n\n"
            "3\n00:00:05,000 --> 00:00:06,000\nThree\n",
            ["One", "Three"],
        ),
        (  # mixed separators in one SRT timing line, as some editors write them
            "mixed.srt",
            "1\n00:00:07,000 --> 00:00:11.890\nMixed\n",
            ["Mixed"],
        ),
    ],
)
def test_what_public_test_files_showed(tmp_path: Path, name: str, content: str, texts: list[str]) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert [cue.text for cue in read_cues(path)] == texts
