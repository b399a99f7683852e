"""The papermill engine notes run with: papermill's nbclient engine, handing over the notebook it executes.

papermill's own way to keep what a run did when the run dies (a dead kernel, a timeout, a kill) is
to write the notebook to its output file before and after every cell: a dozen JSON encodings and
schema validations of a notebook with its figures, per note, in the driver. This engine gives
the caller the notebook papermill executes, so the run needs no output file at all: whatever
ended it, the caller reads the cells' outputs from the notebook object.

Registered with papermill under :data:`ENGINE_NAME` (papermill's own extension point for engines).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

ENGINE_NAME = "labjournal"


class HandingOverEngine(NBClientEngine):
    """nbclient's engine, calling ``on_start(nb_man)`` before the first cell runs."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: NotebookExecutionManager,
        kernel_name: str,
        on_start: Callable[[NotebookExecutionManager], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        if on_start is not None:
            on_start(nb_man)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


def registered() -> str:
    """The engine's name, registered with papermill on first use."""
    papermill_engines.register(ENGINE_NAME, HandingOverEngine)  # a dict entry: registering again is harmless
    return ENGINE_NAME
