"""The command line's arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

from labjournal import __version__
from labjournal.notes import KINDS


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}': give a positive number of seconds")
    return value


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter of the note's 'parameters' cell (typed as papermill types it)",
    )
    parser.add_argument("--force", action="store_true", help="execute even notes whose stored outputs are fresh")
    parser.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS", help="limit per cell")
    parser.add_argument(
        "--note-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="limit per note, kernel start included (the note fails with 'note timeout')",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="if another run or build holds the journal, exit at once (code 1) instead of waiting",
    )
    parser.add_argument("--executor", default=None, help="where notes run (default from mkdocs.yml: local)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="notes run at once (default: number of cores)")
    parser.add_argument(
        "--preload",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fork kernels from a server that imported torch & co. once (default from mkdocs.yml, else the executor's)",
    )
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="device injected into notes that declare a 'device' parameter")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labjournal", description="A learning journal whose notes execute.")
    parser.add_argument("--version", action="version", version=f"labjournal {__version__}")
    parser.add_argument("-C", "--directory", type=Path, default=None, help="run as if started in this folder")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute stale notes and keep their outputs in the store")
    run.add_argument("paths", nargs="*", type=Path, help="notes or folders (default: every note)")
    _add_run_options(run)
    run.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="run the grid of these values (repeat for more parameters), in parallel",
    )
    run.add_argument(
        "--promote",
        action="store_true",
        help="with -p: this run's outputs replace the page's (default: only a run record)",
    )
    run.add_argument(
        "--mlflow",
        nargs="?",
        const="file:.labjournal/mlruns",
        default=None,
        metavar="URI",
        help="also log each run's parameters and metrics to MLflow (default store: %(const)s)",
    )

    build = sub.add_parser("build", help="run stale notes, then build the site")
    build.add_argument("--no-execute", action="store_true", help="build from the store only; execute nothing")
    build.add_argument("--strict", action="store_true", help="fail on warnings and on missing or stale outputs")
    build.add_argument("-d", "--site-dir", default=None, help="where to write the site")
    _add_run_options(build)

    serve = sub.add_parser("serve", help="live preview; watches notes/ and the store (drafts shown)")
    serve.add_argument("-a", "--dev-addr", default=None, help="IP:PORT to serve on")
    serve.add_argument(
        "--no-run", action="store_true", help="never execute: a note whose code was saved shows as stale"
    )

    sub.add_parser("status", help="the state of every note: fresh, stale, failed, never run, needs GPU")

    new = sub.add_parser("new", help="start an entry (a draft) from notes/_templates/<kind>.md with its Day number")
    new.add_argument("--kind", choices=KINDS, default="daily")
    new.add_argument("--title")
    new.add_argument("--date", metavar="YYYY-MM-DD", help="default: today")
    new.add_argument("--series")
    new.add_argument("--tag", action="append", default=[], dest="tags")
    new.add_argument("--video", help="lecture video URL")
    new.add_argument("--slug", help="file name after the date (refused if taken)")

    imp = sub.add_parser(
        "import",
        help="a lecture's subtitles or transcript (.vtt, .srt, YouTube transcript text) -> a lecture note (a draft)",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--title", required=True)
    imp.add_argument("--video", help="video URL: each paragraph's timestamp links to that second")
    imp.add_argument("--date", metavar="YYYY-MM-DD")
    imp.add_argument("--series")
    imp.add_argument("--tag", action="append", dest="tags")

    runs = sub.add_parser("runs", help="the runs of a note: parameters, final metrics, status, seconds, device")
    runs.add_argument("note", type=Path)
    runs.add_argument("--sort", metavar="METRIC", help="order by the final value of METRIC (ascending)")
    runs.add_argument("--desc", action="store_true", help="with --sort: largest first")
    runs.add_argument("--compare", nargs=2, metavar="ID", help="two runs side by side: parameters and metrics")
    return parser
