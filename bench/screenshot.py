"""The README's screenshot of a note page: build the sample journal, open a note in headless Chromium, save a PNG.

Builds a temporary copy of this repository's journal from its committed store (nothing executes, the
working tree is not touched), serves it on 127.0.0.1, scrolls the note so that its first figure sits at
the bottom with the code and output that made it above (or to a heading), and writes a palette-quantised
PNG (1280x900 by default).

    python bench/screenshot.py                                  # -> docs/assets/screenshot-note.png
    python bench/screenshot.py --note 2024/2024-01-27-fastai-lesson-3 --anchor a-first-taste-of-nlp

Needs Playwright (`pip install -e '.[test]'`) and a Chromium on PATH (Debian: `apt-get install chromium`);
Playwright's own browser download is not used.
"""

from __future__ import annotations

import argparse
import http.server
import io
import shutil
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path

from PIL import Image

from labjournal.cli import main as labjournal

REPO = Path(__file__).resolve().parents[1]
JOURNAL_PARTS = ("mkdocs.yml", "docs", "notes", "store")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build_copy(dest: Path) -> Path:
    """Build a copy of the repository's journal under ``dest``; return its site folder."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in JOURNAL_PARTS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    if labjournal(["-C", str(dest), "build", "--no-execute", "--strict"]) != 0:
        raise SystemExit("the site did not build")
    return dest / "site"


def capture(site: Path, note: str, anchor: str | None, width: int, height: int, scheme: str) -> bytes:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (Debian: apt-get install chromium)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme="light")
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
            response = page.goto(f"{base}journal/{note}/", wait_until="networkidle")
            if response is None or response.status != 200:
                raise SystemExit(f"journal/{note}/ did not load")
            if scheme == "slate":
                page.locator('form[data-md-component="palette"] label.md-header__button:not([hidden])').click()
            page.wait_for_function("[...document.querySelectorAll('article img')].every(img => img.complete)")
            if anchor:  # the heading just under the sticky header
                target = page.locator(f"[id='{anchor}']")
                target.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 72)")
            else:  # the first figure at the bottom, the code and the output that made it above
                target = page.locator("article img").first
                target.evaluate("el => window.scrollBy(0, el.getBoundingClientRect().bottom - window.innerHeight + 24)")
            page.mouse.move(0, height - 1)  # no hover effects on the content
            page.wait_for_timeout(300)  # the header and the table of contents follow the scroll
            png = page.screenshot()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return png


def optimise(png: bytes, colours: int) -> bytes:
    """A palette PNG: screenshots of a text page have few colours, so this cuts the size several times."""
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--note", default="2023/2023-02-16-cs-441-lecture-mlps-optimizers-and-residual-networks")
    parser.add_argument("--anchor", default=None, help="id of a heading to scroll to (default: the first figure)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "assets" / "screenshot-note.png")
    parser.add_argument("--site", type=Path, default=None, help="an already built site/ (default: build a copy)")
    parser.add_argument("--size", default="1280x900", help="viewport WIDTHxHEIGHT (default: %(default)s)")
    parser.add_argument("--scheme", choices=("default", "slate"), default="default", help="light or dark palette")
    parser.add_argument("--colours", type=int, default=128, help="palette size of the PNG (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    width, height = (int(part) for part in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="labjournal-screenshot-") as tmp:
        site = args.site or build_copy(Path(tmp) / "journal")
        png = optimise(capture(site, args.note, args.anchor, width, height, args.scheme), args.colours)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png)
    print(f"{args.out}: {len(png) // 1024} KiB, {width}x{height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
