"""The inbox: messages captured by the sink, read back from its Maildir.

Each message comes with its envelope (the trace headers the sink adds), its parts,
and an **authentication verdict** as a receiver would see it: the DKIM signature
verified with ``dkimpy`` against DNS (live, or the workspace's zone files), SPF of
the sending IP, and DMARC alignment of the From domain with the DKIM ``d=`` and
the Return-Path domain.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime as dt
import email
import email.policy
import hashlib
import ipaddress
import re
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import dkim

from ..errors import SinkError
from .catalogue import CATALOGUE
from .dns import workspace_resolver
from .dns.dmarc import org_domain
from .dns.resolver import Resolver
from .dns.spf_check import check_host
from .findings import Finding
from .mailparse import body_text, decoded, first, header_fields, read_message
from .preheader import INBOX_LINE_CHARS, PreviewText, preview_text
from .send import SendResult, transport_for
from .sink.faults import Refusal, clear_refusals, read_refusals
from .sink.store import MaildirStore, StoredFile, delivered_at
from .sink.trace import original, read_trace
from .workspace import Workspace


@dataclass(frozen=True)
class Summary:
    id: str
    sender: str
    recipients: tuple[str, ...]
    from_: str
    to: str
    subject: str
    date: str
    size: int
    unreadable: str = ""
    """Why the message could not be read ('' when it could); the row is listed anyway."""
    kind: str = "message"
    """``message``, or ``bounce`` for a delivery-status notification (RFC 3464)."""
    received: float = 0.0
    """When the sink stored it (the file's time, seconds since the epoch)."""

    def to_dict(self) -> dict[str, object]:
        """The summary as ``studio inbox list -f json`` prints it (``from``, not ``from_``)."""
        data = asdict(self)
        data["from"] = data.pop("from_")
        data["received"] = _iso(self.received) if self.received else ""
        return data


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="milliseconds")


def _is_report(content_type: str) -> bool:
    """A ``multipart/report; report-type=delivery-status`` Content-Type (a bounce)."""
    low = content_type.lower()
    return low.startswith("multipart/report") and "delivery-status" in low


@dataclass(frozen=True)
class Verdict:
    dkim: str  # pass, fail, none
    dkim_domain: str | None
    dkim_reason: str
    spf: str  # pass, fail, softfail, neutral, none, permerror, temperror
    spf_ip: str | None
    spf_note: str
    dmarc: str  # pass or fail
    aligned_dkim: bool
    aligned_spf: bool

    def line(self) -> str:
        return f"dkim={self.dkim} spf={self.spf} dmarc={self.dmarc}"


@dataclass
class CapturedMessage:
    summary: Summary
    raw: bytes
    message: EmailMessage
    text: str
    html: str
    peer: str
    verdict: Verdict | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def preview(self) -> PreviewText:
        """The preheader and the line an inbox shows next to the subject."""
        if self.html.strip():
            return preview_text(self.html)
        return PreviewText(None, " ".join(self.text.split())[:INBOX_LINE_CHARS])

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            **self.summary.to_dict(),
            "peer": self.peer,
            "headers": [[k, str(v)] for k, v in self.message.items()],
            "text": self.text,
            "html": self.html,
        }
        shown = self.preview
        data["preheader"] = shown.preheader
        data["inbox_line"] = shown.inbox_line
        if self.verdict is not None:
            data["verdict"] = asdict(self.verdict)
        data["findings"] = [f.to_dict() for f in self.findings]
        return data


def _part(msg: EmailMessage, subtype: str) -> str:
    return body_text(msg, subtype) or ""


def _date(value: str) -> str:
    try:
        return parsedate_to_datetime(value).isoformat() if value else ""
    except (TypeError, ValueError, OverflowError):  # +99999999999999999999 overflows
        return value


def summarize(stored: StoredFile, raw: bytes, received: float = 0.0) -> Summary:
    """The envelope and the listed headers of a stored message (one pass, bounded).

    Never raises for what a message holds: a message that cannot be read at all is
    a row with ``unreadable`` set, so one bad message never stops a listing.
    """
    try:
        trace = read_trace(raw)
        fields = header_fields(raw, trace.end)
        return Summary(
            stored.id,
            trace.sender,
            trace.recipients,
            decoded(first(fields, "From")),
            decoded(first(fields, "To")),
            decoded(first(fields, "Subject")),
            _date(first(fields, "Date")),
            len(raw),
            kind="bounce" if _is_report(first(fields, "Content-Type")) else "message",
            received=received,
        )
    except Exception as exc:  # noqa: BLE001 - any message, however broken, gets its row
        return Summary(
            stored.id, "", (), "", "", "", "", len(raw), f"unreadable: {exc!r}", received=received
        )


