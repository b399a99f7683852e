"""The whole payload corpus through every channel of a note, built for real, opened in Chromium.

What a cell prints or displays is untrusted: the journal is a public blog. This module does what an
attacker would. It writes a journal (this repository's ``mkdocs.yml`` and ``docs/``, so the site
has the real theme, MathJax and plugins) whose notes push every payload of
:mod:`tests.xss_corpus` through one channel each, runs them with real kernels, builds the site
(``labjournal build`` must exit 0), then opens every page in headless Chromium:

- an init script, run before any page script, defines ``window.__xss`` and hooks ``alert``,
  ``confirm``, ``prompt``, ``print`` and ``open``: a payload that runs reports its id;
- once loaded (and MathJax has typeset), every ``<details>`` is opened and common events
  (click, mouse, pointer, focus, keyboard, load/error, media, animation, toggle, SVG animation,
  clipboard, drag...) are dispatched on every element; a click on a link or a submit goes ahead
  only for script URLs (anything else would leave the page);
- the DOM is then audited: no ``on*`` attribute, no script URL (``javascript:``, ``vbscript:``,
  ``data:text/html``... after removing whitespace, control characters and Unicode spaces) in any
  URL attribute, no ``srcdoc``, no frame/object/embed/base/refresh, no script or style sheet link
  the theme does not have (compared with a site built from the same configuration and no notes),
  no CSS that runs code.

The site's Content-Security-Policy is bypassed (``bypass_csp``): it is the second wall, and this
test judges the first one, what the pages contain (a reader's browser, a feed reader or a mirror
may not apply the policy). Every problem is reported at once with its channel and payload ids; a
JSON report is written to ``$LABJOURNAL_ARTIFACTS`` (or a temporary folder) as well.

Channels (one note each unless said): ``html`` (``display(HTML(p))``), ``svg`` (``image/svg+xml``,
each payload as a document or inside one; the figure files are opened too), ``markdown``,
``latex`` (``display(Latex(p))``), ``latex-raw`` (``{"text/latex": p}``), ``stdout``, ``stderr``,
``result`` (``execute_result`` text/plain, a repr and a string), ``error`` (exceptions, with a
``raises-exception`` tag), ``hidden`` (``\\r`` in prints and exceptions in a ``hide-output`` cell),
``json``, ``unknown`` (``application/x-evil`` with a ``text/plain`` twin), ``plotly`` (titles, trace
names, annotations), ``metrics`` (``labjournal.record(p, ...)``: the metrics panel, and the Metrics
page for names two notes share), ``params`` (``labjournal run -p name=p``: the Runs table),
``curves`` (stepped metrics with mathtext names in a note with runs), ``front matter`` (titles,
tags, series: note pages, navigation, listings, tag index, search results) and ``video`` (a journal
of its own: a build may refuse a script URL there, with an error naming the field).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, JournalDir, code, note_text
from .xss_corpus import CORPUS, SVG_OPEN, Payload, by_id, family, payload_ids, sample

# test_browser skips (and so this module) without playwright or chromium
from .test_browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # isort: skip
from playwright.sync_api import Browser, Page, sync_playwright  # isort: skip
from playwright.sync_api import Error as PlaywrightError  # isort: skip

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.site]

FOLDER = "xss"  # notes/xss/: every channel's note
BATCH = 100  # payloads per cell: one cell's prints are one output, kept under the page's caps
PARAMS = 50  # payloads per `labjournal run -p` (one parameter each)

# --- the journal ------------------------------------------------------------------------------------

LOAD = """
import json, sys, warnings
warnings.filterwarnings("ignore")
from IPython.display import HTML, JSON, SVG, Latex, Markdown, display
P = json.load(open("corpus.json"))


def show(kind, mime, p):
    # IPython fetches a text that starts with "http" as a URL (and reads an existing file name): raw then
    if p.startswith(("http", "/", ".")) or len(p) < 2:
        display({mime: p, "text/plain": p}, raw=True)
    else:
        display(kind(p))
"""


def _batches(body: str, tags: list[str] | None = None) -> str:
    """One cell per BATCH payloads, each running ``body`` for ``i, p`` in its slice of ``P``."""
    return "".join(
        code(f"for i, p in P[{start}:{start + BATCH}]:\n" + body, tags) for start in range(0, len(CORPUS), BATCH)
    )


def _indent(source: str) -> str:
    return "\n".join("    " + line for line in source.strip().splitlines()) + "\n"


SVG_WRAP = f"""
def as_svg(p):
    head = p.lstrip()[:20]
    return p if head.startswith(("<svg", "<?xml", "<!DOCTYPE")) else {SVG_OPEN + ">"!r} + p + "</svg>"
"""
RAW_REPR = """
class Raw:
    def __init__(self, text):
        self.text = text
    def __repr__(self):
        return self.text
"""
SHOW_ERROR = """
def shown_error(text):
    try:
        raise ValueError(text)
    except ValueError:
        get_ipython().showtraceback()
