"""The string-level sanitisers: each takes one output's text and returns what is safe to publish.

A note's outputs are whatever its code printed: a DataFrame of scraped text, an exception message,
a library's HTML widget. Published as-is, they could run script in the site's origin or make
readers' browsers load things from elsewhere. Everything here is a pure function over strings; the
output handlers (:mod:`labjournal.rendering.outputs`) decide which applies to which MIME type, and
:func:`labjournal.rendering.sanitize.sanitize_outputs` applies them to a notebook.

- HTML (``text/html``, raw HTML inside ``text/markdown``) goes through nh3 (ammonia) with explicit
  allowlists of tags, attributes and URL schemes, plus an attribute filter for what allowlists
  cannot express (which ``src`` may load, which ``id`` may exist, which CSS is inert).
- SVG (``image/svg+xml``) is parsed as XML and rebuilt from an allowlist; see :func:`sanitize_svg`.
- CSS (``style`` attributes and ``<style>`` elements) is kept only when it cannot load anything:
  no ``url()`` but a local ``url(#id)`` or a ``data:`` image, no ``@import``, only known functions,
  no escapes. It can still restyle the page around it; that is accepted (it runs nothing and loads
  nothing).
- Markdown (``text/markdown``) gets the HTML treatment plus Markdown-level checks: link and image
  destinations, ``attr_list`` blocks, snippet includes; see :func:`sanitize_markdown`.
- LaTeX (``text/latex``) is judged, not repaired: :func:`latex_is_safe`; base64 image data is
  checked to be base64: :func:`is_base64`.

What is *not* done here: escaping printed text (streams, ``text/plain``, tracebacks). The page
template and the ``text/plain`` handler fence it so that Markdown never reads it as markup.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- CSS ---------------------------------------------------------------------------------------

_CSS_FUNCTIONS = _names(
    """
    rgb rgba hsl hsla hwb lab lch oklab oklch color color-mix calc min max clamp var
    linear-gradient radial-gradient conic-gradient repeating-linear-gradient repeating-radial-gradient
    repeating-conic-gradient translate translatex translatey translatez translate3d rotate rotatex rotatey
    rotatez rotate3d scale scalex scaley scalez scale3d skew skewx skewy matrix matrix3d perspective
    cubic-bezier steps blur brightness contrast drop-shadow grayscale hue-rotate invert opacity saturate
    sepia minmax repeat fit-content counter counters attr not is where has nth-child nth-last-child
    nth-of-type nth-last-of-type lang dir rect inset circle ellipse polygon selector url
    """
)
_CSS_AT_RULES = frozenset({"media", "supports", "keyframes", "-webkit-keyframes", "container", "layer"})
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_FUNCTION = re.compile(r"(@?[a-z0-9-]*)\(")  # "@supports(" is an at-rule, checked apart
_CSS_AT_RULE = re.compile(r"@([a-z-]*)")
_CSS_URL = re.compile(r"url\(")
# url() may only point inside the page (an SVG gradient or clip path) or hold a data: image
_CSS_LOCAL_URL = re.compile(
    r"""url\(\s*(["']?)(?:#[a-z0-9_.:-]+|data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[a-z0-9+/=\s]*)\1\s*\)"""
)


def css_is_safe(css: str) -> bool:
    """Whether ``css`` (a declaration list or a style sheet) can neither load a resource nor run code.

    Deliberately coarse: escapes (``\\75 rl(``), unknown functions (``image-set``, ``expression``),
    markup and any ``url()`` but a local ``url(#id)`` or a data: image reject the whole text rather
    than being repaired.
    """
    if "\\" in css or "</" in css or "\x00" in css:
        return False
    text = _CSS_COMMENT.sub("", css).lower()
    if "/*" in text or "<" in text or "javascript:" in text:
        return False
    if any(name not in _CSS_FUNCTIONS for name in _CSS_FUNCTION.findall(text) if name and name[0] != "@"):
        return False
    if any(name not in _CSS_AT_RULES for name in _CSS_AT_RULE.findall(text)):
        return False
    return len(_CSS_URL.findall(text)) == len(_CSS_LOCAL_URL.findall(text))


# --- URLs and ids --------------------------------------------------------------------------------

# Browsers drop ASCII whitespace and control characters from URLs ("java\tscript:") and read "\" as "/".
# control characters, ASCII and Unicode spaces, zero-width and format characters: browsers drop or
# tolerate them before a scheme, so "\u2003javascript:" must be read as "javascript:" (as DOMPurify does)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp|avif|bmp);base64,[a-z0-9+/=]*$")
_DATA_MEDIA = re.compile(r"^data:(?:image|video|audio)/[a-z0-9.+-]+;base64,[a-z0-9+/=]*$")
# Ids must start with a letter: MkDocs/Material keep theirs under "__" (e.g. "#__config", whose
# JSON the theme's script reads), and an output must not be able to shadow them.
_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,199}")


# Markdown's backslash escapes ("javascript\\:" is "javascript:" once Markdown has read it)
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _normal_url(url: str) -> str:
    """``url`` as a browser reads it after Markdown: escapes and entities resolved, the characters
    browsers skip removed, a remaining backslash read as ``/``, lowercase."""
    url = _MARKDOWN_ESCAPE.sub(r"\1", html.unescape(url))
    return _URL_NOISE.sub("", url).replace("\\", "/").lower()


def link_is_safe(url: str) -> bool:
    """A link target a reader may follow: http(s), mailto, a fragment or a relative path."""
    normal = _normal_url(url)
    scheme = _SCHEME.match(normal)
    return scheme is None or scheme.group(1) in _LINK_SCHEMES


def source_is_local(url: str, data_pattern: re.Pattern[str] = _DATA_IMAGE) -> bool:
    """A resource the page may load by itself: an inline ``data:`` image (or what ``data_pattern``
    allows) or a same-site path, never another site (``https://``, protocol-relative ``//``)."""
    normal = _normal_url(url)
    if normal.startswith("data:"):
        return data_pattern.match(normal) is not None
    return _SCHEME.match(normal) is None and not normal.startswith("//")


def _local_ref(url: str) -> bool:
    return _normal_url(url).startswith("#")


# --- HTML ----------------------------------------------------------------------------------------

_HTML_TAGS = (set(nh3.ALLOWED_TAGS) | {"tfoot", "section", "video", "audio", "source"}) - {"area", "map"}
_HTML_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "style", "title", "lang", "dir", "align", "valign"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "video": {"src", "poster", "controls", "width", "height", "loop", "muted", "playsinline"},
    "audio": {"src", "controls", "loop", "muted"},
    "source": {"src", "type"},
    "table": {"border", "cellpadding", "cellspacing", "summary", "width"},
    "td": {"colspan", "rowspan", "headers", "width", "height", "nowrap"},
    "th": {"colspan", "rowspan", "headers", "scope", "width", "height", "nowrap"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    "data": {"value"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "style": {"type"},
}
# Tags removed together with their content (everything else not allowed is unwrapped, text kept).
_HTML_DROP_CONTENT = {
    "script", "noscript", "iframe", "object", "embed", "applet", "template", "textarea", "select",
    "title", "xmp", "noembed", "noframes", "frameset", "svg", "math",
}  # fmt: skip
LINK_REL = "noopener noreferrer nofollow"


def _html_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id":
        return value if _SAFE_ID.fullmatch(value) else None
    if name == "style":
        return value if css_is_safe(value) else None
    if name == "href":
        return value if link_is_safe(value) else None
    if name in ("src", "poster"):
        return value if source_is_local(value, _DATA_IMAGE if tag == "img" else _DATA_MEDIA) else None
    return value


def _cleaner(keep_style_elements: bool) -> nh3.Cleaner:
    tags = _HTML_TAGS | {"style"} if keep_style_elements else _HTML_TAGS
    drop = _HTML_DROP_CONTENT if keep_style_elements else _HTML_DROP_CONTENT | {"style"}
    # ammonia panics when a tag both has its content dropped and has allowed attributes
    attributes = {tag: names for tag, names in _HTML_ATTRIBUTES.items() if tag not in drop}
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=drop,
        attributes=attributes,
        attribute_filter=_html_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes={"http", "https", "mailto", "data"},
    )


_WITH_STYLE = _cleaner(keep_style_elements=True)
_WITHOUT_STYLE = _cleaner(keep_style_elements=False)
# The content of each <style> element in nh3's output (which escapes "<" in text and attributes,
# so every "<style" there is a tag). Used only to decide, never to edit.
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)(?:</style|$)", re.I | re.S)


