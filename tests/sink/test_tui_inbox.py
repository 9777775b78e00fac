"""The studio's send dialog and inbox with the embedded sink (Textual pilot)."""

from __future__ import annotations

import asyncio
import smtplib
import time

import pytest
from textual.widgets import DataTable, Input, Select, SelectionList, Static, TextArea

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


async def until(pilot, predicate, what: str, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``predicate()`` holds (no key pressed meanwhile)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def send(port: int, to: str) -> dict[str, tuple[int, bytes]] | int:
    """Send one message to the sink; the refused recipients, or the code of a refusal."""
    msg = b"From: app@shop.example\r\nTo: " + to.encode() + b"\r\nSubject: live\r\n\r\nhi\r\n"
    with smtplib.SMTP("127.0.0.1", port) as c:
        try:
            return c.sendmail("app@shop.example", [to], msg)
        except smtplib.SMTPRecipientsRefused as exc:
            return exc.recipients[to][0]


async def test_a_message_sent_while_the_inbox_is_on_screen_appears_without_a_key(
    ws: Workspace,
) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await pilot.press("s")  # start the embedded sink
        await until(pilot, lambda: app.sink is not None and app.sink.running, "the sink")
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        table = inbox.query_one("#inbox-table", DataTable)
        await settle(pilot)
        assert table.row_count == 0
        # Sent from another thread while the screen stays on: no key from here on.
        assert await asyncio.to_thread(send, app.sink.config.port, "live@inbox.example") == {}
        await until(pilot, lambda: table.row_count == 1, "the message in the list")
        assert app.screen is inbox
        assert "live@inbox.example" in str(table.get_row_at(0)[2])


def with_fault_rule(ws: Workspace) -> Workspace:
    settings = ws.root / "pyproject.toml"
    settings.write_text(
        settings.read_text()
        + '\n[[tool.studio.sink.faults]]\nrule = "unknown-user"\n'
        + 'recipients = ["*@nobody.example"]\n'
    )
    return Workspace.open(ws.root)


async def test_the_inbox_lists_fault_rules_toggles_them_and_shows_refusals(
    ws: Workspace,
) -> None:
    app = StudioApp(with_fault_rule(ws), watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await pilot.press("s")
        await until(pilot, lambda: app.sink is not None and app.sink.running, "the sink")
        inbox = app.screen
        rules = inbox.query_one("#fault-rules", SelectionList)
        assert rules.option_count == 1 and app.focused is not rules
        assert "unknown-user to *@nobody.example" in str(rules.get_option_at_index(0).prompt)
        assert rules.selected == [0]
        port = app.sink.config.port
        assert await asyncio.to_thread(send, port, "ghost@nobody.example") == 550
        table = inbox.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, "the refused attempt")
        row = [str(c) for c in table.get_row_at(0)]
        assert row[2] == "ghost@nobody.example" and row[3].startswith("refused: 550 5.1.1")
        assert row[5].startswith("refused · unknown-user")
        await pilot.press("f")  # the rules list takes the focus; space switches one off
        assert app.focused is rules
        await pilot.press("space")
        await until(pilot, lambda: rules.selected == [], "the rule switched off")
        assert app.sink_faults.enabled == [False]
        assert await asyncio.to_thread(send, port, "ghost@nobody.example") == {}
        await until(pilot, lambda: table.row_count == 2, "the accepted message")
        await pilot.press("space")  # and on again: refused again
        assert app.sink_faults.enabled == [True]
        assert await asyncio.to_thread(send, port, "ghost@nobody.example") == 550
