"""Where notes run. Installed as ``labjournal.executors``.

Backends register by name, like papermill's engines: the built-ins below, then any installed
package that declares an entry point in the ``labjournal.executors`` group.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from labjournal.errors import UsageError

from .base import Executor, Job, Outcome, run_job

BUILTIN = {
    "local": "labjournal.executors.local:LocalExecutor",
    "ray": "labjournal.executors.ray:RayExecutor",
}

__all__ = ["Executor", "Job", "Outcome", "available", "check_name", "get_executor", "run_job"]


def _load(target: str) -> type[Executor]:
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)


def available() -> dict[str, str]:
    """Every executor name with where it comes from."""
    names = dict(BUILTIN)
    for ep in entry_points(group="labjournal.executors"):
        names.setdefault(ep.name, ep.value)
    return names


def check_name(name: str) -> str:
    """Where executor ``name`` comes from; a clear error listing the known names (nothing is imported)."""
    names = available()
    if name not in names:
        raise UsageError(f"unknown executor '{name}'; available: {', '.join(sorted(names))}")
    return names[name]


def get_executor(name: str) -> type[Executor]:
    """The executor class registered as ``name``; a clear error listing the known names."""
    target = check_name(name)
    try:
        return _load(target)
    except ImportError as exc:
        raise UsageError(f"executor '{name}' needs a package that is not installed: {exc.name}") from None
