"""The send dialog: the current template and sample, to an address, via the sink or a relay.

The address last sent to is offered again (for the app's session). A send to the
local sink while nothing listens there asks to start the embedded sink, then sends;
a send that succeeds closes the dialog with a notice, one that fails keeps it open
with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...core.safe_text import printable
from ...core.send import sink_listening, transport_for, validate_recipient
from ...core.workspace import Workspace
from ...errors import StudioError
from ..sink_control import start_embedded_sink
from .confirm import ConfirmScreen


@dataclass
class SendFinished(Message):
    """A test send finished: the transport's reply, or why it failed."""

    line: str
    to: str = ""  # the address, once valid
    sent: bool = False
    sink_down: bool = False  # nothing listens on the local sink's port


SINK = "__sink__"


class SendScreen(ModalScreen[str | None]):
    BINDINGS = [("escape", "dismiss", "Close")]

    def __init__(
        self, workspace: Workspace, template: str, sample: str | None, locale: str | None
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.template, self.sample, self.locale = template, sample, locale

    def compose(self) -> ComposeResult:
        s = self.workspace.settings
        options = [(f"local sink ({s.sink.host}:{s.sink.port})", SINK)]
        options += [(f"relay {name} ({r.host})", name) for name, r in s.relays.items()]
        with Vertical(id="send-dialog"):
            yield Label(
                Text(f"Send {self.template}" + (f" with {self.sample}" if self.sample else ""))
            )
            yield Input(placeholder="to: address@example", id="send-to")
            yield Select(options, value=SINK, allow_blank=False, id="send-via")
            yield Static("", id="send-allow")
            with Horizontal(id="send-buttons"):
                yield Button("Send", variant="primary", id="send-go")
                yield Button("Close", id="send-close")
            yield Static("", id="send-result")

    def on_mount(self) -> None:
        box = self.query_one("#send-to", Input)
        box.value = getattr(self.app, "last_recipient", "")
        box.focus()
        self.show_allow_list()

    @on(Select.Changed, "#send-via")
    def show_allow_list(self) -> None:
        via = self.query_one("#send-via", Select).value
        text = ""
        if isinstance(via, str) and via != SINK:
            allowed = self.workspace.settings.relay(via).allow_recipients
            text = "allowed: " + (", ".join(allowed) or "nobody (allow_recipients is empty)")
        self.query_one("#send-allow", Static).update(text)

    @on(Button.Pressed, "#send-close")
    def close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#send-to")
    @on(Button.Pressed, "#send-go")
    def go(self) -> None:
        to = self.query_one("#send-to", Input).value.strip()
        via = self.query_one("#send-via", Select).value
        self.query_one("#send-result", Static).update("sending…")
        self.send(to, via if isinstance(via, str) else SINK)

    @work(thread=True, exclusive=True, group="send")
    def send(self, to: str, via: str) -> None:
        ws = self.workspace
        try:
            address = validate_recipient(to)
            if via == SINK:
                host, port = ws.settings.sink.host, ws.settings.sink.port
                if not sink_listening(host, port):
                    line = f"nothing listens on {host}:{port} (the local sink is stopped)"
                    self.post_message(SendFinished(line, to=address, sink_down=True))
                    return
            transport = transport_for(ws, None if via == SINK else via)
            msg = ws.render(self.template, sample=self.sample, locale=self.locale).email
            msg["To"] = address
            result = transport.send(msg, [address])
            line = f"sent via {result.transport}: {result.reply} {result.message_id}"
        except StudioError as exc:
            self.post_message(SendFinished(f"⚠ {exc}"))
            return
        self.post_message(SendFinished(line, to=address, sent=True))

    def on_send_finished(self, event: SendFinished) -> None:
        if event.sent:
            self.app.last_recipient = event.to  # type: ignore[attr-defined]
            self.app.notify(printable(event.line, one_line=True), markup=False)
            self.dismiss(event.line)
            return
        self.query_one("#send-result", Static).update(Text(printable(event.line)))
        if event.sink_down:
            self.offer_sink()

    def offer_sink(self) -> None:
        """Ask to start the embedded sink; once it runs, send again."""
        s = self.workspace.settings.sink

        def answer(start: bool | None) -> None:
            if not start:
                return
            try:
                start_embedded_sink(self.app, self.workspace)
            except StudioError as exc:
                self.query_one("#send-result", Static).update(Text(printable(f"⚠ {exc}")))
                return
            self.go()

        self.app.push_screen(
            ConfirmScreen(
                f"The local sink is not running on {s.host}:{s.port}."
                " Start the embedded sink and send?",
                yes="Start sink and send",
                no="Cancel",
            ),
            answer,
        )
