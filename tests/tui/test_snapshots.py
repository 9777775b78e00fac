"""SVG snapshots of the studio's main screens (pytest-textual-snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from tests.pilot import quiet


@pytest.fixture
def app(tmp_path: Path) -> StudioApp:
    root = tmp_path / "ws"
    init_workspace(root)
    return StudioApp(Workspace.open(root), watch_interval=0)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await quiet(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, app: StudioApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def test_help_screen(snap_compare, app: StudioApp) -> None:  # type: ignore[no-untyped-def]
    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_help)


@pytest.fixture
def example_app(example_copy: Workspace) -> StudioApp:
    return StudioApp(example_copy, watch_interval=0)


@pytest.mark.parametrize("key", ["f8", "f9", "ctrl+g"])
def test_part_two_screens(snap_compare, example_app: StudioApp, key: str) -> None:  # type: ignore[no-untyped-def]
    async def open_screen(pilot) -> None:  # type: ignore[no-untyped-def]
        from textual.widgets import Input

        await _settle(pilot)
        await pilot.press(key)
        await _settle(pilot)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a blinking cursor makes snapshots flaky
        await pilot.pause()

    assert snap_compare(example_app, terminal_size=(120, 36), run_before=open_screen)