def sanitize_html(text: str) -> str:
    """``text`` (an HTML fragment) with only inert markup left.

    Kept: tables (classes, inline styles, pandas Styler ids and ``<style>`` blocks), headings, lists,
    code, ``<details>``, links (with ``rel="noopener noreferrer nofollow"``), images and media from
    ``data:`` URLs or same-site paths, inline ``<svg>`` (icons of rich reprs) rebuilt by
    :func:`sanitize_svg`. Removed: scripts, frames, plugins, forms, ``<meta>``, ``<base>``,
    ``<link>``, event handlers, script URLs, anything that loads from another site. When any
    ``<style>`` block is unsafe, all of them go (their CSS is only looks).
    """
    text, slots = _take_svgs(text)
    cleaned = _WITH_STYLE.clean(text)
    if any(not css_is_safe(match.group(1)) for match in _STYLE_ELEMENT.finditer(cleaned)):
        cleaned = _WITHOUT_STYLE.clean(text)
    for slot, svg in slots.items():
        cleaned = cleaned.replace(slot, svg, 1)
    return cleaned


_SVG_FRAGMENT = re.compile(r"""<svg\b(?:[^>"']|"[^"]*"|'[^']*')*>.*?</svg\s*>""", re.I | re.S)


def _take_svgs(text: str) -> tuple[str, dict[str, str]]:
    """``text`` with each inline ``<svg>...</svg>`` replaced by an empty ``<span>`` that only this
    call can name (nh3 keeps it), and each span's sanitised SVG. An SVG that does not parse as XML
    is removed, as nh3 would remove it. Whatever the replacement does to the HTML around it, nh3
    still cleans all of it, and only exact spans nh3 wrote are replaced."""
    if "<svg" not in text.lower():
        return text, {}
    nonce = secrets.token_hex(8)
    slots: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        svg = sanitize_svg(_with_namespaces(match.group(0)))
        if not svg:
            return ""
        slot = f'<span class="lj-svg-{nonce}-{len(slots)}"></span>'
        slots[slot] = svg
        return slot

    return _SVG_FRAGMENT.sub(take, text), slots


