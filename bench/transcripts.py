"""``labjournal import`` of a long transcript: a 5 MB WebVTT file of about 86,000 cues.

The file is generated: a 35-hour recording (a semester's lectures in one file) of short cues, a few
words each as lecture-capture tools cut them, a voice tag where the speaker changes (about one cue in
100), sentences of words from a fixed vocabulary. Each sample imports it into a fresh journal in this
process (reading, paragraphs, the note written and read back), as ``labjournal import`` does; the best
of ``--repeat`` samples is the figure in the README. The note's size and paragraphs say whether the
page stays readable.

    python -m bench.transcripts                  # 5 MB, best of 3
    python -m bench.transcripts --megabytes 1 --repeat 1
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

_SENTENCE = (
    "the gradient of the loss flows back through each layer so we update weights with a small step and "
    "check the validation error before we stop training because a large learning rate makes it diverge"
)
WORDS = tuple(_SENTENCE.split(" "))
SPEAKERS = ("Prof. Smith", "Alex Kim", "Dana Lee")


def _stamp(millis: int) -> str:
    seconds, ms = divmod(millis, 1000)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    return f"{hours:02d}:{mins:02d}:{secs:02d}.{ms:03d}"


def make_transcript(path: Path, megabytes: float = 5.0, seed: int = 0) -> int:
    """Write a WebVTT transcript of about ``megabytes`` MB to ``path``; return its number of cues."""
    rng = random.Random(seed)
    parts = ["WEBVTT", ""]
    size, cues, at, speaker = 8, 0, 0, ""
    while size < megabytes * 1_000_000:
        voice = ""
        if rng.random() < 0.01 or not cues:  # a new speaker's turn: a voice tag, as Teams and Zoom write them
            speaker = rng.choice([name for name in SPEAKERS if name != speaker])
            voice = f"<v {speaker}>"
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 6)))
        text = f"{voice}{words}{'.' if rng.random() < 0.2 else ''}"
        duration = rng.randint(800, 1600)
        block = f"{_stamp(at)} --> {_stamp(at + duration)}\n{text}\n"
        parts.append(block)
        size += len(block) + 1
        cues += 1
        at += duration
    path.write_text("\n".join(parts), encoding="utf-8")
    return cues


def import_once(transcript: Path) -> tuple[float, int, int]:
    """Seconds to import ``transcript`` into a new journal, the note's size in bytes, and its paragraphs."""
    from labjournal.authoring import import_transcript

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        imported = import_transcript(transcript, Path(tmp) / "notes", "A long lecture")
        elapsed = time.perf_counter() - started
        return elapsed, imported.path.stat().st_size, imported.paragraphs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        transcript = Path(tmp) / "long-lecture.vtt"
        cues = make_transcript(transcript, args.megabytes)
        size = transcript.stat().st_size
        samples = [import_once(transcript) for _ in range(args.repeat)]
    seconds = [elapsed for elapsed, _, _ in samples]
    _, note_size, paras = samples[0]
    print(f"transcript: {size / 1e6:.1f} MB, {cues:,} cues")
    print(f"import: best {min(seconds):.2f} s of {', '.join(f'{s:.2f}' for s in seconds)}")
    print(f"note: {note_size / 1e6:.1f} MB, {paras:,} paragraphs")


if __name__ == "__main__":
    main()
