"""A build where nothing changed does no MkDocs work, and every build gives a full build's site.

Both ways are real builds of the same journal: one that keeps ``site/`` and the build manifest
(``labjournal.site.incremental``), and a fresh copy built from nothing; every file of the two
``site/`` folders is compared, the build's own timestamps aside.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from .conftest import JournalDir, code, copy_repo_journal, note_text

pytestmark = pytest.mark.site

TIMESTAMPS = [
    re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>"),
    re.compile(rb"<lastmod>[^<]*</lastmod>"),
    re.compile(rb"<pubDate>[^<]*</pubDate>"),
    re.compile(rb'"date_modified": ?"[^"]*"'),  # the RSS plugin's JSON feeds: the time of the build
]


def _site(root: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted((root / "site").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            for stamp in TIMESTAMPS:
                data = stamp.sub(b"<stamp/>", data)
            files[path.relative_to(root).as_posix()] = data
    return files


def _mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in (root / "site").rglob("*") if p.is_file()}


def _full_build(journal: JournalDir, dest: Path) -> dict[str, bytes]:
    """The site a build from nothing gives: a copy without ``site/`` and without the journal's caches."""
    fresh = journal.copy_to(dest)
    shutil.rmtree(fresh.root / "site", ignore_errors=True)
    shutil.rmtree(fresh.root / ".labjournal", ignore_errors=True)
    assert fresh.cli("build", "--no-execute") == 0
    return _site(fresh.root)


def _assert_same_site(kept: dict[str, bytes], full: dict[str, bytes]) -> None:
    assert sorted(kept) == sorted(full)
    different = [name for name in kept if kept[name] != full[name]]
    assert not different, f"differ from a full build: {different}"


@pytest.fixture
def built(journal: JournalDir) -> JournalDir:
    for day in range(1, 6):
        journal.write(f"2026/day{day}.md", note_text(f"Day {day}", f"2026-01-0{day}", f"Words of day {day}.\n"))
    journal.write("2026/code.md", note_text("Code", "2026-01-09", "Six times seven:\n\n" + code("print(6 * 7)")))
    assert journal.cli("build") == 0  # executes the code note, then builds
    return journal


