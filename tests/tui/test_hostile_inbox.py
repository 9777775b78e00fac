"""Hostile captured mail in the studio's inbox: shown as literal text, never fatal.

Messages go into the embedded sink over real SMTP (smtplib); the inbox screen is
refreshed three times (by calling its refresh, as its 2 s timer does, so no test
waits on the clock) and the app must still run with the user's unsaved edit.
"""

from __future__ import annotations

import smtplib

import pytest
from rich.text import Text
from textual.widgets import DataTable, Label, TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import InboxScreen, MessageScreen

UNBALANCED = "unbalanced [/nope] close"
CLICK_FROM = '"[@click=app.quit]q"@x.example'
HOSTILE: list[bytes] = [
    f"From: a@x.example\r\nTo: b@y.example\r\nSubject: {UNBALANCED}\r\n\r\nbody\r\n".encode(),
    (
        f"From: {CLICK_FROM}\r\nTo: b@y.example\r\nSubject: [bold]not bold[/bold]\r\n\r\n"
        "[@click=app.quit]body[/]\r\n"
    ).encode(),
    (
        b"From: a@x.example\r\nTo: b@y.example\r\nSubject: bad date\r\n"
        b"Date: Mon, 1 Jan 2024 00:00:00 +99999999999999999999\r\n\r\nbody\r\n"
    ),
    (
        b"From: a@x.example\r\nTo: b@y.example\r\n"
        b"Subject: =?utf-8?b?G10wO293bmVkBxtbMkt0aXRsZQ==?=\r\n\r\nbody\r\n"
    ),
]
EDIT = "<!-- UNSAVED EDIT -->\n"


@pytest.fixture
def ws(sink_example: Workspace) -> Workspace:
    return sink_example


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def cells(table: DataTable) -> list[object]:  # type: ignore[type-arg]
    return [cell for i in range(table.row_count) for cell in table.get_row_at(i)]


async def test_hostile_messages_are_shown_as_text_and_never_stop_the_studio(
    ws: Workspace,
) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        path = app.current
        assert path is not None
        editor = app.home.query_one("#editor", TextArea)
        editor.text = EDIT + editor.text
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await pilot.press("s")  # the embedded sink
        await settle(pilot)
        assert app.sink is not None and app.sink.running
        host, port = app.sink.address
        with smtplib.SMTP(host, port, timeout=10) as client:
            for raw in HOSTILE:
                client.sendmail("a@x.example", ["b@y.example"], raw)
        table = inbox.query_one("#inbox-table", DataTable)
        for _ in range(3):  # three refreshes, as the inbox's timer would run them
            inbox.action_refresh()
            await settle(pilot)
            assert app.is_running and app.screen is inbox
            assert table.row_count == len(HOSTILE)
        shown = cells(table)
        assert all(isinstance(c, Text) for c in shown)  # never a str, read as markup
        plain = " ".join(c.plain for c in shown if isinstance(c, Text))
        assert "[/nope]" in plain and "[bold]" in plain
        assert "[@click=app.quit]" in plain
        assert "\x1b" not in plain and "\x07" not in plain
        assert not any(isinstance(c, Text) and c.spans for c in shown)  # no style, no action
        # Each message opens, as literal text, and closes again (or says it cannot).
        opened = 0
        for row in range(len(HOSTILE)):
            table.move_cursor(row=row)
            table.focus()
            await pilot.press("enter")
            await settle(pilot)
            if isinstance(app.screen, MessageScreen):
                opened += 1
                subject = app.screen.query_one(Label).content
                assert "\x1b" not in str(subject)
                body = app.screen.query_one("#msg-text TextArea", TextArea).text
                assert "\x1b" not in body and "\\x0d" not in body  # CRLF is a line break
                await pilot.press("escape")
                await settle(pilot)
            assert app.is_running and app.screen is inbox
        assert opened >= 3  # all but, today, the one whose Date overflows
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running
        assert app.dirty(path) and editor.text.startswith(EDIT)
