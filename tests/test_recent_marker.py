"""``<!-- labjournal:recent -->`` on a line of its own lists the newest entries; mentioned in code, it stays."""

from __future__ import annotations

import pytest

from .conftest import JournalDir, note_text

pytestmark = pytest.mark.site

GUIDE = """# Guide

Put `<!-- labjournal:recent -->` in any page to list the newest entries.

```markdown
<!-- labjournal:recent -->
```

<!-- labjournal:recent -->
"""


def test_the_marker_is_replaced_only_where_it_stands_as_a_block(journal: JournalDir) -> None:
    journal.write("a.md", note_text("Newest entry", "2026-05-01", "Words.\n"))
    (journal.root / "docs" / "guide.md").write_text(GUIDE)
    config = journal.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - Tags: tags.md\n", "  - Tags: tags.md\n  - Guide: guide.md\n"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    html = (journal.root / "site" / "guide" / "index.html").read_text()
    article = html[html.index("<article") : html.index("</article>")]
    assert "<code>&lt;!-- labjournal:recent --&gt;</code>" in article  # inline code, as written
    assert "&lt;!-- labjournal:recent --&gt;\n</code></pre>" in article  # the fenced block, as written
    assert article.count("Newest entry") == 1  # the block marker became the list


def test_the_newest_entry_is_listed_in_recent_with_navigation_indexes(journal: JournalDir) -> None:
    config = journal.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("navigation.footer]", "navigation.footer, navigation.indexes]"))
    for day in (1, 2, 3):
        journal.write(f"d{day}.md", note_text(f"Entry {day}", f"2026-05-0{day}", "Words.\n"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    html = (journal.root / "site" / "index.html").read_text()
    recent = html[html.index("> Recent") if "> Recent" in html else html.index("Recent") :]
    recent = recent[: recent.index("</ul>")]
    assert [title for title in ("Entry 3", "Entry 2", "Entry 1") if title in recent] == [
        "Entry 3",
        "Entry 2",
        "Entry 1",
    ]
    assert recent.index("Entry 3") < recent.index("Entry 2") < recent.index("Entry 1")
