"""Rate limit, relay allow-list, auth-off rules, and `studio serve` as users run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.router import RouterServer, router_for
from studio.core.router.api import RateLimiter
from studio.core.send import RelayTransport
from studio.errors import ConfigError
from tests.router.conftest import KEY, Client, sample, start
from tests.sink.conftest import Relay
from tests.sink.test_send import ENV, relay_settings


def test_the_rate_limit_answers_429_past_the_burst(router_ws) -> None:  # type: ignore[no-untyped-def]
    # one token per 1000 s: only the burst passes, whatever the machine's speed
    server, sink, _ = start(router_ws, rate=0.001, burst=2)
    client = Client(server.host, server.port)
    try:
        codes = [client.call("GET", "/v1/stats")[0] for _ in range(3)]
        status, body = client.call("GET", "/v1/stats")
    finally:
        client.close()
        server.stop()
        server.router.store.close()
        sink.stop()
    assert codes == [200, 200, 429] and status == 429
    assert body["error"]["code"] == "rate-limited"


def test_the_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, 1, clock=lambda: now[0])
    assert limiter.allow("a") and not limiter.allow("a") and limiter.allow("b")
    now[0] = 0.5
    assert limiter.allow("a")


def test_relay_only_to_allowed_recipients(router_ws, starttls_relay: Relay) -> None:  # type: ignore[no-untyped-def]
    transport = RelayTransport(relay_settings(starttls_relay), env=ENV)
    server, sink, got = start(router_ws, transport=transport)
    client = Client(server.host, server.port)
    body = {"template": "password_reset", "variables": sample(router_ws, "password_reset")}
    try:
        status, refused = client.call(
            "POST", "/v1/messages", {**body, "to": "ceo@elsewhere.example"}
        )
        assert status == 403 and refused["error"]["code"] == "recipient-not-allowed"
        assert starttls_relay.received == [] and starttls_relay.logins == []
        status, sent = client.call("POST", "/v1/messages", {**body, "to": "qa@inbox.example"})
        assert status == 202 and sent["status"] == "relayed"
        [envelope] = starttls_relay.received
        assert envelope.rcpt_tos == ["qa@inbox.example"]
        _, record = client.call("GET", f"/v1/messages/{sent['id']}")
        assert record["events"][-1]["kind"] == "relayed"
        # the relay itself says no (550): accepted, then refused, as a provider reports it
        open_relay = RelayTransport(
            relay_settings(starttls_relay, allow_recipients=("*",)), env=ENV
        )
        server.router.transport = open_relay
        status, no = client.call("POST", "/v1/messages", {**body, "to": "x@refused.example"})
        assert status == 202 and no["status"] == "refused"
        _, record = client.call("GET", f"/v1/messages/{no['id']}")
        assert record["events"][-1]["kind"] == "refused" and "550" in record["events"][-1]["detail"]
    finally:
        client.close()
        server.stop()
        server.router.store.close()
        sink.stop()
    assert got == []  # nothing went to the sink


def test_auth_off_only_on_loopback(router_ws) -> None:  # type: ignore[no-untyped-def]
    router = router_for(router_ws)
    with pytest.raises(ConfigError, match="loopback"):
        RouterServer(router, host="192.0.2.1", port=0, keys=None)
    with pytest.raises(ConfigError, match="allow-remote"):
        RouterServer(router, host="192.0.2.1", port=0, keys={"": KEY})
    with pytest.raises(ConfigError, match="API key"):
        RouterServer(router, port=0, keys={"": ""})


def _studio(ws: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "studio", "--workspace", str(ws), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_studio_serve_refuses_to_start_without_a_key(router_ws) -> None:  # type: ignore[no-untyped-def]
    proc = _studio(router_ws.root, "serve", "--port", "0")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.strip().splitlines() == [err.strip()] and "STUDIO_ROUTER_KEY" in err
    assert "Traceback" not in err


def test_studio_serve_end_to_end_then_stats_inventory_and_sms(router_ws) -> None:  # type: ignore[no-untyped-def]
    proc = _studio(router_ws.root, "serve", "--port", "0", env={"STUDIO_ROUTER_KEY": KEY})
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", banner)
        assert found, banner + (proc.stderr.read() if proc.poll() is not None else "")
        client = Client("127.0.0.1", int(found.group(1)))
        status, _ = client.call(
            "POST",
            "/v1/messages",
            {
                "template": "password_reset",
                "to": "a@example.com",
                "variables": sample(router_ws, "password_reset"),
            },
            headers={"X-Studio-Application": "identity-service"},
        )
        assert status == 202
        status, _ = client.call(
            "POST",
            "/v1/messages",
            {
                "template": "account_verification",
                "channel": "sms",
                "to": "+447700900123",
                "variables": sample(router_ws, "account_verification"),
            },
        )
        assert status == 202
        status, _ = client.call(
            "POST", "/v1/messages", {"template": "gift_card", "to": "a@b.example"}
        )
        assert status == 404
        client.close()
        line = proc.stdout.readline()
        assert "delivered" in line and "password_reset" in line
    finally:
        proc.terminate()
        proc.communicate(timeout=30)

    def run(*args: str) -> str:
        p = _studio(router_ws.root, *args)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        return out

    stats = json.loads(run("stats", "--format", "json"))
    assert stats["total"]["triggered"] == 3 and stats["by_channel"]["sms"]["delivered"] == 1
    assert "password_reset" in run("stats")
    inventory = json.loads(run("inventory", "--no-findings", "--format", "json"))
    rows = {m["name"]: m for m in inventory["messages"]}
    assert rows["password_reset"]["triggered_by"] == ["identity-service"]
    assert rows["password_reset"]["last_triggered"] is not None
    assert rows["order_confirmation"]["last_triggered"] is None  # nothing triggers it
    assert inventory["triggered_without_template"] == {"gift_card": ["(unnamed)"]}
    sms = run("inbox", "sms")
    assert "account_verification" in sms and "GSM-7" in sms and "segment" in sms
    [stored] = json.loads(run("inbox", "sms", "--format", "json"))
    assert stored["to"] == ["+447700900123"] and stored["segments"]
