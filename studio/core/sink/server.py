"""The local SMTP sink: accepts any message for anyone, stores it, delivers nowhere.

An aiosmtpd handler under the threaded ``Controller`` (so it lives beside Textual's
event loop or a test). It answers 250 only after the message is in the Maildir
(``store.py``). Limits: message size, the envelope it adds included (552 beyond),
recipients per message (452 beyond), concurrent connections (421), idle timeout,
SMTP line length; SMTPUTF8 and 8BITMIME are offered; AUTH PLAIN/LOGIN
accepts any credentials when enabled, so an application configured for a relay can
point at the sink unchanged. It binds loopback unless told otherwise.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from pathlib import Path
from typing import TYPE_CHECKING, Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session

from ...errors import SinkError
from ..settings import SinkSettings
from .faults import DMARC_REPLY, DROPPED, Decision, FaultRule, Faults, delivery_status_notification
from .store import MaildirStore, StoredFile
from .tls import ensure_certificate, server_context
from .trace import trace_headers

if TYPE_CHECKING:
    from ..workspace import Workspace

DEFAULT_MAX_SIZE = 25 * 1024 * 1024
DEFAULT_MAX_RECIPIENTS = 100
"""RFC 5321 4.5.3.1.8: a server must accept at least 100 recipients per message."""

READY_TIMEOUT = 10.0
"""Seconds aiosmtpd's controller may take to start (a busy port is reported before it)."""

# aiosmtpd 1.4 sets its own deprecated Session.login_data on every AUTH; not ours to fix.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


@dataclass(frozen=True)
class Captured:
    """What the sink tells its caller about each stored message."""

    id: str
    path: Path
    sender: str
    recipients: tuple[str, ...]
    size: int
    peer: str


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SinkHandler:
    """aiosmtpd handler: store first, acknowledge after."""

    def __init__(
        self,
        store: MaildirStore,
        *,
        on_message: Callable[[Captured], None] | None = None,
        keep_messages: int | None = None,
        keep_days: float | None = None,
        max_recipients: int = DEFAULT_MAX_RECIPIENTS,
        max_size: int = DEFAULT_MAX_SIZE,
    ) -> None:
        self.store = store
        self.on_message = on_message
        self.keep_messages = keep_messages
        self.keep_days = keep_days
        self.max_recipients = max_recipients
        self.max_size = max_size

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        # 200,000 RCPT TO in one session once made a 51 MB envelope header.
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        content = envelope.original_content or b""
        trace = trace_headers(
            envelope.mail_from or "",
            envelope.rcpt_tos,
            peer,
            session.host_name,
            bool(session.extended_smtp),
        )
        # What is stored counts, the envelope included: the file never exceeds the limit.
        if self.max_size and len(trace) + len(content) > self.max_size:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        data = trace + content
        loop = asyncio.get_running_loop()
        try:
            stored: StoredFile = await loop.run_in_executor(None, self.store.deliver, data)
        except OSError:
            return "451 4.3.0 Could not store the message; try again"
        if self.keep_messages is not None or self.keep_days is not None:
            await loop.run_in_executor(
                None,
                lambda: self.store.prune(
                    keep_messages=self.keep_messages, keep_days=self.keep_days
                ),
            )
        if self.on_message is not None:
            self.on_message(
                Captured(
                    stored.id,
                    stored.path,
                    envelope.mail_from or "",
                    tuple(envelope.rcpt_tos),
                    len(data),
                    peer,
                )
            )
        return f"250 2.0.0 Stored as {stored.id} (the sink delivers nowhere)"


