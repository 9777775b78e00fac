"""The sink's SMTP side: aiosmtpd's ``SMTP`` with limits, and its controller.

Concurrent connections are capped (421 beyond), DATA is read in chunks, the
connection-level fault rules (greeting delay, dropped or closed replies) hook in
here; AUTH accepts any credentials when enabled. A busy port is reported before
aiosmtpd's controller thread would find it.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from typing import TYPE_CHECKING, Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session

from .faults import Faults
from .handler import FaultHandler, SinkHandler

if TYPE_CHECKING:
    from .server import SinkConfig

READY_TIMEOUT = 10.0
"""Seconds aiosmtpd's controller may take to start (a busy port is reported before it)."""


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


class SinkController(Controller):
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


def check_bindable(host: str, port: int) -> None:
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
