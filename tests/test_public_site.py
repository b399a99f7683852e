"""A safe public site, end to end: real kernels print and display attacks and secrets, a real build
publishes them, and the built files are searched for what must not survive.

One journal is run and built once for the module:

- ``payloads``: a cell displays every rich payload of ``xss_payloads.PAYLOADS`` under its own MIME
  type, each after a printed delimiter, so that each payload's part of the page can be checked
  against that payload's own forbidden markers;
- ``printed``: the printed payloads of ``PRINTED_PAYLOADS`` as streams, ``text/plain`` and errors;
- ``secrets``: a note printing environment variables planted in the kernel's environment;
- ``trusted``: a note with ``trusted: true``, whose HTML is published as is.

The payloads are read from a JSON file next to the notes, so that no note's source (which the page
shows, escaped) contains them.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import JournalDir, code, note_text
from .xss_payloads import PAYLOADS, PRINTED_PAYLOADS, Payload

pytestmark = [pytest.mark.kernel, pytest.mark.site]

DELIMITER = "ljpayload-{}-start"
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
# live markup, whatever the payload: an element with an event handler, or a script URL in an attribute
LIVE_HANDLER = re.compile(r"<[a-z][a-z0-9-]*\b[^<>]*\son[a-z]+\s*=", re.I)
LIVE_SCRIPT_URL = re.compile(r"""(?:href|src|action|formaction|data)\s*=\s*["']?\s*(?:java|vb)script:""", re.I)
TRUSTED_HTML = '<div class="lj-trusted-widget" onclick="void(0)">trusted widget</div>'

RICH = note_text(
    "Rich payloads",
    "2026-02-01",
    "Every rich payload, displayed raw.\n\n"
    + code(
        """
        import json
        from IPython.display import display
        for index, (mime, text) in enumerate(json.load(open("payloads.json"))):
            print(f"ljpayload-{index}-start")
            display({mime: text}, raw=True)
        print("ljpayload-end")
        """
    ),
)


def _printed_note() -> str:
    cells = code('import json\nfrom IPython.display import display\nP = json.load(open("printed.json"))')
    for index, payload in enumerate(PRINTED_PAYLOADS):
        start = f'print("ljprinted-%d-start" % {index})\n'  # the output names the index, the source does not
        if payload.mime == "stream":
            cells += code(start + f"print(P[{index}])")
        elif payload.mime == "text/plain":
            cells += code(start + f'display({{"text/plain": P[{index}]}}, raw=True)')
        else:
            cells += code(start + f"raise ValueError(P[{index}])", ["raises-exception"])
    return note_text("Printed payloads", "2026-02-02", "Printed text that tries to become markup.\n\n" + cells)