"""

SHARED_METRICS = sample(CORPUS, 40)  # the names both metrics notes record: charted on the Metrics page
RUN_METRICS = sample(CORPUS, 25, 3)  # the metric columns of the Runs table
CURVE_METRICS = [p for p in family("latex") if "$" in p.text][:6]  # stepped: drawn (mathtext) per run
PLOTLY = sample(CORPUS, 4, 1)


def _channels() -> dict[str, str]:
    """Channel name -> the body of its note (after the cell that loads ``P``)."""
    every = "\n".join(str(p.id) for p in SHARED_METRICS)
    return {
        "html": _batches(_indent('show(HTML, "text/html", p)')),
        "svg": code(SVG_WRAP) + _batches(_indent('display({"image/svg+xml": as_svg(p)}, raw=True)')),
        "markdown": _batches(_indent('show(Markdown, "text/markdown", p)')),
        "latex": _batches(_indent('show(Latex, "text/latex", p)')),
        "latex-raw": _batches(_indent('display({"text/latex": p}, raw=True)')),
        "stdout": _batches(_indent("print(p)")),
        "stderr": _batches(_indent("print(p, file=sys.stderr)")),
        "result": code(RAW_REPR) + _batches(_indent("sys.displayhook(Raw(p))")),
        "error": code(SHOW_ERROR)
        + _batches(_indent("shown_error(p)"), ["raises-exception"])
        + code("raise ValueError(P[-1][1])", ["raises-exception"]),
        "hidden": code(SHOW_ERROR)
        + _batches(
            _indent('print("ok\\r" + p)\nif i % 4 == 0:\n    shown_error("ok\\r" + p)'),
            ["hide-output", "raises-exception"],
        ),
        "json": _batches(_indent("display(JSON({p[:40]: p}))")),
        "unknown": _batches(
            _indent(
                'display({"application/x-evil": p, **({"text/plain": p} if i % 4 == 0 else {})}, raw=True)\n'
                'display({"text/x-evil": p}, raw=True)'
            )
        ),
        "plotly": code(
            f"""
            S = [x for x in P if x[0] in {{{", ".join(str(p.id) for p in PLOTLY)}}}]
            for start in range(0, len(S), 20):
                chunk = S[start:start + 20]
                traces = [{{"type": "scatter", "x": [1, 2], "y": [1, 2], "name": p, "text": [p, p],
                            "hovertemplate": p}} for i, p in chunk[:4]]
                layout = {{"title": {{"text": chunk[0][1]}}, "xaxis": {{"title": {{"text": chunk[-1][1]}}}},
                          "annotations": [{{"text": p, "x": 1, "y": 1 + k / 10, "showarrow": False}}
                                          for k, (i, p) in enumerate(chunk)]}}
                display({{"application/vnd.plotly.v1+json": {{"data": traces, "layout": layout}},
                          "text/plain": "plot"}}, raw=True)
            """
        ),
        "metrics": code("import labjournal\nfor i, p in P:\n    labjournal.record(p, float(i))"),
        "metrics-shared": code(
            f"import labjournal\nSHARED = {{{every.replace(chr(10), ', ')}}}\n"
            "for i, p in P:\n    if i in SHARED:\n        labjournal.record(p, i + 0.5)"
        ),
    }


def _params_note() -> str:
    names = "\n".join(f'p{k} = ""' for k in range(PARAMS))
    ids = ", ".join(str(p.id) for p in RUN_METRICS)
    record = f"import labjournal\nfor i, p in P:\n    if i in {{{ids}}}:\n        labjournal.record('run ' + p, i)\n"
    body = code(names, ["parameters"]) + code(LOAD + record + "print(p0)")
    return note_text(
        '"XSS channel: params"', "2026-03-20", "Parameters given with -p, shown in the Runs table.\n\n" + body
    )


def _curves_note() -> str:
    ids = ", ".join(str(p.id) for p in CURVE_METRICS)
    body = code("x = 0", ["parameters"]) + code(
        LOAD + f"import labjournal\nfor i, p in P:\n    if i in {{{ids}}}:\n"
        "        for step in range(3):\n            labjournal.record('curve ' + p, step + x, step=step)"
    )
    return note_text('"XSS channel: curves"', "2026-03-21", "Stepped metrics drawn per run.\n\n" + body)


def _flat(text: str) -> str:
    """One line, no control characters: what a front-matter title or tag can hold."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text).strip() or "x"


