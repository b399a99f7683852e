"""The ``labjournal`` command: parses arguments, calls ``labjournal.api``, prints (``printing``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rich.markup import escape

from labjournal.errors import LabjournalError, StoreWriteError, UsageError

from .commands import COMMANDS, EXIT_FAILED
from .parser import build_parser
from .printing import console

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (UsageError, StoreWriteError) as exc:  # one line naming the file: no wrapping, whatever the terminal's width
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except LabjournalError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        return EXIT_INTERRUPTED
