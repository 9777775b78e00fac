"""The inbox: messages captured by the sink, read back from its Maildir.

Each message comes with its envelope (the trace headers the sink adds), its parts,
and an **authentication verdict** as a receiver would see it: the DKIM signature
verified with ``dkimpy`` against DNS (live, or the workspace's zone files), SPF of
the sending IP, and DMARC alignment of the From domain with the DKIM ``d=`` and
the Return-Path domain.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ipaddress
import re
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import dkim

from .catalogue import CATALOGUE
from .dns import workspace_resolver
from .dns.dmarc import org_domain
from .dns.resolver import Resolver
from .dns.spf import check_host
from .findings import Finding
from .send import SendResult, transport_for
from .sink.store import MaildirStore, StoredFile
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

    def to_dict(self) -> dict[str, object]:
        """The summary as ``studio inbox list -f json`` prints it (``from``, not ``from_``)."""
        data = asdict(self)
        data["from"] = data.pop("from_")
        return data


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

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            **self.summary.to_dict(),
            "peer": self.peer,
            "headers": [[k, str(v)] for k, v in self.message.items()],
            "text": self.text,
            "html": self.html,
        }
        if self.verdict is not None:
            data["verdict"] = asdict(self.verdict)
        data["findings"] = [f.to_dict() for f in self.findings]
        return data


def _parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _part(msg: EmailMessage, subtype: str) -> str:
    body = msg.get_body((subtype,))
    if body is None:
        return ""
    try:
        return str(body.get_content())
    except (LookupError, ValueError):
        return ""


def summarize(stored: StoredFile, raw: bytes, msg: EmailMessage) -> Summary:
    sender = parseaddr(str(msg.get("Return-Path", "")))[1]
    rcpts = tuple(
        r.strip() for r in str(msg.get("X-Studio-Envelope-To", "")).split(",") if r.strip()
    )
    try:
        date = parsedate_to_datetime(str(msg["Date"])).isoformat() if msg["Date"] else ""
    except (TypeError, ValueError):
        date = str(msg.get("Date", ""))
    return Summary(
        stored.id,
        sender,
        rcpts,
        str(msg.get("From", "")),
        str(msg.get("To", "")),
        str(msg.get("Subject", "")),
        date,
        len(raw),
    )


class Inbox:
    """Read access to a sink's Maildir."""

    def __init__(self, maildir: Path) -> None:
        self.store = MaildirStore(maildir)

    def list(self) -> list[Summary]:
        out = []
        for f in self.store.files():
            try:
                raw = f.path.read_bytes()
            except OSError:
                continue  # removed meanwhile
            out.append(summarize(f, raw, _parse(raw)))
        return out

    def get(self, message_id: str) -> CapturedMessage:
        stored = self.store.find(message_id)
        raw = stored.path.read_bytes()
        msg = _parse(raw)
        return CapturedMessage(
            summarize(stored, raw, msg),
            raw,
            msg,
            _part(msg, "plain"),
            _part(msg, "html"),
            str(msg.get("X-Studio-Peer", "")),
        )

    def delete(self, message_id: str) -> None:
        self.store.delete(message_id)

    def clear(self) -> int:
        return self.store.clear()


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
    raw = captured.raw
    # The sink's own trace headers are not part of what was signed.
    body_start = raw
    for header in (b"Return-Path:", b"X-Studio-Envelope-To:", b"X-Studio-Peer:", b"Received:"):
        if body_start.startswith(header):
            body_start = body_start.split(b"\r\n", 1)[1] if b"\r\n" in body_start else body_start
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


def inspect(captured: CapturedMessage, workspace: Workspace | None) -> CapturedMessage:
    """Attach the verdict and the message checks to a captured message."""
    from .checks import lint_message, message_from_eml

    captured.verdict = verify(captured, workspace)
    findings = lint_message(workspace, message_from_eml(captured.raw))
    if captured.verdict.dkim == "fail":
        findings.append(
            Finding(
                "message.dkim-fail",
                CATALOGUE["message.dkim-fail"].severity,
                captured.summary.id,
                captured.verdict.dkim_reason,
            )
        )
    captured.findings = findings
    return captured


def release(captured: CapturedMessage, workspace: Workspace, relay: str) -> SendResult:
    """Send a captured message on through a relay, as captured, to its envelope recipients.

    The relay's allow-list applies as to any send.
    """
    transport = transport_for(workspace, relay)
    return transport.send(captured.message, list(captured.summary.recipients))
