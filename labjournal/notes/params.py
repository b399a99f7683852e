"""The parameters a note declares: the names and default values of its cell tagged ``parameters``."""

from __future__ import annotations

import ast
from typing import Any

from .model import Note


def declared(note: Note) -> dict[str, str]:
    """Names declared in the note's ``parameters`` cell, with their default source text.

    Read by papermill's translator for the note's kernel, the public API papermill's own
    ``inspect_notebook`` uses.
    """
    cell = next((c for c in note.code_cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        return {}  # without importing papermill (0.3 s)
    from papermill.translators import papermill_translators

    kernelspec = note.notebook.metadata.get("kernelspec", {})
    language = note.notebook.metadata.get("language_info", {}).get("name") or kernelspec.get("language", "python")
    translator = papermill_translators.find_translator(kernelspec.get("name", "python3"), language)
    return {p.name: p.default for p in translator.inspect(cell)}


def literal(source: str) -> Any:
    """A default's value when it is a Python literal, else its source text."""
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return source


def default_parameters(note: Note) -> dict[str, Any]:
    """The note's parameters cell as values (expressions that are not literals stay as text)."""
    return {name: literal(source) for name, source in declared(note).items()}