def _with_namespaces(svg: str) -> str:
    """An SVG written inside HTML (where namespaces are implied) made a well-formed XML document."""
    opening = svg[: svg.index(">")]
    added = "" if re.search(r"\sxmlns\s*=", opening) else f' xmlns="{SVG_NS}"'
    if "xlink:" in svg and not re.search(r"\sxmlns:xlink\s*=", opening):
        added += f' xmlns:xlink="{XLINK_NS}"'
    return svg[:4] + added + svg[4:]


# --- SVG -----------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_SVG_ELEMENTS = _names(
    """
    svg g defs symbol use path rect circle ellipse line polyline polygon text tspan textPath
    clipPath mask pattern marker linearGradient radialGradient stop image style title desc a switch
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting
    feSpotLight feTile feTurbulence
    """
)
_SVG_ATTRIBUTES = _names(
    """
    id class style transform lang version viewBox preserveAspectRatio width height x y x1 y1 x2 y2
    cx cy r rx ry fx fy fr d points pathLength dx dy rotate textLength lengthAdjust startOffset method
    spacing side refX refY markerWidth markerHeight markerUnits orient patternUnits patternContentUnits
    patternTransform gradientUnits gradientTransform spreadMethod offset clipPathUnits maskUnits
    maskContentUnits filterUnits primitiveUnits type
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset stroke-opacity opacity clip-path clip-rule mask marker-start
    marker-mid marker-end filter color display visibility overflow font-family font-size font-size-adjust
    font-style font-weight font-variant font-stretch text-anchor dominant-baseline alignment-baseline
    baseline-shift letter-spacing word-spacing text-decoration writing-mode direction unicode-bidi
    stop-color stop-opacity color-interpolation color-interpolation-filters shape-rendering
    text-rendering image-rendering vector-effect paint-order flood-color flood-opacity lighting-color
    in in2 result stdDeviation mode operator k1 k2 k3 k4 values scale xChannelSelector yChannelSelector
    baseFrequency numOctaves seed stitchTiles tableValues slope intercept amplitude exponent radius
    order kernelMatrix divisor bias targetX targetY edgeMode kernelUnitLength preserveAlpha
    surfaceScale specularConstant specularExponent diffuseConstant azimuth elevation z pointsAtX
    pointsAtY pointsAtZ limitingConeAngle
    """
)
_SVG_HREF_ELEMENTS = {"use", "textPath", "linearGradient", "radialGradient", "pattern", "filter", "image", "a"}


