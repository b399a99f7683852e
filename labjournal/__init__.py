"""labjournal: a learning journal whose notes execute.

Data flows one way: ``notes/`` -> executors (papermill) -> store -> render (nbconvert) -> MkDocs
plugin -> site.
"""

from __future__ import annotations

from .metrics import record

__version__ = "0.1.0"
__all__ = ["__version__", "record"]
