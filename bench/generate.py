"""Synthetic journals for the benchmark: N notes of prose, a tiny training loop and a figure.

Deterministic: the same ``--notes`` and ``--seed`` always give byte-identical files, so timings of
two runs (or two machines) measure the same journal. Prose draws on a fixed vocabulary, so search
has real words to index; every note trains a tiny model for 50 steps on one thread and plots its
loss. The journal folder is complete: ``mkdocs.yml`` (the repository's, minus the vendored MathJax
and the guide pages), ``docs/`` and ``notes/``.

    python -m bench.generate --notes 100 /tmp/journal-100
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
START = dt.date(2024, 1, 1)
STEPS = 50

_VOCABULARY = """
activation adam attention autograd backpropagation batch bias broadcasting checkpoint classifier clipping
convolution curvature dataset decoder dropout embedding encoder entropy epoch estimator feature filter
gradient heads hessian hidden initialisation kernel label latent layer likelihood linear logistic logits
loss manifold matrix minibatch momentum neuron noise normalisation objective optimiser overfitting padding
parameter perceptron pooling posterior prior probability projection regression regularisation residual
sample scheduler sigmoid softmax sparsity stride target tensor token training transformer validation
variance vector warmup weight
"""

_FILLER = """
the a of to and in that we it with on for this is was from by as at our every each one two then again
slowly quickly today tomorrow first later clearly almost
"""
VOCABULARY = tuple(_VOCABULARY.split())
FILLER = tuple(_FILLER.split())

TAGS = (
    "pytorch", "optimisation", "statistics", "lecture", "reading", "cnn", "transformers", "probability",
    "linear-algebra", "meeting-log", "fastai", "cs109",
)  # fmt: skip

ACTIVATIONS = ("Tanh", "ReLU", "GELU", "Sigmoid")

MKDOCS_YML = """\
site_name: labjournal benchmark ({n} notes)
site_description: A synthetic learning journal for the benchmark.
site_url: https://example.github.io/labjournal-bench/
docs_dir: docs

theme:
  name: material
  language: en
  features:
    - content.code.copy
    - navigation.tabs
    - navigation.sections
    - navigation.footer
    - navigation.indexes
    - search.suggest
    - search.highlight

plugins:
  - search:
      lang: [en, ko]
  - tags
  - rss:
      use_git: false
      stylesheet: ""
      match_path: 'journal/(?!index\\.md$|report\\.md$|series/).+/index\\.md'
      date_from_meta:
        as_creation: date
        default_time: '09:00'
      categories: [tags]
      length: 20
  - labjournal:
      notes_dir: notes
      store_dir: store
      recent: 8

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
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg

extra_javascript:
  - javascripts/mathjax.js

extra_css:
  - stylesheets/labjournal.css

nav:
  - Home: index.md
  - Tags: tags.md
"""

INDEX_MD = """\
---
title: Home
---

# A synthetic learning journal

{n} generated entries, each with a tiny PyTorch training loop and its loss curve.

## Recent entries

<!-- labjournal:recent -->

[All entries](journal/index.md){{ .md-button }} [Tags](tags.md){{ .md-button }}
"""

TAGS_MD = """\
---
title: Tags
---

# Tags

<!-- material/tags -->
"""

TRAINING = """\
import matplotlib.pyplot as plt
import torch

torch.set_num_threads(1)
torch.manual_seed(seed)
X = torch.randn(256, {inputs}, device=device)
y = X @ torch.randn({inputs}, 1, device=device) + 0.1 * torch.randn(256, 1, device=device)
model = torch.nn.Sequential(
    torch.nn.Linear({inputs}, {hidden}), torch.nn.{activation}(), torch.nn.Linear({hidden}, 1)
).to(device)
optimiser = torch.optim.SGD(model.parameters(), lr={lr}, momentum=0.9)
losses = []
for step in range({steps}):
    loss = torch.nn.functional.mse_loss(model(X), y)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    losses.append(loss.item())
