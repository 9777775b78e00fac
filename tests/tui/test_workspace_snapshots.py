"""SVG snapshots at 80×24 and 140×45: the main screen, DNS summary, name prompt, search."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import DeliverabilityScreen
from tests.pilot import quiet, until

SIZES = [(80, 24), (140, 45)]


@pytest.fixture
def app(example_copy: Workspace) -> StudioApp:
    return StudioApp(example_copy, watch_interval=0)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await quiet(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False  # a blinking cursor makes snapshots flaky


def _dns_shown(app: StudioApp) -> bool:
    """The preflight has finished and its summary is on screen (not the spinner)."""
    screen = app.screen
    if not isinstance(screen, DeliverabilityScreen):
        return False
    loading = screen.query_one("#dns-loading").display
    return not loading and screen.query_one("#dns-summary", DataTable).row_count > 0


def opening(action: str, *keys: str):  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.app.run_action(action)
        await _settle(pilot)
        if action == "deliverability":  # a loaded machine may still be resolving
            await until(pilot, lambda: _dns_shown(pilot.app), "the DNS summary shown")
            await _settle(pilot)
        if keys:
            await pilot.press(*keys)
            await _settle(pilot)  # the search worker has posted its results

    return run


@pytest.mark.parametrize("size", SIZES)
def test_example_main_screen(snap_compare, app: StudioApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_dns_summary(snap_compare, app: StudioApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=opening("deliverability"))


@pytest.mark.parametrize("size", SIZES)
def test_new_template_prompt(snap_compare, app: StudioApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=opening("new_template"))


@pytest.mark.parametrize("size", SIZES)
def test_search(snap_compare, app: StudioApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    run = opening("search_workspace", *"order_totals")
    assert snap_compare(app, terminal_size=size, run_before=run)