FRONT_MATTER_NOTES = 24
TITLES = sample(CORPUS, len(CORPUS) // FRONT_MATTER_NOTES, 5)[:FRONT_MATTER_NOTES]
TAGS = sample(CORPUS, 3, 1)
SERIES = sample(CORPUS, len(CORPUS) // 6, 11)[:6]
SEARCH_WORD = "ljfrontmatterword"


def _front_matter_notes() -> dict[str, str]:
    notes = {}
    for n, title in enumerate(TITLES):
        tags = [_flat(p.text) for p in TAGS[n::FRONT_MATTER_NOTES]]
        meta = {"tags": json.dumps(tags), "series": json.dumps(_flat(SERIES[n % len(SERIES)].text))}
        body = f"Prose of a note whose front matter is hostile; {SEARCH_WORD} finds it.\n"
        notes[f"fm-{n:02d}"] = note_text(json.dumps(_flat(title.text)), f"2026-04-{n + 1:02d}", body, **meta)
    return notes


def _video_notes() -> dict[str, str]:
    return {
        f"video-{n:02d}": note_text(
            f'"Video {n}"', "2026-05-01", "A lecture.\n", video=json.dumps(p.text), kind="lecture"
        )
        for n, p in enumerate(family("link"))
    }


def _mkdocs_journal(root: Path) -> JournalDir:
    """A journal with this repository's site configuration and documentation pages, and no notes."""
    root.mkdir(parents=True)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    (root / "notes").mkdir()
    return JournalDir.existing(root)


def _cli(journal: JournalDir, *args: str) -> tuple[int, str]:
    """The in-process CLI's exit code and what it printed (an exception is a failed build too)."""
    out = io.StringIO()
    with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):
        try:
            code_ = journal.cli(*args)
        except Exception as exc:  # a crash is what the issue calls stopping the whole build
            return -1, out.getvalue() + f"\n{type(exc).__name__}: {exc}"
    return code_, out.getvalue()


# --- the browser ------------------------------------------------------------------------------------

INIT_SCRIPT = r"""
(() => {
  const report = (kind, args) => {
    let text = "";
    try { text = String(args[0]); } catch (e) { text = "?"; }
    const entry = kind + ":" + text;
    try { (window.top.__xssFired = window.top.__xssFired || []).push(entry); } catch (e) {}
    try { if (window.top !== window) (window.__xssFired = window.__xssFired || []).push(entry); } catch (e) {}
    try { console.info("__XSS_FIRED__ " + entry); } catch (e) {}
  };
  const hook = (name) => {
    const f = function () { report(name, arguments); };
    try { Object.defineProperty(window, name, { value: f, writable: true, configurable: true }); }
    catch (e) { window[name] = f; }
  };
  window.__xss = function () { report("__xss", arguments); };
  ["alert", "confirm", "prompt", "print", "open"].forEach(hook);
  // a click or a submit leaves the page only for a script URL: the rest would navigate away
  const scriptish = (url) => { try { return new URL(url, document.baseURI).protocol === "javascript:"; } catch (e) { return false; } };
  const hrefOf = (a) => {
    const raw = a.getAttribute("href") ?? a.getAttributeNS("http://www.w3.org/1999/xlink", "href");
    return raw === null ? null : raw;
  };
  addEventListener("click", (event) => {
    const link = event.target && event.target.closest ? event.target.closest("a, area") : null;
    if (link) {
      const href = hrefOf(link);
      if (href === null || !scriptish(href)) event.preventDefault();
    }
  }, true);
  addEventListener("submit", (event) => {
    const submitter = event.submitter;
    const action = submitter && submitter.hasAttribute("formaction") ? submitter.getAttribute("formaction")
      : (event.target.getAttribute ? event.target.getAttribute("action") : null);
    if (action === null || !scriptish(action)) event.preventDefault();
  }, true);
})();
"""  # noqa: E501

EVENTS = [
    *("click", "dblclick", "contextmenu", "mousedown", "mouseup", "mouseover", "mouseout", "mouseenter"),
    *("mouseleave", "mousemove", "pointerover", "pointerenter", "pointerdown", "pointerup", "focus", "blur"),
    *("focusin", "input", "change", "keydown", "keyup", "error", "load", "toggle", "animationstart"),
    *("animationend", "transitionend", "scroll", "copy", "paste", "invalid", "drag", "dragstart", "drop"),
    *("begin", "end", "start"),
]

# Elements worth firing events at: those with a handler attribute, a URL whose scheme (as the browser
# itself parses it) is not http(s)/mailto, buttons of forms whose action is such a URL, and elements
# that act by themselves (frames, plugins, media, marquee). Only those can run a payload when an event
# comes; the theme's nav links, labels, search form, highlighting spans, line anchors, copy buttons
# and chart paths cannot, and events on them force layouts that make big pages slow. The audit after
# the events looks at every element regardless.
EXERCISE = r"""
async ([events, scope]) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  if (window.MathJax && document.querySelector(".arithmatex")) {
    for (let k = 0; k < 100 && !(MathJax.startup && MathJax.startup.promise); k++) await sleep(50);
    try {
      await Promise.race([
        MathJax.startup.promise.then(() => MathJax.typesetPromise && MathJax.typesetPromise()),
        sleep(15000),
      ]);
    } catch (e) {}
  }
  const docs = [document];
  for (const frame of document.querySelectorAll("iframe, frame, object, embed"))
    try { if (frame.contentDocument) docs.push(frame.contentDocument); } catch (e) {}
  for (const doc of docs) for (const d of doc.querySelectorAll("details")) d.open = true;
  const ACTIVE = new Set(["iframe", "frame", "frameset", "object", "embed", "marquee", "video", "audio"]);
  const URLS = /^(?:href|xlink:href|src|srcset|action|formaction|data|poster|ping|values|to|from|by)$/;
  const SAFE = new Set(["http:", "https:", "mailto:", "about:"]);
  const scriptish = (value, doc) => value !== null && String(value).split(/[;,]/).some((part) => {
    try { return !SAFE.has(new URL(part, doc.baseURI).protocol); } catch (e) { return false; }
  });
  const worth = (el) => {
    const tag = el.localName.toLowerCase();
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on") || name === "srcdoc" || name === "autofocus" || name === "contenteditable") return true;
      if (URLS.test(name) && scriptish(a.value, el.ownerDocument)) return true;
    }
    if ((tag === "button" || tag === "input") && el.form)
      return scriptish(el.form.getAttribute("action"), el.ownerDocument) || scriptish(el.getAttribute("formaction"), el.ownerDocument);
    return ACTIVE.has(tag);
  };
  const fire = (target, type) => {
    let event;
    try {
      event = type === "click" || type.startsWith("mouse") || type === "dblclick" || type === "contextmenu"
        ? new MouseEvent(type, { bubbles: type === "click", cancelable: true, view: window })
        : new Event(type, { bubbles: false, cancelable: true });
    } catch (e) { return; }
    try { target.dispatchEvent(event); } catch (e) {}
  };
  let count = 0;
  for (const doc of docs) {
    const within = scope && doc === document ? document.querySelector(scope) : doc;
    if (!within) continue;
    for (const el of Array.from(within.querySelectorAll("*"))) {
      if (!worth(el)) continue;
      const own = Array.from(el.attributes).map((a) => a.localName.toLowerCase()).filter((n) => n.startsWith("on")).map((n) => n.slice(2));
      count++;
      for (const type of new Set([...events, ...own])) fire(el, type);
      if (el.localName === "body" || el.localName === "frameset") for (const type of own) fire(doc.defaultView, type);
    }
  }
  await sleep(80);  // timers, toggle and media events, animation frames
  return count;
}
"""  # noqa: E501

AUDIT = r"""
([root, baseline, scope]) => {
  const URL_ATTRS = new Set(["href", "src", "action", "formaction", "data", "poster", "background", "lowsrc",
    "dynsrc", "codebase", "cite", "longdesc", "ping", "srcset", "manifest", "icon", "profile", "usemap",
    "archive", "classid", "to", "from", "values", "by"]);
  const clean = (v) => String(v).replace(/[\s\u0000-\u001f\u007f-\u009f\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]+/g, "").toLowerCase();
  const SCRIPT_URL = /^(?:javascript|vbscript|livescript|mocha):|^data:(?:text\/html|application\/xhtml|text\/xml|application\/xml|image\/svg|text\/javascript|application\/javascript|application\/ecmascript)/;
  const RISKY_CSS = /javascript:|vbscript:|expression\(|-moz-binding|behavior:/;
  const IMAGE_SLOTS = new Set(["img:src", "img:srcset", "source:src", "source:srcset", "image:href", "image:xlink:href", "video:poster", "input:src"]);
  const XHTML = "http://www.w3.org/1999/xhtml";
  const LOADING_RELS = /\b(?:stylesheet|import|preload|modulepreload|prefetch|prerender|manifest|serviceworker)\b/i;
  const findings = [];
  const excerpt = (v) => String(v).slice(0, 240);
  const path = (url, doc) => {
    try {
      const u = new URL(url, doc.baseURI), base = new URL(doc.baseURI);
      const r = base.pathname.startsWith(root) ? root : base.pathname.slice(0, base.pathname.indexOf("/site/") + 6);
      return u.origin === location.origin && u.pathname.startsWith(r) ? u.pathname.slice(r.length) : u.href;
    } catch (e) { return String(url); }
  };
  const norm = (text) => String(text).replace(/[.\/\s]/g, "");
  const scriptSrc = (el) => el.getAttribute("src") ?? el.getAttributeNS("http://www.w3.org/1999/xlink", "href") ?? el.getAttribute("href");
  const allowedScript = (el) => {
    const src = scriptSrc(el);
    if (src !== null) {
      const p = path(src, el.ownerDocument);
      return baseline.scripts.includes(p) || baseline.scriptDirs.some((d) => p.startsWith(d) && !p.startsWith("journal/"));
    }
    return baseline.inline.includes(norm(el.textContent));
  };
  const audit = (doc, where) => {
    for (const el of doc.querySelectorAll("*")) {
      const tag = el.localName.toLowerCase();
      const harness = el.getAttribute("data-lj-harness");
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name.toLowerCase(), local = attr.localName.toLowerCase();
        const value = attr.value;
        if (local.startsWith("on")) findings.push({ kind: "handler", tag, attr: name, value: excerpt(value), where });
        else if (local === "srcdoc") findings.push({ kind: "srcdoc", tag, attr: name, value: excerpt(value), where });
        else if (URL_ATTRS.has(local)) {
          const parts = local === "srcset" ? value.split(",").map((s) => s.trim().split(/\s+/)[0])
            : local === "values" ? value.split(";") : [value];
          for (const part of parts) {
            const c = clean(part);
            if (SCRIPT_URL.test(c) && !(c.startsWith("data:image/svg") && IMAGE_SLOTS.has(tag + ":" + name)))
              findings.push({ kind: "script-url", tag, attr: name, value: excerpt(value), where });
          }
        } else if (local === "style" && RISKY_CSS.test(clean(value)))
          findings.push({ kind: "css", tag, attr: name, value: excerpt(value), where });
        else if (tag === "meta" && local === "content" && /url\s*=/i.test(value) && SCRIPT_URL.test(clean(value.split(/url\s*=/i)[1] || "")))
          findings.push({ kind: "script-url", tag, attr: name, value: excerpt(value), where });
        else if ((tag === "animate" || tag === "set") && local === "attributename" && /href/i.test(value))
          findings.push({ kind: "href-animation", tag, attr: name, value: excerpt(el.outerHTML), where });
      }
      if (tag === "script" && !allowedScript(el)) {
        const src = scriptSrc(el);
        findings.push({ kind: "script", tag, attr: "", value: excerpt(el.outerHTML), where, src: src === null ? null : path(src, doc) });
      }
      if (!harness && ["iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base"].includes(tag))
        findings.push({ kind: "element", tag, attr: "", value: excerpt(el.outerHTML), where });
      if (tag === "meta" && el.hasAttribute("http-equiv") &&
          !["content-security-policy", "x-ua-compatible", "content-type"].includes(el.getAttribute("http-equiv").toLowerCase()))
        findings.push({ kind: "element", tag, attr: "http-equiv", value: excerpt(el.outerHTML), where });
      // an HTML <link> loads; a feed's <atom:link rel="self"> (another namespace) is data
      if (tag === "link" && el.namespaceURI === XHTML && el.hasAttribute("href") && (LOADING_RELS.test(el.getAttribute("rel") || "") || el.closest("body")) &&
          !baseline.links.includes((el.getAttribute("rel") || "").toLowerCase() + " " + path(el.getAttribute("href"), doc)))
        findings.push({ kind: "link", tag, attr: "href", value: excerpt(el.outerHTML), where });
      if (tag === "style" && RISKY_CSS.test(clean(el.textContent)))
        findings.push({ kind: "css", tag, attr: "", value: excerpt(el.textContent), where });
      if (["iframe", "frame", "object", "embed"].includes(tag) && where.length < 200) {
        try { if (el.contentDocument) audit(el.contentDocument, harness || where + " > " + tag); } catch (e) {}
      }
    }
  };
  const within = scope ? document.querySelector(scope) : document;
  if (within) audit(within, "page");
  return { findings, url: location.href, scoped: !!within };
}
"""  # noqa: E501

BASELINE = r"""
(root) => {
  const path = (url) => {
    const u = new URL(url, document.baseURI);
    return u.origin === location.origin && u.pathname.startsWith(root) ? u.pathname.slice(root.length) : u.href;
  };
  const scripts = [], inline = [], links = [];
  for (const el of document.querySelectorAll("script")) {
    if (el.hasAttribute("src")) scripts.push(path(el.getAttribute("src")));
    else inline.push(el.textContent.replace(/[.\/\s]/g, ""));
  }
  for (const el of document.querySelectorAll("link[href]"))
    links.push((el.getAttribute("rel") || "").toLowerCase() + " " + path(el.getAttribute("href")));
  return { scripts, inline, links };
}
"""


@dataclass
class Problem:
    channel: str
    page: str
    kind: str
    detail: str
    ids: list[int]

    def line(self) -> str:
        names = ", ".join(p.name for p in (by_id(i) for i in self.ids) if p is not None) or "no payload id"
        return f"[{self.channel}] {self.page}: {self.kind}: {self.detail[:200]!r} <- {names}"


@dataclass
class Audit:
    """What the browser saw, page by page."""

    build_code: int
    build_output: str
    video_code: int
    video_output: str
    pages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    report: Path | None = None


def _channel_of(rel: str) -> str:
    """The channel a page belongs to: its note's, or the site page's own path."""
    match = re.match(rf"journal/{FOLDER}/([^/]+)/", rel)
    if match:
        name = match.group(1)
        return "front matter (note page)" if name.startswith("fm-") else "video" if name.startswith("video-") else name
    return f"site page {rel or '/'}"


class Browsing:
    """One Chromium page that opens pages of a served folder and reports what fired and what is left."""

    def __init__(self, browser: Browser, base: str, allowed_scripts: Callable[[str], bool] = lambda src: False) -> None:
        self.base = base
        self.allowed_scripts = allowed_scripts  # a script beside a page that the site itself ships (plotly.js)
        self.context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="en-US")
        self.context.set_default_timeout(30_000)
        self.context.add_init_script(INIT_SCRIPT)
        self.fired: list[tuple[str, str]] = []
        self.page = self.context.new_page()
        self._watch(self.page)
        self.context.on("page", self._on_page)
        self.baseline: dict[str, Any] = {"scripts": [], "inline": [], "links": [], "scriptDirs": []}

    def _on_page(self, page: Page) -> None:
        if page is not self.page:
            self.fired.append((page.url, "a new window or tab was opened"))
            page.close()

    def _watch(self, page: Page) -> None:
        def on_console(message: Any) -> None:
            if "__XSS_FIRED__ " in message.text:
                self.fired.append((page.url, message.text.split("__XSS_FIRED__ ", 1)[1]))

        def on_error(error: Exception) -> None:
            if "__xss" in str(error):  # the marker ran where the init script had not defined it
                self.fired.append((page.url, f"error: {error}"))

        def on_dialog(dialog: Any) -> None:
            self.fired.append((page.url, f"dialog {dialog.type}: {dialog.message}"))
            dialog.dismiss()

        page.on("console", on_console)
        page.on("pageerror", on_error)
        page.on("dialog", on_dialog)

    def learn_baseline(self, root: str, rels: list[str]) -> None:
        for rel in rels:
            self.page.goto(self.base + root + rel, wait_until="load")
            self.page.wait_for_timeout(200)
            seen = self.page.evaluate(BASELINE, "/" + root)
            for key in ("scripts", "inline", "links"):
                self.baseline[key] = sorted(set(self.baseline[key]) | set(seen[key]))
        self.baseline["scriptDirs"] = sorted({s.rsplit("/", 1)[0] + "/" for s in self.baseline["scripts"] if "/" in s})

    def _problems(
        self, channel: str, page: str, result: dict[str, Any], fired: list[str], before: int
    ) -> list[Problem]:
        problems = []
        for finding in result["findings"]:
            if finding["kind"] == "script" and finding.get("src") and self.allowed_scripts(finding["src"]):
                continue
            where = finding["where"]
            detail = f"<{finding['tag']} {finding['attr']}> {finding['value']}".replace("  ", " ")
            framed = where.startswith("frame:")  # a document of visit_documents
            kind = finding["kind"] if where == "page" or framed else f"{finding['kind']} ({where})"
            problems.append(
                Problem(channel, where[6:] if framed else page, kind, detail, payload_ids(finding["value"]))
            )
        for text in sorted(set(fired) | {text for _, text in self.fired[before:]}):
            problems.append(Problem(channel, page, "marker fired", text, payload_ids(text)))
        return problems

    def visit(self, root: str, rel: str, channel: str) -> list[Problem]:
        url = self.base + root + rel
        before = len(self.fired)
        try:
            self.page.goto(url, wait_until="load")
            self.page.evaluate(EXERCISE, [EVENTS, None])
            result = self.page.evaluate(AUDIT, ["/" + root, self.baseline, None])
            fired = self.page.evaluate("window.__xssFired || []")
        except PlaywrightError as exc:
            return [Problem(channel, rel, "page broke under test", str(exc).splitlines()[0], [])]
        problems = self._problems(channel, rel, result, fired, before)
        if result["url"].split("#")[0] != url.split("#")[0]:
            problems.append(Problem(channel, rel, "navigated away", result["url"], payload_ids(result["url"])))
        return problems

    def visit_documents(self, harness: str, root: str, rels: list[str], channel: str, batch: int = 60) -> list[Problem]:
        """Documents published beside pages (SVG figures), opened as documents of their own: in
        iframes of a blank page of the same origin, ``batch`` at a time, exercised and audited."""
        problems = []
        for start in range(0, len(rels), batch):
            chunk = rels[start : start + batch]
            before = len(self.fired)
            try:
                self.page.goto(self.base + harness, wait_until="load")
                self.page.evaluate(
                    """async (srcs) => {
                      await Promise.all(srcs.map(([src, rel]) => new Promise((resolve) => {
                        const frame = document.createElement("iframe");
                        frame.setAttribute("data-lj-harness", rel);
                        frame.onload = frame.onerror = resolve;
                        setTimeout(resolve, 10000);
                        frame.src = src;
                        document.body.append(frame);
                      })));
                    }""",
                    [["/" + root + rel, "frame:" + rel] for rel in chunk],
                )
                self.page.evaluate(EXERCISE, [EVENTS, None])
                result = self.page.evaluate(AUDIT, ["/" + root, self.baseline, None])
                fired = self.page.evaluate("window.__xssFired || []")
            except PlaywrightError as exc:
                problems.append(Problem(channel, chunk[0], "page broke under test", str(exc).splitlines()[0], []))
                continue
            problems += self._problems(channel, f"{len(chunk)} documents from {chunk[0]}", result, fired, before)
        return problems

    def search(self, root: str, word: str, channel: str) -> list[Problem]:
        """Type ``word`` into the theme's search and audit the results (the theme writes each entry's
        title and text into them as HTML); the page around them is audited by :meth:`visit`."""
        try:
            self.page.goto(self.base + root, wait_until="load")
            self.page.wait_for_timeout(300)  # what the page itself fires is visit()'s to report
            self.page.evaluate("window.__xssFired = []")
            before = len(self.fired)
            box = self.page.locator("input.md-search__input")
            box.click()
            box.fill(word)
            box.press("End")
            self.page.locator("li.md-search-result__item").first.wait_for(state="visible", timeout=30_000)
            self.page.evaluate(EXERCISE, [EVENTS, ".md-search-result"])
            result = self.page.evaluate(AUDIT, ["/" + root, self.baseline, ".md-search-result"])
            fired = self.page.evaluate("window.__xssFired || []")
        except PlaywrightError as exc:
            return [Problem(channel, "search", "search broke under test", str(exc).splitlines()[0], [])]
        return self._problems(channel, f"search for {word!r}", result, fired, before)


