"""ProperDocs, the maintained fork of MkDocs 1.x, builds the sample journal as MkDocs does.

ProperDocs reads ``mkdocs.yml``, loads plugins registered under ``mkdocs.plugins`` (labjournal's
included) and redirects ``mkdocs.*`` imports to ``properdocs.*``, so the site layer runs on it
unchanged (``docs/guide/platform.md``). The build uses the committed store and executes nothing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import copy_repo_journal

PROPERDOCS = Path(sys.executable).parent / "properdocs"
NOTE_ID = "2024/2024-01-20-fastai-lesson-1"


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\x00" + path.read_bytes() + b"\x00")
    return digest.hexdigest()


@pytest.mark.site
def test_properdocs_builds_the_sample_journal_strictly(tmp_path: Path) -> None:
    if not PROPERDOCS.exists():
        pytest.skip(f"properdocs is not installed ({PROPERDOCS} is missing)")
    root = copy_repo_journal(tmp_path / "journal")
    assert (root / "notes" / f"{NOTE_ID}.md").exists()
    store_before = _tree_digest(root / "store")

    result = subprocess.run(
        [str(PROPERDOCS), "build", "--strict", "-f", "mkdocs.yml"],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    page = root / "site" / "journal" / NOTE_ID / "index.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    assert "Outputs are stale" not in html and "not been executed" not in html  # the stored outputs are shown
    assert (root / "site" / "journal" / "index.html").is_file()
    assert _tree_digest(root / "store") == store_before  # nothing was executed into the store
