"""What a page says about its outputs: where they come from, whether they are current, what failed."""

from __future__ import annotations

import html
from typing import Any

from labjournal.markup import md_literal
from labjournal.states import State
from labjournal.store import Entry, Failure, short_time
from labjournal.store.runs import short_run_id

from .outputs import fence


def admonition(kind: str, title: str, body: str = "", folded: bool = False) -> str:
    marker = "???" if folded else "!!!"
    text = f'{marker} {kind} "{title}"\n'
    if body:
        text += "\n" + "\n".join(f"    {line}" if line else "" for line in body.splitlines()) + "\n"
    return text + "\n"


def stale_notice(state: State, command: str) -> str:
    """Why the page shows code without outputs, and the command that would give it some."""
    if state is State.NEEDS_GPU:
        return admonition(
            "info",
            "Needs a GPU",
            f"This note runs on a GPU and this host has none, so it has no current outputs here. "
            f"Run `{command}` on a GPU machine and commit the store.",
        )
    if state is State.NEVER_RUN:
        return admonition("warning", "This note has not been executed yet", f"Run `{command}` to see its outputs.")
    if state is State.FAILED:
        return admonition(
            "failure",
            "Outputs are stale: the changed code was run and failed",
            "The outputs of the last good run were made from other code, so none are shown. "
            f"Fix the note and run `{command}`.",
        )
    return admonition(
        "warning",
        "Outputs are stale",
        f"The code changed after its last run, so no outputs are shown. Run `{command}`.",
    )


def partly_stale_notice(state: State, command: str, kept: int) -> str:
    """Above a page whose first ``kept`` code cells show their outputs and whose later ones do not."""
    cells = (
        "code cell, unchanged since the last run, shows its"
        if kept == 1
        else f"{kept} code cells, unchanged since the last run, show their"
    )
    shown = f"The first {cells} outputs"
    if state is State.NEEDS_GPU:
        return admonition(
            "info",
            "Needs a GPU",
            f"The code changed after its last run and this host has no GPU to run it. {shown}; "
            f"the cells from the first changed one on do not. Run `{command}` on a GPU machine.",
        )
    if state is State.FAILED:
        return admonition(
            "failure",
            "Outputs are stale from the first changed cell on: that code was run and failed",
            f"{shown}; the cells from the first changed one on do not. Fix the note and run `{command}`.",
        )
    return admonition(
        "warning",
        "Outputs are stale from the first changed cell on",
        f"The code changed after its last run. {shown}; the cells from the first changed one on do not. "
        f"Run `{command}`.",
    )


def stale_cell_notice(state: State) -> str:
    """The notice in place of a cell's outputs: its code, or the code above it, changed."""
    if state is State.FAILED:
        return admonition(
            "failure", "No current outputs: this cell's code, or code above it, changed and the re-run failed"
        )
    return admonition("warning", "Stale: this cell's code, or code above it, changed after the last run")


def saved_by_author(entry: Entry) -> str | None:
    """ "Outputs as saved by the author on DATE, ..." for outputs labjournal did not make; else ``None``."""
    prov: Any = entry.provenance
    if getattr(prov, "origin", "executed") != "saved":
        return None
    date = str(getattr(prov, "finished", "") or "")[:10]
    when = f" on {date}" if date else ""
    return f"Outputs as saved by the author{when}, not executed by labjournal"


def banners(state: State, entry: Entry) -> str:
    """The notices above a page whose stored outputs are shown."""
    prov = entry.provenance
    text = ""
    saved = saved_by_author(entry)
    if saved is not None:
        text += admonition("info", saved)
    if state is State.NEEDS_GPU:
        text += admonition(
            "info", "Needs a GPU", "This host has no GPU, so the note was not run here; outputs are from the store."
        )
    failure = prov.last_failure
    if failure is not None:
        text += failure_banner(failure, "the outputs below are from the last good run")
    elif not prov.ok:
        text += admonition("failure", f"This note failed: {prov.status}", html.escape(prov.message))
    return text


def failure_banner(failure: Failure, consequence: str) -> str:
    """ "Re-run failed on DATE", with the message and traceback folded (both literal text)."""
    from nbconvert.filters import strip_ansi

    body = html.escape(failure.message)
    if failure.traceback:
        trace = strip_ansi(failure.traceback)
        body += f"\n\n{fence(trace)} pytb\n{trace}\n{fence(trace)}"
    banner = admonition("bug", f"Re-run failed on {failure.finished[:10]}: {consequence}")
    return banner + admonition("failure", f"Traceback of the failed re-run ({failure.status})", body, folded=True)


def provenance_line(entry: Entry, parameters: str = "", run_id: str = "") -> str:
    """ "Outputs from a run on cpu with n=9 (promoted from run 1a2b3c), finished ..., 3.1 s, torch 2.13.0"
    (or, for outputs the author saved, that they are the author's). ``parameters``: the parameters
    the outputs were made with, as text; ``run_id``: the run they come from."""
    saved = saved_by_author(entry)
    if saved is not None:
        return saved
    prov = entry.provenance
    lead = f"Outputs from a run on {prov.where}"
    if parameters:
        lead += f" with {md_literal(parameters)}"
    if prov.overrides:
        lead += f" (promoted from run {short_run_id(run_id)})" if run_id else " (promoted)"
    elif run_id:
        lead += f" (run {short_run_id(run_id)})"
    bits = [lead, f"finished {short_time(prov.finished)}", f"{prov.seconds:.1f} s"]
    torch = prov.versions.get("torch")
    if torch:
        bits.append(f"torch {torch}")
    bits.append(f"python {prov.versions.get('python', '?')}")
    return ", ".join(bits)
