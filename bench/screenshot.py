"""The README's screenshots: build the sample journal, open its pages in headless Chromium, save PNGs.

Builds a temporary copy of this repository's journal from its committed store (nothing executes, the
working tree is not touched), serves it on 127.0.0.1 and writes one palette-quantised PNG (1280x900 by
default) per shot into docs/assets/: the home page, the journal listing, a note (scrolled so that its
first figure sits at the bottom with the code and output that made it above) and an experiment's Runs
section.

    python bench/screenshot.py                                  # all four -> docs/assets/screenshot-*.png
    python bench/screenshot.py --shot note --note 2024/2024-01-27-fastai-lesson-3 --anchor a-first-taste-of-nlp
    python bench/screenshot.py --scheme slate --size 375x812 --out /tmp/shots   # dark, phone-sized

Needs Playwright (`pip install -e '.[test]'`) and a Chromium on PATH (Debian: `apt-get install chromium`);
Playwright's own browser download is not used.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    from playwright.sync_api import Page

from labjournal.cli import main as labjournal

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.conftest import CHROMIUM_ARGS, copy_repo_journal, serve_folder  # noqa: E402 - the tests' browser set-up

NOTE = "2023/2023-02-16-cs-441-lecture-mlps-optimizers-and-residual-networks"
EXPERIMENT = "2024/2024-01-20-fastai-lesson-1"


@dataclass(frozen=True)
class Shot:
    """A page of the site and where to scroll it: ``anchor`` (an element id under the header),
    ``"figure"`` (the first figure at the bottom) or ``None`` (the top)."""

    path: str
    anchor: str | None = None


def shots(note: str, anchor: str | None) -> dict[str, Shot]:
    return {
        "home": Shot(""),
        "journal": Shot("journal/"),
        "note": Shot(f"journal/{note}/", anchor or "figure"),
        "runs": Shot(f"journal/{EXPERIMENT}/", "runs"),
    }


def build_copy(dest: Path) -> Path:
    """Build a copy of the repository's journal under ``dest``; return its site folder."""
    copy_repo_journal(dest)
    if labjournal(["-C", str(dest), "build", "--no-execute", "--strict"]) != 0:
        raise SystemExit("the site did not build")
    return dest / "site"


def capture(site: Path, wanted: dict[str, Shot], width: int, height: int, scheme: str) -> dict[str, bytes]:
    """A PNG of each shot, at ``width`` x ``height`` in the ``scheme`` palette."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (Debian: apt-get install chromium)")
    color_scheme = "dark" if scheme == "slate" else "light"
    pngs = {}
    with serve_folder(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=color_scheme)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        for name, shot in wanted.items():
            response = page.goto(base + shot.path, wait_until="networkidle")
            if response is None or response.status != 200:
                raise SystemExit(f"{shot.path} did not load")
            page.wait_for_function("[...document.querySelectorAll('article img')].every(img => img.complete)")
            scroll(page, shot.anchor, height)
            page.mouse.move(0, height - 1)  # no hover effects on the content
            page.wait_for_timeout(300)  # the header and the table of contents follow the scroll
            pngs[name] = page.screenshot()
        browser.close()
    return pngs


def scroll(page: Page, anchor: str | None, height: int) -> None:
    if anchor == "figure":  # the first figure at the bottom, the code and the output that made it above
        target = page.locator("article img").first
        target.evaluate("el => window.scrollBy(0, el.getBoundingClientRect().bottom - window.innerHeight + 24)")
    elif anchor:  # the heading just under the sticky header
        target = page.locator(f"[id='{anchor}']")
        target.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 72)")


def optimise(png: bytes, colours: int) -> bytes:
    """A palette PNG: screenshots of a text page have few colours, so this cuts the size several times."""
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shot", choices=("home", "journal", "note", "runs"), action="append",
                        help="which screenshot (repeatable; default: all four)")  # fmt: skip
    parser.add_argument("--note", default=NOTE, help="the note of the 'note' shot (default: %(default)s)")
    parser.add_argument("--anchor", default=None, help="id of a heading to scroll the note to (default: its figure)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "assets", help="folder of the PNGs")
    parser.add_argument("--site", type=Path, default=None, help="an already built site/ (default: build a copy)")
    parser.add_argument("--size", default="1280x900", help="viewport WIDTHxHEIGHT (default: %(default)s)")
    parser.add_argument("--scheme", choices=("default", "slate"), default="default", help="light or dark palette")
    parser.add_argument("--colours", type=int, default=128, help="palette size of the PNG (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    width, height = (int(part) for part in args.size.lower().split("x"))
    table = shots(args.note, args.anchor)
    wanted = {name: table[name] for name in (args.shot or table)}
    with tempfile.TemporaryDirectory(prefix="labjournal-screenshot-") as tmp:
        site = args.site or build_copy(Path(tmp) / "journal")
        pngs = capture(site, wanted, width, height, args.scheme)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, png in pngs.items():
        small = optimise(png, args.colours)
        path = args.out / f"screenshot-{name}.png"
        path.write_bytes(small)
        print(f"{path}: {len(small) // 1024} KiB, {width}x{height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
