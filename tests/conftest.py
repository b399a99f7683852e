"""Shared fixtures: small real journals in tmp_path (mkdocs.yml, docs/, notes/), built and run for real."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import os
import shutil
import textwrap
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from labjournal.cli import main

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

MKDOCS_YML = r"""
site_name: test journal
site_url: https://example.org/
theme:
  name: material
  features: [content.code.copy, navigation.footer]
plugins:
  - search:
      lang: [en, ko]
  - tags
  - rss:
      use_git: false
      stylesheet: ""
      match_path: 'journal/(?!index\.md$|report\.md$|series/).+/index\.md'
      date_from_meta:
        as_creation: date
      categories: [tags]
  - labjournal
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tasklist
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
validation:
  omitted_files: warn
  absolute_links: warn
  unrecognized_links: warn
  anchors: warn
nav:
  - Home: index.md
  - Tags: tags.md
"""


def note_text(title: str, date: str, body: str, **meta: object) -> str:
    """A Jupytext Markdown note with front matter."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in meta.items()]
    return "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body).lstrip()


def code(source: str, tags: list[str] | None = None) -> str:
    """A fenced code cell in Jupytext Markdown."""
    header = "```python" + (f" tags={tags!r}".replace("'", '"') if tags else "")
    return f"{header}\n{textwrap.dedent(source).strip()}\n```\n"


class JournalDir:
    """A journal folder for one test: write notes, run the CLI, read the built site."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "docs").mkdir(parents=True)
        (root / "notes").mkdir()
        (root / "mkdocs.yml").write_text(MKDOCS_YML)
        (root / "docs" / "index.md").write_text("# Home\n\n<!-- labjournal:recent -->\n")
        (root / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n")

    @classmethod
    def existing(cls, root: Path) -> JournalDir:
        """A journal folder that is already there (a copy of another one), left as it is."""
        journal = object.__new__(cls)
        journal.root = root
        return journal

    def copy_to(self, dest: Path) -> JournalDir:
        """A full copy (notes, store, caches, site) to work on without touching this one."""
        shutil.copytree(self.root, dest)
        return JournalDir.existing(dest)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / "notes" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def cli(self, *args: str) -> int:
        return main(["-C", str(self.root), *args])

    def page(self, note_id: str) -> str:
        return (self.root / "site" / "journal" / note_id / "index.html").read_text(encoding="utf-8")

    def tree_digest(self, folder: str = "notes") -> dict[str, str]:
        return {
            p.relative_to(self.root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((self.root / folder).rglob("*"))
            if p.is_file()
        }


@pytest.fixture
def journal(tmp_path: Path) -> JournalDir:
    return JournalDir(tmp_path / "journal")


@pytest.fixture(scope="session")
def make_journal(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], JournalDir]:
    def make(name: str) -> JournalDir:
        return JournalDir(tmp_path_factory.mktemp(name) / "journal")

    return make


def copy_repo_journal(dest: Path) -> Path:
    """A copy of this repository's own journal (mkdocs.yml, docs/, notes/, store/)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "docs", "notes", "store"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


# Flags that work as root in a container; Playwright adds --headless and a fresh temporary profile.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 (a free port) for the length of the block; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