def _pages(site: Path, suffix: str = ".html") -> list[str]:
    """The pages (``.html``, feeds) or documents (``.svg``) of a built site, relative to it."""
    if suffix == ".svg":
        found = sorted((site / "journal").rglob("*.svg")) if (site / "journal").is_dir() else []
    else:
        found = [p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts]
        found += sorted(site.glob("feed_rss_*.xml"))
    rels = []
    for path in sorted(set(found)):
        rel = path.relative_to(site).as_posix()
        rels.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return rels


def _shipped_scripts() -> set[str]:
    """Digests of the scripts labjournal ships beside pages (its own assets, plotly.js)."""
    import hashlib
    import importlib.util

    paths = list((REPO / "labjournal" / "rendering" / "assets").glob("*.js"))
    spec = importlib.util.find_spec("plotly")
    if spec is not None and spec.origin is not None:
        paths.append(Path(spec.origin).parent / "package_data" / "plotly.min.js")
    return {hashlib.sha256(path.read_bytes()).hexdigest() for path in paths if path.is_file()}


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    import hashlib

    started = time.monotonic()
    top = tmp_path_factory.mktemp("xss-browser")
    (top / "harness.html").write_text("<!doctype html><html><head><title>harness</title></head><body></body></html>")
    journal = _mkdocs_journal(top / "journal")
    assert journal.cli("build", "--no-execute", "-d", str(journal.root / "baseline")) == 0

    journal.write(f"{FOLDER}/corpus.json", json.dumps([[p.id, p.text] for p in CORPUS]))
    for n, (name, body) in enumerate(_channels().items()):
        text = note_text(
            json.dumps(f"XSS channel: {name}"), f"2026-03-{n + 1:02d}", f"Channel {name}.\n\n" + code(LOAD) + body
        )
        journal.write(f"{FOLDER}/{name}.md", text)
    journal.write(f"{FOLDER}/params.md", _params_note())
    journal.write(f"{FOLDER}/curves.md", _curves_note())
    for name, text in _front_matter_notes().items():
        journal.write(f"{FOLDER}/{name}.md", text)

    timings = {}
    for start in range(0, len(CORPUS), PARAMS):
        args = [a for k, p in enumerate(CORPUS[start : start + PARAMS]) for a in ("-p", f"p{k}={p.text}")]
        code_, output = _cli(journal, "run", f"notes/{FOLDER}/params.md", *args)
        assert code_ == 0, f"labjournal run -p (payloads from #{CORPUS[start].id}) failed: {output[-3000:]}"
    code_, output = _cli(journal, "run", f"notes/{FOLDER}/curves.md", "-p", "x=1")
    assert code_ == 0, output[-3000:]
    timings["runs with -p"] = time.monotonic() - started

    build_code, build_output = _cli(journal, "build")
    timings["build"] = time.monotonic() - started - sum(timings.values())

    videos = _mkdocs_journal(top / "videos")
    for name, text in _video_notes().items():
        videos.write(f"{FOLDER}/{name}.md", text)
    video_code, video_output = _cli(videos, "build", "--no-execute")

    result = Audit(build_code, build_output, video_code, video_output)
    if build_code != 0:
        return result
    site = journal.root / "site"
    shipped = _shipped_scripts()

    def allowed(src: str) -> bool:
        path = site / src.split("?")[0]
        return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() in shipped

    with contextlib.ExitStack() as stack:
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        base = stack.enter_context(serve_folder(top))
        browsing = Browsing(browser, base, allowed)
        browsing.learn_baseline("journal/baseline/", ["", "guide/", "journal/", "tags/", "404.html"])
        mark = time.monotonic()
        for rel in _pages(site):
            result.pages.append(rel)
            result.problems += browsing.visit("journal/site/", rel, _channel_of(rel))
        figures = _pages(site, ".svg")
        result.pages += figures
        result.problems += browsing.visit_documents(
            "harness.html", "journal/site/", figures, "svg (figure files)", batch=150
        )
        result.problems += browsing.search("journal/site/", SEARCH_WORD, "front matter (search results)")
        if video_code == 0:  # small pages without math: opened side by side in frames
            pages = [rel for rel in _pages(videos.root / "site") if rel.startswith(f"journal/{FOLDER}/")]
            result.pages += ["videos/" + rel for rel in pages]
            result.problems += browsing.visit_documents("harness.html", "videos/site/", pages, "video", batch=16)
        timings["browser"] = time.monotonic() - mark
    result.seconds = timings
    _write_report(result, top)
    return result


