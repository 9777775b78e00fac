"""Sending a message: to the local sink, or through a real relay, behind one Transport.

* :class:`SinkTransport` hands the message to the sink (plain SMTP on loopback);
* :class:`RelayTransport` submits it to a relay from the settings: STARTTLS (587) or
  implicit TLS (465) with certificate verification (``ca_file`` for a private CA),
  AUTH with credentials read only from the environment variables the settings
  name (never printed, never sent in clear text unless the relay is on loopback and
  ``allow_plaintext_auth`` says so), the relay's recipient allow-list enforced before
  connecting, and optional DKIM signing.

Every failure (refused, unreachable, TLS, authentication, not allowed) is a
:class:`~studio.errors.SendError` with one line saying what and where.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import dkim

from ..errors import ConfigError, SendError
from .address import parse_address
from .message import check_header
from .settings import Relay

if TYPE_CHECKING:
    from .workspace import Workspace


@dataclass(frozen=True)
class SendResult:
    transport: str  # "sink host:port" or "relay NAME (host:port)"
    recipients: tuple[str, ...]
    reply: str  # the server's answer to the end of DATA
    message_id: str


class Transport(Protocol):
    name: str

    def check_recipients(self, recipients: Sequence[str]) -> tuple[str, ...]:
        """The recipients as plain addresses, each one this transport may send to."""
        ...

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> SendResult: ...


def transport_for(
    workspace: Workspace,
    relay: str | None = None,
    host: str | None = None,
    port: int | None = None,
) -> Transport:
    """Where a send goes: the named relay of the settings, else the local sink.

    The CLI, the send dialog and the inbox's release all choose through here.

    Args:
        relay: a relay name from the settings (a ConfigError names the known ones).
        host: the sink's host, instead of ``[sink] host``.
        port: the sink's port, instead of ``[sink] port``.
    """
    if relay:
        return RelayTransport(workspace.settings.relay(relay), workspace_root=workspace.root)
    s = workspace.settings.sink
    return SinkTransport(host or s.host, port or s.port)


def validate_recipient(address: str) -> str:
    """One address (``a@b`` or ``Name <a@b>``, no CR/LF, no list), as ``a@b``; or a SendError."""
    check_header("To", address)
    return parse_address(address)


def _envelope_sender(message: EmailMessage) -> str:
    return parseaddr(str(message.get("Return-Path") or message.get("From") or ""))[1]


class SinkTransport:
    """The local sink (plain SMTP, loopback by default)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1025, *, timeout: float = 10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.name = f"sink {host}:{port}"

    def check_recipients(self, recipients: Sequence[str]) -> tuple[str, ...]:
        """The recipients as plain addresses (the sink takes any)."""
        return tuple(validate_recipient(r) for r in recipients)

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> SendResult:
        rcpts = self.check_recipients(recipients)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                reply = _send_data(client, message, rcpts, self.name)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"{self.name}: {_why(exc)} (is `studio sink` running?)") from None
        return SendResult(self.name, rcpts, reply, str(message.get("Message-ID", "")))


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes over SMTP: CRLF line ends, whatever policy it was read with.

    smtplib sends bytes as given; a message parsed from a file (a captured one, on
    release) has the default policy's bare LF, which servers refuse as one long line.
    """
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _send_data(
    client: smtplib.SMTP, message: EmailMessage, rcpts: Sequence[str], where: str
) -> str:
    """MAIL, RCPT, DATA by hand, to keep the server's reply to DATA."""
    sender = _envelope_sender(message)
    client.ehlo_or_helo_if_needed()
    code, resp = client.mail(sender)
    if code != 250:
        raise SendError(
            f"{where} refused the sender {sender}: {code} {resp.decode(errors='replace')}"
        )
    for r in rcpts:
        code, resp = client.rcpt(r)
        if code not in (250, 251):
            client.rset()
            raise SendError(f"{where} refused {r}: {code} {resp.decode(errors='replace')}")
    code, resp = client.data(wire_bytes(message))
    if code != 250:
        raise SendError(f"{where} refused the message: {code} {resp.decode(errors='replace')}")
    return f"{code} {resp.decode(errors='replace')}"


