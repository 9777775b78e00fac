"""The deliverability screen shows what passed per protocol, as ``studio dns`` does."""

from __future__ import annotations

from textual.widgets import DataTable

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import DeliverabilityScreen


async def test_summary_rows_of_the_example_zone(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await app.workers.wait_for_complete()
        screen = DeliverabilityScreen(example_copy)
        app.push_screen(screen)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one("#dns-summary", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        by = {r[1]: r for r in rows}
        for protocol in ("SPF", "DKIM", "DMARC", "MX", "MTA-STS", "TLS-RPT", "BIMI", "PTR"):
            assert by[protocol][2] == "pass", by[protocol]
        assert "Marketing" in by
        assert "p=reject" in by["DMARC"][3]
        assert "rsa 2048 bits" in by["DKIM"][3]
        # selecting a row explains it
        table.focus()
        table.move_cursor(row=[r[1] for r in rows].index("DMARC"))
        await pilot.press("enter")
        await pilot.pause()
        detail = str(screen.query_one("#dns-detail").render())
        assert "p=reject" in detail
