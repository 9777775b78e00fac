"""The inbox screen: the embedded sink, captured messages live, and one message's view."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from ...core.inbox import CapturedMessage, Inbox, inspect, release
from ...core.render.text import mjml_to_text
from ...core.report import render_report
from ...core.sink import Captured, Sink, SinkConfig
from ...core.workspace import Workspace
from ...errors import StudioError
from ..messages import MessageCaptured


@dataclass
class VerdictsComputed(Message):
    rows: list[tuple[str, str, str, str, int, str, str]]


def sink_config(workspace: Workspace) -> SinkConfig:
    s = workspace.settings.sink
    return SinkConfig(
        host=s.host,
        port=s.port,
        maildir=workspace.root / s.maildir,
        max_message_size=s.max_message_size,
        keep_messages=s.keep_messages,
        keep_days=s.keep_days,
    )


class InboxScreen(Screen[None]):
    BINDINGS = [
        ("s", "toggle_sink", "Start/stop sink"),
        ("d", "delete", "Delete"),
        ("c", "clear", "Clear"),
        ("r", "refresh", "Refresh"),
        ("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.inbox = Inbox(sink_config(workspace).maildir)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sink-status")
        yield DataTable(id="inbox-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#inbox-table", DataTable)
        table.add_columns("time", "from", "to", "subject", "size", "verdict")
        self.update_status()
        self.action_refresh()
        self.set_interval(2.0, self.action_refresh)  # a `studio sink` elsewhere writes here too

    def update_status(self) -> None:
        sink: Sink | None = getattr(self.app, "sink", None)
        cfg = sink_config(self.workspace)
        where = self.workspace.relpath(cfg.maildir)
        if sink is not None and sink.running:
            text = f"sink running on {cfg.host}:{cfg.port} · storing in {where} · s to stop"
        else:
            text = f"sink stopped · reading {where} · s to start it on {cfg.host}:{cfg.port}"
        self.query_one("#sink-status", Static).update(text)

    def action_toggle_sink(self) -> None:
        app = self.app
        sink: Sink | None = getattr(app, "sink", None)
        if sink is not None and sink.running:
            sink.stop()
            app.sink = None  # type: ignore[attr-defined]
        else:

            def captured(c: Captured) -> None:
                app.post_message(MessageCaptured(c.id))

            try:
                app.sink = Sink(sink_config(self.workspace), on_message=captured).start()  # type: ignore[attr-defined]
            except StudioError as exc:
                self.notify(str(exc), severity="error")
        self.update_status()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @work(thread=True, exclusive=True, group="inbox")
    def action_refresh(self) -> None:
        rows = []
        for s in self.inbox.list():
            try:
                v = inspect(self.inbox.get(s.id), self.workspace).verdict
                verdict = v.line() if v else ""
            except StudioError:
                verdict = "?"
            rows.append((s.id, s.date[11:19], s.from_, s.to, s.size, s.subject, verdict))
        self.post_message(VerdictsComputed(rows))

    def on_verdicts_computed(self, event: VerdictsComputed) -> None:
        table = self.query_one("#inbox-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for mid, time, from_, to, size, subject, verdict in event.rows:
            table.add_row(
                time, _short(from_), _short(to), _short(subject, 40), f"{size:,}", verdict, key=mid
            )
        if event.rows:
            table.move_cursor(row=min(cursor, len(event.rows) - 1))

    def selected_id(self) -> str | None:
        table = self.query_one("#inbox-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowSelected, "#inbox-table")
    def open_message(self, event: DataTable.RowSelected) -> None:
        self.load_message(str(event.row_key.value))

    @work(thread=True, exclusive=True, group="message")
    def load_message(self, mid: str) -> None:
        """Verify and check a message off the UI thread (DNS, DKIM), then show it."""
        try:
            captured = inspect(self.inbox.get(mid), self.workspace)
        except StudioError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.app.push_screen, MessageScreen(self.workspace, captured))

    def action_delete(self) -> None:
        mid = self.selected_id()
        if mid:
            self.inbox.delete(mid)
            self.action_refresh()

    def action_clear(self) -> None:
        self.notify(f"deleted {self.inbox.clear()} messages")
        self.action_refresh()


def _short(text: str, width: int = 28) -> str:
    """A list cell: long names and subjects cut so the verdict stays on screen."""
    return text if len(text) <= width else text[: width - 1] + "…"


class MessageScreen(ModalScreen[None]):
    BINDINGS = [("escape,q", "dismiss", "Back"), ("l", "release", "Release to relay")]

    def __init__(self, workspace: Workspace, captured: CapturedMessage) -> None:
        super().__init__()
        self.workspace = workspace
        self.captured = captured

    def compose(self) -> ComposeResult:
        c = self.captured
        v = c.verdict
        with VerticalScroll(id="message-view"):
            yield Label(Text(c.summary.subject, style="bold"))
            yield Static(
                f"envelope {c.summary.sender} → {', '.join(c.summary.recipients)}\n"
                f"verdict  {v.line() if v else '-'}"
                + (f" ({v.spf_note})" if v and v.spf_note else "")
            )
            with TabbedContent():
                with TabPane("Text", id="msg-text"):
                    yield TextArea(c.text or "(no text part)", read_only=True)
                with TabPane("HTML", id="msg-html"):
                    # what the HTML part says, read as a reader would (links, alt text)
                    yield TextArea(
                        mjml_to_text(c.html) if c.html else "(no HTML part)", read_only=True
                    )
                with TabPane("Headers", id="msg-headers"):
                    yield TextArea(
                        "\n".join(f"{k}: {v}" for k, v in c.message.items()), read_only=True
                    )
                with TabPane("Source", id="msg-source"):
                    yield TextArea(c.raw.decode("utf-8", "replace"), read_only=True)
                with TabPane("Checks", id="msg-checks"):
                    yield Static(render_report(c.findings, "text"))
            relays = list(self.workspace.settings.relays)
            with Horizontal(id="release-row"):
                yield Select([(r, r) for r in relays], prompt="relay", id="relay", allow_blank=True)
                yield Button("Release to relay (l)", id="release")
            yield Static("", id="release-result")

    @on(Button.Pressed, "#release")
    def action_release(self) -> None:
        name = self.query_one("#relay", Select).value
        if not isinstance(name, str):
            self.query_one("#release-result", Static).update("choose a relay first")
            return
        self.release(name)

    @work(thread=True, exclusive=True, group="release")
    def release(self, name: str) -> None:
        try:
            result = release(self.captured, self.workspace, name)
            line = f"released via {result.transport}: {result.reply}"
        except StudioError as exc:
            line = f"⚠ {exc}"
        self.app.call_from_thread(self.query_one("#release-result", Static).update, line)
