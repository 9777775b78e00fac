"""The router started and stopped from the studio's palette action (Textual pilot)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request

from textual.widgets import Static

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import InboxScreen
from tests.router.conftest import sample
from tests.sink.conftest import free_port


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    req = urllib.request.Request(
        url + "/v1/messages",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
        assert resp.status == 202
        return dict(json.load(resp))


async def _until(predicate, what: str, pilot, limit: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


async def test_the_palette_action_starts_and_stops_the_router(router_ws: Workspace) -> None:
    port = free_port()
    pyproject = router_ws.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.studio.router]\n", f"[tool.studio.router]\nport = {port}\n"
        )
    )
    ws = Workspace.open(router_ws.root)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.run_action("toggle_router")
        service = app.router  # type: ignore[attr-defined]
        assert service is not None and service.server.port == port
        assert app.sink is not None and app.sink.running  # delivers to the embedded sink
        body = {
            "template": "password_reset",
            "to": "qa@inbox.example",
            "variables": sample(ws, "password_reset"),
        }
        answer = await asyncio.to_thread(_post, service.server.url, body)
        record = service.router.store.get(answer["id"])
        assert record is not None and record.status == "delivered"

        await pilot.press("f9")
        await _until(lambda: isinstance(app.screen, InboxScreen), "the inbox", pilot)
        status = app.screen.query_one("#sink-status", Static)
        await _until(
            lambda: "router: 1 triggered, 1 delivered" in str(status.render()),
            "the router's stats in the inbox",
            pilot,
        )

        await app.run_action("toggle_router")
        assert app.router is None  # type: ignore[attr-defined]
        assert not service.server.running
