"""The sink's aiosmtpd handlers: store first, acknowledge after.

``SinkHandler`` stores every message in the Maildir (``store.py``) and answers 250
only once it is there; ``FaultHandler`` applies the fault rules (``faults.py``)
first. The SMTP protocol side (limits, chunked DATA) is in ``smtp.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from .faults import DMARC_REPLY, DROPPED, Decision, Faults, delivery_status_notification
from .store import MaildirStore, StoredFile
from .trace import trace_headers

DEFAULT_MAX_SIZE = 25 * 1024 * 1024
DEFAULT_MAX_RECIPIENTS = 100
"""RFC 5321 4.5.3.1.8: a server must accept at least 100 recipients per message."""


@dataclass(frozen=True)
class Captured:
    """What the sink tells its caller about each stored message."""

    id: str
    path: Path
    sender: str
    recipients: tuple[str, ...]
    size: int
    peer: str


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
