"""Fill mkdocs-jupyter's cache from notebooks executed by labjournal; run by the peer's own python.

mkdocs-jupyter (0.26+) keeps each converted notebook in ``<cache_dir>/<key>.json``, the key a hash of
the source file and of the plugin's options, and serves it on later builds. Its cold build executes
every note one after another (about 6 s a note on a 2-core machine: 1.7 hours at 1,000 notes). To
time its warm builds (no-op, prose edit, code edit) at sizes where that cold build is out of reach,
this writes the entries that build would write, through the plugin's own functions: the key from
``_compute_cache_key``, the page from ``convert.nb2html``, the table of contents from
``_get_nb_toc_tokens``. Only the outputs come from elsewhere: those labjournal stored for the same
note (same code, same seeds, same library versions), instead of executing it again.

    python -m bench.peer_cache <listing.json>     # in the peer's site folder

``listing.json``: ``[[note.py, executed.ipynb], ...]``. The mkdocs.yml of the current folder gives
the plugin's options.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

PLUGIN = "mkdocs-jupyter"


def plugin_options() -> dict[str, Any]:
    from mkdocs.config import load_config

    return dict(load_config("mkdocs.yml").plugins[PLUGIN].config)


def with_outputs(source: Path, executed: Path) -> Any:
    """The notebook mkdocs-jupyter reads from ``source``, with the outputs of ``executed``'s code cells.

    Execution counts are renumbered as a kernel running only these cells numbers them (papermill's
    injected-parameters cell took one).
    """
    import jupytext
    import nbformat

    notebook = jupytext.read(source)
    done = nbformat.read(executed, as_version=4)
    ran = [c for c in done.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    if [c.source for c in cells] != [c.source for c in ran]:
        raise SystemExit(f"{source}: its code cells differ from the executed notebook {executed}")
    for count, (cell, result) in enumerate(zip(cells, ran, strict=True), start=1):
        cell.outputs = result.outputs
        cell.execution_count = count
    return notebook


def write_entry(pair: tuple[str, str], options: dict[str, Any]) -> str:
    """The cache entry mkdocs-jupyter's build writes for ``pair[0]``, with the outputs of ``pair[1]``.

    ``convert.nb2html`` is called on the source file as the plugin calls it; only its read of that
    file returns the notebook with outputs, so the page goes through the plugin's own branch for
    ``.py`` notes (an ``.ipynb`` path would append a stylesheet the real entry does not have).
    """
    from unittest import mock

    from mkdocs_jupyter import convert, nbconvert2
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path, _get_nb_toc_tokens

    source, executed = Path(pair[0]), Path(pair[1])
    notebook = with_outputs(source, executed)
    toc_tokens, title = _get_nb_toc_tokens(str(source), options["toc_depth"])
    with mock.patch.object(nbconvert2.jupytext, "read", lambda *args, **kwargs: notebook):
        content = convert.nb2html(
            str(source),
            execute=False,
            kernel_name=options["kernel_name"],
            theme=options["theme"],
            allow_errors=options["allow_errors"],
            show_input=options["show_input"],
            no_input=options["no_input"],
            no_prompt=options["no_prompt"],
            remove_tag_config=options["remove_tag_config"],
            highlight_extra_classes=options["highlight_extra_classes"],
            include_requirejs=options["include_requirejs"],
            custom_mathjax_url=options["custom_mathjax_url"],
        )
    cache_path = _get_cache_path(options["cache_dir"], _compute_cache_key(str(source), options, options["execute"]))
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"content": content, "toc_tokens": toc_tokens, "title": title}
    cache_path.write_text(json.dumps(entry), encoding="utf-8")
    return str(cache_path)


def main(argv: list[str]) -> int:
    pairs = [tuple(pair) for pair in json.loads(Path(argv[0]).read_text(encoding="utf-8"))]
    options = plugin_options()
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        written = list(pool.map(write_entry, pairs, [options] * len(pairs), chunksize=8))
    print(f"{len(written)} cache entries written", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
