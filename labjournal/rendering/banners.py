"""What a page says about its outputs: where they come from, whether they are current, what failed."""

from __future__ import annotations

import html
from typing import Any

from labjournal.states import State
from labjournal.store import Entry, Failure, short_time

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
    return admonition(
        "warning",
        "Outputs are stale",
        f"The code changed after its last run, so no outputs are shown. Run `{command}`.",
    )


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


def provenance_line(entry: Entry) -> str:
    """ "Outputs from a run on cpu, finished ..., 3.1 s, torch 2.13.0" (or, for outputs the author
    saved, that they are the author's)."""
    saved = saved_by_author(entry)
    if saved is not None:
        return saved
    prov = entry.provenance
    bits = [f"Outputs from a run on {prov.where}", f"finished {short_time(prov.finished)}", f"{prov.seconds:.1f} s"]
    torch = prov.versions.get("torch")
    if torch:
        bits.append(f"torch {torch}")
    bits.append(f"python {prov.versions.get('python', '?')}")
    return ", ".join(bits)
