"""The site: everything that knows MkDocs (the plugin, listings, navigation, building and serving).

No other package imports ``mkdocs`` or ``material``, so another engine can replace this one
(``docs/guide/platform.md``).
"""

from __future__ import annotations

from .build import SiteBuildError, build_site, serve_site
from .config import LabjournalConfig, load_config

__all__ = ["LabjournalConfig", "SiteBuildError", "build_site", "load_config", "serve_site"]
