"""Small file helpers every layer may use: atomic writes, deterministic JSON, caches on disk.

An :class:`OSError` while writing (a read-only store, a full disk, a path taken by a folder) becomes
:class:`~labjournal.errors.StoreWriteError`, which names the path: the CLI ends with that one line
and exit code 2.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

from labjournal.errors import StoreWriteError

log = logging.getLogger("labjournal.store")

T = TypeVar("T")


def dumps_deterministic(data: Any) -> str:
    """JSON with sorted keys and a fixed indent: the same data always makes the same bytes (git diffs well)."""
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StoreWriteError(path, exc) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in a file labjournal wrote for itself, or ``{}`` when it is missing, unreadable
    or not an object (a cache or a manifest: losing it costs work, never correctness)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class JsonCache(Generic[T]):
    """A ``key -> value`` map kept in one JSON file, loaded once and written back when it changed.

    ``encode``/``decode`` turn values into JSON data and back. An unreadable or outdated file
    (another ``version``) is a cache miss, never an error: a cache only saves work.
    """

    def __init__(
        self,
        path: Path | None,
        version: int,
        decode: Callable[[Any], T] = lambda data: data,
        encode: Callable[[T], Any] = lambda value: value,
    ) -> None:
        self.path = path
        self.version = version
        self.encode = encode
        self.entries: dict[str, T] = {}
        self.dirty = False
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == version:
                    self.entries = {key: decode(value) for key, value in data["entries"].items()}
            except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
                log.warning("%s: unreadable cache (%s); starting afresh", path, exc)

    def get(self, key: str) -> T | None:
        return self.entries.get(key)

    def put(self, key: str, value: T) -> None:
        self.entries[key] = value
        self.dirty = True

    def drop(self, key: str) -> None:
        if self.entries.pop(key, None) is not None:
            self.dirty = True

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache (only the keys in ``keep``, when given, so that it does not grow forever)."""
        if self.path is None or not self.dirty:
            return
        kept = set(keep) if keep is not None else None
        entries = {k: self.encode(v) for k, v in sorted(self.entries.items()) if kept is None or k in kept}
        atomic_write(self.path, json.dumps({"version": self.version, "entries": entries}, sort_keys=True))
        self.dirty = False


def content_digest(*parts: Any) -> str:
    """A hash of ``parts`` (JSON-serialisable values, anything else by ``str``): the name of a cached
    file or folder, which changes whenever anything it was made from changes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, default=str).encode() + b"\x00")
    return digest.hexdigest()


def cached_text(path: Path, make: Callable[[], str]) -> str:
    """The text at ``path`` (a content-addressed cache file), made and written first if missing."""
    if not path.exists():
        atomic_write(path, make())
    return path.read_text(encoding="utf-8")
