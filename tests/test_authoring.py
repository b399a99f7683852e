"""`labjournal new`: Day numbers, file names, templates, and the notes it writes."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from labjournal.authoring.new import new_note, parse_date, slugify
from labjournal.errors import UsageError
from labjournal.notes import KINDS, read_note
from labjournal.notes.params import declared

from .conftest import REPO, JournalDir

D = dt.date


def write_note(root: Path, name: str, on: dt.date, day: int | None = None, title: str = "Existing") -> Path:
    path = root / f"{on.year}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    day_line = "" if day is None else f"day: {day}\n"
    path.write_text(f"---\ntitle: {title}\ndate: {on.isoformat()}\n{day_line}---\n\nText.\n", encoding="utf-8")
    return path


def day_of(path: Path, root: Path) -> int | None:
    return read_note(path, root).meta.day


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "notes"


def test_empty_journal_starts_at_day_1_and_names_the_file_after_it(root: Path) -> None:
    path = new_note(root, date=D(2026, 3, 2))
    assert path == root / "2026" / "2026-03-02-day-1.md"
    note = read_note(path, root)
    assert (note.meta.day, note.meta.kind, note.meta.date) == (1, "daily", D(2026, 3, 2))
    assert note.meta.title == "Monday 2 March 2026"
    assert note.display_title == "Day 1: Monday 2 March 2026"


def test_notes_without_day_numbers_do_not_count(root: Path) -> None:
    write_note(root, "2026-01-01-loose.md", D(2026, 1, 1))
    assert day_of(new_note(root, date=D(2026, 1, 2)), root) == 1


def test_next_day_is_highest_plus_one_and_gaps_stay(root: Path) -> None:
    write_note(root, "2026-01-01-a.md", D(2026, 1, 1), day=1)
    write_note(root, "2026-01-10-b.md", D(2026, 1, 10), day=5)
    assert day_of(new_note(root, date=D(2026, 1, 12)), root) == 6


def test_same_date_shares_the_day_number_and_gets_its_own_file(root: Path) -> None:
    first = write_note(root, "2026-01-10-day-5.md", D(2026, 1, 10), day=5)
    before = first.read_text(encoding="utf-8")
    second = new_note(root, date=D(2026, 1, 10))
    meeting = new_note(root, kind="meeting", date=D(2026, 1, 10))
    assert second.name == "2026-01-10-day-5-2.md"
    assert meeting.name == "2026-01-10-meeting.md"
    assert day_of(second, root) == day_of(meeting, root) == 5
    assert first.read_text(encoding="utf-8") == before


def test_past_date_in_a_gap_gets_the_number_that_fits(root: Path) -> None:
    write_note(root, "2026-01-01-a.md", D(2026, 1, 1), day=1)
    write_note(root, "2026-01-10-b.md", D(2026, 1, 10), day=5)
    assert day_of(new_note(root, title="Catching up", date=D(2026, 1, 5)), root) == 2
    assert day_of(new_note(root, title="Catching up more", date=D(2026, 1, 6)), root) == 3


def test_past_date_where_no_number_fits_gets_none_and_a_warning(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_note(root, "2026-03-01-a.md", D(2026, 3, 1), day=1)
    write_note(root, "2026-03-02-b.md", D(2026, 3, 2), day=2)
    with caplog.at_level(logging.WARNING, logger="labjournal.authoring"):
        path = new_note(root, kind="lecture", title="Old lecture", date=D(2026, 2, 1))
    assert day_of(path, root) is None
    assert "\nday:" not in path.read_text(encoding="utf-8")
    assert "no Day number fits 2026-02-01 before Day 1" in caplog.text


def test_before_the_first_numbered_entry_no_number_is_guessed(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_note(root, "2024-05-11-day-131.md", D(2024, 5, 11), day=131)
    with caplog.at_level(logging.WARNING, logger="labjournal.authoring"):
        path = new_note(root, kind="lecture", title="Old lecture", date=D(2023, 2, 16))
    assert day_of(path, root) is None
    assert "no Day number fits 2023-02-16 before Day 131" in caplog.text


def test_a_broken_note_elsewhere_is_skipped_with_a_warning(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_note(root, "2026-01-01-a.md", D(2026, 1, 1), day=3)
    broken = root / "2026" / "2026-01-02-broken.md"
    broken.write_text("no front matter here\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="labjournal.authoring"):
        path = new_note(root, date=D(2026, 1, 3))
    assert day_of(path, root) == 4
    assert str(broken) in caplog.text and "skipped" in caplog.text


def test_same_title_twice_gets_a_suffix_never_overwrites(root: Path) -> None:
    first = new_note(root, kind="note", title="Reading: attention", date=D(2026, 4, 1))
    first.write_text(first.read_text(encoding="utf-8") + "\nMy words.\n", encoding="utf-8")
    second = new_note(root, kind="note", title="Reading: attention", date=D(2026, 4, 1))
    assert (first.name, second.name) == ("2026-04-01-reading-attention.md", "2026-04-01-reading-attention-2.md")
    assert "My words." in first.read_text(encoding="utf-8")


def test_a_note_with_the_same_stem_in_another_format_is_not_shadowed(root: Path) -> None:
    (root / "2026").mkdir(parents=True)
    (root / "2026" / "2026-04-01-probe.py").write_text("# %%\n", encoding="utf-8")
    assert new_note(root, kind="note", title="Probe", date=D(2026, 4, 1)).name == "2026-04-01-probe-2.md"


def test_new_refuses_to_overwrite_a_chosen_name(root: Path) -> None:
    existing = new_note(root, kind="note", title="Plan", date=D(2026, 4, 1), slug="plan")
    before = existing.read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="already exists: choose another --slug") as err:
        new_note(root, kind="note", title="Other plan", date=D(2026, 4, 1), slug="plan")
    assert str(existing) in str(err.value)
    assert existing.read_text(encoding="utf-8") == before


def test_korean_titles_give_stable_unique_slugs(root: Path) -> None:
    first = new_note(root, kind="meeting", title="주간 회의: 모델 평가", date=D(2026, 5, 4))
    second = new_note(root, kind="meeting", title="주간 회의: 모델 평가", date=D(2026, 5, 4))
    assert first.name == "2026-05-04-주간-회의-모델-평가.md"
    assert second.name == "2026-05-04-주간-회의-모델-평가-2.md"
    assert read_note(first, root).meta.title == "주간 회의: 모델 평가"
    assert new_note(root, kind="meeting", title="!!! ???", date=D(2026, 5, 4)).name == "2026-05-04-meeting.md"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Café: über CNNs", "cafe-uber-cnns"),
        ("CS 441 강의 — backprop", "cs-441-강의-backprop"),
        ("Straße ﬁne-tuning", "strasse-fine-tuning"),
        ("  --  ", "fallback"),
        ("word " * 30, "-".join(["word"] * 12)),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title, "fallback") == slug


def test_front_matter_values_are_quoted_when_yaml_would_change_them(root: Path) -> None:
    path = new_note(
        root, kind="note", title="yes", date=D(2026, 6, 1), series="CS 441: spring", tags=["a, b", "pytorch", "2026"]
    )
    meta = read_note(path, root).meta
    assert (meta.title, meta.series, meta.tags) == ("yes", "CS 441: spring", ("a, b", "pytorch", "2026"))


def test_daily_template_has_summary_and_a_parameters_cell(root: Path) -> None:
    note = read_note(new_note(root, date=D(2026, 3, 2), tags=["pytorch"]), root)
    assert declared(note) == {"device": '"cpu"', "seed": "0"}
    assert note.meta.device == "cpu" and note.meta.tags == ("pytorch",)
    assert "## Summary" in note.text and "## Notes" in note.text


def test_meeting_and_lecture_templates_have_their_sections(root: Path) -> None:
    meeting = new_note(root, kind="meeting", title="Sync", date=D(2026, 3, 2)).read_text(encoding="utf-8")
    for heading in ("Attendees", "## Agenda", "## Decisions", "## Next steps"):
        assert heading in meeting
    lecture = new_note(root, kind="lecture", title="L1", date=D(2026, 3, 2), video="https://example.org/l1.mp4")
    text = lecture.read_text(encoding="utf-8")
    for part in ("Source:", "Video: <https://example.org/l1.mp4>", "## Summary", "## Timestamps", "## Questions"):
        assert part in text
    assert read_note(lecture, root).meta.video == "https://example.org/l1.mp4"


def test_lines_about_missing_values_are_dropped_without_splitting_cells(root: Path) -> None:
    text = new_note(root, kind="lecture", title="L2", date=D(2026, 3, 2)).read_text(encoding="utf-8")
    assert "video:" not in text and "Video:" not in text and "series:" not in text
    assert "\n\n\n" not in text and "{{" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_gives_a_valid_note(root: Path, kind: str) -> None:
    note = read_note(new_note(root, kind=kind, date=D(2026, 3, 2)), root)
    assert note.meta.kind == kind and note.meta.day == 1


def test_the_journal_template_wins_over_the_shipped_one(root: Path) -> None:
    (root / "_templates").mkdir(parents=True)
    (root / "_templates" / "note.md").write_text(
        "---\ntitle: {{ title }}\ndate: {{ date }}\nkind: note\n---\n\nMy own layout for {{ title }}.\n",
        encoding="utf-8",
    )
    text = new_note(root, kind="note", title="Custom", date=D(2026, 3, 2)).read_text(encoding="utf-8")
    assert text.endswith("My own layout for Custom.\n")


def test_an_unknown_placeholder_names_the_template_line(root: Path) -> None:
    (root / "_templates").mkdir(parents=True)
    template = root / "_templates" / "note.md"
    template.write_text("---\ntitle: {{ title }}\ndate: {{ date }}\n---\n\n{{ titel }}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"note\.md:6: unknown placeholder '\{\{ titel \}\}'"):
        new_note(root, kind="note", title="X", date=D(2026, 3, 2))


def test_a_template_that_gives_an_invalid_note_leaves_no_file(root: Path) -> None:
    (root / "_templates").mkdir(parents=True)
    (root / "_templates" / "note.md").write_text("---\ndate: {{ date }}\n---\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"the template gives an invalid note.*title"):
        new_note(root, kind="note", title="X", date=D(2026, 3, 2))
    assert not list((root / "2026").glob("*.md"))


def test_bad_input_is_refused_with_the_fix(root: Path) -> None:
    with pytest.raises(UsageError, match="choose one of daily, lecture, meeting, note"):
        new_note(root, kind="diary")
    with pytest.raises(UsageError, match="--title is empty"):
        new_note(root, title="  ")
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        parse_date("2026/03/02")
    assert parse_date("2026-03-02") == D(2026, 3, 2)


def test_new_entries_are_drafts_until_the_author_says_otherwise(root: Path) -> None:
    path = new_note(root, kind="note", title="Plan", date=D(2026, 4, 1))
    assert read_note(path, root).meta.draft
    (root / "_templates").mkdir()
    (root / "_templates" / "note.md").write_text(
        "---\ntitle: {{ title }}\ndate: {{ date }}\ndraft: false\n---\n\nPublished at once.\n", encoding="utf-8"
    )
    assert not read_note(new_note(root, kind="note", title="Now", date=D(2026, 4, 1)), root).meta.draft


def test_new_says_the_entry_is_a_draft(journal: JournalDir, capsys: pytest.CaptureFixture[str]) -> None:
    assert journal.cli("new", "--kind", "note", "--title", "Reading", "--date", "2026-04-01") == 0
    out, err = capsys.readouterr()
    assert out.strip() == "notes/2026/2026-04-01-reading.md"
    assert "a draft: remove 'draft: true' from its front matter to publish it" in err
    assert "draft: true" in (journal.root / out.strip()).read_text(encoding="utf-8")


def test_one_day_rule_for_new_import_and_the_warning(
    journal: JournalDir, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two imports on one date share its Day number, the next date gets the next one, and no command warns;
    a Day number on two dates (a copied header) is what the warning names."""
    lecture = str(REPO / "tests" / "data" / "subtitles" / "zoom.vtt")
    for title in ("Morning lecture", "Afternoon lecture"):
        assert journal.cli("import", lecture, "--title", title, "--date", "2026-05-04") == 0
    assert journal.cli("new", "--date", "2026-05-05") == 0
    notes = journal.root / "notes"
    days = {p.name: read_note(p, notes).meta.day for p in sorted((notes / "2026").iterdir())}
    assert days == {
        "2026-05-04-afternoon-lecture.md": 1,
        "2026-05-04-morning-lecture.md": 1,
        "2026-05-05-day-2.md": 2,
    }
    with caplog.at_level(logging.WARNING):
        assert journal.cli("status") == 0
    assert not [r for r in caplog.records if "Day" in r.getMessage()]
    copied = journal.write("2026/2026-05-06-copied.md", "---\ntitle: Copied\ndate: 2026-05-06\nday: 2\n---\n\nText.\n")
    with caplog.at_level(logging.WARNING):
        assert journal.cli("status") == 0
    (warning,) = [r.getMessage() for r in caplog.records if "Day 2" in r.getMessage()]
    assert str(copied) in warning and "2026-05-05-day-2.md" in warning and "one Day number per date" in warning
