"""Sending through the sink and through a real TLS + AUTH relay on loopback; the verdict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from studio.core.inbox import Inbox, inspect, verify
from studio.core.send import RelayTransport, SinkTransport
from studio.core.settings import Relay as RelaySettings
from studio.core.sink import Captured, Sink
from studio.core.workspace import Workspace
from studio.errors import RenderError, SendError
from tests.conftest import REPO
from tests.sink.conftest import PASSWORD, USER, Relay

ENV = {"RELAY_USER": USER, "RELAY_PASS": PASSWORD}


def relay_settings(relay: Relay, **kw: object) -> RelaySettings:
    base: dict[str, object] = dict(
        name="test",
        host="localhost",
        port=relay.port,
        tls="tls" if relay.implicit else "starttls",
        username_env="RELAY_USER",
        password_env="RELAY_PASS",
        allow_recipients=("*@inbox.example",),
        ca_file=str(relay.ca_file),
    )
    base.update(kw)
    return RelaySettings(**base)  # type: ignore[arg-type]


@pytest.fixture
def example() -> Workspace:
    return Workspace.open(REPO)


def test_send_to_the_sink_lands_in_the_inbox(
    example: Workspace, sink: tuple[Sink, list[Captured]]
) -> None:
    s, got = sink
    msg = example.render("password_reset", sample="en_basic").email
    msg["To"] = "ada@inbox.example"
    result = SinkTransport(*s.address).send(msg, ["ada@inbox.example"])
    assert result.reply.startswith("250") and result.message_id == msg["Message-ID"]
    [item] = Inbox(s.config.maildir).list()
    assert item.subject == "Reset your password" and item.id == got[0].id
    captured = inspect(Inbox(s.config.maildir).get(item.id), example)
    assert captured.verdict is not None
    assert captured.verdict.spf == "pass" and captured.verdict.dkim == "none"
    assert captured.verdict.dmarc == "pass"  # SPF aligned: Return-Path on mail.mapleandmoss


def test_sink_not_running_is_a_send_error(example: Workspace) -> None:
    from tests.sink.conftest import free_port

    msg = example.render("password_reset", sample="en_basic").email
    with pytest.raises(SendError) as info:
        SinkTransport("127.0.0.1", free_port()).send(msg, ["a@inbox.example"])
    assert "connection refused" in str(info.value)


@pytest.mark.parametrize("mode", ["starttls_relay", "tls_relay"])
def test_relay_with_tls_and_auth(
    mode: str, request: pytest.FixtureRequest, example: Workspace
) -> None:
    relay: Relay = request.getfixturevalue(mode)
    msg = example.render("order_confirmation", sample="en_basic").email
    msg["To"] = "ada@inbox.example"
    result = RelayTransport(relay_settings(relay), env=ENV).send(msg, ["ada@inbox.example"])
    assert result.reply.startswith("250") and "queued as R1" in result.reply
    assert relay.logins == [USER]
    [env] = relay.received
    assert env.rcpt_tos == ["ada@inbox.example"]
    assert b"Order MM-100482 confirmed" in (env.original_content or b"")


def test_wrong_password_missing_env_and_untrusted_ca(
    starttls_relay: Relay, example: Workspace, tmp_path: Path
) -> None:
    msg = example.render("password_reset", sample="en_basic").email
    bad = {"RELAY_USER": USER, "RELAY_PASS": "wrong-password-123"}
    with pytest.raises(SendError) as info:
        RelayTransport(relay_settings(starttls_relay), env=bad).send(msg, ["a@inbox.example"])
    assert "authentication failed" in str(info.value)
    assert "wrong-password-123" not in str(info.value)
    with pytest.raises(SendError) as info:
        RelayTransport(relay_settings(starttls_relay), env={}).send(msg, ["a@inbox.example"])
    assert "RELAY_USER" in str(info.value)
    with pytest.raises(SendError) as info:  # the system CAs do not trust the test CA
        RelayTransport(relay_settings(starttls_relay, ca_file=None), env=ENV).send(
            msg, ["a@inbox.example"]
        )
    assert "certificate" in str(info.value)
    assert starttls_relay.received == []


def test_auth_over_plain_tcp_is_refused_unless_opted_in_on_loopback(
    plain_relay: Relay, example: Workspace
) -> None:
    msg = example.render("password_reset", sample="en_basic").email
    plain = relay_settings(plain_relay, host="127.0.0.1", tls="none", ca_file=None)
    with pytest.raises(SendError) as info:
        RelayTransport(plain, env=ENV).send(msg, ["a@inbox.example"])
    assert PASSWORD not in str(info.value)
    assert plain_relay.logins == [] and plain_relay.received == []
    # a relay elsewhere cannot opt in, even when built without the settings' validation
    remote = relay_settings(plain_relay, host="relay.example", tls="none")
    remote = RelaySettings(**{**remote.__dict__, "allow_plaintext_auth": True})
    with pytest.raises(SendError):
        RelayTransport(remote, env=ENV).send(msg, ["a@inbox.example"])
    # the explicit opt-in, on loopback: the local test relay gets its login
    opted = relay_settings(
        plain_relay, host="127.0.0.1", tls="none", ca_file=None, allow_plaintext_auth=True
    )
    result = RelayTransport(opted, env=ENV).send(msg, ["a@inbox.example"])
    assert result.reply.startswith("250") and plain_relay.logins == [USER]


def test_allow_list_and_refused_recipient(starttls_relay: Relay, example: Workspace) -> None:
    msg = example.render("password_reset", sample="en_basic").email
    with pytest.raises(SendError) as info:
        RelayTransport(relay_settings(starttls_relay), env=ENV).send(msg, ["ceo@elsewhere.example"])
    assert "ceo@elsewhere.example" in str(info.value) and "*@inbox.example" in str(info.value)
    assert starttls_relay.logins == []  # refused before connecting
    open_relay = relay_settings(starttls_relay, allow_recipients=("*",))
    with pytest.raises(SendError) as info:
        RelayTransport(open_relay, env=ENV).send(msg, ["x@refused.example"])
    assert "550" in str(info.value)


@pytest.mark.parametrize("mode", ["starttls_relay", "tls_relay"])
def test_relay_timeout_setting_reaches_the_smtp_client(
    mode: str, request: pytest.FixtureRequest, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The relay's ``timeout`` is the socket timeout of every command (issue 25 item 4)."""
    import smtplib

    relay: Relay = request.getfixturevalue(mode)
    seen: list[float | None] = []
    real_ehlo = smtplib.SMTP.ehlo

    def ehlo(client: smtplib.SMTP, name: str = "") -> tuple[int, bytes]:
        assert client.sock is not None
        seen.append(client.sock.gettimeout())  # the real connection, observed
        return real_ehlo(client, name)

    monkeypatch.setattr(smtplib.SMTP, "ehlo", ehlo)
    msg = example.render("password_reset", sample="en_basic").email
    transport = RelayTransport(relay_settings(relay, timeout=4.5), env=ENV)
    assert transport.timeout == 4.5
    transport.send(msg, ["ada@inbox.example"])
    assert seen and set(seen) == {4.5}
    assert relay.logins == [USER]