def _svg_href(tag: str, value: str) -> str | None:
    """The href ``tag`` may keep: a local ``#id``, a data: image for <image>, a safe link for <a>."""
    if tag == "image":
        ok = source_is_local(value) and _normal_url(value).startswith("data:")
    elif tag == "a":
        ok = link_is_safe(value)
    else:
        ok = _local_ref(value)
    return value if ok else None


def _split(qualified: str) -> tuple[str, str]:
    if qualified.startswith("{"):
        namespace, _, local = qualified[1:].partition("}")
        return namespace, local
    return "", qualified


def _svg_attributes(tag: str, element: Element) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for qualified, value in element.attrib.items():
        namespace, name = _split(qualified)
        if namespace in ("", XLINK_NS) and name == "href" and tag in _SVG_HREF_ELEMENTS:
            href = _svg_href(tag, value)
            if href is not None:
                kept.append(("xlink:href" if namespace else "href", href))
        elif namespace == XML_NS and name == "space":
            kept.append(("xml:space", value))
        elif namespace == "" and name in _SVG_ATTRIBUTES:
            if name == "id" and not _SAFE_ID.fullmatch(value):
                continue
            if css_is_safe(value) and "javascript:" not in _normal_url(value):
                kept.append((name, value))
    return kept


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _write_svg(element: Element, out: list[str], root: bool) -> None:
    namespace, tag = _split(element.tag)
    if namespace not in ("", SVG_NS) or tag not in _SVG_ELEMENTS:
        return  # dropped with its subtree: script, foreignObject, set, animate, metadata, ...
    if tag == "style" and not css_is_safe("".join(element.itertext())):
        return
    attributes = _svg_attributes(tag, element)
    if root:
        attributes = [("xmlns", SVG_NS), ("xmlns:xlink", XLINK_NS), *attributes]
    out.append(f"<{tag}" + "".join(f' {name}="{_escape_attribute(value)}"' for name, value in attributes) + ">")
    if tag in ("style", "title", "desc"):  # text only: the text of dropped children is kept, as text
        out.append(_escape_text("".join(element.itertext())))
    else:
        out.append(_escape_text(element.text or ""))
        for child in element:
            _write_svg(child, out, root=False)
            if child.tail:
                out.append(_escape_text(child.tail))
    out.append(f"</{tag}>")


def sanitize_svg(svg: str) -> str:
    """``svg`` rebuilt from an allowlist of drawing elements and attributes; "" when it is not SVG.

    Not nh3: nh3 parses SVG as HTML foreign content and serialises it as HTML, which drops the
    ``xmlns:xlink`` declaration while keeping ``xlink:href`` (invalid XML, so a figure written to a
    ``.svg`` file breaks) and lets ``url(...)`` presentation attributes through unchecked. Instead the
    document is parsed with defusedxml (no entity expansion, no external DTDs) and written back
    element by element. The result is well-formed XML that means the same inlined in HTML, since
    every text and attribute is escaped.

    Kept: shapes, paths, text, groups, defs, clip paths, masks, markers, gradients, patterns, filters,
    ``<use>`` and other references to local ``#id`` only, ``<image>`` with ``data:`` images, links to
    http(s), and CSS that loads nothing. Dropped with their content: ``<script>``,
    ``<foreignObject>``, every animation element (``<set>``/``<animate>`` can rewrite an href),
    ``<feImage>``, metadata, unknown or foreign-namespace elements, event handlers and any external
    ``href``/``xlink:href``.
    """
    try:
        root = parse_xml(svg.strip())
    except (ParseError, DefusedXmlException, ValueError):
        return ""
    if _split(root.tag) not in ((SVG_NS, "svg"), ("", "svg")):
        return ""
    out: list[str] = []
    _write_svg(root, out, root=True)
    return "".join(out)


# --- Markdown ------------------------------------------------------------------------------------