def test_a_build_where_nothing_changed_leaves_the_site_as_it_is(
    built: JournalDir, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = _mtimes(built.root)
    assert built.cli("build") == 0
    assert _mtimes(built.root) == before, "a no-op build wrote into site/"
    assert "42" in built.page("2026/code")
    _assert_same_site(_site(built.root), _full_build(built, tmp_path / "full"))


_RENDERED = re.compile(r"Pages rendered again: (\d+) of (\d+) \(([^)]*)\)")


def _rendered(output: str) -> tuple[list[str], int, int]:
    """The pages the last build in ``output`` rendered again (the first five named), how many, and
    how many pages the site has."""
    found = _RENDERED.findall(output)
    assert found, "the build did not say what it rendered"
    count, pages, names = found[-1]
    return [] if names == "none" else names.split(", "), int(count), int(pages)


@pytest.mark.kernel
def test_a_build_after_a_prose_edit_gives_a_full_builds_site(
    built: JournalDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built.write("2026/day3.md", note_text("Day 3", "2026-01-03", "Words of day 3, and a quokka.\n"))
    assert built.cli("build") == 0
    assert "quokka" in built.page("2026/day3")
    rendered, _, pages = _rendered(capsys.readouterr().err)
    # the entry, and the pages that show its first paragraph: the archive and the home page's recent entries
    assert rendered == ["index.md", "journal/2026/day3/index.md", "journal/index.md"]
    assert pages >= 10  # six entries, the archive, the home page, the tags and the execution report
    _assert_same_site(_site(built.root), _full_build(built, tmp_path / "full"))


EDITS = [
    pytest.param(
        lambda j: j.write("2026/day2.md", note_text("Day 2, renamed", "2026-01-02", "Words.\n")), id="an old title"
    ),
    pytest.param(
        lambda j: j.write("2026/day12.md", note_text("Day 12, renamed", "2026-01-12", "Words.\n")), id="a recent title"
    ),
    pytest.param(
        lambda j: j.write("2026/day4.md", note_text("Day 4", "2026-01-04", "After [day two](day2.md).\n")),
        id="a link: a backlink on the page linked to",
    ),
    pytest.param(lambda j: j.write("2026/day13.md", note_text("Day 13", "2026-01-13", "New.\n")), id="a new entry"),
    pytest.param(lambda j: (j.root / "notes" / "2026" / "day2.md").unlink(), id="an entry removed"),
    pytest.param(lambda j: (j.root / "docs" / "index.md").write_text("# Home, with a wallaby\n"), id="docs"),
    pytest.param(
        lambda j: j.write("2026/day5.md", note_text("Day 5", "2026-01-05", "Words.\n", tags="[t-new]")), id="tags"
    ),
]


@pytest.fixture
def built_prose(journal: JournalDir) -> JournalDir:
    """Twelve entries: more than the navigation's recent ones, so that an old entry's neighbours
    are the only other pages that show its title."""
    for day in range(1, 13):
        journal.write(f"2026/day{day}.md", note_text(f"Day {day}", f"2026-01-{day:02d}", f"Words of day {day}.\n"))
    assert journal.cli("build", "--no-execute") == 0
    return journal


@pytest.mark.parametrize("edit", EDITS)
def test_every_kind_of_edit_gives_a_full_builds_site(built_prose: JournalDir, tmp_path: Path, edit: object) -> None:
    edit(built_prose)  # type: ignore[operator]
    assert built_prose.cli("build", "--no-execute") == 0
    _assert_same_site(_site(built_prose.root), _full_build(built_prose, tmp_path / "full"))


def test_a_strict_build_sees_a_kept_pages_warning_again(built_prose: JournalDir) -> None:
    built_prose.write("2026/day2.md", note_text("Day 2", "2026-01-02", "See [the missing figure](missing.png).\n"))
    assert built_prose.cli("build", "--no-execute", "--strict") != 0
    built_prose.write("2026/day3.md", note_text("Day 3", "2026-01-03", "Another edit.\n"))
    assert built_prose.cli("build", "--no-execute", "--strict") != 0, "the warning of a page kept from the last build"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: (root / "docs" / "index.md").write_text("# Home, with a wallaby\n"), id="docs"),
        pytest.param(lambda root: (root / "site" / "index.html").unlink(), id="a site file removed"),
        pytest.param(
            lambda root: (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text() + "\ncopyright: numbat\n"),
            id="mkdocs.yml",
        ),
        pytest.param(lambda root: shutil.rmtree(root / "store"), id="store removed"),
    ],
)
def test_a_changed_input_or_output_makes_the_build_run(built: JournalDir, change: object) -> None:
    before = _mtimes(built.root)
    change(built.root)  # type: ignore[operator]
    assert built.cli("build", "--no-execute") == 0
    after = _mtimes(built.root)
    assert after.keys() >= {"site/index.html"}
    assert after != before


def test_strict_is_part_of_what_was_built(built: JournalDir) -> None:
    before = _mtimes(built.root)
    assert built.cli("build", "--strict") == 0
    assert _mtimes(built.root) != before, "a --strict build must check its warnings, not reuse a lenient build"
    strict = _mtimes(built.root)
    assert built.cli("build", "--strict") == 0
    assert _mtimes(built.root) == strict


def test_a_snippet_edited_outside_docs_is_seen(built_prose: JournalDir, tmp_path: Path) -> None:
    """``pymdownx.snippets`` reads files of its own: its folder is an input of the build and of every page."""
    root = built_prose.root
    config = (root / "mkdocs.yml").read_text()
    snippets = f"markdown_extensions:\n  - pymdownx.snippets:\n      base_path: ['{root / 'snips'}']\n"
    (root / "mkdocs.yml").write_text(config.replace("markdown_extensions:\n", snippets))
    (root / "snips").mkdir()
    (root / "snips" / "part.md").write_text("A koala in a snippet.\n")
    (root / "docs" / "index.md").write_text('# Home\n\n--8<-- "part.md"\n')
    assert built_prose.cli("build", "--no-execute") == 0
    assert "koala" in (root / "site" / "index.html").read_text()
    (root / "snips" / "part.md").write_text("A wombat in a snippet.\n")
    assert built_prose.cli("build", "--no-execute") == 0
    assert "wombat" in (root / "site" / "index.html").read_text()
    _assert_same_site(_site(root), _full_build(built_prose, tmp_path / "full"))


