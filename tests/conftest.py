"""Shared fixtures: the bundled example workspace, scratch workspaces, the corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the developer's environment out of tests (no colour, no relay secrets)."""
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("STUDIO_RELAY_USER", "STUDIO_RELAY_PASSWORD", "STUDIO_SPAMD_KEEP"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def example() -> Workspace:
    """The example workspace at the repository root."""
    return Workspace.open(REPO)


@pytest.fixture
def scratch(tmp_path: Path) -> Workspace:
    """A fresh workspace made by ``studio init`` (safe to modify)."""
    init_workspace(tmp_path / "ws")
    return Workspace.open(tmp_path / "ws")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (the README's test command): one worker more than there are CPUs.
    The tests wait on the servers, browsers and terminals they start for about a third
    of their time, which a third worker on two CPUs fills: the suite measured 302 s
    against 363 s with two (idle, 2 CPUs, 2026-12-03). A fourth or fifth gains nothing
    measurable: 291, 274 s with three; 268, 289 s with four; 281 s with five."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return cpus + 1


def copy_example(dest: Path) -> Path:
    """Copy the example workspace (brand, components, templates, samples, settings) to dest."""
    dest.mkdir()
    for sub in ("brand", "components", "templates", "samples"):
        shutil.copytree(REPO / sub, dest / sub)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest


@pytest.fixture
def example_copy(tmp_path: Path) -> Workspace:
    """A copy of the example workspace to modify."""
    return Workspace.open(copy_example(tmp_path / "example"))


def corpus_dir() -> Path:
    return CORPUS / "mjml"


@pytest.fixture
def sink_example(tmp_path: Path) -> Workspace:
    """A copy of the example workspace whose sink listens on a free port of its own."""
    from tests.sink.conftest import free_port

    dest = copy_example(tmp_path / "example")
    text = (REPO / "pyproject.toml").read_text()
    text = text.replace(
        '[tool.studio.sink]\nmaildir = ".studio/maildir"',
        f'[tool.studio.sink]\nmaildir = ".studio/maildir"\nport = {free_port()}',
    )
    (dest / "pyproject.toml").write_text(text)
    return Workspace.open(dest)