class Inbox:
    """Read access to a sink's Maildir (reading never creates it)."""

    def __init__(self, maildir: Path) -> None:
        self.store = MaildirStore(maildir, create=False)
        # Stored messages never change: each is summarized once per file.
        self._summaries: dict[Path, Summary] = {}

    @property
    def exists(self) -> bool:
        return self.store.exists

    def list(self) -> list[Summary]:
        out = []
        seen = set()
        for f in self.store.files():
            seen.add(f.path)
            summary = self._summaries.get(f.path)
            if summary is None:
                try:
                    raw = f.path.read_bytes()
                    received = f.path.stat().st_mtime
                except OSError:
                    continue  # removed meanwhile
                summary = self._summaries[f.path] = summarize(f, raw, received)
            out.append(summary)
        for gone in set(self._summaries) - seen:
            del self._summaries[gone]
        return out

    def get(self, message_id: str) -> CapturedMessage:
        stored = self.store.find(message_id)
        try:
            raw = stored.path.read_bytes()
        except OSError as exc:
            raise SinkError(f"{stored.path}: cannot read: {exc.strerror}") from None
        summary = summarize(stored, raw)
        try:
            msg = read_message(raw)
        except Exception as exc:  # noqa: BLE001 - shown as unreadable, never a crash
            msg = EmailMessage()
            summary = replace(summary, unreadable=summary.unreadable or f"unreadable: {exc!r}")
        return CapturedMessage(
            summary,
            raw,
            msg,
            _part(msg, "plain"),
            _part(msg, "html"),
            read_trace(raw).peer,
        )

    def delete(self, message_id: str) -> None:
        self.store.delete(message_id)

    def clear(self) -> int:
        """Delete every message and the log of refused attempts; returns the messages."""
        clear_refusals(self.store.root)
        return self.store.clear()

    def refusals(self) -> builtins.list[Refusal]:
        """The attempts the sink's fault rules refused (log beside the Maildir)."""
        return read_refusals(self.store.root)

    def timeline(self) -> builtins.list[Summary | Refusal]:
        """Stored messages, bounces and refused attempts together, oldest first."""
        entries: builtins.list[tuple[float, int, Summary | Refusal]] = [
            (delivered_at(s.id) or s.received, 0, s) for s in self.list()
        ]
        for r in self.refusals():
            try:
                when = dt.datetime.fromisoformat(r.time).timestamp()
            except ValueError:
                when = 0.0
            entries.append((when, 1, r))
        entries.sort(key=lambda e: (e[0], e[1]))
        return [e[2] for e in entries]


# -- authentication verdict ----------------------------------------------------------


def _dnsfunc(resolver: Resolver):  # type: ignore[no-untyped-def]
    """A dkimpy ``dnsfunc`` over the studio resolver (sync; one event loop per call)."""

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        answer = asyncio.run(resolver.resolve(name.decode().rstrip("."), "TXT"))
        return answer.records[0].encode() if answer.records else None

    return lookup


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower()


def _aligned(a: str, b: str) -> bool:
    return bool(a) and bool(b) and org_domain(a) == org_domain(b)


def verify(
    captured: CapturedMessage,
    workspace: Workspace | None = None,
    *,
    resolver: Resolver | None = None,
) -> Verdict:
    """DKIM, SPF and DMARC alignment of a captured message."""
    if resolver is None:
        resolver = workspace_resolver(workspace)
    # The sink's own trace headers are not part of what was signed.
    body_start = original(captured.raw)
    msg = captured.message
    sig = str(msg.get("DKIM-Signature", ""))
    d_match = re.search(r"\bd=([^;\s]+)", sig)
    dkim_domain = d_match.group(1).lower() if d_match else None
    if not sig:
        dkim_result, reason = "none", "not signed"
    else:
        try:
            ok = dkim.verify(body_start, dnsfunc=_dnsfunc(resolver))
            dkim_result, reason = ("pass", "") if ok else ("fail", "signature does not verify")
        except dkim.DKIMException as exc:
            dkim_result, reason = "fail", str(exc)
    from_domain = _domain(str(msg.get("From", "")))
    mail_from = _domain(captured.summary.sender) or from_domain
    ip = captured.peer
    note = ""
    try:
        loopback = ipaddress.ip_address(ip).is_loopback
    except ValueError:
        loopback = True
    if loopback and workspace and workspace.settings.sending_ips:
        ip = workspace.settings.sending_ips[0]
        note = f"sent over loopback: evaluated as from the dedicated IP {ip}"
    elif loopback:
        note = "sent over loopback and no sending_ips configured"
        ip = ""
    spf_result = "none"
    if ip and mail_from:
        spf_result, _ = asyncio.run(
            check_host(ip, mail_from, resolver=resolver, sender=captured.summary.sender or None)
        )
    aligned_dkim = dkim_result == "pass" and _aligned(dkim_domain or "", from_domain)
    aligned_spf = spf_result == "pass" and _aligned(mail_from, from_domain)
    return Verdict(
        dkim_result,
        dkim_domain,
        reason,
        spf_result,
        ip or None,
        note,
        "pass" if aligned_dkim or aligned_spf else "fail",
        aligned_dkim,
        aligned_spf,
    )