def test_relay_that_never_answers_fails_after_its_timeout(example: Workspace) -> None:
    """A server that accepts the connection and never greets: the send fails, it does not hang."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the kernel completes the handshake; nobody ever speaks
        port = silent.getsockname()[1]
        settings = RelaySettings(
            name="silent",
            host="127.0.0.1",
            port=port,
            tls="starttls",
            allow_recipients=("*",),
            timeout=0.2,
        )
        msg = example.render("password_reset", sample="en_basic").email
        with pytest.raises(SendError) as info:
            RelayTransport(settings, env={}).send(msg, ["a@inbox.example"])
    assert "timed out" in str(info.value)


def test_header_injection_in_recipient_is_refused(
    sink: tuple[Sink, list[Captured]], example: Workspace
) -> None:
    s, got = sink
    msg = example.render("password_reset", sample="en_basic").email
    with pytest.raises(RenderError):
        SinkTransport(*s.address).send(msg, ["a@inbox.example\r\nBcc: victim@x.example"])
    assert got == []


def test_dkim_signed_send_verifies_and_a_tampered_one_fails(
    starttls_relay: Relay,
    sink: tuple[Sink, list[Captured]],
    tmp_path: Path,
    example: Workspace,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "dkim.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    import base64

    pub = base64.b64encode(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode()
    zone = tmp_path / "mapleandmoss.example.zone"
    zone.write_text(
        (REPO / "brand" / "mapleandmoss.example.zone").read_text()
        + f'\nt1._domainkey.mail IN TXT ( "v=DKIM1; k=rsa; p={pub[:200]}" "{pub[200:]}" )\n'
    )
    from studio.core.dns import resolver_for

    resolver = resolver_for(zone_files=[zone])
    settings = relay_settings(starttls_relay, dkim_selector="t1", dkim_key_env="DKIM_KEY")
    msg = example.render("password_reset", sample="en_basic").email
    msg["To"] = "ada@inbox.example"
    RelayTransport(settings, env={**ENV, "DKIM_KEY": str(key_file)}).send(
        msg, ["ada@inbox.example"]
    )
    signed = starttls_relay.received[0].original_content or b""
    assert signed.startswith(b"DKIM-Signature:")
    s, _ = sink  # hand the signed bytes to the sink, as a catching relay would
    import smtplib

    with smtplib.SMTP(*s.address) as c:
        c.sendmail("orders@mail.mapleandmoss.example", ["ada@inbox.example"], signed)
        c.sendmail(
            "orders@mail.mapleandmoss.example",
            ["ada@inbox.example"],
            signed.replace(b"Reset your password", b"Reset your passw0rd"),
        )
    inbox = Inbox(s.config.maildir)
    good, bad = [inbox.get(m.id) for m in inbox.list()]
    v = verify(good, example, resolver=resolver)
    assert (v.dkim, v.dkim_domain, v.dmarc, v.aligned_dkim) == (
        "pass",
        "mail.mapleandmoss.example",
        "pass",
        True,
    )
    assert verify(bad, example, resolver=resolver).dkim == "fail"


def test_cli_send_and_inbox(sink: tuple[Sink, list[Captured]]) -> None:
    s, _ = sink

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "studio", "--workspace", str(REPO), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    sent = cli(
        "send",
        "shipping_notification",
        "-s",
        "fr_fr",
        "--to",
        "c@inbox.example",
        "--port",
        str(s.config.port),
    )
    assert sent.returncode == 0, sent.stderr
    assert "250" in sent.stdout
    listing = cli("inbox", "--maildir", str(s.config.maildir), "-f", "json", "list")
    [item] = __import__("json").loads(listing.stdout)
    assert item["subject"] == "Votre commande MM-100517 est en route"
    shown = cli("inbox", "--maildir", str(s.config.maildir), "-f", "json", "show", item["id"])
    data = __import__("json").loads(shown.stdout)
    assert data["verdict"]["spf"] == "pass" and "Colis Express" in data["text"]
    refused = cli(
        "send", "password_reset", "-s", "en_basic", "--to", "x@y.example", "--relay", "staging"
    )
    assert refused.returncode == 2 and "may not send to x@y.example" in refused.stderr
    missing = cli("inbox", "--maildir", str(s.config.maildir), "show", "nope")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert cli("inbox", "--maildir", str(s.config.maildir), "clear").returncode == 0
    assert Inbox(s.config.maildir).list() == []
