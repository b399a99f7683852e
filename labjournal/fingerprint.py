"""A hash of the code that shapes a rendered page (kept apart from ``render`` to import nothing heavy)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "nbconvert_templates"
RENDERING_MODULES = ("render.py", "charts.py", "sanitize.py", "scrub.py", "metrics.py", "runs.py")


@cache
def renderer_fingerprint() -> str:
    """Changes whenever rendering code or templates change, so cached renders never outlive them."""
    digest = hashlib.sha256()
    for source in [PACKAGE / name for name in RENDERING_MODULES] + sorted(TEMPLATES.rglob("*.j2")):
        digest.update(source.read_bytes())
    return digest.hexdigest()
