"""Writing entries: ``labjournal new`` makes ``notes/YYYY/YYYY-MM-DD-<slug>.md`` from a template.

A new entry is a draft (``draft: true`` in its front matter): the site leaves it out until its author
removes that line, so template placeholders are never published by accident.

Day numbers count the days of the journal, not its entries. One rule, shared with the duplicate-Day
warning of ``labjournal.notes.warn_duplicate_days``: a Day number belongs to one date.

* an entry on a date that already has a numbered entry shares that date's number;
* an entry after every numbered date gets the highest number + 1 (gaps are left as they are);
* an entry on an earlier date gets the previous numbered date's number + 1 when that number is free and
  below the next date's number; otherwise (also before the first numbered entry: where the journal's Day 1
  was is unknown) no number fits without renumbering, and it gets none, with a warning, rather than a
  number that would put the days out of order.

Templates are Markdown notes with ``{{ name }}`` placeholders (not ``str.format`` or ``$name``: braces and
dollars are common in code and maths). The journal's ``notes/_templates/<kind>.md`` wins over the default
shipped in ``labjournal/authoring/templates/``. In the front matter a value is written as YAML (quoted when needed);
in the body as plain text. A line whose placeholders are all empty (no series, no video) is dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from labjournal.errors import LabjournalError, NoteError, UsageError
from labjournal.markup import slug
from labjournal.notes import KINDS, iter_note_paths, note_suffixes, read_note

log = logging.getLogger("labjournal.authoring")

TEMPLATES_FOLDER = "_templates"
FIELDS = ("title", "date", "day", "kind", "tags", "series", "video", "transcript")
DEFAULT_TITLES = {"lecture": "Lecture", "meeting": "Meeting", "note": "Note"}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


@dataclass(frozen=True)
class Template:
    """A note template: its text and where it came from (for error messages)."""

    text: str
    source: str


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` -> date, or a UsageError that says how to write it."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--date {text!r}: not a date; write it as YYYY-MM-DD, e.g. 2026-03-01") from None


def slugify(text: str, fallback: str) -> str:
    """A stable file-name slug (``labjournal.markup.slug``): ``"Café: über CNNs"`` -> ``"cafe-uber-cnns"``,
    ``"CS 441 강의"`` -> ``"cs-441-강의"``; ``fallback`` when nothing is left (punctuation or emoji only)."""
    return slug(text, fallback)


def journal_days(notes_root: Path) -> dict[dt.date, list[int]]:
    """Day numbers in use, by date. A note that cannot be read is skipped with a warning."""
    days: dict[dt.date, list[int]] = {}
    for path in iter_note_paths(notes_root):
        try:
            note = read_note(path, notes_root)
        except (LabjournalError, OSError) as exc:
            log.warning("%s -- skipped while numbering days", exc)
            continue
        if note.meta.day is not None:
            days.setdefault(note.meta.date, []).append(note.meta.day)
    return days


def day_number(on: dt.date, days: Mapping[dt.date, list[int]]) -> int | None:
    """The Day number of a new entry dated ``on`` (see the module docstring), or None if none fits."""
    if not days:
        return 1
    if on in days:
        return min(days[on])
    taken = {day for numbers in days.values() for day in numbers}
    later = [day for date, numbers in days.items() if date > on for day in numbers]
    if not later:
        return max(taken) + 1
    earlier = [day for date, numbers in days.items() if date < on for day in numbers]
    if earlier and max(earlier) + 1 < min(later) and max(earlier) + 1 not in taken:
        return max(earlier) + 1
    where = f"between Day {max(earlier)} and Day {min(later)}" if earlier else f"before Day {min(later)}"
    log.warning("no Day number fits %s %s: the entry gets none (renumber by hand to give it one)", on, where)
    return None


def load_template(kind: str, notes_root: Path, templates_dir: Path | None = None) -> Template:
    """The journal's template for ``kind`` (``notes/_templates/<kind>.md``), else the shipped default."""
    folder = templates_dir if templates_dir is not None else notes_root / TEMPLATES_FOLDER
    if templates_dir is not None and not templates_dir.is_dir():
        raise UsageError(f"{templates_dir}: no such templates folder; create it or leave the option out")
    path = folder / f"{kind}.md"
    if path.is_file():
        try:
            return Template(path.read_text(encoding="utf-8"), str(path))
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not UTF-8 text; save the template as UTF-8") from None
    default = resources.files("labjournal.authoring.templates") / f"{kind}.md"
    return Template(default.read_text(encoding="utf-8"), f"labjournal/authoring/templates/{kind}.md")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def _yaml_scalar(text: str) -> str:
    """``text`` as it may stand in YAML, block or flow context: plain when that reads back the same."""
    try:
        plain = yaml.safe_load(f"k: [{text}]") == {"k": [text]}
    except yaml.YAMLError:
        plain = False
    return text if plain and text == text.strip() else json.dumps(text, ensure_ascii=False)


def _as_yaml(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_scalar(str(item)) for item in value) + "]"
    if isinstance(value, bool | int | dt.date):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return _yaml_scalar(str(value))


def _as_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _front_matter_end(lines: list[str]) -> int:
    """Index of the line closing the front matter, or -1 when the template has none."""
    if not lines or lines[0].strip() != "---":
        return -1
    return next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), -1)


def _fill(fill: Callable[[Any], str], values: Mapping[str, Any], match: re.Match[str]) -> str:
    return fill(values.get(match.group(1)))


