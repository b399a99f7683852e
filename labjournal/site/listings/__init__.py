"""The registry of listing pages: the archive, series, metrics and the execution report.

Listings register by name, like executors (``labjournal.executors``): the built-ins below, then
every installed package's entry points in the ``labjournal.listings`` group, then the classes
registered by code with :func:`register_listing`. Adding a listing page takes one file, a
:class:`ListingPage` subclass (its template inline as ``template_source``, or a file of
``labjournal/site/templates``), and its registration::

    from labjournal.site.listings import ListingPage, NavPlacement, register_listing

    @register_listing
    class Words(ListingPage):
        name = "words"
        uri = "words.md"
        title = "Words"
        nav = NavPlacement(order=45)  # between Metrics and the Execution report
        template_source = "# {{ title }}\\n{% for item in notes %}\\n- {{ item.title }}\\n{% endfor %}\\n"

or, from a package: ``[project.entry-points."labjournal.listings"] words = "mypackage.words:Words"``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from .base import JournalView, ListedPage, ListingError, ListingPage, NavPlacement, PublishedNote
from .build import BuiltPage, build_listings, check_urls

ENTRY_POINT_GROUP = "labjournal.listings"
BUILTIN = {
    "archive": "labjournal.site.listings.archive:Archive",
    "series": "labjournal.site.listings.series:SeriesPages",
    "metrics": "labjournal.site.listings.metrics:Metrics",
    "report": "labjournal.site.listings.report:ExecutionReport",
}
_registered: dict[str, type[ListingPage]] = {}

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "BuiltPage",
    "JournalView",
    "ListedPage",
    "ListingError",
    "ListingPage",
    "NavPlacement",
    "PublishedNote",
    "available",
    "build_listings",
    "check_urls",
    "listings",
    "register_listing",
    "unregister_listing",
]


def available() -> dict[str, str]:
    """Every listing's name with where it comes from, in the order their pages are made."""
    names = dict(BUILTIN)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        names.setdefault(ep.name, ep.value)
    for name, cls in _registered.items():
        names[name] = f"{cls.__module__}:{cls.__qualname__}"
    return names


def register_listing(cls: type[ListingPage], *, replace: bool = False) -> type[ListingPage]:
    """Add a listing (a decorator too); ``replace=True`` to take the place of one of that name."""
    if not (isinstance(cls, type) and issubclass(cls, ListingPage)) or not getattr(cls, "name", ""):
        raise TypeError(f"{cls!r} is not a ListingPage subclass with a name")
    if not replace and cls.name in available():
        raise ValueError(f"a listing named '{cls.name}' is registered already ({available()[cls.name]})")
    _registered[cls.name] = cls
    return cls


def unregister_listing(name: str) -> type[ListingPage] | None:
    """Remove a listing :func:`register_listing` added (what it replaced comes back); the class removed."""
    return _registered.pop(name, None)


def _load(name: str, target: str) -> type[ListingPage]:
    module, _, attr = target.partition(":")
    try:
        cls = getattr(import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ListingError(f"listing '{name}' ({target}) cannot be loaded: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, ListingPage)):
        raise ListingError(f"listing '{name}' ({target}) is not a ListingPage subclass")
    return cls


def listings() -> list[ListingPage]:
    """One instance of every registered listing, built-ins first."""
    return [(_registered.get(name) or _load(name, target))() for name, target in available().items()]
