"""A git repository holding a copy of the example workspace, built in each test."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.core.workspace import Workspace
from tests.conftest import copy_example


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def commit_all(root: Path, message: str = "edit") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def make_repo(dest: Path, keep: tuple[str, ...] = ()) -> Workspace:
    """The example in a new repository, one commit on ``main``; ``keep`` limits templates."""
    root = copy_example(dest)
    if keep:
        for p in (root / "templates").iterdir():
            if p.name.split(".")[0] not in keep:
                p.unlink()
        for p in (root / "samples").iterdir():
            if p.name not in keep:
                shutil.rmtree(p)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "config", "user.name", "Test")
    git(root, "config", "commit.gpgsign", "false")
    commit_all(root, "the example")
    return Workspace.open(root)


@pytest.fixture
def repo(tmp_path: Path) -> Workspace:
    return make_repo(tmp_path / "ws")


@pytest.fixture
def repo_of(tmp_path: Path) -> Callable[..., Workspace]:
    return lambda *keep: make_repo(tmp_path / "ws", tuple(keep))


def edit(ws: Workspace, rel: str, old: str, new: str) -> None:
    path = ws.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