def render_template(template: Template, values: Mapping[str, Any]) -> str:
    """Fill the ``{{ name }}`` placeholders of ``template``; an unknown name is an error naming its line."""
    lines = template.text.splitlines()
    end = _front_matter_end(lines)
    out: list[str] = []
    after_dropped_blank = False
    for index, line in enumerate(lines):
        names = _PLACEHOLDER.findall(line)
        unknown = [name for name in names if name not in FIELDS]
        if unknown:
            raise UsageError(
                f"{template.source}:{index + 1}: unknown placeholder '{{{{ {unknown[0]} }}}}'; "
                f"the known ones are {', '.join(FIELDS)}"
            )
        if names and all(_is_empty(values.get(name)) for name in names):
            after_dropped_blank = bool(out) and not out[-1].strip()
            continue
        if after_dropped_blank and not line.strip():
            continue  # dropping a line must not leave two blank lines: Jupytext would split the cell there
        after_dropped_blank = False
        fill: Callable[[Any], str] = _as_yaml if 0 < index < end else _as_text
        out.append(_PLACEHOLDER.sub(partial(_fill, fill, values), line))
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def mark_draft(text: str) -> str:
    """``text`` with ``draft: true`` at the end of its front matter, unless the template says ``draft:``."""
    lines = text.split("\n")
    end = _front_matter_end(lines)
    if end < 0 or any(line.startswith("draft:") for line in lines[1:end]):
        return text
    return "\n".join([*lines[:end], "draft: true", *lines[end:]])


def entry_path(notes_root: Path, on: dt.date, slug: str, *, exact: bool = False) -> Path:
    """``notes/YYYY/YYYY-MM-DD-<slug>.md``, with ``-2``, ``-3``... when that name (any note suffix) is taken.

    With ``exact`` (a slug the author chose) a taken name is an error instead.
    """
    folder = notes_root / f"{on.year:04d}"
    taken = {p.stem.lower(): p for p in folder.iterdir() if p.suffix in note_suffixes()} if folder.is_dir() else {}
    stem = f"{on.isoformat()}-{slug}"
    if exact and stem.lower() in taken:
        raise UsageError(f"{taken[stem.lower()]} already exists: choose another --slug, or edit that note")
    candidate, n = stem, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return folder / f"{candidate}.md"


def write_entry(path: Path, text: str, notes_root: Path, template: Template) -> Path:
    """Write a new note, never over an existing file, and check that it reads back as a valid note."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{path} already exists and was not overwritten: choose another title or slug") from None
    try:
        read_note(path, notes_root)
    except NoteError as exc:
        path.unlink()
        raise UsageError(f"{template.source}: the template gives an invalid note ({exc}); fix the template") from None
    return path


def _clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = [tags]
    cleaned = [str(tag).strip() for tag in tags]
    if not all(cleaned):
        raise UsageError("--tag: a tag is empty; give words such as --tag pytorch --tag cnn")
    return tuple(dict.fromkeys(cleaned))


def new_note(
    notes_root: Path,
    kind: str = "daily",
    title: str | None = None,
    date: dt.date | None = None,
    series: str | None = None,
    tags: Iterable[str] = (),
    templates_dir: Path | None = None,
    *,
    video: str | None = None,
    slug: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> Path:
    """Create a new entry from the template for ``kind`` and return its path.

    ``date`` defaults to today. Without a title a daily entry is titled by its date (its page reads "Day N:
    Monday 2 March 2026") and named ``day-N``; other kinds get the kind as title. ``fields`` fills extra
    placeholders (``transcript``); a value the template has no placeholder for is appended at the end.
    """
    if kind not in KINDS:
        raise UsageError(f"--kind {kind!r}: not a kind of note; choose one of {', '.join(KINDS)}")
    if title is not None and not title.strip():
        raise UsageError("--title is empty: give the entry a title, or leave the option out")
    on = date or dt.date.today()
    day = day_number(on, journal_days(notes_root))
    if title is None:
        title = f"{on:%A} {on.day} {on:%B %Y}" if kind == "daily" else DEFAULT_TITLES[kind]
        default_slug = f"day-{day}" if kind == "daily" and day is not None else kind
    else:
        title = " ".join(title.split())
        default_slug = slugify(title, kind)
    if slug is not None and slugify(slug, "") != slug:
        raise UsageError(f"--slug {slug!r}: use lower-case letters, digits and '-', e.g. {slugify(slug, kind)!r}")
    template = load_template(kind, notes_root, templates_dir)
    extra = dict(fields or {})
    unknown = sorted(set(extra) - set(FIELDS))
    if unknown:
        raise UsageError(f"unknown template field {unknown[0]!r}; the known ones are {', '.join(FIELDS)}")
    used = set(_PLACEHOLDER.findall(template.text))
    missing = [name for name, value in extra.items() if name not in used and not _is_empty(value)]
    if missing:
        template = Template(
            template.text.rstrip("\n") + "".join(f"\n\n{{{{ {name} }}}}" for name in missing) + "\n", template.source
        )
    values: dict[str, Any] = {
        "title": title,
        "date": on,
        "day": day,
        "kind": kind,
        "tags": _clean_tags(tags),
        "series": series.strip() if series else None,
        "video": video.strip() if video else None,
        "transcript": "",
        **extra,
    }
    text = mark_draft(render_template(template, values))
    path = entry_path(notes_root, on, slug or default_slug, exact=slug is not None)
    return write_entry(path, text, notes_root, template)
