"""The deliverability screen against the real nsd fixture, and under a slow nameserver."""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import DataTable
from textual.worker import Worker

from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import DeliverabilityScreen
from tests.dns.conftest import GatedNameserver


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


async def until(pilot, predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``predicate()`` holds (a deadline guards against a hang)."""
    deadline = time.monotonic() + 120
    while not predicate():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause(0.05)


def dns_worker(app: StudioApp) -> Worker[object] | None:
    return next((w for w in app.workers if w.group == "dns"), None)


def finished(screen: DeliverabilityScreen) -> bool:
    """The screen shows its result (its loading indicator hidden)."""
    return screen.is_mounted and not screen.query_one("#dns-loading").display


async def ids_when_done(app: StudioApp, pilot, screen: DeliverabilityScreen) -> set[str]:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: finished(screen), "the preflight finished")
    table = screen.query_one("#dns-table", DataTable)
    return {str(table.get_row_at(i)[2]) for i in range(table.row_count)} - {""}


async def ids_on_screen(app: StudioApp, pilot, nameserver: str) -> set[str]:  # type: ignore[no-untyped-def]
    screen = DeliverabilityScreen(app.workspace, nameservers=(nameserver,))
    app.push_screen(screen)
    return await ids_when_done(app, pilot, screen)


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
    gated_nameserver: GatedNameserver, silent_nameserver: str, tmp_path: Path
) -> None:
    """The lookups wait on a nameserver the test holds: the UI answers meanwhile.

    No race with a timeout: the queries are answered only when the test releases them.
    """
    ws = workspace(tmp_path, "good.test", sel='"s1"')
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = DeliverabilityScreen(ws, nameservers=(gated_nameserver.address,), timeout=600)
        app.push_screen(screen)
        await until(pilot, gated_nameserver.asked.is_set, "the screen asked the nameserver")
        worker = dns_worker(app)
        assert worker is not None and worker.is_running
        await pilot.press("f1")  # the UI answers while the lookups wait
        await until(pilot, lambda: app.screen.__class__.__name__ == "HelpScreen", "help opened")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "help closed")
        assert worker.is_running
        gated_nameserver.release()
        found = await ids_when_done(app, pilot, screen)
        assert {i for i in found if not i.endswith("key-type")} == set()
        # A nameserver that never answers: the timeout is shown, never a pass.
        app.pop_screen()
        silent = DeliverabilityScreen(ws, nameservers=(silent_nameserver,), timeout=0.3)
        app.push_screen(silent)
        assert "dns.timeout" in await ids_when_done(app, pilot, silent)


async def test_the_screen_shows_drift_against_the_settings_baseline(
    nameserver: str, tmp_path: Path
) -> None:
    import asyncio
    import json

    from textual.widgets import Static

    from studio.core.dns import preflight_for
    from studio.core.dns.drift import save_baseline

    ws = workspace(tmp_path, "good.test", sel='"s1"')
    base = ws.root / "dns-baseline.json"
    report = await asyncio.to_thread(preflight_for, ws, nameservers=(nameserver,))
    data = save_baseline(report, base)
    # the baseline remembers a stronger key and no include: today's zone drifted from it
    data["dkim"]["s1"]["bits"] = 4096
    data["spf"]["includes"] = []
    base.write_text(json.dumps(data))
    settings = ws.root / "studio.toml"
    text = settings.read_text().replace("[dns]\n", '[dns]\nbaseline = "dns-baseline.json"\n', 1)
    assert "baseline =" in text
    settings.write_text(text)
    ws = Workspace.open(ws.root)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = DeliverabilityScreen(ws, nameservers=(nameserver,))
        app.push_screen(screen)
        found = await ids_when_done(app, pilot, screen)
        assert {"drift.dkim-key-shorter", "drift.spf-include-added"} <= found
        line = screen.query_one("#dns-drift", Static)
        assert line.display
        assert str(line.render()) == (
            "Drift against dns-baseline.json: 1 regression(s), 1 other change(s)"
        )
        # without a baseline setting the line stays hidden
        plain = workspace(tmp_path / "b", "good.test", sel='"s1"')
        other = DeliverabilityScreen(plain, nameservers=(nameserver,))
        app.push_screen(other)
        assert "drift.spf-include-added" not in await ids_when_done(app, pilot, other)
        assert not other.query_one("#dns-drift", Static).display
