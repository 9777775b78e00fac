"""The deliverability screen: the DNS preflight of the transactional domain, live.

The preflight runs in a thread worker (the UI stays usable while slow nameservers
answer); results come back as a message. On top, one row per protocol says what
passed as well as what failed (the summary ``studio dns`` prints: DMARC's policy, each
DKIM key's type and size...). Below, the findings, grouped by protocol and coloured by
severity; selecting a row shows the record found, the explanation and the fix. The
SPF include tree is drawn with its lookup counts and the 10-lookup budget as a gauge.
When the settings name a baseline (``[dns] baseline``), a line under the title says
what drifted since it was saved, and the ``drift.*`` findings join the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, ProgressBar, Static

from ...core.catalogue import CATALOGUE
from ...core.dns import DnsReport, preflight_for
from ...core.dns.drift import apply_baseline, missing_baseline, settings_baseline
from ...core.dns.summary import PROTOCOL_ORDER, ProtocolSummary, Status, summarize
from ...core.findings import Finding, Severity
from ...core.safe_text import printable
from ...core.workspace import Workspace
from ...errors import StudioError


@dataclass
class PreflightFinished(Message):
    """The DNS preflight finished (``report`` set) or could not run (``error`` set)."""

    report: DnsReport | None
    error: str | None


ORDER = [*PROTOCOL_ORDER, "Drift", "DNS"]
STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.ABSENT: "dim",
}
STATUS_MARK = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.ABSENT: "–"}


class DeliverabilityScreen(Screen[None]):
    BINDINGS = [("r", "rerun", "Re-run"), ("escape,q", "app.pop_screen", "Back")]

    def __init__(
        self,
        workspace: Workspace,
        *,
        nameservers: tuple[str, ...] | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.nameservers = nameservers
        self.timeout = timeout
        self.report: DnsReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        domain = self.workspace.settings.transactional_domain or "(no transactional_domain set)"
        yield Static(f"DNS preflight of {domain}", id="dns-title")
        drift = Static("", id="dns-drift")
        drift.display = False  # shown when the settings name a baseline
        yield drift
        yield LoadingIndicator(id="dns-loading")
        yield DataTable(id="dns-summary", cursor_type="row")
        with Horizontal(id="dns-body"):
            yield DataTable(id="dns-table", cursor_type="row")
            with VerticalScroll(id="dns-side"):
                yield Static(
                    "Select a row for the record, why it matters and how to fix it.",
                    id="dns-detail",
                )
                yield Static("SPF lookups (limit 10)", id="spf-label")
                yield ProgressBar(total=10, show_eta=False, show_percentage=False, id="spf-gauge")
                yield Static("", id="spf-tree")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#dns-table", DataTable)
        table.add_columns("protocol", "severity", "id", "subject", "message")
        self.query_one("#dns-summary", DataTable).add_columns("", "protocol", "status", "found")
        self.summary: list[ProtocolSummary] = []
        self.action_rerun()

    def action_rerun(self) -> None:
        self.query_one("#dns-loading").display = True
        self.run_preflight()

    @work(thread=True, exclusive=True, group="dns")
    def run_preflight(self) -> None:
        ws = self.workspace
        if not ws.settings.transactional_domain:
            self.post_message(PreflightFinished(None, "set transactional_domain in the settings"))
            return
        try:
            report = preflight_for(ws, nameservers=self.nameservers or (), timeout=self.timeout)
        except StudioError as exc:
            self.post_message(PreflightFinished(None, str(exc)))
            return
        self.post_message(PreflightFinished(report, None))

    def on_preflight_finished(self, event: PreflightFinished) -> None:
        self.query_one("#dns-loading").display = False
        table = self.query_one("#dns-table", DataTable)
        table.clear()
        if event.error is not None:
            self.query_one("#dns-detail", Static).update(
                Text(f"⚠ {printable(event.error)}", style="red")
            )
            return
        report = event.report
        assert report is not None
        self.report = report
        self.show_drift(report)
        self.show_summary(report)
        self.rows: list[Finding] = []
        by = report.by_protocol()
        for protocol in sorted(by, key=lambda p: ORDER.index(p) if p in ORDER else 99):
            for f in by[protocol]:
                sev = str(f.severity)
                table.add_row(
                    protocol,
                    Text(sev, style=STYLE[sev]),
                    f.id,
                    Text(printable(f.subject, one_line=True)),  # DNS answers: literal text
                    Text(printable(f.message, one_line=True)),
                    key=str(len(self.rows)),
                )
                self.rows.append(f)
        if not self.rows:
            table.add_row(
                "all", Text("ok", style="green"), "", Text(report.domain), "no problems found"
            )
        tree = report.spf_tree
        gauge = self.query_one("#spf-gauge", ProgressBar)
        if tree is not None and tree.record is not None:
            gauge.update(total=max(10, tree.total), progress=tree.total)
            self.query_one("#spf-label", Static).update(
                Text(
                    f"SPF lookups: {tree.total} of 10",
                    style="bold red" if tree.total > 10 else "green",
                )
            )
            self.query_one("#spf-tree", Static).update(Text(printable("\n".join(tree.render()))))

    def show_drift(self, report: DnsReport) -> None:
        """Compare with the settings' baseline (no DNS query: the report's answers)."""
        line = self.query_one("#dns-drift", Static)
        path = settings_baseline(self.workspace, report.domain)
        line.display = path is not None
        if path is None:
            return
        name = self.workspace.relpath(path)
        if not path.exists():
            message = str(missing_baseline(self.workspace, path)).split(": ", 1)[-1]
            line.update(Text(f"Drift: no baseline yet ({message})", style="yellow"))
            return
        try:
            found = apply_baseline(report, path)
        except StudioError as exc:
            line.update(Text(f"Drift: {printable(str(exc), one_line=True)}", style="red"))
            return
        worse = sum(1 for f in found if f.severity == Severity.ERROR)
        if not found:
            line.update(Text(f"Drift against {name}: no change", style="green"))
        else:
            line.update(
                Text(
                    f"Drift against {name}: {worse} regression(s),"
                    f" {len(found) - worse} other change(s)",
                    style="bold red" if worse else "cyan",
                )
            )

    def show_summary(self, report: DnsReport) -> None:
        """One row per protocol: what passed, what warns, what fails, what is absent."""
        table = self.query_one("#dns-summary", DataTable)
        table.clear()
        self.summary = summarize(report)
        for i, row in enumerate(self.summary):
            style = STATUS_STYLE[row.status]
            table.add_row(
                Text(STATUS_MARK[row.status], style=style),
                row.protocol,
                Text(str(row.status), style=style),
                Text(printable(row.summary, one_line=True)),  # DNS answers: literal text
                key=str(i),
            )

    @on(DataTable.RowSelected, "#dns-summary")
    def show_protocol(self, event: DataTable.RowSelected) -> None:
        if self.report is None or not self.summary:
            return
        row = self.summary[int(str(event.row_key.value))]
        text = Text()
        text.append(f"{row.protocol}: {row.status}\n", style=f"bold {STATUS_STYLE[row.status]}")
        text.append(printable(row.subject) + "\n\n")
        text.append(printable(row.summary) + "\n")
        for check_id in row.ids:
            e = CATALOGUE.get(check_id)
            text.append(f"\n{check_id}\n", style="bold")
            if e is not None:
                text.append("How to fix it: ", style="bold")
                text.append(e.fix + "\n")
        self.query_one("#dns-detail", Static).update(text)

    @on(DataTable.RowSelected, "#dns-table")
    def show_detail(self, event: DataTable.RowSelected) -> None:
        if self.report is None or not getattr(self, "rows", None):
            return
        f = self.rows[int(str(event.row_key.value))]
        e = CATALOGUE.get(f.id)
        records = [
            f"{name}: {text}"
            for recs in self.report.records.values()
            for name, text in recs
            if f.subject in name or name in f.subject
        ]
        text = Text()
        text.append(f"{f.id}\n", style="bold")
        text.append(printable(f.message) + "\n\n")
        if records:
            text.append("Record found:\n", style="bold")
            text.append(printable("\n".join(records)) + "\n\n")
        if e is not None:
            text.append("Why it matters: ", style="bold")
            text.append(e.why + "\n\n")
            text.append("How to fix it: ", style="bold")
            text.append(e.fix + "\n")
        self.query_one("#dns-detail", Static).update(text)