def _why(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication failed ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return str(exc).splitlines()[0]
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # smtplib turns a reply that never came into a disconnect; say it was a timeout.
        if isinstance(exc.__context__, (socket.timeout, TimeoutError)):
            return "timed out"
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _login(client: smtplib.SMTP, user: str, password: str, *, where: str) -> None:
    """One AUTH attempt (PLAIN, else LOGIN), so that a refusal reads as one."""
    offered = client.esmtp_features.get("auth", "").upper().split()
    client.user, client.password = user, password
    for mechanism, method in (("PLAIN", client.auth_plain), ("LOGIN", client.auth_login)):
        if mechanism in offered:
            client.auth(mechanism, method)
            return
    raise SendError(
        f"{where} does not offer AUTH PLAIN or LOGIN (offered: {' '.join(offered) or 'none'})"
    )


class RelayTransport:
    """A real relay from the settings (TLS, AUTH from env vars, allow-list, DKIM)."""

    def __init__(
        self,
        relay: Relay,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        workspace_root: Path | None = None,
    ):
        self.relay = relay
        self.env = os.environ if env is None else env
        self.timeout = relay.timeout if timeout is None else timeout
        """Seconds for the connection and each reply: the relay's ``timeout`` setting."""
        self.root = workspace_root
        self.name = f"relay {relay.name} ({relay.host}:{relay.port})"

    def _credentials(self) -> tuple[str, str] | None:
        r = self.relay
        if not r.username_env and not r.password_env:
            return None
        for var in (r.username_env, r.password_env):
            if not var or not self.env.get(var):
                raise SendError(
                    f"relay {r.name}: set the environment variable {var or '(unnamed)'}"
                    " (credentials are read from the environment only)"
                )
        return self.env[r.username_env or ""], self.env[r.password_env or ""]

    def _context(self) -> ssl.SSLContext:
        cafile = None
        if self.relay.ca_file:
            path = Path(self.relay.ca_file)
            if self.root and not path.is_absolute():
                path = self.root / path
            if not path.is_file():
                raise ConfigError(f"relay {self.relay.name}: ca_file {path} not found")
            cafile = str(path)
        return ssl.create_default_context(cafile=cafile)

    def _sign(self, message: EmailMessage) -> EmailMessage:
        r = self.relay
        if not r.dkim_selector:
            return message
        var = r.dkim_key_env or ""
        key_path = self.env.get(var)
        if not key_path:
            raise SendError(
                f"relay {r.name}: set {var or 'dkim_key_env'} to the DKIM private key's path"
            )
        try:
            key = Path(key_path).read_bytes()
        except OSError as exc:
            raise SendError(
                f"relay {r.name}: cannot read the DKIM key named by {var}: {exc.strerror}"
            ) from None
        domain = parseaddr(str(message.get("From", "")))[1].rpartition("@")[2]
        raw = wire_bytes(message)
        try:
            sig = dkim.sign(
                raw,
                r.dkim_selector.encode(),
                domain.encode(),
                key,
                include_headers=[
                    b"from",
                    b"to",
                    b"subject",
                    b"date",
                    b"message-id",
                    b"mime-version",
                    b"content-type",
                    b"reply-to",
                ],
            )
        except dkim.DKIMException as exc:
            raise SendError(f"relay {r.name}: DKIM signing failed: {exc}") from None
        name, _, value = sig.decode().partition(":")
        message.set_raw(name, value.strip().replace("\r\n", "\n").replace("\n", "\r\n"))
        # Put the signature first, where receivers expect trace-and-signature headers.
        headers = message._headers  # type: ignore[attr-defined]  # noqa: SLF001
        headers.insert(0, headers.pop())
        return message

    def check_recipients(self, recipients: Sequence[str]) -> tuple[str, ...]:
        """The recipients as plain addresses, each one allowed by the relay (or a SendError)."""
        r = self.relay
        rcpts = tuple(validate_recipient(x) for x in recipients)
        for x in rcpts:
            if not r.allows(x):
                allowed = ", ".join(r.allow_recipients) or "nobody (allow_recipients is empty)"
                raise SendError(f"relay {r.name} may not send to {x}: allowed {allowed}")
        return rcpts

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> SendResult:
        r = self.relay
        rcpts = self.check_recipients(recipients)
        creds = self._credentials()
        if creds and r.tls == "none" and not r.plaintext_auth_allowed:
            raise SendError(
                f'relay {r.name}: tls = "none" would send the password in clear text;'
                ' use tls = "starttls" or "tls" (allow_plaintext_auth = true is accepted'
                " only for a relay on loopback)"
            )
        message = self._sign(message)
        try:
            if r.tls == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    r.host, r.port, timeout=self.timeout, context=self._context()
                )
            else:
                client = smtplib.SMTP(r.host, r.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if r.tls == "starttls":
                    if not client.has_extn("starttls"):
                        raise SendError(
                            f"{self.name} does not offer STARTTLS; refusing to send"
                            " credentials or mail in clear text"
                        )
                    client.starttls(context=self._context())
                    client.ehlo()
                if creds:
                    _login(client, *creds, where=self.name)
                reply = _send_data(client, message, rcpts, self.name)
        except SendError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"{self.name}: {_why(exc)}") from None
        return SendResult(self.name, rcpts, reply, str(message.get("Message-ID", "")))


def sink_listening(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts connections on the local sink's address.

    A send to the sink first asks this, so a stopped sink is said as such (and the
    studio can offer to start one) rather than as "connection refused".
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