def _older(path: Path) -> None:
    """Give ``path`` a modification time a day in the past (a file restored from an archive)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 86_400 * 10**9))


SITE_FOLDER_CHANGES = [
    pytest.param(lambda root: (root / "site" / "stray.html").write_text("left over\n"), id="a stray file in site/"),
    pytest.param(
        lambda root: (root / "site" / "stylesheets" / "extra.css").write_text("p { color: red }\n"),
        id="a copied file changed in site/",
    ),
    pytest.param(lambda root: (root / "site" / "stylesheets" / "extra.css").unlink(), id="a copied file removed"),
    pytest.param(
        lambda root: (
            (root / "docs" / "stylesheets" / "extra.css").write_text("p { color: teal }\n"),
            _older(root / "docs" / "stylesheets" / "extra.css"),
        ),
        id="a docs file replaced by an older one",
    ),
]


@pytest.mark.parametrize("change", SITE_FOLDER_CHANGES)
def test_the_kept_site_folder_ends_as_a_full_builds(built_prose: JournalDir, tmp_path: Path, change: object) -> None:
    """A build after an edit keeps site/ and writes what changed; whatever happened to site/ or to a
    static file meanwhile, the folder ends as a build from nothing leaves it."""
    root = built_prose.root
    (root / "docs" / "stylesheets").mkdir()
    (root / "docs" / "stylesheets" / "extra.css").write_text("p { color: navy }\n")
    assert built_prose.cli("build", "--no-execute") == 0
    change(root)  # type: ignore[operator]
    built_prose.write("2026/day3.md", note_text("Day 3", "2026-01-03", "An edit, so that the build runs.\n"))
    assert built_prose.cli("build", "--no-execute") == 0
    _assert_same_site(_site(root), _full_build(built_prose, tmp_path / "full"))


def test_the_sample_journal_after_a_prose_edit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The repository's own journal (guide pages with raw HTML, tags, figures, a Runs table, LaTeX)."""
    journal = JournalDir.existing(copy_repo_journal(tmp_path / "journal"))
    assert journal.cli("build", "--no-execute", "--strict") == 0
    note = next((journal.root / "notes").rglob("*fastai-lesson-3.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nA sentence added later, about a numbat.\n", "utf-8")
    assert journal.cli("build", "--no-execute", "--strict") == 0
    rendered, _, pages = _rendered(capsys.readouterr().err)
    assert rendered == [f"journal/{note.relative_to(journal.root / 'notes').with_suffix('').as_posix()}/index.md"]
    assert pages > 20
    _assert_same_site(_site(journal.root), _full_build(journal, tmp_path / "full"))


def test_a_guide_page_edit_renders_that_page(
    built_prose: JournalDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page of ``docs/`` is part of its own key only; an image or include there is every page's."""
    root = built_prose.root
    (root / "docs" / "about.md").write_text("# About\n\nWho writes this journal.\n")
    (root / "docs" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    assert built_prose.cli("build", "--no-execute") == 0
    (root / "docs" / "about.md").write_text("# About\n\nWho writes this journal, and why: a platypus.\n")
    assert built_prose.cli("build", "--no-execute") == 0
    assert _rendered(capsys.readouterr().err)[0] == ["about.md"]
    _assert_same_site(_site(root), _full_build(built_prose, tmp_path / "full"))
    (root / "docs" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1"/>\n')
    assert built_prose.cli("build", "--no-execute") == 0
    _, count, pages = _rendered(capsys.readouterr().err)
    assert count == pages


def test_kept_results_cut_short_or_not_ours_are_misses(built_prose: JournalDir, tmp_path: Path) -> None:
    """A crash while writing, or anything else in the cache folder, costs work, never a wrong page."""
    kept = sorted((built_prose.root / ".labjournal" / "site-pages").rglob("*.*"))
    assert len(kept) > 20
    for number, path in enumerate(kept):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if number % 2 else b'{"content": 1}')
    built_prose.write("2026/day3.md", note_text("Day 3", "2026-01-03", "An edit, so that the build runs.\n"))
    assert built_prose.cli("build", "--no-execute") == 0
    _assert_same_site(_site(built_prose.root), _full_build(built_prose, tmp_path / "full"))
