"""A corpus of classic XSS and external-load payloads, each with the markers of its active part.

Shared by the sanitiser's unit tests and end-to-end tests over a built site: put ``payload`` in a
notebook output of type ``mime``; none of ``forbidden`` may then appear (compared case-insensitively)
in what is published for that output. Markers such as ``<script`` or ``<link`` also occur in every
page's own theme markup, so an end-to-end test must look only inside the note's rendered content.

:data:`PAYLOADS` are rich outputs, which the sanitiser cleans. :data:`PRINTED_PAYLOADS` are printed
text (streams, ``text/plain``, errors), which the sanitiser leaves alone: the page template must
show them as text, so they only make sense end to end (their markers are what a browser would see
as live markup, e.g. ``href="javascript:``, while the escaped text may still show the words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "stream" (printed text) and "error" (payload as the exception value and a traceback line) are used
# only by PRINTED_PAYLOADS.
Mime = Literal["text/html", "image/svg+xml", "text/markdown", "text/plain", "stream", "error"]

EVIL = "evil.example"
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


@dataclass(frozen=True)
class Payload:
    """One attack: where it goes (``mime``), the text, and what must not survive of it."""

    name: str
    mime: Mime
    payload: str
    forbidden: tuple[str, ...]


def _html(name: str, payload: str, *forbidden: str) -> Payload:
    return Payload(name, "text/html", payload, forbidden)


def _svg(name: str, body: str, *forbidden: str, raw: bool = False) -> Payload:
    return Payload(name, "image/svg+xml", body if raw else f"{SVG_OPEN}{body}</svg>", forbidden)


def _md(name: str, payload: str, *forbidden: str) -> Payload:
    return Payload(name, "text/markdown", payload, forbidden)


PAYLOADS: list[Payload] = [
    # --- HTML: script and event handlers
    _html("img-onerror", "<img src=x onerror=alert(1)>", "onerror", "alert(1)"),
    _html("html-svg-onload", "<svg onload=alert(1)>", "onload", "<svg"),
    _html("svg-script-in-html", "<svg><script>alert(1)</script></svg>", "<script", "alert(1)"),
    _html("script", "<script>alert(1)</script>", "<script", "alert(1)"),
    _html("script-src", f'<script src="https://{EVIL}/x.js"></script>', "<script", EVIL),
    _html("body-onload", "<body onload=alert(1)>", "onload", "<body"),
    _html("details-ontoggle", "<details open ontoggle=alert(1)><summary>s</summary></details>", "ontoggle"),
    _html("input-onfocus", "<input autofocus onfocus=alert(1)>", "onfocus", "<input"),
    _html("custom-tag-handler", "<xss onpointerover=alert(1)>hover</xss>", "onpointerover", "<xss"),
    _html("b-onmouseover", '<b onmouseover="alert(1)">bold</b>', "onmouseover", "alert(1)"),
    _html("conditional-comment", "<!--[if IE]><script>alert(1)</script><![endif]-->", "<script", "alert(1)"),
    # --- HTML: script URLs
    _html("a-javascript", '<a href="javascript:alert(1)">x</a>', "javascript:", "alert(1)"),
    _html("a-javascript-case", '<a href="JaVaScRiPt:alert(1)">x</a>', "javascript:", "alert(1)"),
    _html("a-javascript-tab-entity", '<a href="jav&#x09;ascript:alert(1)">x</a>', "ascript:", "alert(1)"),
    _html("a-javascript-spaces", '<a href="  \njavascript:alert(1)">x</a>', "javascript:", "alert(1)"),
    _html("a-vbscript", '<a href="vbscript:msgbox(1)">x</a>', "vbscript:", "msgbox"),
    _html("a-data-html", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', "data:"),
    _html("form-action", '<form action="javascript:alert(1)"><button>go</button></form>', "<form", "javascript:"),
    _html("button-formaction", '<button formaction="javascript:alert(1)">x</button>', "formaction", "javascript:"),
    _html("object-data", '<object data="javascript:alert(1)"></object>', "<object", "javascript:"),
    _html(
        "meta-refresh",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        "<meta",
        "http-equiv",
        "javascript:",
    ),
    # --- HTML: frames, plugins, documents
    _html("iframe-src", f'<iframe src="https://{EVIL}/x"></iframe>', "<iframe", EVIL),
    _html("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>', "<iframe", "srcdoc", "alert(1)"),
    _html("embed", f'<embed src="https://{EVIL}/x.swf">', "<embed", EVIL),
    _html("base-href", f'<base href="https://{EVIL}/">', "<base", EVIL),
    _html("link-stylesheet", f'<link rel=stylesheet href="http://{EVIL}/x.css">', "<link", EVIL),
    # --- HTML: parser differentials (mutation XSS)
    _html("mxss-math-style", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "onerror", "<math"),
    _html("mxss-noscript", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', "onerror"),
    _html("textarea-breakout", "<textarea><img src=x onerror=alert(1)></textarea>", "onerror"),
    _html("title-breakout", "<title><img src=x onerror=alert(1)></title>", "onerror"),
    # --- HTML: CSS that loads or runs
    _html("style-import", f"<style>@import 'http://{EVIL}/x.css';</style>", "@import", EVIL),
    _html("style-url", f"<style>body{{background:url(http://{EVIL}/x.png)}}</style>", EVIL),
    _html("style-escaped-url", f"<style>body{{background:u\\72l(http://{EVIL}/x.png)}}</style>", EVIL),
    _html("style-image-set", f'<style>body{{background:image-set("http://{EVIL}/x.png" 1x)}}</style>', EVIL),
    _html("div-style-url", f'<div style="background:url(http://{EVIL}/x.png)">x</div>', EVIL, "url("),
    _html("div-style-expression", '<div style="width: expression(alert(1))">x</div>', "expression", "alert(1)"),
    _html("img-style-url", f'<img src="x" style="background-image:url(\'https://{EVIL}/x\')">', EVIL),
    # --- HTML: resources from elsewhere
    _html("img-external", f'<img src="http://{EVIL}/x.png">', EVIL),
    _html("img-protocol-relative", f'<img src="//{EVIL}/x.png">', EVIL),
    _html("img-backslash-relative", f'<img src="/\\{EVIL}/x.png">', EVIL),
    _html("img-srcset", f'<img src="a.png" srcset="https://{EVIL}/x.png 1x">', "srcset", EVIL),
    _html("img-data-svg", '<img src="data:image/svg+xml;base64,PHN2Zy8+">', "data:image/svg"),
    _html("video-external", f'<video poster="https://{EVIL}/p.png" src="https://{EVIL}/v.mp4"></video>', EVIL),
    _html("table-background", f'<table background="http://{EVIL}/x.png"><tr><td>1</td></tr></table>', EVIL),
    # --- HTML: shadowing the theme's own elements
    _html("dom-clobber-config", '<div id="__config">{"search": "w.js"}</div>', "__config"),
    _html("a-target-blank", '<a href="https://example.org" target="_blank">x</a>', "target="),
    # --- SVG
    _svg("svg-script", "<script>alert(1)</script>", "<script", "alert(1)"),
    _svg("svg-script-cdata", "<script><![CDATA[alert(1)]]></script>", "<script", "alert(1)"),
    _svg("svg-onload", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "onload", raw=True),
    _svg("svg-html-syntax", "<svg/onload=alert(1)>", "onload", "alert(1)", raw=True),
    _svg("svg-onclick-child", '<circle r="5" onclick="alert(1)"/>', "onclick", "alert(1)"),
    _svg("svg-a-xlink-javascript", '<a xlink:href="javascript:alert(1)"><text>x</text></a>', "javascript:"),
    _svg("svg-a-href-javascript", '<a href="javascript:alert(1)"><text>x</text></a>', "javascript:"),
    _svg("svg-a-entity-javascript", '<a href="&#x6A;avascript:alert(1)"><text>x</text></a>', "avascript:"),
    _svg(
        "svg-animate-href",
        '<a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a>',
        "<animate",
        "javascript:",
    ),
    _svg(
        "svg-set-href",
        '<a><set attributeName="xlink:href" to="javascript:alert(1)"/><text>x</text></a>',
        "<set",
        "javascript:",
    ),
    _svg(
        "svg-foreignobject",
        '<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></body>'
        "</foreignObject>",
        "foreignobject",
        "onerror",
    ),
    _svg("svg-use-external", f'<use href="http://{EVIL}/x.svg#x"/>', EVIL),
    _svg("svg-use-xlink-external", f'<use xlink:href="https://{EVIL}/x.svg#x"/>', EVIL),
    _svg("svg-use-data", '<use href="data:image/svg+xml;base64,PHN2Zy8+#x"/>', "data:image/svg"),
    _svg("svg-image-external", f'<image href="https://{EVIL}/x.png" width="9" height="9"/>', EVIL),
    _svg("svg-style-import", f"<style>@import url(http://{EVIL}/x.css);</style>", "@import", EVIL),
    _svg("svg-fill-external", f'<rect width="5" height="5" fill="url(http://{EVIL}/x.svg#g)"/>', EVIL),
    _svg("svg-feimage", f'<filter id="f"><feImage href="https://{EVIL}/x.png"/></filter>', "feimage", EVIL),
    _svg("svg-style-markup", "<style>&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;</style>", "onerror"),
    _svg("svg-escaped-text-stays-text", "<text>&lt;script&gt;alert(1)&lt;/script&gt;</text>", "<script"),
    _svg(
        "svg-xxe",
        '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>',
        "xxe",
        "passwd",
        raw=True,
    ),
    _svg(
        "svg-stylesheet-pi",
        f'<?xml-stylesheet href="http://{EVIL}/x.css"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
        "xml-stylesheet",
        EVIL,
        raw=True,
    ),
    # --- Markdown outputs (display(Markdown(...)))
    _md("md-raw-img-onerror", "Look: <img src=x onerror=alert(1)>", "onerror"),
    _md("md-raw-anchor-javascript", '<a href="javascript:alert(1)">click</a>', "javascript:"),
    _md("md-raw-script", "text\n\n<script>alert(1)</script>\n", "<script", "alert(1)"),
    _md("md-raw-iframe", f'<iframe src="https://{EVIL}/"></iframe>', "<iframe", EVIL),
    _md("md-link-javascript", "[click](javascript:alert(1))", "javascript:", "alert(1)"),
    _md("md-link-javascript-title", '[click]( JaVaScRiPt:alert(1) "t")', "javascript:", "alert(1)"),
    _md("md-link-javascript-entity", "[click](javascript&#58;alert(1))", "javascript&#58;", "alert(1)"),
    _md("md-link-reference", "[click][r]\n\n[r]: javascript:alert(1)\n", "javascript:", "alert(1)"),
    _md("md-autolink-javascript", "<javascript:alert(1)>", "javascript:", "alert(1)"),
    _md("md-image-external", f"![tracker](http://{EVIL}/t.png)", EVIL),
    _md("md-image-protocol-relative", f"![tracker](//{EVIL}/t.png)", EVIL),
    _md("md-attr-list-onclick", '**bold**{: onclick="alert(1)" }', "onclick", "alert(1)"),
    _md("md-attr-list-id", "**bold**{: #__config }", "__config"),
    _md("md-math-href", "$\\href{javascript:alert(1)}{x}$", "javascript:", "alert(1)"),
    _md("md-data-html-link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "data:text/html"),
]

# Printed text that tries to leave the code block it is shown in ("```" closes a fence).
_FENCE_BREAKOUT = '```\n\n[click](javascript:alert(1))\n\n<img src="x" onerror="alert(1)">\n\n```\n'
_PRINTED_FORBIDDEN = ('href="javascript:', '<img src="x" onerror')
PRINTED_PAYLOADS: list[Payload] = [
    Payload("stream-fence-breakout", "stream", _FENCE_BREAKOUT, _PRINTED_FORBIDDEN),
    Payload("text-plain-fence-breakout", "text/plain", _FENCE_BREAKOUT, _PRINTED_FORBIDDEN),
    Payload("error-fence-breakout", "error", _FENCE_BREAKOUT, _PRINTED_FORBIDDEN),
    Payload("stream-raw-html", "stream", '<img src="x" onerror="alert(1)">\n', ('<img src="x" onerror',)),
    Payload("error-raw-html", "error", '<img src="x" onerror="alert(1)">', ('<img src="x" onerror',)),
]
