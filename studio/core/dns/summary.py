"""One line per protocol of a preflight: what passed as well as what failed.

The findings of a preflight name only problems (and a few notes); a person reading
the result also wants to see that SPF ends in ``-all``, that DMARC says
``p=reject`` and that the DKIM key is a 2048-bit RSA key. :func:`summarize` reads
that from the records the preflight saw and the findings each check returned, so
``studio dns`` and the studio's deliverability screen show the same summary.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..report import Section
from .checks import PROTOCOL_OF
from .dkim import key_name, parse_dkim
from .dmarc import parse_dmarc
from .spf import parse_spf

if TYPE_CHECKING:
    from . import DnsReport


class Status(enum.Enum):
    """How one protocol of the domain stands."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ABSENT = "absent"
    """Not published and not required (BIMI), or not checked (no selector, no IP)."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ProtocolSummary:
    """One row: a protocol (or one DKIM selector, one sending IP) and how it stands."""

    protocol: str
    """``SPF``, ``DKIM``, ``DMARC``, ``MX``, ``MTA-STS``, ``TLS-RPT``, ``BIMI``, ``PTR``
    ``Marketing`` or ``Relay`` (one row per relay checked against its provider's preset)."""
    subject: str
    """What was looked at: the domain, the selector's key name, the IP."""
    status: Status
    summary: str
    """One line on what was found (``p=reject, adkim=s, aspf=s``), or what is missing."""
    ids: tuple[str, ...] = ()
    """The finding ids behind a warn or fail, worst first."""

    def line(self) -> str:
        """The row as one line of text (``studio dns``)."""
        ids = f"  [{', '.join(self.ids)}]" if self.ids else ""
        return f"{self.status.value:<6} {self.protocol:<9} {self.summary}{ids}"


def _status(findings: list[Finding]) -> tuple[Status, tuple[str, ...]]:
    problems = sorted(
        (f for f in findings if f.severity > Severity.INFO and not f.suppressed),
        key=lambda f: -f.severity,
    )
    ids = tuple(dict.fromkeys(f.id for f in problems))
    if any(f.severity == Severity.ERROR for f in problems):
        return Status.FAIL, ids
    if problems:
        return Status.WARN, ids
    return Status.PASS, ids


def _row(
    protocol: str, subject: str, findings: list[Finding], found: str | None, missing: str
) -> ProtocolSummary:
    status, ids = _status(findings)
    unchecked = next((f for f in findings if f.id == "dns.not-checked"), None)
    if found is None and status is Status.PASS and unchecked is not None:
        # Outside the zone files and no resolver: neither passed nor failed.
        return ProtocolSummary(protocol, subject, Status.ABSENT, unchecked.message, ids)
    if found is not None and unchecked is not None:
        found += " (not all checked: outside the zone files)"
    if found is None and status is Status.PASS:
        # Nothing published and no finding: optional (BIMI) or not reached.
        return ProtocolSummary(protocol, subject, Status.ABSENT, missing, ids)
    if found is None:
        worst = next(f for f in findings if f.id == ids[0])
        return ProtocolSummary(protocol, subject, status, worst.message, ids)
    return ProtocolSummary(protocol, subject, status, found, ids)


def _records(report: DnsReport, protocol: str) -> list[tuple[str, str]]:
    return report.records.get(protocol, [])


def _spf(report: DnsReport) -> ProtocolSummary:
    records = _records(report, "SPF")
    found = None
    if records:
        rec = parse_spf(records[0][1])
        alls = [t for t in rec.mechanisms if t.mechanism == "all"]
        ending = str(alls[-1]) if alls else "no all"
        lookups = report.spf_tree.total if report.spf_tree is not None else 0
        found = f"ends {ending}, {lookups} of 10 lookups: {records[0][1]}"
    return _row("SPF", report.domain, report.sections.get("SPF", []), found, "no SPF record")


def _dkim(report: DnsReport) -> list[ProtocolSummary]:
    if not report.selectors:
        return [
            ProtocolSummary(
                "DKIM", report.domain, Status.ABSENT, "not checked: no dkim_selectors set"
            )
        ]
    rows = []
    seen = dict(_records(report, "DKIM"))
    for selector in report.selectors:
        name = key_name(selector, report.domain)
        mine = [f for f in report.sections.get("DKIM", []) if f.subject == name]
        text = next((t for n, t in seen.items() if n == name or n.startswith(name + " ")), None)
        found = None
        if text is not None:
            key = parse_dkim(selector, name, text)
            size = f" {key.bits} bits" if key.bits else ""
            found = f"{selector}: {key.key_type}{size}" + (" (revoked)" if key.revoked else "")
        rows.append(_row("DKIM", name, mine, found, f"{selector}: no key at {name}"))
    return rows


def _dmarc(report: DnsReport) -> ProtocolSummary:
    records = _records(report, "DMARC")
    found = None
    if records:
        name, text = records[0]
        domain = name.removeprefix("_dmarc.")
        rec = parse_dmarc(name, domain, text)
        parts = [f"p={rec.policy}"]
        if "sp" in rec.tags:
            parts.append(f"sp={rec.subdomain_policy}")
        if rec.pct < 100:
            parts.append(f"pct={rec.pct}")
        parts += [f"{t}={rec.tags[t]}" for t in ("adkim", "aspf") if t in rec.tags]
        rua = rec.uris("rua")
        parts.append(
            "reports to " + ", ".join(u.removeprefix("mailto:") for u in rua) if rua else "no rua="
        )
        found = ", ".join(parts)
        if domain != report.domain:
            found += f" (inherited from {domain})"
    return _row("DMARC", report.domain, report.sections.get("DMARC", []), found, "no DMARC record")


def _simple(report: DnsReport, protocol: str, subject: str, missing: str) -> ProtocolSummary:
    records = _records(report, protocol)
    found = "; ".join(t for _, t in records) if records else None
    return _row(protocol, subject, report.sections.get(protocol, []), found, missing)


def _ptr(report: DnsReport) -> list[ProtocolSummary]:
    if not report.ips:
        return [
            ProtocolSummary("PTR", report.domain, Status.ABSENT, "not checked: no sending_ips set")
        ]
    rows = []
    names: dict[str, list[str]] = {}
    for ip, name in _records(report, "PTR"):
        names.setdefault(ip, []).append(name)
    for ip in report.ips:
        reverse = ipaddress.ip_address(ip).reverse_pointer
        mine = [f for f in report.sections.get("PTR", []) if f.subject in (ip, reverse)]
        found = f"{ip} → {', '.join(names[ip])}" if ip in names else None
        rows.append(_row("PTR", ip, mine, found, f"{ip} has no PTR record"))
    return rows


def _marketing(report: DnsReport) -> ProtocolSummary:
    if not report.marketing_domain:
        return ProtocolSummary(
            "Marketing", report.domain, Status.ABSENT, "not checked: no marketing_domain set"
        )
    found = f"separate from {report.marketing_domain} (own domain, selectors and keys)"
    return _row("Marketing", report.domain, report.sections.get("Domain", []), found, "")


def _relays(report: DnsReport) -> list[ProtocolSummary]:
    rows = []
    for rc in report.relays:
        mine = [f for f in report.sections.get("Relays", []) if f.details.get("relay") == rc.relay]
        p = rc.preset
        how = f"CNAME into {p.cname_targets[0]}" if p.cname == "required" else "published"
        found = (
            f"{p.name}: SPF include:{' or include:'.join(p.spf_includes)};"
            f" DKIM {', '.join(p.selectors) or 'selector ' + p.example_selector} {how}"
        )
        rows.append(_row("Relay", rc.relay, mine, found, ""))
    return rows


def summarize(report: DnsReport) -> list[ProtocolSummary]:
    """One row per protocol (one per DKIM selector and per sending IP), in a fixed order."""
    d = report.domain
    return [
        _spf(report),
        *_dkim(report),
        _dmarc(report),
        _simple(report, "MX", d, "no MX record"),
        _simple(report, "MTA-STS", f"_mta-sts.{d}", "no MTA-STS record"),
        _simple(report, "TLS-RPT", f"_smtp._tls.{d}", "no TLS-RPT record"),
        _simple(report, "BIMI", f"default._bimi.{d}", "not published (optional)"),
        *_ptr(report),
        _marketing(report),
        *_relays(report),
    ]


PROTOCOL_ORDER = ("SPF", "DKIM", "DMARC", "MX", "MTA-STS", "TLS-RPT", "BIMI", "PTR", "Domain")
"""The checks of the preflight, in the summary's order (the report and the studio)."""
SECTION_ORDER = (*PROTOCOL_ORDER, "Relays")
"""The blocks of the text report, in the summary's order."""


def _shorten(text: str) -> str:
    return text if len(text) < 110 else text[:107] + "..."


def by_protocol(report: DnsReport) -> list[Section]:
    """The records found and the findings, in one block per protocol: each finding
    under its protocol's records (a DNS failure under the check that met it). Findings
    added after the checks (drift) get a block of their own, by id prefix."""
    blocks: dict[str, tuple[list[str], list[Finding]]] = {}
    for protocol, records in report.records.items():
        blocks.setdefault(protocol, ([], []))[0].extend(
            f"{name}: {_shorten(text)}" for name, text in records
        )
    tree = report.spf_tree
    if tree is not None and tree.record is not None:
        before = blocks.setdefault("SPF", ([], []))[0]
        before.append(f"include tree ({tree.total} of 10 lookups):")
        before += ["  " + line for line in tree.render()]
    placed: set[int] = set()
    for section, findings in report.sections.items():
        for f in findings:  # a relay's findings go under SPF and DKIM
            where = PROTOCOL_OF.get(f.id.split(".")[0], section) if section == "Relays" else section
            blocks.setdefault(where, ([], []))[1].append(f)
            placed.add(id(f))
    for f in report.findings:
        if id(f) not in placed:
            prefix = f.id.split(".")[0]
            blocks.setdefault(prefix.upper() if len(prefix) <= 4 else prefix.title(), ([], []))[
                1
            ].append(f)
    order = sorted(
        blocks,
        key=lambda k: (SECTION_ORDER.index(k) if k in SECTION_ORDER else len(SECTION_ORDER), k),
    )
    return [(k, blocks[k][0], blocks[k][1]) for k in order]