class FaultHandler(SinkHandler):
    """The handler when fault rules are configured: the rules first, then storing as usual.

    A refusal is recorded in the log beside the Maildir and answered; nothing of a
    refused attempt reaches the Maildir.
    """

    def __init__(self, store: MaildirStore, faults: Faults, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.faults = faults
        self._bounces: set[asyncio.Task[None]] = set()

    @staticmethod
    def _peer(session: Session) -> str:
        return session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)

    def _refuse(
        self, server: SMTP, session: Session, sender: str, rcpts: list[str], d: Decision, stage: str
    ) -> str:
        assert d.rule is not None and d.reply is not None
        self.faults.record(self._peer(session), sender, rcpts, d.rule, d.reply, stage)
        if d.close:
            server.fault_close = True  # type: ignore[attr-defined]
        return d.reply

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        number = self.faults.message_started()
        envelope.fault_message = number  # type: ignore[attr-defined]
        d = self.faults.on_mail(
            self._peer(session), address, getattr(server, "fault_connection", 0), number
        )
        if d.reply is not None:
            return self._refuse(server, session, address, [], d, "mail")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) < self.max_recipients:
            sender = envelope.mail_from or ""
            d = self.faults.on_rcpt(
                self._peer(session),
                sender,
                address,
                getattr(server, "fault_connection", 0),
                getattr(envelope, "fault_message", 0),
            )
            if d.reply is not None:
                return self._refuse(server, session, sender, [address], d, "rcpt")
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        sender = envelope.mail_from or ""
        rcpts = list(envelope.rcpt_tos)
        content = envelope.original_content or b""
        conn = getattr(server, "fault_connection", 0)
        number = getattr(envelope, "fault_message", 0)
        d = self.faults.on_data(sender, rcpts, content, conn, number)
        if d.reply is not None and not d.drop:
            return self._refuse(server, session, sender, rcpts, d, "data")
        if self.faults.dmarc is not None and self.faults.needs_dmarc(sender, rcpts, conn, number):
            peer = self._peer(session)
            raw = trace_headers(sender, rcpts, peer, session.host_name, True) + content
            check = self.faults.dmarc
            verdict = await asyncio.get_running_loop().run_in_executor(None, check, raw)
            rule = self.faults.dmarc_rule()
            if verdict == "fail" and rule is not None:
                reply = DMARC_REPLY.format(domain=_from_domain(content) or "this domain")
                return self._refuse(server, session, sender, rcpts, Decision(reply, rule), "data")
        if d.delay:
            await asyncio.sleep(d.delay)
        if d.drop:
            self._refuse(server, session, sender, rcpts, d, "data")
            server.fault_drop = True  # type: ignore[attr-defined]
            return DROPPED
        if not d.bounce:
            return await super().handle_DATA(server, session, envelope)
        kept = [r for r in rcpts if r not in d.bounce]
        reply = "250 2.0.0 Accepted (a bounce follows: bounce-later)"
        if kept:
            envelope.rcpt_tos = kept
            reply = await super().handle_DATA(server, session, envelope)
            envelope.rcpt_tos = rcpts
            if not reply.startswith("250"):
                return reply
        if sender not in ("", "<>"):  # never a bounce to the null sender (RFC 5321 6.1)
            task = asyncio.get_running_loop().create_task(self._bounce(content, sender, d.bounce))
            self._bounces.add(task)  # held until done: the loop keeps only a weak reference
            task.add_done_callback(self._bounces.discard)
        return reply

    async def _bounce(self, content: bytes, sender: str, recipients: tuple[str, ...]) -> None:
        dsn = delivery_status_notification(content, sender, recipients)
        data = trace_headers("", [sender], "127.0.0.1", "studio-sink", True) + dsn
        loop = asyncio.get_running_loop()
        try:
            stored: StoredFile = await loop.run_in_executor(None, self.store.deliver, data)
        except OSError:
            return  # like any delivery, a bounce that cannot be stored is lost
        if self.on_message is not None:
            self.on_message(Captured(stored.id, stored.path, "", (sender,), len(data), "127.0.0.1"))


def _from_domain(content: bytes) -> str:
    from email.utils import parseaddr

    head = content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    for line in head.split("\r\n"):
        if line[:5].lower() == "from:":
            return parseaddr(line[5:])[1].rpartition("@")[2].lower()
    return ""


