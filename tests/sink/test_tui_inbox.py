"""The studio's send dialog and inbox with the embedded sink (Textual pilot)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import InboxScreen, MessageScreen, SendScreen


@pytest.fixture
def ws(sink_example: Workspace) -> Workspace:
    return sink_example


async def settle(pilot, seconds: float = 0.4) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_send_lands_in_the_embedded_sink_and_the_inbox_updates_live(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        await pilot.press("s")  # start the embedded sink
        await pilot.pause()
        assert app.sink is not None and app.sink.running
        inbox = app.screen
        await pilot.press("escape")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, SendScreen)
        app.screen.query_one("#send-to", Input).value = "olivia@inbox.example"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, SendScreen)  # closed on success, with a notice
        result = str(list(app._notifications)[-1].message)
        assert "250" in result and "sink" in result
        app.push_screen(inbox)  # the same screen object, not reopened
        await settle(pilot, 0.8)
        table = inbox.query_one("#inbox-table", DataTable)
        assert table.row_count == 1
        row = table.get_row_at(0)
        assert "olivia@inbox.example" in row[2] and "spf=pass" in str(row[5])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MessageScreen)
        html_view = app.screen.query_one("#msg-html TextArea", TextArea).text
        source = app.screen.query_one("#msg-source TextArea", TextArea).text
        assert "Your one-time code" in html_view and "<table" in source
        assert "<table" not in html_view and "<td" not in html_view  # read, not markup
    assert app.sink is None or not app.sink.running


async def test_refused_recipient_shows_its_error_and_the_app_goes_on(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#send-via", Select).value = "staging"
        await pilot.pause()
        assert "*@mapleandmoss.example" in str(dialog.query_one("#send-allow", Static).render())
        dialog.query_one("#send-to", Input).value = "stranger@elsewhere.example"
        await pilot.press("enter")
        await settle(pilot)
        text = str(dialog.query_one("#send-result", Static).render())
        assert "may not send to stranger@elsewhere.example" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, SendScreen)
