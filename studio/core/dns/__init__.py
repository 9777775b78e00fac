"""DNS preflight of the dedicated transactional sending domain.

Entry points:

* :func:`preflight` — run every check for a domain through a resolver;
* :func:`preflight_sync` — the same from synchronous code (the CLI, a TUI worker);
* :func:`resolver_for` — a live resolver (system or ``HOST[:PORT]`` nameservers) or
  a zone-file resolver, wrapped in a per-run cache;
* :func:`workspace_resolver` — that resolver as the workspace's ``[dns]`` settings
  describe it (what the inbox verifies captured mail with);
* :func:`preflight_for` — the preflight of a workspace's domain with its settings,
  each one overridable: what ``studio dns``, the deliverability screen and
  ``studio check`` all run, so they cannot drift apart.

The ids these checks report are in :mod:`studio.core.catalogue`. This package
loads neither the template engine nor the checks engine.

Layering per protocol follows ``query_* → parse_* → check_*`` (``spf.py``,
``dkim.py``, ``dmarc.py``; the checks are in ``checks.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import ConfigError
from ..findings import Finding
from .checks import CHECKS, PROTOCOL_OF, SECTION_OF, DnsContext
from .relays import RelayCheck, detect, preset
from .resolver import CachingResolver, LiveResolver, Resolver, ZoneResolver
from .spf import SpfNode

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = [
    "DnsReport",
    "preflight",
    "preflight_for",
    "preflight_sync",
    "relay_checks",
    "resolver_for",
    "workspace_resolver",
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
    selectors: tuple[str, ...] = ()
    """The DKIM selectors checked."""
    ips: tuple[str, ...] = ()
    """The sending IPs checked (SPF authorisation, PTR)."""
    marketing_domain: str | None = None
    """The marketing domain the separation was checked against, if any."""
    sections: dict[str, list[Finding]] = field(default_factory=dict)
    """The findings of each check (``"SPF"``, ``"DKIM"``… ``"Domain"``), DNS failures included."""
    relays: tuple[RelayCheck, ...] = ()
    """The relays (and their providers' presets) the domain was checked for."""
    baseline: str | None = None
    """The baseline file the findings include the drift from (``drift.*``), if any."""

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
    live: bool = False,
) -> CachingResolver:
    """A cached resolver: zone files when given, else live DNS.

    With zone files, the names they do not cover are asked of ``nameservers`` when
    given, else of the system's resolver when ``live``; else they are not checked.
    """
    inner: Resolver
    if zone_files:
        fallback = (
            LiveResolver(nameservers, timeout=timeout, retries=retries)
            if nameservers or live
            else None
        )
        inner = ZoneResolver(zone_files, fallback)
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
    relays: Sequence[RelayCheck] = (),
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
        relays=tuple(relays),
    )
    results = await asyncio.gather(*(check(ctx) for check in CHECKS))
    findings = [f for r in results for f in r]
    sections = {SECTION_OF[c.__name__]: r for c, r in zip(CHECKS, results, strict=True)}
    report = DnsReport(
        ctx.domain,
        findings,
        ctx.spf_tree,
        ctx.records,
        selectors=ctx.selectors,
        ips=ctx.ips,
        marketing_domain=ctx.marketing_domain,
        sections=sections,
        relays=ctx.relays,
    )
    if isinstance(resolver, CachingResolver):
        report.queries, report.cache_hits = resolver.queries, resolver.hits
    report.seconds = time.perf_counter() - started
    return report


def preflight_sync(domain: str, **kwargs: object) -> DnsReport:
    """:func:`preflight` from synchronous code (runs its own event loop)."""
    return asyncio.run(preflight(domain, **kwargs))  # type: ignore[arg-type]


def workspace_resolver(
    workspace: Workspace | None,
    *,
    nameservers: Sequence[str] = (),
    zone_files: Sequence[Path] = (),
    timeout: float | None = None,
    retries: int | None = None,
    use_dns_settings: bool = True,
    live: bool | None = None,
) -> CachingResolver:
    """The resolver the workspace's ``[dns]`` settings describe; arguments given win.

    Nameservers given alone replace the settings' resolver (live DNS through them).
    Otherwise the zone files given, else the settings' (when ``use_dns_settings``),
    answer first, and the names they do not cover go to the nameservers given, else
    the settings', else the system's resolver when ``live`` (default: the settings'
    ``live``), else are reported not checked. Without zone files: the settings'
    nameservers, else the system's resolver. Timeout and retries come from the
    settings unless given.
    """
    dns = workspace.settings.dns if workspace is not None else None
    settings = dns if dns is not None and use_dns_settings else None
    if not (nameservers and not zone_files) and settings is not None:
        if not zone_files:
            assert workspace is not None
            zone_files = [workspace.root / z for z in settings.zone_files]
        nameservers = nameservers or settings.nameservers
    if live is None:
        live = settings.live if settings is not None else False
    return resolver_for(
        zone_files=zone_files,
        nameservers=nameservers,
        timeout=timeout if timeout is not None else (dns.timeout if dns else 3.0),
        retries=retries if retries is not None else (dns.retries if dns else 1),
        live=live,
    )


def preflight_for(
    workspace: Workspace | None,
    domain: str | None = None,
    *,
    selectors: Sequence[str] = (),
    ips: Sequence[str] = (),
    nameservers: Sequence[str] = (),
    zone_files: Sequence[Path] = (),
    timeout: float | None = None,
    retries: int | None = None,
    providers: Sequence[str] = (),
    live: bool | None = None,
) -> DnsReport:
    """The DNS preflight of ``domain`` (default: the workspace's transactional domain).

    For the workspace's own domain, the selectors, sending IPs, marketing domain and
    resolver come from the settings; an argument given (non-empty, or not None)
    overrides its setting. Another domain is checked with only what is given, over
    live DNS, with the settings' timeout and retries.

    ``providers`` (relay preset names) replace the relays of the settings: each
    configured relay is checked with its ``provider``, or the one its host belongs to.

    Raises:
        ConfigError: no domain given and none in the settings; an unknown provider.
    """
    s = workspace.settings if workspace is not None else None
    domain = domain or (s.transactional_domain if s else None)
    if not domain:
        raise ConfigError("no domain: give DOMAIN or set transactional_domain in the settings")
    own = s is not None and domain == s.transactional_domain
    if own and s is not None:
        selectors = selectors or s.dkim_selectors
        ips = ips or s.sending_ips
    resolver = workspace_resolver(
        workspace,
        nameservers=nameservers,
        zone_files=zone_files,
        timeout=timeout,
        retries=retries,
        use_dns_settings=own,
        live=live,
    )
    return preflight_sync(
        domain,
        resolver=resolver,
        selectors=selectors,
        ips=ips,
        marketing_domain=s.marketing_domain if own and s else None,
        marketing_selectors=s.marketing_dkim_selectors if own and s else (),
        relays=relay_checks(workspace if own else None, providers),
    )


def relay_checks(workspace: Workspace | None, providers: Sequence[str] = ()) -> list[RelayCheck]:
    """The relays to check a domain for: the ``providers`` named, else the workspace's
    relays that have a provider (set, or detected from the host)."""
    if providers:
        named = [preset(p, where="--provider") for p in providers]
        return [RelayCheck(p.key, p) for p in dict.fromkeys(named)]
    out = []
    relays = workspace.settings.relays if workspace is not None else {}
    for name, relay in relays.items():
        found = preset(relay.provider) if relay.provider else detect(relay.host)
        if found is not None:
            out.append(RelayCheck(name, found))
    return out
