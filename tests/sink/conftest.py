"""Fixtures: a sink on a free loopback port, and a TLS + AUTH relay on loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
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
