"""The GitHub workflows: triggers, runners, permissions, commands; the execute workflow's scripts run for real.

YAML 1.1 reads the key ``on`` as True, so triggers are looked up under both.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    return workflow.get("on", workflow.get(True))


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _step(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [step for step in _steps(workflow) if step.get("name") == name]
    return found


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in _steps(workflow) if "uses" in step]


@pytest.fixture(scope="module")
def publish() -> dict[str, Any]:
    return _load("publish.yml")


@pytest.fixture(scope="module")
def execute() -> dict[str, Any]:
    return _load("execute.yml")


# --- publish.yml ------------------------------------------------------------------------------------------------


def test_publish_triggers_permissions_and_concurrency(publish: dict[str, Any]) -> None:
    triggers = _triggers(publish)
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    assert triggers["workflow_run"]["workflows"] == ["execute"]  # the store commits of the GPU runner
    assert not {"pull_request", "pull_request_target"} & set(triggers)
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert publish["concurrency"]["group"] and publish["concurrency"]["cancel-in-progress"] is False


def test_publish_builds_from_the_store_only_and_deploys_with_the_official_actions(publish: dict[str, Any]) -> None:
    uses = _uses(publish)
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    assert uses.index("actions/upload-pages-artifact") < uses.index("actions/deploy-pages")
    runs = [step.get("run", "") for step in _steps(publish)]
    builds = [run for run in runs if "labjournal build" in run]
    assert builds == ["labjournal build --no-execute --strict --site-dir site"]
    assert not any("labjournal run" in run for run in runs)
    upload = next(step for step in _steps(publish) if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    deploy = publish["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"


def test_publish_installs_cpu_torch_before_the_package(publish: dict[str, Any]) -> None:
    install = _step(publish, "Install labjournal")["run"].splitlines()
    torch = next(i for i, line in enumerate(install) if "install torch==" in line)
    package = next(i for i, line in enumerate(install) if line.strip().endswith("install ."))
    assert torch < package and "download.pytorch.org/whl/cpu" in install[torch]


# --- execute.yml ------------------------------------------------------------------------------------------------


def test_execute_triggers_never_include_pull_requests(execute: dict[str, Any]) -> None:
    triggers = _triggers(execute)
    assert set(triggers) == {"push", "workflow_dispatch"}
    assert triggers["push"] == {"branches": ["main"], "paths": ["notes/**"]}
    assert set(triggers["workflow_dispatch"]["inputs"]) == {"note", "parameters"}
    code = [line.split("#")[0] for line in (WORKFLOWS / "execute.yml").read_text(encoding="utf-8").splitlines()]
    assert not any("pull_request" in line for line in code)  # not even under another spelling of a trigger


def test_execute_runs_on_the_gpu_runner_only_outside_forks(execute: dict[str, Any]) -> None:
    (job,) = execute["jobs"].values()
    assert job["runs-on"] == ["self-hosted", "gpu"]
    assert "github.event.repository.fork == false" in job["if"]
    assert execute["permissions"] == {"contents": "write"}


def test_execute_inputs_are_never_spliced_into_scripts(execute: dict[str, Any]) -> None:
    for step in _steps(execute):
        assert "${{" not in step.get("run", ""), f"step {step.get('name')!r} interpolates an expression"


def _stub_labjournal(folder: Path) -> Path:
    """A ``labjournal`` on PATH that records its arguments, one per line."""
    folder.mkdir()
    stub = folder / "labjournal"
    stub.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.mark.parametrize(
    ("note", "parameters", "expected"),
    [
        ("", "", []),
        ("notes/2024/a b.md", "lr=0.1  steps=200", ["notes/2024/a b.md", "-p", "lr=0.1", "-p", "steps=200"]),
        ("", "name=*", ["-p", "name=*"]),
    ],
)
def test_execute_run_step_builds_the_command_from_the_inputs(
    execute: dict[str, Any], tmp_path: Path, note: str, parameters: str, expected: list[str]
) -> None:
    script = _step(execute, "Run stale notes on the GPU")["run"]
    (tmp_path / "name=x").touch()  # a glob in the parameters must stay literal
    env = {
        **os.environ,
        "PATH": f"{_stub_labjournal(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}",
        "ARGS_FILE": str(tmp_path / "args"),
        "NOTE": note,
        "PARAMETERS": parameters,
    }
    subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env, check=True)
    assert (tmp_path / "args").read_text().splitlines() == ["run", "--device", "cuda", *expected]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, Path]:
    """A clone of a bare 'origin' with one commit on main, as actions/checkout leaves it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin, clone = tmp_path / "origin.git", tmp_path / "clone"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    _git(tmp_path, "clone", "-q", str(origin), str(clone))
    (clone / "notes").mkdir()
    (clone / "notes" / "a.md").write_text("a note\n")
    _git(clone, "add", "notes")
    _git(clone, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "a note")
    _git(clone, "push", "-q", "origin", "HEAD:main")
    return origin, clone


def _commit_step(execute: dict[str, Any], clone: Path) -> subprocess.CompletedProcess[str]:
    script = _step(execute, "Commit the store")["run"]
    sha = _git(clone, "rev-parse", "HEAD").strip()
    env = {**os.environ, "GITHUB_SHA": sha, "GITHUB_REF_NAME": "main", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=clone, env=env, capture_output=True, text=True)


def test_execute_commit_step_pushes_store_changes_only(execute: dict[str, Any], checkout: tuple[Path, Path]) -> None:
    origin, clone = checkout
    result = _commit_step(execute, clone)  # nothing ran: no store folder
    assert result.returncode == 0 and "nothing ran" in result.stdout
    (clone / "store" / "notes").mkdir(parents=True)
    (clone / "store" / "notes" / "a.ipynb").write_text("{}\n")
    (clone / "stray.txt").write_text("not part of the store\n")
    result = _commit_step(execute, clone)
    assert result.returncode == 0, result.stderr
    assert _git(origin, "log", "-1", "--format=%an %s", "main").startswith("github-actions[bot] store: ")
    assert _git(origin, "show", "--name-only", "--format=", "main").split() == ["store/notes/a.ipynb"]
    result = _commit_step(execute, clone)  # unchanged now: no empty commit
    assert result.returncode == 0 and "unchanged" in result.stdout
    assert len(_git(origin, "log", "--format=%H", "main").split()) == 2
