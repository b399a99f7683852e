"""The ``labjournal`` command: parses arguments, calls ``labjournal.api``, prints (``printing``)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.markup import escape

from labjournal.errors import LabjournalError, StoreWriteError, UsageError

from .commands import COMMANDS, EXIT_FAILED
from .parser import build_parser
from .printing import console

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM


@contextmanager
def _terminate_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (``kill``, an IDE's stop button, a process manager) unwinds as Ctrl-C does, so that
    every ``finally`` runs: kernels, the preload server and the preview server are stopped, the lock
    released. Yields a list that holds SIGTERM once it has arrived (for the exit code)."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def interrupt(signum: int, frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    with _terminate_as_interrupt() as received:
        return _dispatch(args, received)


def _dispatch(args: argparse.Namespace, received: list[int]) -> int:
    try:
        return COMMANDS[args.command](args)
    except (UsageError, StoreWriteError) as exc:  # one line naming the file: no wrapping, whatever the terminal's width
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except LabjournalError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.print("[yellow]terminated[/]" if received else "[yellow]interrupted[/]")
        return EXIT_TERMINATED if received else EXIT_INTERRUPTED
