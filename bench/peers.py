"""The benchmark's peers: mkdocs-jupyter in its own virtual environment, and the plain mkdocs-material floor.

Both get the same theme, search, tags plugin and navigation as labjournal's generated journal, so the
builds differ only in how notes become pages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

from bench.generate import REPO, read_note

PEER_VENV = REPO / "bench" / ".venv-peer"
PEER = "mkdocs-jupyter==0.26.3"  # 0.27 needs Python 3.12
KERNEL_NAME = "labjournal-bench"


PEER_YML = """\
site_name: {name}
site_url: https://example.github.io/labjournal-bench/
docs_dir: docs
theme:
  name: material
  features: [content.code.copy, navigation.tabs, navigation.sections, navigation.footer, navigation.indexes,
             search.suggest, search.highlight]
plugins:
  - search:
      lang: [en, ko]
  - tags
{plugin}
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight:
      anchor_linenums: true
  - pymdownx.inlinehilite
  - pymdownx.arithmatex:
      generic: true
extra_javascript: [javascripts/mathjax.js]
extra_css: [stylesheets/labjournal.css]
nav:
  - Home: index.md
  - Journal: journal/index.md
  - Tags: tags.md
not_in_nav: |
  /journal/**
"""

JUPYTER_PLUGIN = """\
  - mkdocs-jupyter:
      execute: true
      include: ["*.py"]
      kernel_name: {kernel}
"""


def _listing(entries: list[tuple[str, str]]) -> str:
    lines = ["---", "title: Journal", "---", "", "# Journal", ""]
    lines += [f"- [{title}]({link})" for title, link in reversed(entries)]
    return "\n".join(lines) + "\n"


def _peer_docs(source: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    shutil.copytree(source / "docs", docs)
    return docs


def make_peer_journal(source: Path, dest: Path, limit: int | None = None) -> list[Path]:
    """mkdocs-jupyter's site: py:percent copies of the notes (made with jupytext), a listing, the same theme.

    ``limit``: only the first notes (a sample of the journal; the generator makes note i the same at every N).
    """
    import jupytext
    from nbformat.v4 import new_markdown_cell

    docs = _peer_docs(source, dest)
    config = PEER_YML.format(name="mkdocs-jupyter benchmark", plugin=JUPYTER_PLUGIN.format(kernel=KERNEL_NAME))
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    entries, written = [], []
    for note in sorted((source / "notes").rglob("*.md"))[:limit]:
        notebook, title = read_note(note)
        notebook.cells.insert(0, new_markdown_cell(f"# {title}"))
        rel = note.relative_to(source / "notes").with_suffix(".py")
        target = docs / "journal" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, target, fmt="py:percent")
        entries.append((title, rel.as_posix()))
        written.append(target)
    (docs / "journal" / "index.md").write_text(_listing(entries), encoding="utf-8")
    return written


def make_floor_journal(journal: Path, dest: Path) -> None:
    """Plain mkdocs-material over labjournal's rendered pages: Markdown and figures already made."""
    docs = _peer_docs(journal, dest)
    (dest / "mkdocs.yml").write_text(PEER_YML.format(name="mkdocs-material floor", plugin=""), encoding="utf-8")
    home = docs / "index.md"
    home.write_text(home.read_text(encoding="utf-8").replace("<!-- labjournal:recent -->", ""), encoding="utf-8")
    entries = []
    render = journal / ".labjournal" / "render"
    for page in sorted(render.rglob("index.md")):
        note_id = page.parent.parent.relative_to(render).as_posix()
        target = docs / "journal" / note_id
        target.mkdir(parents=True, exist_ok=True)
        for file in page.parent.iterdir():
            if file.name == "index.md" or file.suffix != ".md":
                shutil.copyfile(file, target / file.name)
        title = re.search(r"^title: (.*)$", page.read_text(encoding="utf-8"), re.M)
        entries.append((title.group(1).strip("'\"") if title else note_id, f"{note_id}/index.md"))
    (docs / "journal" / "index.md").write_text(_listing(entries), encoding="utf-8")


def ensure_peer_venv(say: Callable[[str], None]) -> Path:
    """bench/.venv-peer: a virtual environment with mkdocs-jupyter, over ours; kept between runs.

    mkdocs-jupyter alone is installed in it (without dependencies); a ``.pth`` file puts our
    environment's packages after its own, so both sides build with the very same mkdocs,
    mkdocs-material, nbconvert and jupytext, and nothing else is downloaded or unpacked again (pip
    took more than a minute for a full copy). labjournal's plugin is not importable there (editable
    installs live in ``.pth`` files, which a path added this way does not read). Its notes run in a
    kernel of *our* environment (a kernelspec in the peer's prefix, found by jupyter_client there):
    the same interpreter, torch and matplotlib as labjournal's kernels.
    """
    python = PEER_VENV / "bin" / "python"
    ours = sysconfig.get_paths()["purelib"]
    wanted = "\n".join([PEER, f"over: {ours}", f"kernel: {sys.executable}"])
    marker = PEER_VENV / "bench-requirements.txt"
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return python
    say(f"making the peer's virtual environment in {PEER_VENV.relative_to(REPO)} (once)")
    subprocess.run([sys.executable, "-m", "venv", "--clear", "--without-pip", str(PEER_VENV)], check=True)
    peer_site = Path(sysconfig.get_paths(vars={"base": str(PEER_VENV), "platbase": str(PEER_VENV)})["purelib"])
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--prefix", str(PEER_VENV), PEER]
    subprocess.run(install, check=True, stdout=subprocess.DEVNULL)
    (peer_site / "zz-labjournal-bench-base.pth").write_text(ours + "\n", encoding="utf-8")
    spec = PEER_VENV / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.write_text(json.dumps({"argv": argv, "display_name": "Python (labjournal's)", "language": "python"}))
    check = [str(python), "-c", "import mkdocs_jupyter.plugin, labjournal"]
    if subprocess.run(check, capture_output=True, cwd=PEER_VENV).returncode != 1:  # the plugin imports, not ours
        raise RuntimeError(f"the peer's environment in {PEER_VENV} is not as expected")
    marker.write_text(wanted, encoding="utf-8")
    return python


def peer_env(python: Path) -> dict[str, str]:
    """What the peer's commands need in their environment beside ``os.environ``.

    nbconvert finds its templates under ``<prefix>/share/jupyter``; ours holds them, the peer's
    prefix holds only the kernelspec: both are on ``JUPYTER_PATH``.
    """
    jupyter_path = [PEER_VENV / "share" / "jupyter", Path(sys.prefix) / "share" / "jupyter"]
    return {
        "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(PEER_VENV),
        "JUPYTER_PATH": os.pathsep.join(map(str, jupyter_path)),
        "NO_MKDOCS_2_WARNING": "1",
    }


def fill_cache(python: Path, site: Path, executed: Path, notes: list[Path]) -> None:
    """Fill mkdocs-jupyter's cache of ``site`` as its own cold build would, from notebooks labjournal executed.

    ``executed`` holds labjournal's store of the same journal (``<note>.ipynb`` under the notes' relative
    paths). The conversion runs in the peer's environment (``bench.peer_cache``), both cores at once.
    """
    docs = site / "docs" / "journal"
    pairs = [[str(note), str(executed / note.relative_to(docs).with_suffix(".ipynb"))] for note in notes]
    listing = site / "bench-fill-cache.json"
    listing.write_text(json.dumps(pairs), encoding="utf-8")
    env = {**os.environ, **peer_env(python), "PYTHONPATH": str(REPO)}
    subprocess.run([str(python), "-m", "bench.peer_cache", str(listing)], cwd=site, env=env, check=True)