def _write_report(result: Audit, folder: Path) -> None:
    """Every problem as JSON (``xss-browser-report.json``), for whoever fixes them."""
    folder = Path(os.environ["LABJOURNAL_ARTIFACTS"]) if os.environ.get("LABJOURNAL_ARTIFACTS") else folder
    folder.mkdir(parents=True, exist_ok=True)
    result.report = folder / "xss-browser-report.json"
    report = {
        "pages": len(result.pages),
        "seconds": result.seconds,
        "problems": [p.__dict__ | {"payloads": [by_id(i).name for i in p.ids if by_id(i)]} for p in result.problems],
    }
    result.report.write_text(json.dumps(report, indent=1, ensure_ascii=False))


def _summary(problems: list[Problem], report: Path | None) -> str:
    by_channel: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_channel[problem.channel].append(problem)
    lines = [f"{len(problems)} problems on {len({p.page for p in problems})} pages (JSON report: {report}):"]
    for channel, found in sorted(by_channel.items()):
        kinds = defaultdict(set)
        for p in found:
            kinds[p.kind].update(p.ids or [0])
        lines.append(f"  {channel}: " + "; ".join(f"{kind} x{len(ids)}" for kind, ids in sorted(kinds.items())))
    lines.append("")
    lines += [p.line() for p in sorted(problems, key=lambda p: (p.channel, p.kind, p.ids, p.page))]
    return "\n".join(lines)


