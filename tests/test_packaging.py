"""`executors/` installs as `labjournal.executors`, from an editable install and from a built wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import labjournal.executors
from labjournal.executors import available, get_executor
from labjournal.executors.local import LocalExecutor

from .conftest import REPO


def test_editable_install_maps_executors_folder() -> None:
    assert Path(labjournal.executors.__file__).resolve() == REPO / "executors" / "__init__.py"
    assert get_executor("local") is LocalExecutor
    assert "local" in available()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("labjournal-*.whl"))


def test_wheel_ships_executors_templates_and_entry_points(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "labjournal/executors/__init__.py",
        "labjournal/executors/local.py",
        "labjournal/executors/base.py",
    } <= names
    assert "labjournal/rendering/nbconvert_templates/labjournal/index.md.j2" in names
    assert not any(name.startswith("executors/") for name in names)  # no generic top-level package
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "labjournal = labjournal.site.plugin:LabjournalPlugin" in text and "labjournal.cli:main" in text


def test_built_wheel_imports_labjournal_executors(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "import labjournal, labjournal.executors as e; from labjournal.executors.local import LocalExecutor; "
        "print(labjournal.__file__); print(e.get_executor('local').__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    first, second = result.stdout.split()
    assert first.startswith(str(target)) and second == "LocalExecutor"