print(f"{{len(losses)}} steps: loss {{losses[0]:.4f}} -> {{losses[-1]:.4f}}")
"""

FIGURE = """\
fig, ax = plt.subplots(figsize=(4, 2.5))
ax.plot(losses)
ax.set_xlabel("step")
ax.set_ylabel("mean squared error")
ax.set_title("{title}")
fig.tight_layout()
plt.show()
"""


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY if rng.random() < 0.55 else FILLER) for _ in range(rng.randint(8, 16))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    sentences = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
    lines, line = [], ""
    for word in sentences.split():  # wrapped at 100 columns, as people write Markdown
        if line and len(line) + 1 + len(word) > 100:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def _heading(rng: random.Random) -> str:
    return " ".join(rng.sample(VOCABULARY, 3)).capitalize()


def _cell(source: str, tags: str = "") -> str:
    return f"```python{' tags=' + tags if tags else ''}\n{source.rstrip()}\n```"


def note_text(index: int, seed: int = 0) -> str:
    """The text of note ``index`` (0-based): front matter, prose, parameters, training and figure cells."""
    rng = random.Random(f"{seed}-{index}")
    day = index + 1
    title = f"{_heading(rng)} ({day:04d})"
    tags = sorted(rng.sample(TAGS, 2))
    front = [
        "---",
        f'title: "{title}"',
        f"date: {(START + dt.timedelta(days=index)).isoformat()}",
        f"day: {day}",
        "kind: daily",
        f"tags: [{', '.join(tags)}]",
        "---",
    ]
    training = TRAINING.format(
        inputs=rng.choice((4, 8, 16)),
        hidden=rng.choice((8, 16, 32)),
        activation=rng.choice(ACTIVATIONS),
        lr=rng.choice((0.01, 0.02, 0.05)),
        steps=STEPS,
    )
    parts = [
        "\n".join(front),
        _paragraph(rng),
        f"## {_heading(rng)}",
        _paragraph(rng),
        _paragraph(rng),
        _cell(f'device = "cpu"\nseed = {index}', '["parameters"]'),
        _cell(training),
        f"## {_heading(rng)}",
        _paragraph(rng),
        _cell(FIGURE.format(title=f"Day {day}: training loss")),
        f"### {_heading(rng)}",
        _paragraph(rng),
    ]
    return "\n\n".join(parts) + "\n"


def note_path(notes_root: Path, index: int) -> Path:
    date = START + dt.timedelta(days=index)
    return notes_root / str(date.year) / f"{date.isoformat()}-entry-{index + 1:04d}.md"


def generate_journal(dest: Path, notes: int, seed: int = 0) -> list[Path]:
    """Write a complete journal folder of ``notes`` notes into ``dest`` (emptied first); return the notes."""
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    (docs / "javascripts").mkdir(parents=True)
    (docs / "stylesheets").mkdir()
    (dest / "mkdocs.yml").write_text(MKDOCS_YML.format(n=notes), encoding="utf-8")
    (docs / "index.md").write_text(INDEX_MD.format(n=notes), encoding="utf-8")
    (docs / "tags.md").write_text(TAGS_MD, encoding="utf-8")
    shutil.copyfile(REPO / "docs" / "javascripts" / "mathjax.js", docs / "javascripts" / "mathjax.js")
    shutil.copyfile(REPO / "docs" / "stylesheets" / "labjournal.css", docs / "stylesheets" / "labjournal.css")
    paths = []
    for index in range(notes):
        path = note_path(dest / "notes", index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(note_text(index, seed), encoding="utf-8")
        paths.append(path)
    return paths


def read_note(path: Path) -> tuple[Any, str]:
    """A generated note as a notebook without its front matter, and its title."""
    import jupytext

    notebook = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md")
    title = ""
    if notebook.cells and notebook.cells[0].cell_type == "raw" and notebook.cells[0].source.startswith("---"):
        header = notebook.cells.pop(0).source
        match = re.search(r'^title: "(.*)"$', header, re.M)
        title = match.group(1) if match else ""
    return notebook, title


def edit_prose(path: Path, mark: str) -> None:
    """A typo-fix-sized prose edit: one sentence more in the note's last paragraph."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f" Edited prose {mark}.\n", encoding="utf-8")


def edit_code(path: Path, mark: str) -> None:
    """A code edit that changes the execution key: one more training step."""
    text = path.read_text(encoding="utf-8")
    edited, count = re.subn(r"range\((\d+)\)", lambda m: f"range({int(m.group(1)) + 1})", text, count=1)
    if not count:
        raise ValueError(f"{path.name}: no training loop to edit")
    path.write_text(edited, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="journal folder to write (replaced if it exists)")
    parser.add_argument("--notes", type=int, default=20, help="number of notes (default: 20)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate_journal(args.dest, args.notes, args.seed)
    print(f"{len(paths)} notes in {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
