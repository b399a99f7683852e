"""Listing pages from Jinja templates (``labjournal/site/templates``), written in Markdown.

Every value a template writes is shown literally (:func:`labjournal.markup.md_literal`) unless it
is marked as Markdown (``|safe``, or the filters below that make Markdown: ``link``, ``yaml``,
``num``): a note's title, a series or a metric name cannot add links, HTML or emphasis to a page.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from labjournal.markup import md_literal
from labjournal.store import short_time

from .base import JournalView, ListedPage, ListingError, ListingPage, PublishedNote

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _literal(value: Any) -> Any:
    """What ``{{ value }}`` writes: Markdown as it is, any other text shown literally."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return md_literal(value)


def literal(value: Any) -> Markup:
    return Markup(md_literal(str(value)))


def yaml_string(value: Any) -> Markup:
    """A string in YAML front matter (JSON's quoted strings are YAML's)."""
    return Markup(json.dumps(str(value), ensure_ascii=False))


def number(value: float, spec: str = "") -> Markup:
    return Markup(format(value, spec))


@pass_context
def link(context: Context, item: PublishedNote) -> Markup:
    """A link from the page being rendered to a note's page, as a path among the site's files
    (MkDocs checks it and turns it into the page's URL)."""
    depth = str(context["page_uri"]).count("/")
    return Markup("../" * depth + item.src_uri)


@pass_context
def site_path(context: Context, src_path: str) -> Markup:
    """A path among the site's files, relative to the page being rendered."""
    depth = str(context["page_uri"]).count("/")
    return Markup("../" * depth + src_path)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        finalize=_literal,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        literal=literal, yaml=yaml_string, num=number, link=link, site_path=site_path, short_time=short_time
    )
    return env


def render(template: str, **variables: Any) -> str:
    """A template of ``labjournal/site/templates``; ``page_uri`` is the page it is written into."""
    return environment().get_template(template).render(**variables)


def render_listing(listing: ListingPage, page: ListedPage, view: JournalView) -> str:
    """The Markdown of one page of a listing."""
    variables = {
        "title": page.title,
        "page": page,
        "page_uri": view.src_uri(page.uri),
        "view": view,
        "notes": view.notes,
        **page.context,
    }
    try:
        return listing.load_template(environment()).render(variables)
    except TemplateError as exc:
        where = f"template {listing.template!r}" if listing.template_source is None else "its template"
        raise ListingError(f"listing '{listing.name}': {where}: {type(exc).__name__}: {exc}") from None
