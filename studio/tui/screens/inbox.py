"""The inbox screen: the embedded sink, captured messages live, and one message's view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
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
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from ...core.inbox import CapturedMessage, Inbox, inspect, release
from ...core.inbox_view import dkim_note, part_head
from ...core.render.text import mjml_to_text
from ...core.report import render_report
from ...core.safe_text import printable
from ...core.sink import Sink, SinkConfig
from ...core.sink.faults import Refusal
from ...core.sink.store import delivered_at
from ...core.workspace import Workspace
from ...errors import StudioError
from ..sink_control import (
    embedded_sink,
    sink_faults,
    start_embedded_sink,
    stop_embedded_sink,
)


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox list, every field already as it is shown."""

    id: str
    time: str
    from_: str
    to: str
    size: str
    subject: str
    verdict: str


@dataclass
class InboxListed(Message):
    """The inbox was read: its rows, how many messages could not be read, or why none could."""

    rows: list[InboxRow]
    unreadable: int
    error: str  # the Maildir itself could not be read ("" when it could)
    router: str = ""  # the router's stats on one line ("" when nothing was triggered)


@dataclass
class CapturedMessageLoaded(Message):
    """A captured message was read, verified and checked: ready to be shown."""

    captured: CapturedMessage


@dataclass
class CapturedMessageFailed(Message):
    """A captured message could not be read or checked (``error`` says why)."""

    id: str
    error: str


@dataclass
class ReleaseFinished(Message):
    """A release to a relay finished: the relay's reply, or why it failed."""

    line: str


def router_summary(workspace: Workspace) -> str:
    """The router's stats on one line, read from its trigger log ("" without one)."""
    from ...core.router import compute_stats, read_log
    from ...core.router.stats import summary_line

    try:
        log = workspace.root / workspace.settings.router.events
        return summary_line(compute_stats(read_log(log)))
    except (StudioError, OSError):
        return ""


