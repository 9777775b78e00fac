"""DNS preflight of the dedicated transactional sending domain.

Entry points:

* :func:`preflight` — run every check for a domain through a resolver;
* :func:`preflight_sync` — the same from synchronous code (the CLI, a TUI worker);
* :func:`resolver_for` — a live resolver (system or ``HOST[:PORT]`` nameservers) or
  a zone-file resolver, wrapped in a per-run cache;
* :func:`preflight_workspace` — the workspace's domain with its settings, as findings
  (what ``studio check`` runs).

Layering per protocol follows ``query_* → parse_* → check_*`` (``spf.py``,
``dkim.py``, ``dmarc.py``; the checks are in ``checks.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.catalogue import register
from ..findings import Finding, Location
from ..workspace import Workspace
from .checks import CHECKS, PROTOCOL_OF, DnsContext
from .explain import ENTRIES
from .resolver import CachingResolver, LiveResolver, Resolver, ZoneResolver
from .spf import SpfNode

register(ENTRIES)

__all__ = [
    "DnsReport",
    "preflight",
    "preflight_sync",
    "preflight_workspace",
    "resolver_for",
]


@dataclass
class DnsReport:
    """The result of a preflight: findings plus what was found, for display."""

    domain: str
    findings: list[Finding]
    spf_tree: SpfNode | None
    records: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    queries: int = 0
    cache_hits: int = 0
    seconds: float = 0.0

    def by_protocol(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(PROTOCOL_OF.get(f.id.split(".")[0], "DNS"), []).append(f)
        return out


def resolver_for(
    *,
    zone_files: Sequence[Path] = (),
    nameservers: Sequence[str] = (),
    timeout: float = 3.0,
    retries: int = 1,
) -> CachingResolver:
    """A cached resolver: zone files when given, else live DNS."""
    inner: Resolver
    if zone_files:
        inner = ZoneResolver(zone_files)
    else:
        inner = LiveResolver(nameservers, timeout=timeout, retries=retries)
    return CachingResolver(inner)


async def preflight(
    domain: str,
    *,
    resolver: Resolver,
    selectors: Sequence[str] = (),
    ips: Sequence[str] = (),
    marketing_domain: str | None = None,
    marketing_selectors: Sequence[str] = (),
) -> DnsReport:
    """Every DNS check of ``domain``, run concurrently."""
    started = time.perf_counter()
    ctx = DnsContext(
        domain=domain.lower().rstrip("."),
        resolver=resolver,
        selectors=tuple(selectors),
        ips=tuple(ips),
        marketing_domain=marketing_domain,
        marketing_selectors=tuple(marketing_selectors),
    )
    results = await asyncio.gather(*(check(ctx) for check in CHECKS))
    findings = [f for r in results for f in r]
    report = DnsReport(ctx.domain, findings, ctx.spf_tree, ctx.records)
    if isinstance(resolver, CachingResolver):
        report.queries, report.cache_hits = resolver.queries, resolver.hits
    report.seconds = time.perf_counter() - started
    return report


def preflight_sync(domain: str, **kwargs: object) -> DnsReport:
    """:func:`preflight` from synchronous code (runs its own event loop)."""
    return asyncio.run(preflight(domain, **kwargs))  # type: ignore[arg-type]


def zone_files_of(workspace: Workspace) -> list[Path]:
    return [workspace.root / z for z in workspace.settings.dns.zone_files]


def preflight_workspace(workspace: Workspace) -> list[Finding]:
    """The DNS findings of the workspace's transactional domain (zone files or live)."""
    s = workspace.settings
    if not s.transactional_domain:
        return []
    zones = zone_files_of(workspace) if not s.dns.nameservers else []
    resolver = resolver_for(
        zone_files=zones,
        nameservers=s.dns.nameservers,
        timeout=s.dns.timeout,
        retries=s.dns.retries,
    )
    report = preflight_sync(
        s.transactional_domain,
        resolver=resolver,
        selectors=s.dkim_selectors,
        ips=s.sending_ips,
        marketing_domain=s.marketing_domain,
        marketing_selectors=s.marketing_dkim_selectors,
    )
    if zones:
        where = workspace.relpath(zones[0])
        return [f if f.location else _at(f, where) for f in report.findings]
    return report.findings


def _at(f: Finding, file: str) -> Finding:
    return Finding(f.id, f.severity, f.subject, f.message, Location(file), f.details, f.suppressed)
