"""labjournal as a library: open a journal, run its notes, build its site, ask for its status.

The command line is a thin layer over these functions::

    from labjournal.api import open_project, run, build
    project = open_project()                       # the journal around the current folder
    reports = run(project, RunRequest(overrides={"lr": 0.1}, paths=[Path("notes/2026/x.md")]))
    build(project, execute=False, strict=True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .execution import CONFIG_FILE, ExecutorSettings, Journal, NoteStatus, Progress, Report, RunRequest, find_root
from .execution.lock import JournalLock
from .execution.runner import run_notes
from .site import LabjournalConfig, build_site, load_config
from .states import State

__all__ = ["BuildResult", "Project", "Report", "RunRequest", "build", "open_project", "run", "status"]


@dataclass
class Project:
    """A journal and its validated options (from the ``labjournal`` plugin's entry in ``mkdocs.yml``)."""

    root: Path
    config: LabjournalConfig
    journal: Journal

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    def executor_settings(
        self, *, name: str | None = None, jobs: int | None = None, preload: bool | None = None
    ) -> ExecutorSettings:
        """The executor of ``mkdocs.yml``, with the options given here (those that are not None) instead."""
        settings = self.config.executor_settings()
        return dataclasses.replace(
            settings,
            name=name or settings.name,
            jobs=jobs if jobs is not None else settings.jobs,
            preload=preload if preload is not None else settings.preload,
        )


def open_project(start: Path | None = None) -> Project:
    """The journal whose ``mkdocs.yml`` is at or above ``start`` (default: the current folder)."""
    root = find_root(start or Path.cwd())
    config = load_config(root / CONFIG_FILE)
    return Project(root, config, config.journal(root))


@contextmanager
def locked(
    project: Project, command: str, *, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the journal's lock: one run or build at a time (``labjournal.execution.lock``)."""
    lock = JournalLock(project.journal.cache, command)
    lock.acquire(wait=wait, on_wait=on_wait)
    try:
        yield
    finally:
        lock.release()


def run(
    project: Project,
    request: RunRequest | None = None,
    *,
    executor: ExecutorSettings | None = None,
    progress: Progress | None = None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> list[Report]:
    """Execute the notes ``request`` asks for (default: every stale note) and commit their results."""
    with locked(project, "labjournal run", wait=wait, on_wait=on_wait):
        return run_notes(project.journal, request or RunRequest(), executor or project.executor_settings(), progress)


@dataclass
class BuildResult:
    """What a build did: the runs it made, and the notes it found without current outputs (``--strict``)."""

    reports: list[Report] = field(default_factory=list)
    missing: list[NoteStatus] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.missing) or any(report.failed for report in self.reports)


def build(
    project: Project,
    *,
    execute: bool = True,
    strict: bool = False,
    site_dir: Path | None = None,
    request: RunRequest | None = None,
    executor: ExecutorSettings | None = None,
    progress: Progress | None = None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> BuildResult:
    """Run stale notes (unless ``execute`` is False), then build the site.

    Without executing, ``strict`` refuses to build while a published note has no current outputs
    (the result lists them). A failed note does not stop the site build; MkDocs errors raise
    :class:`~labjournal.site.SiteBuildError`.
    """
    result = BuildResult()
    with locked(project, "labjournal build", wait=wait, on_wait=on_wait):
        journal = project.journal
        if execute:
            settings = executor or project.executor_settings()
            start_early = journal.store.is_empty()
            result.reports = run_notes(journal, request or RunRequest(), settings, progress, start_early=start_early)
        else:
            notes = journal.notes()  # a bad note stops here, before the site is touched
            if strict:
                statuses = (journal.status(note) for note in notes if not note.meta.draft)
                result.missing = [s for s in statuses if s.state is not State.FRESH]
            journal.save_caches()
            if result.missing:
                return result
        build_site(project.config_file, strict=strict, site_dir=site_dir)
    return result


def status(project: Project) -> list[NoteStatus]:
    """Every note with the state of its stored outputs (what ``labjournal status`` prints)."""
    journal = project.journal
    statuses = [journal.status(note) for note in journal.notes()]
    journal.save_caches()
    return statuses