class InboxScreen(Screen[None]):
    AUTO_FOCUS = "#inbox-table"
    BINDINGS = [
        Binding("enter", "open", "Open", priority=True),
        ("s", "toggle_sink", "Start/stop sink"),
        ("d", "delete", "Delete"),
        ("c", "clear", "Clear"),
        ("r", "refresh", "Refresh"),
        ("f", "focus_faults", "Fault rules"),
        ("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.inbox = Inbox(SinkConfig.from_settings(workspace).maildir)
        self.listing_problem = ""  # shown in the status line: why some rows are missing
        self.listed_once = False  # the list has been shown once (then refreshes verify at once)
        self.open_when_listed = False  # Enter was pressed before the list was there
        self.router_line = ""  # the router's stats (`studio serve`), from its trigger log

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sink-status")
        faults = sink_faults(self.app, self.workspace)
        rules = SelectionList[int](
            *(
                (Text(printable(r.label(), one_line=True)), i, on)
                for i, (r, on) in enumerate(
                    zip(faults.rules, faults.enabled, strict=True) if faults else ()
                )
            ),
            id="fault-rules",
        )
        rules.border_title = "fault rules · f to focus, space to switch one on or off"
        if faults is not None:  # without rules the sink accepts everything: no list
            yield rules
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
        cfg = SinkConfig.from_settings(self.workspace)
        where = self.workspace.relpath(cfg.maildir)
        if sink is not None and sink.running:
            text = f"sink running on {cfg.host}:{cfg.port} · storing in {where} · s to stop"
        else:
            text = f"sink stopped · reading {where} · s to start it on {cfg.host}:{cfg.port}"
        if self.listing_problem:
            text += f" · ⚠ {self.listing_problem}"
        if self.router_line:
            text += f" · {self.router_line}"
        self.query_one("#sink-status", Static).update(Text(printable(text, one_line=True)))

    def action_toggle_sink(self) -> None:
        if embedded_sink(self.app) is not None:
            stop_embedded_sink(self.app)
        else:
            try:
                start_embedded_sink(self.app, self.workspace)
            except StudioError as exc:
                self.notify(printable(str(exc), one_line=True), severity="error", markup=False)
        self.update_status()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``f`` is there (and in the footer) only when there are fault rules."""
        if action == "focus_faults":
            return bool(self.query("#fault-rules"))
        return True

    def action_focus_faults(self) -> None:
        for rules in self.query("#fault-rules"):
            rules.focus()

    @on(SelectionList.SelectionToggled, "#fault-rules")
    def toggle_fault(self, event: SelectionList.SelectionToggled[int]) -> None:
        faults = sink_faults(self.app, self.workspace)
        if faults is not None:
            index = event.selection.value
            on = faults.toggle(index)
            state = "on" if on else "off"
            self.notify(f"fault rule {faults.rules[index].label()}: {state}", markup=False)

    @work(thread=True, exclusive=True, group="inbox")
    def action_refresh(self) -> None:
        """Read the Maildir and verify each message, off the UI thread.

        Captured mail is hostile input: a message that cannot be read, parsed or
        verified becomes one "unreadable" row (counted in the status line), never
        an exception that stops the listing or the app.
        """
        router = router_summary(self.workspace)
        try:
            stored = self.inbox.store.files()
        except Exception as exc:  # noqa: BLE001 - an unreadable Maildir is shown as empty
            self.post_message(InboxListed([], 0, str(exc) or type(exc).__name__))
            return
        refused = refused_rows(self.inbox.refusals())
        times = {}
        if refused:  # placed among the messages by time
            for f in stored:
                try:
                    times[f.id] = delivered_at(f.id) or f.path.stat().st_mtime
                except OSError:
                    times[f.id] = 0.0
        # The first listing comes in two steps: the rows at once, then their verdicts
        # (verifying DKIM and SPF takes a while), so the list is there to act on.
        for verify in (False, True) if not self.listed_once else (True,):
            rows: list[InboxRow] = []
            unreadable = 0
            for f in stored:
                try:
                    rows.append(self.row_of(f.id, verify=verify))
                except Exception:  # noqa: BLE001 - one bad message never stops the list
                    unreadable += 1
                    rows.append(InboxRow(f.id, "", "", "", "", "(unreadable message)", "?"))
            if refused:
                timed = [(times.get(r.id, 0.0), 0, r) for r in rows] + [
                    (when, 1, r) for when, r in refused
                ]
                rows = [r for _, _, r in sorted(timed, key=lambda t: (t[0], t[1]))]
            self.post_message(InboxListed(rows, unreadable, "", router))

    def row_of(self, mid: str, *, verify: bool = True) -> InboxRow:
        """One message's list row, as shown (control characters escaped)."""
        captured = self.inbox.get(mid)
        verdict = "…"
        try:
            if captured.summary.kind == "bounce":
                verdict = "bounce (delivery status)"
            elif verify:
                v = inspect(captured, self.workspace).verdict
                verdict = v.line() if v else ""
        except StudioError:
            verdict = "?"
        s = captured.summary
        return InboxRow(
            mid,
            s.date[11:19],
            _cell(s.from_),
            _cell(s.to),
            f"{s.size:,}",
            _cell(s.subject, 40),
            verdict,
        )

    def on_inbox_listed(self, event: InboxListed) -> None:
        table = self.query_one("#inbox-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for r in event.rows:
            # Text, never a str: a str cell is read as markup ("[/nope]" raises,
            # "[@click=app.quit]" becomes an action).
            cells = (r.time, r.from_, r.to, r.subject, r.size, r.verdict)
            table.add_row(*(Text(c) for c in cells), key=r.id)
        if event.rows:
            table.move_cursor(row=min(cursor, len(event.rows) - 1))
        self.listed_once = True
        self.router_line = event.router
        if self.open_when_listed and event.rows:
            self.open_when_listed = False
            self.action_open()
        self.listing_problem = (
            f"cannot read the maildir: {event.error}"
            if event.error
            else f"{event.unreadable} unreadable message(s)"
            if event.unreadable
            else ""
        )
        self.update_status()

    def selected_id(self) -> str | None:
        table = self.query_one("#inbox-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_open(self) -> None:
        """Open the selected message; pressed before the list is there, open the first."""
        if isinstance(self.focused, SelectionList):
            return  # Enter on the rules list opens nothing (space switches a rule)
        mid = self.selected_id()
        if mid is None:
            self.open_when_listed = True
            return
        self.load_message(mid)

    @on(DataTable.RowSelected, "#inbox-table")
    def open_message(self, event: DataTable.RowSelected) -> None:
        self.load_message(str(event.row_key.value))

    def show_refusal(self, mid: str) -> None:
        """A refused attempt has no message to open: its record, as a notice."""
        index = int(mid.removeprefix(REFUSED))
        refusals = self.inbox.refusals()
        if index < len(refusals):
            r = refusals[index]
            text = (
                f"refused at {r.time} ({r.stage}) · client {r.client} · from {r.sender or '<>'}"
                f" to {', '.join(r.recipients) or '-'} · rule {r.rule} · reply {r.reply}"
            )
            self.notify(printable(text, one_line=True), markup=False, timeout=10)

    def load_message(self, mid: str) -> None:
        if mid.startswith(REFUSED):
            self.show_refusal(mid)
        else:
            self.load_stored(mid)

    @work(thread=True, exclusive=True, group="message")
    def load_stored(self, mid: str) -> None:
        """Verify and check a message off the UI thread (DNS, DKIM), then show it."""
        try:
            captured = inspect(self.inbox.get(mid), self.workspace)
        except Exception as exc:  # noqa: BLE001 - hostile input: say so, keep the app
            self.post_message(CapturedMessageFailed(mid, str(exc) or type(exc).__name__))
            return
        self.post_message(CapturedMessageLoaded(captured))

    def on_captured_message_loaded(self, event: CapturedMessageLoaded) -> None:
        self.app.push_screen(MessageScreen(self.workspace, event.captured))

    def on_captured_message_failed(self, event: CapturedMessageFailed) -> None:
        self.notify(
            printable(f"cannot show {event.id}: {event.error}", one_line=True),
            severity="error",
            markup=False,
        )

    def action_delete(self) -> None:
        mid = self.selected_id()
        if mid and mid.startswith(REFUSED):
            self.notify("refused attempts are kept until c clears the inbox")
        elif mid:
            self.inbox.delete(mid)
            self.action_refresh()

    def action_clear(self) -> None:
        self.notify(f"deleted {self.inbox.clear()} messages")
        self.action_refresh()


REFUSED = "refused:"
"""Row keys of refused attempts (``refused:N``, N their place in the log)."""


def refused_rows(refusals: list[Refusal]) -> list[tuple[float, InboxRow]]:
    """Refused attempts as list rows, with when they happened (for the order)."""
    out = []
    for i, r in enumerate(refusals):
        try:
            when = dt.datetime.fromisoformat(r.time).timestamp()
        except ValueError:
            when = 0.0
        row = InboxRow(
            f"{REFUSED}{i}",
            r.time[11:19],
            _cell(r.sender or "<>"),
            _cell(", ".join(r.recipients) or "-"),
            "",
            _cell(f"refused: {r.reply}", 40),
            _cell(f"refused · {r.rule}", 40),
        )
        out.append((when, row))
    return out


def _shown(text: Callable[[], str]) -> str:
    """One part of a captured message as literal, printable text, or why it cannot be shown.

    Header values are parsed when they are read, so showing a hostile message can
    raise from anywhere; one part that cannot be shown leaves the others readable.
    """
    try:
        return printable(text().replace("\r\n", "\n"))  # CRLF is a line break, not a control
    except Exception as exc:  # noqa: BLE001 - hostile input: say so, keep the screen
        return f"(cannot show this part: {printable(str(exc) or type(exc).__name__)})"


def _cell(text: str, width: int = 28) -> str:
    """A list cell: one line, control characters escaped, cut so the verdict stays on screen."""
    text = printable(text, one_line=True)
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
            yield Label(Text(printable(c.summary.subject, one_line=True), style="bold"))
            yield Label(
                Text(
                    "inbox line  "
                    + _shown(lambda: c.preview.inbox_line or "(nothing: no preview text)"),
                    style="italic",
                ),
                id="message-inbox-line",
            )
            yield Static(
                Text(
                    printable(f"envelope {c.summary.sender} → {', '.join(c.summary.recipients)}")
                    + f"\nverdict  {v.line() if v else '-'}"
                    + (f" ({printable(v.spf_note)})" if v and v.spf_note else "")
                    + (f"\n         dkim=none: {dkim_note(v)}" if dkim_note(v) else "")
                ),
                id="message-verdict",
            )
            with TabbedContent():
                with TabPane("Text", id="msg-text"):
                    yield Static(
                        Text(printable(part_head(c.message, "plain"))), classes="part-head"
                    )
                    yield TextArea(_shown(lambda: c.text or "(no text part)"), read_only=True)
                with TabPane("HTML", id="msg-html"):
                    yield Static(
                        Text(
                            printable(part_head(c.message, "html")) + " · shown as read, not markup"
                        ),
                        classes="part-head",
                    )
                    # what the HTML part says, read as a reader would (links, alt text)
                    yield TextArea(
                        _shown(lambda: mjml_to_text(c.html) if c.html else "(no HTML part)"),
                        read_only=True,
                    )
                with TabPane("Headers", id="msg-headers"):
                    yield TextArea(
                        _shown(lambda: "\n".join(f"{k}: {v}" for k, v in c.message.items())),
                        read_only=True,
                    )
                with TabPane("Source", id="msg-source"):
                    yield TextArea(_shown(lambda: c.raw.decode("utf-8", "replace")), read_only=True)
                with TabPane("Checks", id="msg-checks"):
                    yield Static(Text(_shown(lambda: render_report(c.findings, "text"))))
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

    def on_release_finished(self, event: ReleaseFinished) -> None:
        self.query_one("#release-result", Static).update(Text(printable(event.line)))

    @work(thread=True, exclusive=True, group="release")
    def release(self, name: str) -> None:
        try:
            result = release(self.captured, self.workspace, name)
            line = f"released via {result.transport}: {result.reply}"
        except StudioError as exc:
            line = f"⚠ {exc}"
        self.post_message(ReleaseFinished(line))
