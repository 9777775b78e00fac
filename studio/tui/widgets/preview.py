"""The preview pane: rendition, text part, HTML source, SMS, size, findings."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.rule import Rule
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane, TextArea

from ...core.checks.rules.message import GMAIL_CLIP_BYTES
from ...core.findings import Finding
from ...core.render.pipeline import RenderedMessage, RenderedSms
from ...core.safe_text import printable
from ...errors import StudioError
from ..rendition import rendition as message_rendition

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def rendition(msg: RenderedMessage) -> Group:
    """The inbox line and the size against Gmail's clip, then the message itself."""
    head = Text()
    head.append(msg.subject, style="bold")
    head.append("  —  " + msg.preheader + "\n", style="dim")
    kb = msg.size / 1024
    style = "bold red" if msg.size > GMAIL_CLIP_BYTES else "green"
    head.append(f"HTML {kb:.1f} KB of Gmail's 102 KB", style=style)
    return Group(head, Rule(style="dim"), message_rendition(msg.mjml))


def sms_rendition(sms: RenderedSms) -> Text:
    info = sms.info
    out = Text()
    out.append(f"{info.encoding}, {info.count} segment(s), {info.units} units\n", style="bold")
    if info.forcing:
        out.append(
            "UCS-2 forced by: " + ", ".join(str(f) for f in info.forcing) + "\n", style="yellow"
        )
    for i, seg in enumerate(info.segments, 1):
        out.append(f"\n┌─ segment {i} ({len(seg)} chars) " + "─" * 20 + "\n", style="dim")
        out.append(seg + "\n")
    return out


class PreviewPane(Vertical):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown: RenderedMessage | None = None
        self._stale: set[str] = set()  # lazy tabs not yet loaded with `shown`
        self.findings: list[Finding] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-error")
        with TabbedContent(id="tabs"):
            with TabPane("Preview", id="tab-preview"), VerticalScroll():
                yield Static("Pick a template in the tree.", id="rendition")
            with TabPane("Text", id="tab-text"):
                yield TextArea("", read_only=True, id="text-part", soft_wrap=True)
            with TabPane("HTML", id="tab-html"):
                yield TextArea("", read_only=True, id="html-source", soft_wrap=True)
            with TabPane("SMS", id="tab-sms"), VerticalScroll():
                yield Static("No SMS template for this message.", id="sms")
            with TabPane("Findings", id="tab-findings"):
                yield DataTable(id="findings", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#findings", DataTable)
        table.add_columns("severity", "id", "where", "message")
        self.query_one("#preview-error", Static).display = False

    # The text and HTML tabs hold long documents that are costly to lay out (the
    # HTML is tens of KB, wrapped): they are loaded when shown, not on each render.
    _LAZY = {"tab-text": "#text-part", "tab-html": "#html-source"}

    def show(self, msg: RenderedMessage, sms: RenderedSms | None) -> None:
        self.shown = msg
        self.query_one("#preview-error", Static).display = False
        self.query_one("#rendition", Static).update(rendition(msg))
        self.query_one("#sms", Static).update(
            sms_rendition(sms) if sms else "No SMS template for this message."
        )
        self._stale = set(self._LAZY)
        self._load_tab(self.query_one("#tabs", TabbedContent).active)

    def _load_tab(self, tab: str) -> None:
        if tab not in self._stale or self.shown is None:
            return
        self._stale.discard(tab)
        text = self.shown.text if tab == "tab-text" else self.shown.html
        self.query_one(self._LAZY[tab], TextArea).load_text(text)

    @on(TabbedContent.TabActivated, "#tabs")
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id is not None:
            self._load_tab(event.pane.id)

    def show_error(self, error: StudioError) -> None:
        box = self.query_one("#preview-error", Static)
        box.update(Text(f"⚠ {printable(str(error))}", style="bold red"))
        box.display = True

    def show_findings(self, findings: list[Finding]) -> None:
        table = self.query_one("#findings", DataTable)
        table.clear()
        self.findings = findings
        for i, f in enumerate(findings):
            sev = str(f.severity)
            table.add_row(
                Text(sev, style=SEVERITY_STYLE[sev]),
                Text(f.id),
                # a finding quotes the sample's and the template's text: literal, never markup
                Text(printable(str(f.location), one_line=True) if f.location else ""),
                Text(printable(f.message, one_line=True)),
                key=str(i),
            )
