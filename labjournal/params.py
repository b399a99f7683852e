"""Papermill parameters: what a note declares, and ``-p name=value`` overrides checked against it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ParameterError
from .notes import Note

DEVICE_PARAMETER = "device"


def declared(note: Note) -> dict[str, str]:
    """Names declared in the note's ``parameters`` cell, with their default source text."""
    if not any("parameters" in cell.metadata.get("tags", []) for cell in note.code_cells):
        return {}  # without importing papermill (0.3 s)
    from papermill.inspection import _infer_parameters

    return {p.name: p.default for p in _infer_parameters(note.notebook)}


def parse_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """Parse ``name=value`` strings; values are typed as ``papermill -p`` types them."""
    pairs = list(pairs)
    if not pairs:
        return {}  # without importing papermill (0.4 s)
    from papermill.cli import _resolve_type

    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"-p {pair!r}: expected name=value, e.g. -p lr=0.1")
        overrides[name.strip()] = _resolve_type(value)
    return overrides


def check_overrides(note: Note, overrides: dict[str, Any]) -> None:
    """Reject names the note's parameters cell does not declare, listing the valid ones."""
    if not overrides:
        return
    names = declared(note)
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        valid = ", ".join(sorted(names)) or "none (the note has no cell tagged 'parameters')"
        raise ParameterError(f"{note.path}: unknown parameter {', '.join(unknown)}; valid names: {valid}")
