"""Fixtures: the example workspace with router settings, a sink on a free port, and the
router's HTTP API on loopback; a small real HTTP client (``http.client``) to call it."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from studio.core.router import RouterServer, router_for
from studio.core.send import Transport
from studio.core.sink import Captured, Sink, SinkConfig
from studio.core.workspace import Workspace
from tests.conftest import REPO, copy_example
from tests.sink.conftest import ca, free_port, starttls_relay  # noqa: F401 - fixtures

KEY = "k-test-0123456789"
BILLING_KEY = "k-billing-9876543210"
MAILJET_ID = 4412345
BREVO_ID = 12

ROUTER_SETTINGS = f"""
[tool.studio.router]
keys = {{ billing = "STUDIO_TEST_BILLING_KEY" }}
mailjet_templates = {{ "{MAILJET_ID}" = "order_confirmation" }}
brevo_templates = {{ "{BREVO_ID}" = "password_reset" }}
sms_segment_cost = 0.05
"""


@pytest.fixture
def router_ws(tmp_path: Path) -> Workspace:
    """A copy of the example workspace with ``[router]`` settings and its own sink port."""
    dest = copy_example(tmp_path / "example")
    text = (REPO / "pyproject.toml").read_text()
    text = text.replace(
        '[tool.studio.sink]\nmaildir = ".studio/maildir"',
        f'[tool.studio.sink]\nmaildir = ".studio/maildir"\nport = {free_port()}',
    )
    (dest / "pyproject.toml").write_text(text + ROUTER_SETTINGS)
    return Workspace.open(dest)


def sample(ws: Workspace, template: str, name: str = "en_basic") -> dict[str, Any]:
    return dict(ws.sample(template, name).variables)


@dataclass
class Client:
    """Calls the router over real HTTP/1.1 (one keep-alive connection per client)."""

    host: str
    port: int
    key: str | None = KEY

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        h = {"Content-Type": "application/json"}
        if self.key:
            h["Authorization"] = f"Bearer {self.key}"
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        self.conn.request(method, path, body=data, headers=h)
        resp = self.conn.getresponse()
        payload = resp.read()
        assert resp.getheader("Content-Type", "").startswith("application/json"), payload[:200]
        return resp.status, json.loads(payload)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Running:
    ws: Workspace
    server: RouterServer
    sink: Sink
    captured: list[Captured]
    clients: list[Client] = field(default_factory=list)

    def client(self, key: str | None = KEY) -> Client:
        c = Client(self.server.host, self.server.port, key)
        self.clients.append(c)
        return c


def start(
    ws: Workspace, *, transport: Transport | None = None, **kw: Any
) -> tuple[RouterServer, Sink, list[Captured]]:
    got: list[Captured] = []
    sink = Sink(SinkConfig.from_settings(ws), on_message=got.append).start()
    router = router_for(ws, transport=transport)
    keys = kw.pop("keys", {"": KEY, "billing": BILLING_KEY})
    server = RouterServer(router, port=0, keys=keys, **kw).start()
    return server, sink, got


@pytest.fixture
def running(router_ws: Workspace) -> Iterator[Running]:
    server, sink, got = start(router_ws)
    run = Running(router_ws, server, sink, got)
    try:
        yield run
    finally:
        for c in run.clients:
            c.close()
        server.stop()
        server.router.store.close()
        sink.stop()
