"""How much of one output goes where: the page, the store, the search index.

A cell that prints 50 MB must not make a 98 MB page or a 53 MB search index. Each place has its own
cap (the ``labjournal`` plugin's options in ``mkdocs.yml``); what is cut is said where it is cut,
and the executed notebook offered for download keeps what the store kept.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputLimits:
    """Caps on one output (one stream, one text representation) in each place it lands."""

    page_lines: int = 1000
    """Lines of one output shown on its page (the rest: a notice and the downloadable notebook)."""
    page_bytes: int = 100_000
    """Bytes of one text output shown on its page."""
    store_bytes: int = 64 * 2**20
    """Bytes of one output kept in the committed store (and so in the downloadable notebook)."""
    search_chars: int = 2_000
    """An output longer than this is left out of the search index (training logs, tensor dumps)."""
