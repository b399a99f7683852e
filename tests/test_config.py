"""One definition of the options: mkdocs.yml's ``labjournal`` entry, read through MkDocs' own loader and
validated by the plugin's config class, by the CLI and by ``mkdocs build`` alike."""

from __future__ import annotations

import pytest

from labjournal.api import open_project
from labjournal.site.config import LabjournalConfig

from .conftest import JournalDir, note_text


def _with_options(journal: JournalDir, options: str) -> None:
    config = journal.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - labjournal\n", f"  - labjournal:\n{options}"))


def test_an_invalid_option_names_the_file_and_the_key(journal: JournalDir, capsys) -> None:
    journal.write("a.md", note_text("A", "2026-01-01", "Prose only.\n"))
    _with_options(journal, "      jobs: many\n")
    for command in ("status", "run", "build"):
        assert journal.cli(command) == 2
        err = capsys.readouterr().err
        assert "mkdocs.yml" in err and "labjournal -> jobs" in err and "int" in err, err
    assert not (journal.root / "site").exists()


def test_an_unknown_option_is_a_warning_naming_it_as_mkdocs_gives(journal: JournalDir, caplog) -> None:
    _with_options(journal, "      recnet: 3\n")
    assert journal.cli("status") == 0
    assert any("mkdocs.yml" in r.message and "labjournal -> recnet" in r.message for r in caplog.records)


def test_environment_variables_in_mkdocs_yml_are_read_as_mkdocs_reads_them(journal: JournalDir, monkeypatch) -> None:
    monkeypatch.setenv("LABJOURNAL_TEST_JOBS", "3")
    _with_options(journal, "      jobs: !ENV [LABJOURNAL_TEST_JOBS, 1]\n      store_dir: results\n")
    project = open_project(journal.root)
    assert project.config.jobs == 3  # !ENV gives text; the config class checks the type as MkDocs does
    assert project.journal.store.root == journal.root / "results"


def test_executor_options_reach_the_backend() -> None:
    pytest.importorskip("ray")
    config = LabjournalConfig()
    config.load_dict({"executor": "ray", "executor_options": {"address": "ray://head:10001"}, "jobs": 2})
    errors, _ = config.validate()
    assert not errors
    executor = config.executor_settings().create()
    assert type(executor).__name__ == "RayExecutor" and executor.address == "ray://head:10001"  # type: ignore[attr-defined]
    assert executor.jobs == 2
