"""``-p name=value`` overrides and ``--sweep`` grids, checked against what a note declares."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable
from typing import Any

from labjournal.errors import ParameterError
from labjournal.notes import Note
from labjournal.notes.params import declared

DEVICE_PARAMETER = "device"


def typed_value(text: str) -> Any:
    """A ``-p`` value typed as ``papermill -p`` types it: True/False/None, int, float, else text."""
    constants: dict[str, Any] = {"True": True, "False": False, "None": None}
    if text in constants:
        return constants[text]
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


def parse_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """Parse ``name=value`` strings into typed overrides."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"-p {pair!r}: expected name=value, e.g. -p lr=0.1")
        overrides[name.strip()] = typed_value(value)
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


def _default_value(source: str) -> Any:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return object()  # a default that is an expression never equals an override


def effective_overrides(note: Note, overrides: dict[str, Any]) -> dict[str, Any]:
    """Overrides that differ from the note's defaults (equal ones describe the canonical run)."""
    if not overrides:
        return {}
    defaults = declared(note)
    return {k: v for k, v in overrides.items() if k != DEVICE_PARAMETER and _default_value(defaults[k]) != v}


def sweep_grid(specs: Iterable[str]) -> list[dict[str, Any]]:
    """``["lr=0.01,0.1", "steps=50,200"]`` -> the 4 combinations, values typed like ``-p``."""
    axes: list[list[tuple[str, Any]]] = []
    for spec in specs:
        name, sep, values = spec.partition("=")
        if not sep or not values:
            raise ParameterError(f"--sweep {spec!r}: expected name=v1,v2,..., e.g. --sweep lr=0.01,0.1,1")
        axes.append([(name, typed_value(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] if axes else []
