"""Interactive outputs: Plotly (drawn with plotly.js served by the site itself), Vega-Lite and Vega
(Altair), ipywidgets' views. What the site cannot draw falls back to the output's static
representation (a PNG, an SVG) with a notice naming the type; never to the script-driven HTML that
would leave a blank box.
"""

from __future__ import annotations

import html
import importlib.util
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ..cleaners import _normal_url, source_is_local
from .base import OutputHandler, extracted_name, mime_name, notice

ASSETS = Path(__file__).resolve().parents[1] / "assets"
PLOTLY_LOADER = ASSETS / "plotly-loader.js"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
_SCRIPT_URL = re.compile(r"(?:java|vb|live)script:|data:text/html|data:image/svg")
# traces that fetch map tiles or topojson from other hosts (mapbox, OpenStreetMap, Plotly's CDN)
_MAP_TRACES = frozenset(
    {"scattergeo", "choropleth", "scattermapbox", "choroplethmapbox", "densitymapbox"}
    | {"scattermap", "choroplethmap", "densitymap"}
)


@cache
def plotly_js() -> Path | None:
    """plotly.js as shipped by the installed ``plotly`` package (``package_data/plotly.min.js``),
    found without importing plotly; ``None`` when plotly is not installed."""
    try:
        spec = importlib.util.find_spec("plotly")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


class PlotlyHandler(OutputHandler):
    """``application/vnd.plotly.v1+json``: the figure's JSON is written beside the page and drawn by
    plotly.js and a small loader (both files beside the page: no inline script, no other host).
    Without plotly installed at build time: the static representation (when the note saved one)
    and a notice."""

    mime = PLOTLY_MIME
    hides = ("text/html", "text/plain")
    html_block = True
    scripts = ("plotly.min.js", PLOTLY_LOADER.name)

    @property
    def priority(self) -> int | None:  # type: ignore[override]
        return 900 if plotly_js() is not None else None

    @property
    def extract(self) -> bool:  # type: ignore[override]
        return plotly_js() is not None

    @property
    def assets(self) -> tuple[Path, ...]:  # type: ignore[override]
        script = plotly_js()
        return (script, PLOTLY_LOADER) if script is not None else ()

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        """A figure (``data``, ``layout``) with no script URL anywhere and no image from elsewhere."""
        if trusted:
            return value
        if not isinstance(value, Mapping) or not isinstance(value.get("data", []), list):
            return None
        if any(_SCRIPT_URL.search(_normal_url(text)) for text in _strings(value)):
            return None
        layout = value.get("layout")
        if isinstance(layout, Mapping) and isinstance(layout.get("images"), list):
            images = [
                i for i in layout["images"] if isinstance(i, Mapping) and source_is_local(str(i.get("source", "")))
            ]
            value = {**value, "layout": {**layout, "images": images}}
        return value

    def render(self, value: Any, output: Mapping[str, Any]) -> str:
        traces = value.get("data", []) if isinstance(value, Mapping) else []
        if any(isinstance(t, Mapping) and t.get("type") in _MAP_TRACES for t in traces):
            return notice(
                "This Plotly map loads its map data from other hosts, which this site never does; "
                "the figure is in the executed notebook."
            )
        name = html.escape(extracted_name(output, self.mime), quote=True)
        waiting = "Interactive Plotly chart: it is drawn by JavaScript; the figure is in the executed notebook."
        return (
            f'<div class="lj-plotly" data-figure="{name}">\n'
            f'<p class="lj-notice lj-plotly-waiting">{waiting}</p>\n'
            '<div class="lj-plotly-chart"></div>\n</div>'
        )

    def notice(self, value: Any, output: Mapping[str, Any]) -> str:
        return notice(
            f"An interactive Plotly chart ({mime_name(self.mime)}) is not drawn on this site "
            "(plotly is not installed where it was built); the figure is in the executed notebook."
        )


class ChartSpecHandler(OutputHandler):
    """A Vega or Vega-Lite specification (Altair): not drawn here; the output's next type is shown
    instead (a saved image, or its text, as JupyterLab without the renderer), with a notice naming
    the type. Never its HTML: a box that a script from a CDN would fill."""

    hides = ("text/html",)

    def __init__(self, mime: str, name: str) -> None:
        self.mime, self.name = mime, name

    def sanitize(self, value: Any, trusted: bool) -> Any | None:
        return value if trusted or isinstance(value, Mapping) else None

    def notice(self, value: Any, output: Mapping[str, Any]) -> str:
        return notice(
            f"An interactive {self.name} chart ({mime_name(self.mime)}) is not drawn on this site; "
            "its interactive view is in the executed notebook."
        )


class WidgetViewHandler(OutputHandler):
    """An ipywidgets view: live only with a kernel. Its text stands in for it, with a notice."""

    mime = "application/vnd.jupyter.widget-view+json"

    def notice(self, value: Any, output: Mapping[str, Any]) -> str:
        return notice(
            f"An interactive widget ({mime_name(self.mime)}) is not live on this site; "
            "its interactive view is in the executed notebook (run it in Jupyter)."
        )


def builtin_interactive() -> list[OutputHandler]:
    charts: list[OutputHandler] = [
        ChartSpecHandler(f"application/vnd.vegalite.v{version}+json", "Vega-Lite") for version in range(1, 7)
    ]
    charts += [ChartSpecHandler(f"application/vnd.vega.v{version}+json", "Vega") for version in range(2, 7)]
    return [PlotlyHandler(), WidgetViewHandler(), *charts]
