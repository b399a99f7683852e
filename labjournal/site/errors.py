"""The site's errors (apart from ``build`` so that ``preview`` can raise them without an import cycle)."""

from __future__ import annotations

from labjournal.errors import LabjournalError


class SiteBuildError(LabjournalError):
    """MkDocs stopped: a configuration error, or a warning under ``--strict``; or the preview cannot start."""
