"""How ``labjournal serve`` hears a save: the system's file events, changes only, polling where there are none."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from watchdog.events import FileSystemEvent, FileSystemEventHandler

from labjournal.site.preview import _change_observer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's file events")


class _Heard(FileSystemEventHandler):
    def __init__(self) -> None:
        self.events: list[FileSystemEvent] = []
        self.any = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.events.append(event)
        self.any.set()


def _watching(folder: Path) -> tuple[Any, _Heard]:
    observer, heard = _change_observer(), _Heard()
    observer.schedule(heard, str(folder), recursive=True)
    observer.start()
    return observer, heard


def test_a_save_is_heard_and_a_read_is_not(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("before\n")
    observer, heard = _watching(tmp_path)
    try:
        assert note.read_text() == "before\n"  # the build reads every note: that is no change
        assert not heard.any.wait(1.0), [event.event_type for event in heard.events]
        note.write_text("after\n")
        assert heard.any.wait(5.0)
        assert {event.event_type for event in heard.events} <= {"created", "modified", "deleted", "moved"}
    finally:
        observer.stop()
        observer.join()


def test_without_file_events_it_polls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watchdog.observers import inotify

    def refused(self: Any) -> None:
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(inotify.InotifyEmitter, "on_thread_start", refused)
    observer, heard = _watching(tmp_path)
    try:
        assert observer.fallback is not None
        (tmp_path / "note.md").write_text("saved\n")
        assert heard.any.wait(5.0)
    finally:
        observer.stop()
        observer.join()
