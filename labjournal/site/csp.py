"""A Content-Security-Policy on every page: a second wall behind the sanitiser.

The policy allows scripts from the site itself and the theme's own inline scripts, each by the
hash of its text (taken from the built page, outside the page's content), so nothing an output
manages to put into the content can run: no inline script, no event handler attribute, no script
from another host. Styles may be inline (outputs and MathJax use style attributes); images may be
``data:`` URIs; nothing loads from other hosts.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)
_DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']?application/(?:ld\+)?json""", re.I)

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "media-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


def _theme_script_hashes(html: str, content: str) -> list[str]:
    """The hashes of the inline scripts outside ``content`` (the page's own article)."""
    start = html.find(content) if content else -1
    inside = range(start, start + len(content)) if start >= 0 else range(0)
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        if "src=" in match.group("attrs").lower() or _DATA_BLOCK.search(match.group("attrs")):
            continue
        if match.start() in inside:
            continue  # the page's content: never allowed to run
        digest = hashlib.sha256(match.group("body").encode()).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(set(hashes))


def policy_for(html: str, content: str) -> str:
    directives = {**POLICY, "script-src": [*POLICY["script-src"], *_theme_script_hashes(html, content)]}
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def add_policy(html: str, content: str) -> str:
    """``html`` with the policy as the first element of its head (before any script runs)."""
    head = _HEAD.search(html)
    if head is None:
        return html
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html, content)}">'
    return html[: head.end()] + meta + html[head.end() :]
