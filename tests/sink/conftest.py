"""Fixtures: a sink on a free loopback port (in a thread, or as a `studio sink` process),
messages to load it with and a way to check what it stored, and a TLS + AUTH relay."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from studio.core.sink import Captured, Sink, SinkConfig


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[Sink, list[Captured]]]:
    got: list[Captured] = []
    s = Sink(
        SinkConfig(
            port=free_port(),
            maildir=tmp_path / "maildir",
            max_message_size=200_000,
            max_connections=400,
            idle_timeout=30,
        ),
        on_message=got.append,
    )
    with s:
        yield s, got


# -- load: messages with an id and a random body, and what the Maildir holds ------------

MESSAGE_ID = re.compile(rb"^Message-ID: <([^>]+)>", re.IGNORECASE | re.MULTILINE)


def make_message(tag: str, size: int = 20_000) -> bytes:
    """About ``size`` bytes with ``Message-ID: <tag@load.example>`` and a random body,
    CRLF line ends; a line starting with a dot tests dot-stuffing on the way."""
    head = (
        f"From: load@shop.example\r\nTo: sink@x.example\r\nSubject: load {tag}\r\n"
        f"Message-ID: <{tag}@load.example>\r\n\r\n.a line starting with a dot\r\n"
    ).encode()
    body = base64.encodebytes(os.urandom(max(0, size - len(head)) * 3 // 4))
    return head + body.replace(b"\n", b"\r\n")


def digest(message: bytes) -> tuple[int, str]:
    return len(message), hashlib.sha256(message).hexdigest()


def stored_messages(maildir: Path) -> dict[str, list[bytes]]:
    """Message-ID -> the content of every file in new/ and cur/ that carries it."""
    found: dict[str, list[bytes]] = {}
    for sub in ("new", "cur"):
        for path in (maildir / sub).iterdir():
            data = path.read_bytes()
            match = MESSAGE_ID.search(data)
            found.setdefault(match.group(1).decode() if match else "", []).append(data)
    return found


def holds_intact(content: bytes, sent: tuple[int, str]) -> bool:
    """The stored file is the sink's trace headers followed by the message, byte for byte."""
    size, sha = sent
    return len(content) > size and hashlib.sha256(content[-size:]).hexdigest() == sha


# -- the sink as its own process: `python -m studio sink` -------------------------------


def wait_for_smtp(port: int, process: subprocess.Popen[bytes]) -> None:
    """Return once the server on ``port`` greets; fail if it exits or never does."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the sink exited with {process.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                if s.recv(512).startswith(b"220"):
                    return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no SMTP greeting on port {port}")


def start_sink_process(port: int, maildir: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with (cwd / f"sink-{port}.err").open("wb") as err:  # the child keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "-m", "studio", "sink", "--port", str(port)]
            + ["--maildir", str(maildir)],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    wait_for_smtp(port, process)
    return process


# -- a real relay: aiosmtpd with a certificate from a throwaway CA, STARTTLS, AUTH ------


@dataclass
class Relay:
    host: str
    port: int
    implicit: bool
    ca_file: Path
    received: list[Envelope] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


def make_ca(directory: Path) -> tuple[Path, Path, Path]:
    def key() -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "studio test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    srv_key = key()
    srv = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(srv_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (
        directory / "ca.pem",
        directory / "srv.pem",
        directory / "srv.key",
    )
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(srv.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        srv_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


USER, PASSWORD = "app", "s3cret-relay-password"


class _Handler:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.relay.received.append(envelope)
        return "250 2.0.0 Ok: queued as R1"


def _authenticator(relay: Relay):  # type: ignore[no-untyped-def]
    def check(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode()
        )
        if ok:
            relay.logins.append(USER)
        # AuthResult.handled defaults to True, which would leave the client unanswered.
        return AuthResult(success=ok, handled=False)

    return check


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_ca(tmp_path_factory.mktemp("ca"))


def _relay(ca: tuple[Path, Path, Path], implicit: bool) -> Iterator[Relay]:
    ca_file, cert, key = ca
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    relay = Relay("127.0.0.1", free_port(), implicit, ca_file)
    kwargs: dict[str, object] = dict(authenticator=_authenticator(relay), auth_required=True)
    if implicit:
        controller = Controller(
            _Handler(relay),
            hostname="127.0.0.1",
            port=relay.port,
            ssl_context=ctx,
            server_hostname="localhost",
            # The whole session is TLS, which aiosmtpd cannot tell: let it offer AUTH (and
            # not *require* it, which with auth_require_tls=False warns on every session).
            auth_require_tls=False,
            authenticator=_authenticator(relay),
        )
    else:
        controller = Controller(
            _Handler(relay),
            hostname="127.0.0.1",
            port=relay.port,
            tls_context=ctx,
            require_starttls=True,
            **kwargs,
        )
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()


@pytest.fixture
def starttls_relay(ca: tuple[Path, Path, Path]) -> Iterator[Relay]:
    yield from _relay(ca, implicit=False)


@pytest.fixture
def tls_relay(ca: tuple[Path, Path, Path]) -> Iterator[Relay]:
    yield from _relay(ca, implicit=True)


@pytest.fixture
def plain_relay(ca: tuple[Path, Path, Path]) -> Iterator[Relay]:
    """A relay on loopback without TLS that offers AUTH anyway (as a careless one does)."""
    relay = Relay("127.0.0.1", free_port(), False, ca[0])
    controller = Controller(
        _Handler(relay),
        hostname="127.0.0.1",
        port=relay.port,
        authenticator=_authenticator(relay),
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()