def _accept_any(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    login = auth_data.login if isinstance(auth_data, LoginPassword) else None
    return AuthResult(success=True, auth_data=login)


class _LimitedSMTP(SMTP):
    """SMTP with a cap on concurrent connections (421 beyond it).

    aiosmtpd sizes its stream buffer by the class's ``line_length_limit`` and pauses
    reading whenever twice that much is waiting: at 1000 bytes, a 20 KB message paused
    and resumed the socket a dozen times. So the class value is the buffer size and the
    instance value, set after it, the line length enforced (both checks read it).
    """

    active = 0
    max_connections = 100
    line_length_limit = 64 * 1024
    line_length = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_length_limit = self.line_length

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """The address of MAIL FROM / RCPT TO, and what follows it; (None, None) if invalid.

        The same parse as aiosmtpd's, which also builds a typing class on every call
        (a fifth of the sink's time per message went there).
        """
        if not arg:
            return "", ""
        parse = get_angle_addr if arg.lstrip().startswith("<") else get_addr_spec
        try:
            address, rest = parse(arg)
        except HeaderParseError:
            return None, None
        addr: str = address.addr_spec
        if self.local_part_limit and len(addr.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return addr, rest

    async def smtp_DATA(self, arg: str) -> None:
        """DATA as aiosmtpd answers it, read in chunks rather than line by line.

        aiosmtpd's loop costs a Python iteration per line, half of the sink's time on
        a 20 KB message; here ``readuntil`` finds each ``.\\r\\n`` in C and a chunk
        ends the message only if that dot starts a line.
        """
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        content, error = await self._read_data()
        if error is None:
            self.envelope.content = self.envelope.original_content = content
            status = await self._call_handler_hook("DATA")
            error = "250 OK" if status is MISSING else status
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push(error)

    async def _read_data(self) -> tuple[bytes, str | None]:
        """The message up to the lone dot, unstuffed; or the error to answer once it ends."""
        limit = self.data_size_limit
        data = bytearray()
        size = 0
        error: str | None = None
        while True:
            try:
                chunk = await self._reader.readuntil(b".\r\n")
                end = True
            except asyncio.LimitOverrunError as exc:  # none within the buffer: take what is safe
                chunk = await self._reader.readexactly(exc.consumed)
                end = False
            size += len(chunk)
            if error is None and limit and size > limit + 3:
                error = "552 Error: Too much mail data"
            data += chunk
            if end and (size == 3 or data[-5:-3] == b"\r\n"):
                break
            if error is not None:  # keep only what tells whether a dot starts a line
                del data[:-4]
        del data[-3:]
        # A line is too long with line_length_limit bytes or more before its LF (CR included).
        if error is None and max(map(len, data.split(b"\n"))) >= self.line_length_limit:
            error = "500 Line too long (see RFC5321 4.5.3.1.6)"
        if error is not None:
            return b"", error
        content = bytes(data[1:] if data.startswith(b".") else data)
        return content.replace(b"\r\n.", b"\r\n"), None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is not None and self._original_transport is not None:
            super().connection_made(transport)  # the same connection, after STARTTLS
            return
        type(self).active += 1
        if type(self).active > self.max_connections:
            type(self).active -= 1
            transport.write(b"421 4.7.0 Too many connections, try again later\r\n")  # type: ignore[attr-defined]
            transport.close()
            self._refused = True
            return
        self._refused = False
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not getattr(self, "_refused", False):
            type(self).active -= 1
            super().connection_lost(exc)


class _FaultySMTP(_LimitedSMTP):
    """The SMTP class when fault rules are configured: connections are numbered (for
    "every Nth connection"), the greeting may be delayed, a reply may close the
    connection (``421``) or never be sent (``drop``)."""

    fault_connection = 0
    fault_close = False
    fault_drop = False

    async def _handle_client(self) -> None:
        faults: Faults = self.event_handler.faults
        self.fault_connection = faults.connected()
        delay = faults.greeting_delay(self.fault_connection)
        if delay:
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:  # the sink stops: as aiosmtpd does, close
                if self.transport is not None:
                    self.transport.close()
                raise
        await super()._handle_client()

    async def push(self, status: AnyStr) -> None:
        if self.fault_drop:
            self.fault_drop = False
            if self.transport is not None:
                self.transport.close()
            return
        await super().push(status)
        if self.fault_close and self.transport is not None:
            self.transport.close()


@dataclass
class SinkConfig:
    host: str = "127.0.0.1"
    port: int = 1025
    maildir: Path = Path(".studio/maildir")
    max_message_size: int = DEFAULT_MAX_SIZE
    max_recipients: int = DEFAULT_MAX_RECIPIENTS
    max_connections: int = 100
    idle_timeout: float = 300.0
    line_length: int = 1000
    auth: bool = True
    allow_remote: bool = False
    keep_messages: int | None = None
    keep_days: float | None = None
    extra: dict[str, object] = field(default_factory=dict)
    faults: tuple[FaultRule, ...] = ()
    """Fault rules (none: the sink accepts everything)."""
    dmarc: Callable[[bytes], str] | None = field(default=None, compare=False, repr=False)
    """The DMARC verdict of a stored message (``dmarc-reject``); the workspace's."""
    starttls: bool = True
    """Offer STARTTLS (with ``tls_cert``/``tls_key``, or a certificate made in ``tls_dir``)."""
    tls_port: int | None = None
    """A second port speaking implicit TLS (as port 465 does), if given."""
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_dir: Path | None = None
    """Where the self-signed certificate is made (default: beside the Maildir)."""

    def certificate(self) -> tuple[Path, Path]:
        """The certificate and key to serve: the configured ones, or a self-signed pair."""
        if self.tls_cert is not None and self.tls_key is not None:
            return self.tls_cert, self.tls_key
        return ensure_certificate(self.tls_dir or self.maildir.parent)

    @classmethod
    def from_settings(
        cls,
        workspace: Workspace | None,
        *,
        host: str | None = None,
        port: int | None = None,
        maildir: Path | None = None,
        auth: bool = True,
        allow_remote: bool = False,
        faults: tuple[FaultRule, ...] | None = None,
        tls_port: int | None = None,
        starttls: bool | None = None,
    ) -> SinkConfig:
        """The sink the workspace's ``[sink]`` settings describe (defaults without one).

        ``studio sink``, ``studio inbox`` and the TUI's inbox all build it here; the
        arguments given override the settings.
        """
        s = workspace.settings.sink if workspace is not None else SinkSettings()
        root = workspace.root if workspace is not None else Path()
        rules = s.faults if faults is None else s.faults + faults
        return cls(
            host=host or s.host,
            port=port or s.port,
            maildir=maildir if maildir is not None else root / s.maildir,
            max_message_size=s.max_message_size,
            max_recipients=s.max_recipients,
            auth=auth,
            allow_remote=allow_remote,
            keep_messages=s.keep_messages,
            keep_days=s.keep_days,
            faults=rules,
            dmarc=(
                _dmarc_verdict(workspace) if any(r.kind == "dmarc-reject" for r in rules) else None
            ),
            starttls=s.starttls if starttls is None else starttls,
            tls_port=tls_port or s.tls_port,
            tls_cert=root / s.tls_cert if s.tls_cert else None,
            tls_key=root / s.tls_key if s.tls_key else None,
            tls_dir=root / ".studio" if workspace is not None else None,
        )


def _dmarc_verdict(workspace: Workspace | None) -> Callable[[bytes], str]:
    """The inbox's DMARC verdict of a message as the sink would store it."""

    def verdict(raw: bytes) -> str:
        from ..inbox import verdict_of  # the inbox reads the sink's store: imported late

        return verdict_of(raw, workspace).dmarc

    return verdict


class _Controller(Controller):
    def __init__(
        self,
        handler: SinkHandler,
        config: SinkConfig,
        *,
        port: int | None = None,
        tls: ssl.SSLContext | None = None,
        implicit: bool = False,
    ) -> None:
        self.config = config
        # One class per sink: its counter is the number of open connections.
        self._smtp_class = type(
            "SinkSMTP",
            (_FaultySMTP if isinstance(handler, FaultHandler) else _LimitedSMTP,),
            {
                "active": 0,
                "max_connections": config.max_connections,
                "line_length": config.line_length,
            },
        )
        super().__init__(
            handler,
            hostname=config.host,
            port=config.port if port is None else port,
            ready_timeout=READY_TIMEOUT,
            **(
                {"ssl_context": tls, "server_hostname": "localhost"}
                if implicit
                else {"tls_context": tls}
                if tls is not None
                else {}
            ),
            data_size_limit=config.max_message_size,
            enable_SMTPUTF8=True,
            auth_required=False,
            auth_require_tls=False,
            authenticator=_accept_any if config.auth else None,
            timeout=config.idle_timeout,
        )

    def factory(self) -> SMTP:
        smtp: SMTP = self._smtp_class(self.handler, **self.SMTP_kwargs)
        return smtp


def _check_bindable(host: str, port: int) -> None:
    """Raise OSError at once when ``host:port`` cannot be bound (a busy port).

    aiosmtpd's controller binds in its own thread and, when that fails, reports it
    only after its ready timeout (10 s). Binding here first, the way asyncio will
    (SO_REUSEADDR, every address the host resolves to), says so immediately.
    """
    if port == 0:
        return
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.bind(address)


class Sink:
    """The sink, embeddable: ``with Sink(config, on_message=...) as sink: ...``."""

    def __init__(
        self,
        config: SinkConfig,
        *,
        on_message: Callable[[Captured], None] | None = None,
        faults: Faults | None = None,
    ):
        """``faults``: a rules engine to use (the studio keeps its switches across
        restarts); by default one is made from ``config.faults`` when there are any."""
        if not config.allow_remote and not is_loopback(config.host):
            raise SinkError(
                f"refusing to bind {config.host}: the sink listens on loopback only;"
                " pass --allow-remote to expose it on the network"
            )
        self.config = config
        self.store = MaildirStore(config.maildir)
        limits: dict[str, Any] = dict(
            on_message=on_message,
            keep_messages=config.keep_messages,
            keep_days=config.keep_days,
            max_recipients=config.max_recipients,
            max_size=config.max_message_size,
        )
        self.faults: Faults | None = None
        if faults is None and config.faults:
            faults = Faults(config.faults, config.maildir, dmarc=config.dmarc)
        if faults is not None:
            self.faults = faults
            self.handler: SinkHandler = FaultHandler(self.store, faults, **limits)
        else:
            self.handler = SinkHandler(self.store, **limits)
        self._controller: _Controller | None = None
        self._tls_controller: _Controller | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.config.host, self.config.port

    def start(self) -> Sink:
        cfg = self.config
        tls: ssl.SSLContext | None = None
        if cfg.starttls or cfg.tls_port:
            tls = server_context(*cfg.certificate())
        ports = [cfg.port] + ([cfg.tls_port] if cfg.tls_port else [])
        for port in ports:
            try:
                _check_bindable(cfg.host, port)
            except OSError as exc:
                raise SinkError(
                    f"cannot listen on {cfg.host}:{port}: {exc.strerror or exc}"
                ) from None
        if self.faults is not None:
            self.faults.listening = False
        self._controller = self._start_controller(
            cfg.port, tls if cfg.starttls else None, implicit=False
        )
        if cfg.tls_port:
            try:
                self._tls_controller = self._start_controller(cfg.tls_port, tls, implicit=True)
            except SinkError:
                self.stop()
                raise
        if self.faults is not None:
            self.faults.listening = True
        return self

    def _start_controller(
        self, port: int, tls: ssl.SSLContext | None, *, implicit: bool
    ) -> _Controller:
        controller = _Controller(self.handler, self.config, port=port, tls=tls, implicit=implicit)
        host = self.config.host
        try:
            controller.start()
        except OSError as exc:
            controller.loop.close()
            raise SinkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        except TimeoutError:
            controller.loop.close()
            raise SinkError(f"the sink did not start on {host}:{port}") from None
        return controller

    def stop(self) -> None:
        for controller in (self._tls_controller, self._controller):
            if controller is not None:
                controller.stop()
        self._controller = self._tls_controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> Sink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
