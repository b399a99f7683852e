"""A page that cannot be rendered shows why, never sinks the site, is never cached, and fails --strict."""

from __future__ import annotations

import pytest

from labjournal.rendering.page import Renderer

from .conftest import JournalDir, note_text

pytestmark = pytest.mark.site


def test_a_failed_render_is_tried_again_and_fails_strict_builds(journal: JournalDir, monkeypatch, capsys) -> None:
    journal.write("ok.md", note_text("Fine", "2026-01-01", "Renders fine.\n"))
    journal.write("bad.md", note_text("Broken renderer", "2026-01-02", "Words about capybaras.\n"))
    real = Renderer.render

    def failing(self, status, runs=()):  # the environment is broken for this one note
        if status.note.id == "bad":
            raise RuntimeError("nbconvert template missing")
        return real(self, status, runs)

    monkeypatch.setattr(Renderer, "render", failing)
    assert journal.cli("build", "--no-execute") == 0  # the rest of the site is built
    assert "could not be rendered" in journal.page("bad") and "Renders fine" in journal.page("ok")
    assert journal.cli("build", "--no-execute", "--strict") != 0  # warned again: the failure was not cached
    assert "bad.md: cannot be rendered" in capsys.readouterr().err
    monkeypatch.setattr(Renderer, "render", real)  # the environment is fixed
    assert journal.cli("build", "--no-execute", "--strict") == 0
    assert "capybaras" in journal.page("bad") and "could not be rendered" not in journal.page("bad")


def test_a_page_that_would_stop_mkdocs_is_contained_to_its_note(journal: JournalDir, capsys) -> None:
    config = journal.root / "mkdocs.yml"  # an extension that raises on a missing include, as some do on bad input
    config.write_text(
        config.read_text().replace("  - tables\n", "  - tables\n  - pymdownx.snippets:\n      check_paths: true\n")
    )
    journal.write("ok.md", note_text("Fine", "2026-01-01", "Renders fine.\n"))
    journal.write("bad.md", note_text("Include", "2026-01-02", '--8<-- "no-such-file.txt"\n'))
    assert journal.cli("build", "--no-execute") == 0
    assert "could not be rendered" in journal.page("bad") and "Renders fine" in journal.page("ok")
    assert "bad.md: cannot be rendered" in capsys.readouterr().err
    assert journal.cli("build", "--no-execute", "--strict") != 0
