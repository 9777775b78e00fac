"""The deliverability screen against the real nsd fixture, and under a slow nameserver."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import DeliverabilityScreen


def workspace(tmp_path: Path, domain: str, **extra: str) -> Workspace:
    root = tmp_path / "ws"
    init_workspace(root)
    settings = root / "studio.toml"
    text = settings.read_text().replace(
        'transactional_domain = "mail.shop.example"', f'transactional_domain = "{domain}"'
    )
    text = text.replace('dkim_selectors = ["s1"]', f"dkim_selectors = [{extra.get('sel', '')}]")
    settings.write_text(text)
    return Workspace.open(root)


async def ids_on_screen(app: StudioApp, pilot, nameserver: str) -> set[str]:  # type: ignore[no-untyped-def]
    screen = DeliverabilityScreen(app.workspace, nameservers=(nameserver,))
    app.push_screen(screen)
    await pilot.pause(0.3)
    await app.workers.wait_for_complete()
    await pilot.pause()
    table = screen.query_one("#dns-table", DataTable)
    return {str(table.get_row_at(i)[2]) for i in range(table.row_count)} - {""}


async def test_broken_zone_lists_its_ids_and_good_none(nameserver: str, tmp_path: Path) -> None:
    ws = workspace(tmp_path, "tangle.subpolicy.test")
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        found = await ids_on_screen(app, pilot, nameserver)
        assert {"spf.lookup-limit", "dmarc.subdomain-policy", "mx.missing"} <= found
    ws2 = workspace(tmp_path / "b", "good.test", sel='"s1"')
    app2 = StudioApp(ws2, watch_interval=0)
    async with app2.run_test(size=(120, 36)) as pilot:
        found = await ids_on_screen(app2, pilot, nameserver)
        assert {i for i in found if not i.endswith(("key-type",))} == set()


async def test_ui_stays_responsive_while_dns_is_slow(
    silent_nameserver: str, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, "good.test", sel='"s1"')
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)
        screen = DeliverabilityScreen(ws, nameservers=(silent_nameserver,), timeout=1.5)
        app.push_screen(screen)
        await pilot.pause(0.2)
        worker = next(w for w in app.workers if w.group == "dns")
        assert worker.is_running
        await pilot.press("f1")  # the UI answers while the lookups wait
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and worker.is_running
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one("#dns-table", DataTable)
        found = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert "dns.timeout" in found
