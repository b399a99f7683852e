"""Links from one note to another by the path of its source file resolve to that note's page."""

from __future__ import annotations

import pytest

from .conftest import JournalDir, note_text

pytestmark = pytest.mark.site

TARGET = note_text("Target", "2026-09-02", "## Results\n\nThe target note.\n")
SOURCE = note_text(
    "Source",
    "2026-09-03",
    """
    See [yesterday](2026-09-02-target.md), [its results](2026-09-02-target.md#results),
    [the lesson](../2024/2024-01-20-lesson.md) and [from the notes folder](2024/2024-01-20-lesson.md "title").

    [by reference]: 2026-09-02-target.md

    Also [by reference].

    ```text
    [inside a code block](nowhere.md) stays as written
    ```
    """,
)


def test_links_by_source_path_reach_the_right_pages(journal: JournalDir) -> None:
    journal.write("2026/2026-09-02-target.md", TARGET)
    journal.write("2024/2024-01-20-lesson.md", note_text("Lesson", "2024-01-20", "A lesson.\n"))
    journal.write("2026/2026-09-03-source.md", SOURCE)
    assert journal.cli("build", "--no-execute", "--strict") == 0
    html = journal.page("2026/2026-09-03-source")
    page = html[html.index("<article") : html.index("</article>")]
    assert 'href="../2026-09-02-target/"' in page and 'href="../2026-09-02-target/#results"' in page
    assert page.count('href="../../2024/2024-01-20-lesson/"') == 2
    assert page.count('href="../2026-09-02-target/"') == 2  # the inline link and the reference
    assert "[inside a code block](nowhere.md)" in page


def test_a_broken_link_fails_strict_naming_the_note_file_and_line(journal: JournalDir, capsys) -> None:
    journal.write("2026/2026-09-03-source.md", note_text("Source", "2026-09-03", "See [gone](2026-09-01-gone.md).\n"))
    assert journal.cli("build", "--no-execute") == 0  # a warning: the site is still built
    capsys.readouterr()
    assert journal.cli("build", "--no-execute", "--strict") != 0
    err = capsys.readouterr().err
    assert "2026-09-03-source.md:6: the link '2026-09-01-gone.md' matches no published note" in err, err