def verdict_of(raw: bytes, workspace: Workspace | None) -> Verdict:
    """The verdict of a message as the sink stores it (trace headers first), before it
    is stored: what ``dmarc-reject`` refuses on."""
    summary = summarize(StoredFile("", Path()), raw)
    captured = CapturedMessage(summary, raw, read_message(raw), "", "", read_trace(raw).peer)
    return verify(captured, workspace)


INSPECTED_KEEP = 1000
"""Inspections kept in memory (the oldest are dropped beyond)."""
_inspected: OrderedDict[tuple[str, str, str], tuple[Verdict, tuple[Finding, ...]]] = OrderedDict()
_inspected_lock = threading.Lock()


def _inspection_key(captured: CapturedMessage, workspace: Workspace | None) -> tuple[str, str, str]:
    """The message id, its content and the settings judged by: a stored message never
    changes, so the same key gives the same verdict (unless the DNS answers changed)."""
    content = hashlib.sha256(captured.raw).hexdigest()
    judged_by = f"{workspace.root}:{workspace.settings!r}" if workspace else ""
    return captured.summary.id, content, judged_by


def inspect(captured: CapturedMessage, workspace: Workspace | None) -> CapturedMessage:
    """Attach the verdict and the message checks to a captured message.

    Verdicts are kept by message id (and content, and the workspace's settings), so
    the inbox refreshing every few seconds verifies only the messages that are new:
    DKIM, SPF and the message checks run once per message.
    """
    key = _inspection_key(captured, workspace)
    with _inspected_lock:
        known = _inspected.get(key)
        if known is not None:
            _inspected.move_to_end(key)
    if known is None:
        known = _inspect(captured, workspace)
        with _inspected_lock:
            _inspected[key] = known
            while len(_inspected) > INSPECTED_KEEP:
                _inspected.popitem(last=False)
    captured.verdict, captured.findings = known[0], list(known[1])
    return captured


def _inspect(
    captured: CapturedMessage, workspace: Workspace | None
) -> tuple[Verdict, tuple[Finding, ...]]:
    from .checks import lint_message, message_from_eml

    verdict = verify(captured, workspace)
    findings = lint_message(workspace, message_from_eml(captured.raw))
    if verdict.dkim == "fail":
        findings.append(
            Finding(
                "message.dkim-fail",
                CATALOGUE["message.dkim-fail"].severity,
                captured.summary.id,
                verdict.dkim_reason,
            )
        )
    return verdict, tuple(findings)


_NOT_RELAYED = ("Bcc", "Resent-Bcc")
"""Headers a submission server removes before relaying (RFC 5322 3.6.3)."""


def released_message(raw: bytes) -> EmailMessage:
    """What release hands to the relay: the application's message, as it sent it.

    The sink's trace block (Return-Path, X-Studio-Envelope-To, X-Studio-Peer, its
    Received) is cut off the bytes, and Bcc removed; nothing is refolded.
    """
    policy = email.policy.default.clone(refold_source="none")
    msg = email.message_from_bytes(original(raw), policy=policy)
    assert isinstance(msg, EmailMessage)
    for name in _NOT_RELAYED:
        del msg[name]
    return msg


def release(captured: CapturedMessage, workspace: Workspace, relay: str) -> SendResult:
    """Send a captured message on through a relay, as the application sent it, to its
    envelope recipients.

    The relay's allow-list applies as to any send (every envelope recipient must be
    allowed); the sink's headers and Bcc are not sent.
    """
    transport = transport_for(workspace, relay)
    return transport.send(released_message(captured.raw), list(captured.summary.recipients))
