"""Every note with the state of its stored outputs, newest first (what ``labjournal status`` prints)."""

from __future__ import annotations

from .base import ListingPage, NavPlacement


class ExecutionReport(ListingPage):
    name = "report"
    uri = "report.md"
    title = "Execution report"
    nav = NavPlacement(order=50)
    template = "report.md.j2"
