"""Send and inbox as a designer uses them: the sink offered, the address kept, one Enter."""

from __future__ import annotations

import smtplib

import pytest
from textual.widgets import DataTable, Input, Label, Static, TextArea

from studio.core.sink import Sink, SinkConfig
from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import ConfirmScreen, InboxScreen, MessageScreen, SendScreen
from tests.pilot import settle, until


@pytest.fixture
def ws(sink_example: Workspace) -> Workspace:
    return sink_example




async def send(app: StudioApp, pilot, to: str | None) -> SendScreen:  # type: ignore[no-untyped-def]
    app.action_send()
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, SendScreen)
    if to is not None:
        dialog.query_one("#send-to", Input).value = to
    dialog.query_one("#send-to", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    return dialog


async def test_send_with_the_sink_stopped_offers_to_start_it_then_sends(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.sink is None
        await send(app, pilot, "olivia@inbox.example")
        assert isinstance(app.screen, ConfirmScreen)  # not "connection refused"
        await pilot.click("#yes")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen | SendScreen), "sent")
        assert app.sink is not None and app.sink.running
        inbox = InboxScreen(ws)
        await until(pilot, lambda: len(inbox.inbox.store.files()) == 1, "captured")


async def test_success_closes_the_dialog_and_the_address_is_remembered(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.sink = Sink(SinkConfig.from_settings(ws)).start()
        await send(app, pilot, "olivia@inbox.example")
        await until(pilot, lambda: not isinstance(app.screen, SendScreen), "dialog closed")
        assert any("sent via" in str(n.message) for n in app._notifications)
        app.action_send()
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#send-to", Input).value == "olivia@inbox.example"
        await pilot.press("enter")  # the same address again: one key
        await until(pilot, lambda: not isinstance(app.screen, SendScreen), "sent again")
        await until(pilot, lambda: len(app.sink.store.files()) == 2, "two captured")  # type: ignore[union-attr]


async def test_a_failed_send_keeps_the_dialog_with_its_error(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = await send(app, pilot, "not an address")
        assert app.screen is dialog
        assert "⚠" in str(dialog.query_one("#send-result", Static).render())


UNSIGNED = (
    b"From: Maple <orders@mail.mapleandmoss.example>\r\nTo: o@inbox.example\r\n"
    b"Subject: unsigned\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n"
    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html words</p>\r\n--b--\r\n"
)


def deliver(ws: Workspace, raw: bytes) -> None:
    """Deliver one message over SMTP into the workspace's sink, then stop it."""
    sink = Sink(SinkConfig.from_settings(ws)).start()
    try:
        with smtplib.SMTP(*sink.address) as client:
            client.sendmail("orders@mail.mapleandmoss.example", ["o@inbox.example"], raw)
    finally:
        sink.stop()


async def open_the_only_message(app: StudioApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.action_inbox()
    await settle(pilot)
    table = app.screen.query_one("#inbox-table", DataTable)
    await until(pilot, lambda: table.row_count == 1, "listed")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, MessageScreen), "message opened")


async def test_first_enter_opens_the_first_message_which_explains_dkim_none(
    ws: Workspace,
) -> None:
    deliver(ws, UNSIGNED)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_the_only_message(app, pilot)
        view = app.screen
        verdict = str(view.query_one("#message-verdict", Static).render())
        assert "dkim=none" in verdict and "unsigned" in verdict and "dkim_selector" in verdict
        text_head = str(view.query_one("#msg-text .part-head", Static).render())
        html_head = str(view.query_one("#msg-html .part-head", Static).render())
        assert text_head != html_head
        assert "text/plain" in text_head and "text/html" in html_head
        assert "bytes" in text_head
        assert "plain words" in view.query_one("#msg-text TextArea", TextArea).text


async def test_a_message_arriving_in_an_open_empty_inbox_opens_with_one_enter(
    ws: Workspace,
) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_inbox()
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await pilot.press("s")
        await until(pilot, lambda: app.sink is not None, "sink started")
        with smtplib.SMTP(*app.sink.address) as client:  # type: ignore[union-attr]
            client.sendmail("orders@mail.mapleandmoss.example", ["o@inbox.example"], UNSIGNED)
        table = inbox.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, "listed")
        assert table.has_focus and table.cursor_row == 0
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MessageScreen), "message opened")


async def test_enter_pressed_before_the_list_is_there_opens_the_first_message(
    ws: Workspace,
) -> None:
    sink = Sink(SinkConfig.from_settings(ws)).start()
    try:
        for _ in range(3):
            with smtplib.SMTP(*sink.address) as client:
                client.sendmail("orders@mail.mapleandmoss.example", ["o@inbox.example"], UNSIGNED)
    finally:
        sink.stop()
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_inbox()
        await pilot.press("enter")  # at once, as a person does after ctrl+e
        await until(pilot, lambda: isinstance(app.screen, MessageScreen), "message opened")


PREHEADED = (
    b"From: Maple <orders@mail.mapleandmoss.example>\r\nTo: o@inbox.example\r\n"
    b"Subject: your order\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b'<div style="display:none;max-height:0">Arrives Thursday \x1b[2K</div>'
    b"<p>Visible body words</p>\r\n"
)


async def test_the_message_view_shows_what_the_inbox_line_will_read(ws: Workspace) -> None:
    deliver(ws, PREHEADED)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_the_only_message(app, pilot)
        line = str(app.screen.query_one("#message-inbox-line", Label).render())
        assert line.index("Arrives Thursday") < line.index("Visible body words")
        assert "\x1b" not in line  # shown as text, never as a terminal escape