def _token(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


ALNUM = string.ascii_letters + string.digits
# name -> value; the first two are secret by their names, the others only by their shapes
PLANTED = {
    "MY_API_TOKEN": "ljtok" + _token(ALNUM, 24),
    "AWS_SECRET_ACCESS_KEY": _token(ALNUM + "/+", 40),
    "LJ_PLANTED_GH": "ghp_" + _token(ALNUM, 36),
    "LJ_PLANTED_HF": "hf_" + _token(ALNUM, 34),
    "LJ_PLANTED_AWS_ID": "AKIA" + _token(string.ascii_uppercase + string.digits, 16),
    "LJ_PLANTED_OPENAI": "sk-proj-" + _token(ALNUM, 40),
}

SECRETS = note_text(
    "Secrets",
    "2026-02-03",
    "Prints what it should not.\n\n"
    + code(
        """
        import os
        NAMES = ["MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY", "LJ_PLANTED_GH", "LJ_PLANTED_HF",
                 "LJ_PLANTED_AWS_ID", "LJ_PLANTED_OPENAI"]
        for name in NAMES:
            print(name, "=", os.environ[name])
        """
    )
    + code(
        """
        from IPython.display import HTML, Markdown, display
        display(HTML("<p>" + " ".join(os.environ[n] for n in NAMES) + "</p>"))
        display(Markdown("**" + os.environ["LJ_PLANTED_GH"] + "**"))
        {name: os.environ[name] for name in NAMES}
        """
    )
    + code('raise RuntimeError("token " + os.environ["MY_API_TOKEN"] + " " + os.environ["LJ_PLANTED_HF"])')
    + code('print("never runs")'),
)

TRUSTED = note_text(
    "Trusted",
    "2026-02-04",
    "Its author vouches for its HTML.\n\n"
    + code(f"from IPython.display import HTML, display\ndisplay(HTML({TRUSTED_HTML!r}))"),
    trusted="true",
)
UNTRUSTED = note_text(
    "Untrusted",
    "2026-02-05",
    "The same HTML without trust.\n\n"
    + code(f"from IPython.display import HTML, display\ndisplay(HTML({TRUSTED_HTML!r}))"),
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JournalDir]:
    """The journal, run and built with the secrets planted in the environment its kernels inherit."""
    journal = JournalDir(tmp_path_factory.mktemp("public") / "journal")
    journal.write("2026/payloads.md", RICH)
    journal.write("2026/payloads.json", json.dumps([[p.mime, p.payload] for p in PAYLOADS]))
    journal.write("2026/printed.md", _printed_note())
    journal.write("2026/printed.json", json.dumps([p.payload for p in PRINTED_PAYLOADS]))
    journal.write("2026/secrets.md", SECRETS)
    journal.write("2026/trusted.md", TRUSTED)
    journal.write("2026/untrusted.md", UNTRUSTED)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in PLANTED.items():
            mp.setenv(name, value)
        assert journal.cli("build", "--jobs", "2") == 1  # the secrets note fails on purpose
        yield journal


def _article(journal: JournalDir, note_id: str) -> str:
    """The note's own content on its page (the theme's markup around it has scripts and links)."""
    found = ARTICLE.findall(journal.page(note_id))
    assert len(found) == 1, f"no single article in {note_id}"
    return found[0]


def _segments(article: str) -> list[str]:
    """The part of the payloads page that belongs to each payload, in corpus order."""
    starts = [article.find(DELIMITER.format(index)) for index in range(len(PAYLOADS))]
    assert all(start >= 0 for start in starts), "a payload swallowed the delimiters after it"
    ends = [*starts[1:], article.rfind("ljpayload-end")]  # rfind: the source shows it first
    assert ends[-1] > starts[-1]
    return [article[start:end] for start, end in zip(starts, ends, strict=True)]


def _found(text: str, payload: Payload) -> list[str]:
    return [marker for marker in payload.forbidden if marker.lower() in text.lower()]


def test_every_rich_payload_is_neutralised_on_the_page(site: JournalDir) -> None:
    segments = _segments(_article(site, "2026/payloads"))
    page_dir = site.root / "site/journal/2026/payloads"
    survivors = {}
    for payload, segment in zip(PAYLOADS, segments, strict=True):
        found = _found(segment, payload)
        for figure in re.findall(r'src="(figure-[^"]+)"', segment):  # SVG outputs become files beside the page
            found += _found((page_dir / figure).read_text(encoding="utf-8"), payload)
        if found:
            survivors[payload.name] = found
    assert survivors == {}


def test_every_rich_payload_is_neutralised_in_the_published_notebook(site: JournalDir) -> None:
    published = json.loads((site.root / "site/journal/2026/payloads/payloads.executed.ipynb").read_text())
    (cell,) = [c for c in published["cells"] if c["cell_type"] == "code"]
    current: Payload | None = None
    survivors = {}
    for output in cell["outputs"]:
        text = "".join(output.get("text", ""))
        match = re.search(r"ljpayload-(\d+)-start", text)
        if match:
            current = PAYLOADS[int(match.group(1))]
        elif current is not None and "data" in output:
            found = _found(json.dumps(output["data"], ensure_ascii=False), current)
            if found:
                survivors[current.name] = sorted(set(found))
    assert survivors == {}


@pytest.mark.parametrize(
    "index",
    [pytest.param(i, id=p.name) for i, p in enumerate(PRINTED_PAYLOADS)],
)
def test_printed_payloads_stay_text(site: JournalDir, index: int) -> None:
    article = _article(site, "2026/printed")
    start = article.find(f"ljprinted-{index}-start")
    end = article.find(f"ljprinted-{index + 1}-start")
    assert start >= 0
    segment = article[start : end if end > 0 else len(article)]
    assert "alert(1)" in segment  # the payload is on the page, as text
    assert _found(segment, PRINTED_PAYLOADS[index]) == []
    assert LIVE_HANDLER.findall(segment) == []  # the corpus's markers know one quoting only
    assert LIVE_SCRIPT_URL.findall(segment) == []


@pytest.mark.parametrize("note_id", ["2026/payloads", "2026/printed", "2026/secrets", "2026/untrusted"])
def test_no_live_handler_or_script_url_in_any_untrusted_note(site: JournalDir, note_id: str) -> None:
    article = _article(site, note_id)
    assert LIVE_HANDLER.findall(article) == []
    assert LIVE_SCRIPT_URL.findall(article) == []


def test_no_printed_payload_is_live_anywhere_in_the_site(site: JournalDir) -> None:
    markers = {marker.lower() for payload in PRINTED_PAYLOADS for marker in payload.forbidden}
    for path in (site.root / "site").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".md", ".svg", ".ipynb"):
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            assert [m for m in markers if m in text] == [], path


def test_trusted_notes_keep_their_html_and_others_do_not(site: JournalDir) -> None:
    assert TRUSTED_HTML in _article(site, "2026/trusted")
    untrusted = _article(site, "2026/untrusted")
    assert '<div class="lj-trusted-widget">trusted widget</div>' in untrusted
    assert LIVE_HANDLER.findall(untrusted) == []


def _files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("folder", ["store", "site", ".labjournal"])
def test_no_planted_secret_is_stored_or_published(site: JournalDir, folder: str) -> None:
    files = list(_files(site.root / folder))
    assert files
    leaks = {
        f"{path.relative_to(site.root)}: {name}"
        for path in files
        for name, value in PLANTED.items()
        if value.encode() in path.read_bytes()
    }
    assert leaks == set()


def test_secrets_are_replaced_by_names_and_the_rest_still_shows(site: JournalDir) -> None:
    article = _article(site, "2026/secrets")
    assert "[secret:MY_API_TOKEN]" in article and "[secret:AWS_SECRET_ACCESS_KEY]" in article
    assert "[secret]" in article  # the shaped ones
    assert "RuntimeError" in article  # the failure is shown, scrubbed
    entry = json.loads((site.root / "store/notes/2026/secrets.ipynb").read_text())
    assert entry["metadata"]["labjournal"]["status"] == "error"
    assert "[secret:MY_API_TOKEN]" in entry["metadata"]["labjournal"]["message"]
