"""The Changes screen: every message the current edits affect, with its text diff.

"Current edits" are the unsaved editor buffers and the uncommitted files: the
working tree with the buffers over it, against the last commit (``HEAD``). The
diff (:func:`studio.core.diff.run_diff`) runs in a thread worker; the result comes
back as a message. One row per changed message (what changed, which edited files
it depends on); selecting a row shows the unified diff of its text part, and
subject, preheader, links, SMS encoding and new findings above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static

from ...core.diff import DiffReport, MessageDiff, run_diff
from ...core.diff.report import summary_line
from ...core.safe_text import printable
from ...core.workspace import Workspace
from ...errors import StudioError
from .diff import diff_text


@dataclass
class ChangesFinished(Message):
    """The Changes screen's diff finished (``report`` set) or could not run (``error`` set)."""

    report: DiffReport | None
    error: str | None


KIND_STYLE = {"added": "green", "removed": "red", "modified": "yellow"}


def details(m: MessageDiff) -> Text:
    """What changed in one message, as literal text (every value is file content)."""
    out = Text()
    ch = m.changes
    out.append(f"because: {printable(', '.join(m.because), one_line=True)}\n", style="dim")
    if ch is None:
        return out
    for label, pair in (("subject", ch.subject), ("preheader", ch.preheader)):
        if pair:
            out.append(f"{label}: ", style="bold")
            out.append(printable(pair[0], one_line=True), style="red")
            out.append(" → ")
            out.append(printable(pair[1], one_line=True) + "\n", style="green")
    for label, items, style in (
        ("link +", ch.links_added, "green"),
        ("link -", ch.links_removed, "red"),
        ("image +", ch.images_added, "green"),
        ("image -", ch.images_removed, "red"),
    ):
        for item in items:
            out.append(f"{label} {printable(item, one_line=True)}\n", style=style)
    if ch.sms:
        e, s = ch.sms["encoding"], ch.sms["segments"]
        out.append(
            f"SMS: {e['before']} → {e['after']}, {s['before']} → {s['after']} part(s)\n",
            style="bold",
        )
    for f in ch.findings_new:
        where = f" {f.file}:{f.line}" if f.file else ""
        out.append(
            f"new {f.severity} {f.id}{printable(where, one_line=True)}: "
            f"{printable(f.message, one_line=True)}\n",
            style="bold red" if f.severity == "error" else "yellow",
        )
    for f in ch.findings_gone:
        out.append(f"gone: {f.id}\n", style="dim")
    if ch.error and ch.error[1]:
        out.append(f"render error: {printable(ch.error[1], one_line=True)}\n", style="bold red")
    if ch.text_diff:
        out.append("\n")
        out.append_text(diff_text(ch.text_diff))
    elif m.kind == "modified":
        out.append("\nThe text part is the same (the HTML changed).\n", style="dim")
    return out


class ChangesScreen(Screen[None]):
    """Messages affected by the unsaved and uncommitted edits (``r`` runs it again)."""

    BINDINGS = [("r", "rerun", "Re-run"), ("escape,q", "app.pop_screen", "Back")]

    def __init__(self, workspace: Workspace, buffers: Mapping[str, str]) -> None:
        super().__init__()
        self.workspace = workspace
        self.buffers = dict(buffers)
        self.report: DiffReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Changes: unsaved and uncommitted edits against HEAD", id="changes-title")
        yield LoadingIndicator(id="changes-loading")
        with Horizontal(id="changes-body"):
            yield DataTable(id="changes-table", cursor_type="row")
            with VerticalScroll(id="changes-side"):
                yield Static("", id="changes-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#changes-table", DataTable).add_columns("", "message", "what changed")
        self.action_rerun()

    def action_rerun(self) -> None:
        self.query_one("#changes-loading").display = True
        self.run_diff()

    @work(thread=True, exclusive=True, group="changes")
    def run_diff(self) -> None:
        try:
            report = run_diff(self.workspace, "HEAD", buffers=self.buffers)
        except StudioError as exc:
            self.post_message(ChangesFinished(None, str(exc)))
            return
        self.post_message(ChangesFinished(report, None))

    def on_changes_finished(self, event: ChangesFinished) -> None:
        self.query_one("#changes-loading").display = False
        table = self.query_one("#changes-table", DataTable)
        table.clear()
        title = self.query_one("#changes-title", Static)
        detail = self.query_one("#changes-detail", Static)
        if event.error is not None:
            title.update(Text(f"⚠ {printable(event.error, one_line=True)}", style="red"))
            detail.update("")
            return
        report = event.report
        assert report is not None
        self.report = report
        title.update(
            Text(
                f"Changes against HEAD: {len(report.inputs)} edited input(s), "
                f"{len(report.changed)} message(s) changed, {len(report.unchanged)} "
                f"re-rendered the same, {len(report.unaffected)} unaffected"
            )
        )
        for i, m in enumerate(report.changed):
            mark = {"added": "+", "removed": "-"}.get(m.kind, "~")
            table.add_row(
                Text(mark, style=KIND_STYLE[m.kind]),
                Text(printable(m.id.label, one_line=True)),
                Text(summary_line(m)),
                key=str(i),
            )
        if report.changed:
            detail.update(details(report.changed[0]))
        elif report.inputs:
            detail.update("The edits change no message's output.")
        else:
            detail.update(
                "No unsaved or uncommitted edits to templates, components, samples, "
                "brand or settings."
            )

    @on(DataTable.RowHighlighted, "#changes-table")
    def show_row(self, event: DataTable.RowHighlighted) -> None:
        if self.report is None or event.row_key.value is None:
            return
        m = self.report.changed[int(event.row_key.value)]
        self.query_one("#changes-detail", Static).update(details(m))