_HTML_TAG_START = re.compile(r"<[A-Za-z!/?]")
_SCRIPT_SCHEME = re.compile(r"(?:java|vb|live)script:|data:text/html|data:image/svg")
# Python-Markdown's attr_list ("{: #id .class key=value }") can set any attribute, onclick included.
_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
_ATTR_LIST_RISKY = re.compile(r"(?:^|\s)#|=")
_LABEL = r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
_TITLE = r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?"""
# [text](dest "title") and ![alt](dest), with an optional <...> around dest
_INLINE = re.compile(rf"(!?){_LABEL}\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*){_TITLE}\s*\)")
# ![alt][ref], ![alt][] and ![ref]: images whose source is in a reference definition
_REF_IMAGE = re.compile(rf"!{_LABEL}(?:\s?\[([^\[\]\n]*)\])?(?!\()")
_REF_DEFINITION = re.compile(r"^([ ]{0,3}\[([^\]\n]+)\]:[ \t]*)(<[^>\n]*>|\S+)", re.M)
# pymdownx.snippets includes files named after "--8<--"; a leading ";" is its documented escape.
_SNIPPET = re.compile(r"^([ \t]*)(-+8<-+)", re.M)
HIDDEN_MARKDOWN = "*(output hidden: it contained a script link)*"


def _destination(raw: str) -> str:
    return raw[1:-1] if raw.startswith("<") else raw


def _neutralise_attr_list(match: re.Match[str]) -> str:
    return "" if _ATTR_LIST_RISKY.search(match.group(1)) else match.group(0)


def _neutralise_inline(match: re.Match[str]) -> str:
    """An image that loads from elsewhere becomes its alt text; a script link points nowhere."""
    bang, label, dest = match.group(1), match.group(2), _destination(match.group(3))
    if bang:
        return match.group(0) if source_is_local(dest) else label
    return match.group(0) if link_is_safe(dest) else f"[{label}](#)"


def _neutralise_definitions(text: str) -> tuple[str, dict[str, str]]:
    definitions: dict[str, str] = {}

    def neutralise(match: re.Match[str]) -> str:
        dest = _destination(match.group(3))
        definitions[" ".join(match.group(2).lower().split())] = dest
        return match.group(0) if link_is_safe(dest) else match.group(1) + "#"

    return _REF_DEFINITION.sub(neutralise, text), definitions


def sanitize_markdown(text: str) -> str:
    """``text`` (Markdown) with its raw HTML sanitised and its Markdown-level risks neutralised.

    The Markdown is otherwise left as written; the HTML sanitiser runs only when the text contains
    something tag-like, so ``a < b`` survives untouched (when it does run, ``<``/``>``/``&`` in the
    prose come back as entities, which Markdown renders the same outside code). Neutralised:
    script links (they point to ``#``), images that load from elsewhere (their alt text stays),
    ``attr_list`` blocks that set ids or attributes (removed), snippet includes (escaped). When a
    script URL is still found anywhere (entity-encoded, in math ``\\href``, in a link the patterns
    missed), the whole output is replaced by :data:`HIDDEN_MARKDOWN`.
    """
    if _HTML_TAG_START.search(text):
        text = sanitize_html(text)
    text = _ATTR_LIST.sub(_neutralise_attr_list, text)
    text, definitions = _neutralise_definitions(text)
    text = _INLINE.sub(_neutralise_inline, text)

    def reference_image(match: re.Match[str]) -> str:
        label = match.group(2) or match.group(1)
        dest = definitions.get(" ".join(label.lower().split()))
        return match.group(0) if dest is not None and source_is_local(dest) else match.group(1)

    text = _REF_IMAGE.sub(reference_image, text)
    text = _SNIPPET.sub(r"\1;\2", text)
    if _SCRIPT_SCHEME.search(_normal_url(text)):
        return HIDDEN_MARKDOWN
    return text


_LATEX_RISKY = re.compile(r"\\(?:href|url|require|unicode|style|class|cssId|html|data|mmlToken)\b")


def latex_is_safe(text: str) -> bool:
    """Whether MathJax could render ``text`` without making links, loading extensions or setting HTML."""
    return not _LATEX_RISKY.search(text) and not _SCRIPT_SCHEME.search(_normal_url(text))


# --- MIME data -----------------------------------------------------------------------------------

_EXECUTABLE_MIME = re.compile(r"javascript|ecmascript|jscript|_exec|_load|widget-view|widget-state", re.I)
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


def is_executable_mime(mime: str) -> bool:
    """MIME types whose data is code (JS, Bokeh/HoloViews exec and load payloads, widget views)."""
    return bool(_EXECUTABLE_MIME.search(mime))


def as_text(value: Any) -> str:
    """An output's text: nbformat stores it as a string or as a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def is_base64(value: Any) -> bool:
    """Whether ``value`` (a string or a list of lines) is valid base64, as image data must be."""
    text = as_text(value)
    if not _BASE64.fullmatch(text):
        return False
    try:
        base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
