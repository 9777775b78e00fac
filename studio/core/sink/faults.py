"""Fault rules: the sink refusing, deferring and bouncing the way a real provider does.

Each :class:`FaultRule` names one behaviour (``KINDS``) and what it matches: recipient
patterns, sender patterns, every Nth message or every Nth connection (all given
must match). :class:`Faults` holds the rules of one sink, their on/off switches and
the state some of them keep (greylist triples, per-client send times), with a clock
that tests replace. Every refusal is appended to a JSONL log beside the Maildir
(:func:`refusals_path`, :func:`read_refusals`), so the inbox shows what was refused.

With no rule the sink never builds a :class:`Faults`: it accepts as it always has.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from email.utils import format_datetime, make_msgid
from pathlib import Path

KINDS = (
    "rate-limit",
    "greylist",
    "unknown-user",
    "dmarc-reject",
    "size",
    "slow",
    "drop",
    "bounce-later",
)

DROPPED = "(connection closed without a reply)"
"""What the log records as the reply of a ``drop``."""


@dataclass(frozen=True)
class FaultRule:
    """One rule. ``recipients``/``senders`` are glob patterns (empty: any address)."""

    kind: str
    recipients: tuple[str, ...] = ()
    senders: tuple[str, ...] = ()
    every: int | None = None
    """Every Nth message (MAIL FROM) of the sink, counted from its start."""
    every_connection: int | None = None
    """Every Nth connection to the sink."""
    per_minute: int = 10
    """``rate-limit``: messages a client may send per minute."""
    seconds: float = 300.0
    """``greylist``: how long before a retry is accepted; ``slow``: the delay."""
    size: int = 0
    """``size``: messages above this many bytes are refused."""
    at: str = "data"
    """``slow``: delay the ``greeting`` or the reply to ``data``."""

    def label(self) -> str:
        """The rule as ``--fault`` would give it, with what it matches."""
        arg = {
            "rate-limit": f"{self.per_minute}/min",
            "greylist": f"{_num(self.seconds)}s",
            "size": f">{self.size:,} B",
            "slow": f"{self.at} +{_num(self.seconds)}s",
        }.get(self.kind, "")
        parts = [self.kind + (f" {arg}" if arg else "")]
        if self.recipients:
            parts.append("to " + ",".join(self.recipients))
        if self.senders:
            parts.append("from " + ",".join(self.senders))
        if self.every:
            parts.append(f"every {self.every} messages")
        if self.every_connection:
            parts.append(f"every {self.every_connection} connections")
        return " ".join(parts)


def _num(value: float) -> str:
    return f"{value:g}"


def _matches(address: str, patterns: Sequence[str]) -> bool:
    addr = address.strip().lower()
    return any(fnmatch.fnmatchcase(addr, p.lower()) for p in patterns)


def parse_fault(spec: str) -> FaultRule:
    """``NAME[:ARG]`` as ``studio sink --fault`` takes it.

    Raises:
        ValueError: the one-line reason (unknown name, bad argument).
    """
    name, _, arg = spec.strip().partition(":")
    name = name.strip().lower()
    if name not in KINDS:
        raise ValueError(f"unknown fault {name!r} (one of {', '.join(KINDS)})")
    try:
        if name == "rate-limit":
            return FaultRule(name, per_minute=_positive_int(arg, 10))
        if name == "greylist":
            return FaultRule(name, seconds=_seconds(arg, 300.0))
        if name == "size":
            if not arg:
                raise ValueError("needs a size in bytes, such as size:100000")
            return FaultRule(name, size=_positive_int(arg, 0))
        if name == "slow":
            at, _, value = arg.rpartition(":")
            at = at or "data"
            if at not in ("greeting", "data"):
                raise ValueError("slow:SECONDS or slow:greeting:SECONDS")
            return FaultRule(name, seconds=_seconds(value, 30.0), at=at)
        if name == "dmarc-reject":
            if arg:
                raise ValueError("takes no argument")
            return FaultRule(name)
        if name == "unknown-user" and not arg:
            raise ValueError("needs a recipient pattern, such as unknown-user:*@nobody.example")
        return FaultRule(name, recipients=(arg,) if arg else ())
    except ValueError as exc:
        raise ValueError(f"--fault {spec}: {exc}") from None


def _positive_int(text: str, default: int) -> int:
    if not text:
        return default
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"{text!r} is not a whole number from 1 up")
    return int(text)


def _seconds(text: str, default: float) -> float:
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{text!r} is not a number of seconds from 0 up")
    return value


# -- the refusal log -------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """One refused (or dropped) attempt, as the log keeps it."""

    time: str
    client: str
    sender: str
    recipients: tuple[str, ...]
    rule: str
    reply: str
    stage: str
    """``connect``, ``mail``, ``rcpt`` or ``data``: where the sink said no."""

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["recipients"] = list(self.recipients)
        return data


def refusals_path(maildir: Path) -> Path:
    """The JSONL log of refused attempts, beside the Maildir (never inside it)."""
    return maildir.with_name(maildir.name + ".refusals.jsonl")


def read_refusals(maildir: Path) -> list[Refusal]:
    """The refused attempts recorded for ``maildir``, oldest first (lines that do not
    parse are skipped: the log is written by the sink, read by anyone)."""
    path = refusals_path(maildir)
    try:
        lines = path.read_text("utf-8", "replace").splitlines()
    except OSError:
        return []
    out: list[Refusal] = []
    for line in lines:
        try:
            d = json.loads(line)
            out.append(
                Refusal(
                    str(d["time"]),
                    str(d["client"]),
                    str(d["sender"]),
                    tuple(str(r) for r in d["recipients"]),
                    str(d["rule"]),
                    str(d["reply"]),
                    str(d.get("stage", "")),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return out


def clear_refusals(maildir: Path) -> int:
    """Delete the log; returns how many refusals it held."""
    count = len(read_refusals(maildir))
    refusals_path(maildir).unlink(missing_ok=True)
    return count


# -- the rules at work -----------------------------------------------------------------


@dataclass
class Decision:
    """What a rule says at one step: a reply (None: go on), and what follows it."""

    reply: str | None = None
    rule: FaultRule | None = None
    close: bool = False
    drop: bool = False
    delay: float = 0.0
    bounce: tuple[str, ...] = ()
    """Recipients to bounce after accepting (``bounce-later``)."""


@dataclass
class _Client:
    sent: deque[float] = field(default_factory=deque)


class Faults:
    """The rules of one sink, their switches and state; thread-safe (the sink's loop
    uses it, the studio toggles rules from its own thread).

    ``clock`` gives seconds (monotonic); ``dmarc`` tells a stored message's DMARC
    verdict (``"pass"``/``"fail"``) from its bytes, trace headers included.
    """

    def __init__(
        self,
        rules: Iterable[FaultRule],
        maildir: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        dmarc: Callable[[bytes], str] | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.enabled = [True] * len(self.rules)
        self.maildir = maildir
        self.clock = clock
        self.dmarc = dmarc
        self._lock = threading.Lock()
        self.listening = False
        """False while the sink starts: its own readiness probe is not a client."""
        self._connections = 0
        self._messages = 0
        self._greylist: dict[tuple[str, str, str], float] = {}
        self._clients: dict[str, _Client] = {}

    # switches
    def toggle(self, index: int) -> bool:
        with self._lock:
            self.enabled[index] = not self.enabled[index]
            return self.enabled[index]

    def active(self, kind: str | None = None) -> list[FaultRule]:
        return [
            r
            for r, on in zip(self.rules, self.enabled, strict=True)
            if on and (kind is None or r.kind == kind)
        ]

    # counters
    def connected(self) -> int:
        """The number of a new connection (0 for the sink's probe while it starts)."""
        if not self.listening:
            return 0
        with self._lock:
            self._connections += 1
            return self._connections

    def message_started(self) -> int:
        with self._lock:
            self._messages += 1
            return self._messages

    def _applies(self, rule: FaultRule, connection: int, message: int, sender: str | None) -> bool:
        if rule.every_connection and connection % rule.every_connection:
            return False
        if rule.every and (not message or message % rule.every):
            return False
        return not (rule.senders and (sender is None or not _matches(sender, rule.senders)))

    # the steps of a session
    def greeting_delay(self, connection: int) -> float:
        if not connection:
            return 0.0  # the sink's readiness probe
        delay = 0.0
        for rule in self.active("slow"):
            if rule.at == "greeting" and self._applies(rule, connection, 0, None):
                delay = max(delay, rule.seconds)
        return delay

    def on_mail(self, client: str, sender: str, connection: int, message: int) -> Decision:
        for rule in self.active("rate-limit"):
            if not self._applies(rule, connection, message, sender):
                continue
            now = self.clock()
            with self._lock:
                sent = self._clients.setdefault(client, _Client()).sent
                while sent and now - sent[0] >= 60.0:
                    sent.popleft()
                if len(sent) >= rule.per_minute:
                    return Decision("421 4.7.0 Try again later", rule, close=True)
                sent.append(now)
        return Decision()

    def on_rcpt(
        self, client: str, sender: str, recipient: str, connection: int, message: int
    ) -> Decision:
        for rule in self.active():
            if rule.kind not in ("unknown-user", "greylist"):
                continue
            if not self._applies(rule, connection, message, sender):
                continue
            if rule.recipients and not _matches(recipient, rule.recipients):
                continue
            if rule.kind == "unknown-user":
                return Decision(f"550 5.1.1 <{recipient}>: no such user here", rule)
            triple = (client, sender.lower(), recipient.lower())
            now = self.clock()
            with self._lock:
                first = self._greylist.setdefault(triple, now)
            if now - first < rule.seconds:
                wait = rule.seconds - (now - first)
                return Decision(f"451 4.7.1 Greylisted: try again in {wait:.0f} seconds", rule)
        return Decision()

    def on_data(
        self,
        sender: str,
        recipients: Sequence[str],
        content: bytes,
        connection: int,
        message: int,
    ) -> Decision:
        """Size and DMARC refusals, delay, drop and bounces; ``content`` is the message
        as received (for ``dmarc-reject`` the caller passes it with the trace headers)."""
        out = Decision()
        for rule in self.active():
            if not self._applies(rule, connection, message, sender):
                continue
            matched = [r for r in recipients if not rule.recipients or _matches(r, rule.recipients)]
            if not matched:
                continue
            if rule.kind == "size" and len(content) > rule.size:
                return Decision("552 5.3.4 Message size exceeds fixed maximum message size", rule)
            if rule.kind == "slow" and rule.at == "data":
                out.delay = max(out.delay, rule.seconds)
            elif rule.kind == "drop" and out.reply is None:
                return Decision(DROPPED, rule, drop=True, delay=out.delay)
            elif rule.kind == "bounce-later":
                out.bounce = tuple(dict.fromkeys(out.bounce + tuple(matched)))
                out.rule = out.rule or rule
        return out

    def needs_dmarc(self, sender: str, recipients: Sequence[str], c: int, m: int) -> bool:
        return any(
            self._applies(rule, c, m, sender)
            and any(not rule.recipients or _matches(r, rule.recipients) for r in recipients)
            for rule in self.active("dmarc-reject")
        )

    def dmarc_rule(self) -> FaultRule | None:
        rules = self.active("dmarc-reject")
        return rules[0] if rules else None

    # the log
    def record(
        self,
        client: str,
        sender: str,
        recipients: Sequence[str],
        rule: FaultRule,
        reply: str,
        stage: str,
    ) -> Refusal:
        entry = Refusal(
            dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
            client,
            sender,
            tuple(recipients),
            rule.label(),
            reply,
            stage,
        )
        line = json.dumps(entry.to_dict(), ensure_ascii=False) + "\n"
        with self._lock:
            path = refusals_path(self.maildir)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(line)
        return entry


DMARC_REPLY = (
    "550 5.7.26 Unauthenticated email from {domain} is not accepted due to domain's"
    " DMARC policy. Please contact the administrator of {domain} domain if this was"
    " a legitimate mail."
)
"""``dmarc-reject``'s reply: the wording Gmail answers a DMARC failure with."""


# -- the asynchronous bounce -----------------------------------------------------------


def delivery_status_notification(
    original: bytes, sender: str, recipients: Sequence[str], reporter: str = "studio-sink"
) -> bytes:
    """An RFC 3464 DSN for ``recipients`` of ``original``, addressed to ``sender``.

    ``multipart/report; report-type=delivery-status``: a human-readable part, the
    ``message/delivery-status`` fields (one block per recipient, ``5.1.1``), and the
    original message's headers (``text/rfc822-headers``), CRLF line ends.
    """
    head_end = original.find(b"\r\n\r\n")
    returned = original if head_end < 0 else original[: head_end + 2]
    now = format_datetime(dt.datetime.now(dt.timezone.utc))
    boundary = f"=_studio-dsn-{uuid.uuid4().hex}"
    one = _one_line
    human = (
        "The message below could not be delivered to:\r\n\r\n"
        + "".join(f"  <{one(r)}>: 550 5.1.1 no such user here\r\n" for r in recipients)
        + "\r\nThis bounce was made by the Studio sink's bounce-later rule.\r\n"
    )
    status = f"Reporting-MTA: dns; {reporter}\r\nArrival-Date: {now}\r\n"
    for r in recipients:
        status += (
            f"\r\nFinal-Recipient: rfc822; {one(r)}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            f"Diagnostic-Code: smtp; 550 5.1.1 <{one(r)}>: no such user here\r\n"
        )
    head = (
        f"From: Mail Delivery System <MAILER-DAEMON@{reporter}>\r\n"
        f"To: <{one(sender)}>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {now}\r\n"
        f"Message-ID: {make_msgid(domain=reporter)}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        "This is a delivery status notification (RFC 3464).\r\n"
    )
    parts = [
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + human,
        "Content-Type: message/delivery-status\r\n\r\n" + status,
    ]
    out = head.encode("utf-8")
    for part in parts:
        out += f"\r\n--{boundary}\r\n".encode() + part.encode("utf-8")
    out += (
        f"\r\n--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode()
    out += returned + f"\r\n--{boundary}--\r\n".encode()
    return out


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")