def test_the_journal_with_every_payload_in_every_channel_builds(audit: Audit) -> None:
    assert audit.build_code == 0, audit.build_output[-5000:]


def test_a_script_video_url_is_refused_with_an_error_or_built_inert(audit: Audit) -> None:
    if audit.video_code != 0:  # refused: the error must say which field, not be a crash
        assert audit.video_code > 0 and "video" in audit.video_output, audit.video_output[-3000:]
        assert "Traceback" not in audit.video_output, audit.video_output[-3000:]
    else:
        assert any(page.startswith("videos/") for page in audit.pages)


def test_every_channel_was_published(audit: Audit) -> None:
    if audit.build_code != 0:
        pytest.skip("the build failed (see the test above)")
    notes = {_channel_of(page) for page in audit.pages}
    expected = set(_channels()) | {"params", "curves", "front matter (note page)"}
    assert expected <= notes, sorted(expected - notes)
    assert any(page.endswith(".svg") for page in audit.pages), "no SVG figure was published"
    assert "journal/metrics/" in audit.pages, "no Metrics page: the shared metric names were not charted"


def test_no_payload_runs_or_stays_live_in_any_page(audit: Audit) -> None:
    if audit.build_code != 0:
        pytest.skip("the build failed (see the test above)")
    assert len(audit.pages) > 40
    assert audit.problems == [], _summary(audit.problems, audit.report)


