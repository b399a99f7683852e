"""The JSON feeds as JSON Feed 1.1 defines them: tags are plain text.

Front-matter tags reach the theme escaped (``&lt;``: mkdocs-material shows them as HTML), and
mkdocs-rss-plugin writes them into both feeds as it finds them: right in RSS, whose XML template
inserts categories unescaped, but escaped text in the JSON feeds, whose ``tags`` are plain strings.
Once the feeds are written, the JSON feeds' tags are read back as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plain_json_tags(feed_file: Path, *, pretty: bool) -> None:
    """Rewrite ``feed_file`` (a JSON feed, if it exists) with each item's tags as plain text,
    formatted as the RSS plugin formats it (``pretty``: indented)."""
    if not feed_file.is_file():
        return
    feed: dict[str, Any] = json.loads(feed_file.read_text(encoding="utf-8"))
    for item in feed.get("items", []):
        if isinstance(item.get("tags"), list):
            item["tags"] = [html.unescape(tag) if isinstance(tag, str) else tag for tag in item["tags"]]
    feed_file.write_text(json.dumps(feed, indent=4 if pretty else None), encoding="utf-8")


def fix_feeds(plugins: Mapping[str, Any], site_dir: Path) -> None:
    """The JSON feeds of mkdocs-rss-plugin (when it is configured) with plain-text tags."""
    rss = plugins.get("rss")
    config = getattr(rss, "config", None)
    if config is None or not config.get("json_feed_enabled", False):
        return
    names = config["feeds_filenames"]
    for name in (names["json_created"], names["json_updated"]):
        plain_json_tags(site_dir / name, pretty=bool(config.get("pretty_print")))