def test_the_audit_sees_what_it_looks_for(tmp_path: Path) -> None:
    """The browser harness itself: a page with live payloads is caught (markers, handlers, URLs, scripts)."""
    page_dir = tmp_path / "t"
    page_dir.mkdir()
    live = [p for p in CORPUS if p.id in (1000, 1001)] + [
        Payload(9990, "self-test", "a", '<a id="a" href="javascript:__xss(9990)">a</a>'),
        Payload(
            9991,
            "self-test",
            "b",
            '<svg><a id="b" xlink:href=" &#x2003;javascript:alert(9991)"><text>b</text></a></svg>',
        ),
        Payload(
            9992,
            "self-test",
            "c",
            '<div onclick="__xss(9992)">c</div><details open ontoggle="confirm(9993)">d</details>',
        ),
        Payload(
            9994, "self-test", "d", '<script src="x.js"></script><iframe srcdoc="<script>parent.__xss(9995)</script>">'
        ),
    ]
    (page_dir / "index.html").write_text(
        "<!doctype html><html><body>" + "".join(p.text for p in live) + "</body></html>"
    )
    with serve_folder(tmp_path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            browsing = Browsing(browser, base)
            problems = browsing.visit("t/", "", "self-test")
        finally:
            browser.close()
    fired = {i for p in problems if p.kind == "marker fired" for i in re.findall(r"\d+", p.detail)}
    assert {"1000", "9990", "9992", "9993"} <= fired, problems  # img onerror, javascript: link, onclick, ontoggle
    left = {(p.kind, n) for p in problems if p.kind != "marker fired" for n in re.findall(r"99\d\d", p.detail)}
    assert {("script-url", "9991"), ("handler", "9992"), ("handler", "9993"), ("srcdoc", "9995")} <= left, problems
    assert any(p.kind == "script" and "x.js" in p.detail for p in problems), problems
    assert any(p.kind == "element" and "iframe" in p.detail for p in problems), problems
