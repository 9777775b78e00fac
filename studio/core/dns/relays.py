"""Relay presets: what the common sending services need from the sending domain's DNS.

The data is ``data/relays.json`` (one entry per provider, with the provider's own
documentation as sources and a note on how to refresh it). For each provider it
says which SPF ``include:`` authorises its servers and how it names and publishes
its DKIM selectors: fixed names (SendGrid's ``s1``/``s2``), a pattern
(Postmark's ``YYYYMMDDhhmmsspm``), and whether the selector is a CNAME into the
provider's zone (so the provider can rotate the key) or a TXT record copied once.

:func:`check_relays` is the DNS check that reads it: a relay configured with a
provider (``provider = "mailjet"`` under ``[relays.NAME]``, or detected from the
relay's host) must be authorised by the domain's SPF and have its DKIM selectors
published the provider's way. Ids: ``spf.relay-not-authorized``,
``dkim.relay-selector-missing``, ``dkim.relay-cname-mismatch``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from ...errors import ConfigError
from ..findings import Finding
from .dkim import key_name, query_dkim

if TYPE_CHECKING:
    from .checks import DnsContext

CNAME_MODES = ("required", "optional", "none")


@dataclass(frozen=True)
class Preset:
    """One provider's DNS conventions (an entry of ``data/relays.json``)."""

    key: str
    """The name settings use: ``sendgrid``, ``mailgun``, ``ses``..."""
    name: str
    hosts: tuple[str, ...]
    """SMTP hosts of the provider (a relay host equal to one, or under it, is this provider)."""
    host_pattern: str | None
    spf_includes: tuple[str, ...]
    """Any one of these in the SPF include tree authorises the provider."""
    spf_note: str
    selectors: tuple[str, ...]
    """Selector names the provider always uses (checked when none is configured)."""
    selector_pattern: str | None
    """Selector names the provider generates (a configured selector matching is its)."""
    example_selector: str
    cname: str
    """``required``: the selector must be a CNAME into ``cname_targets``; ``optional``:
    a CNAME, if it is one, must point there; ``none``: a TXT key is published."""
    cname_targets: tuple[str, ...]
    dkim_note: str
    sources: tuple[str, ...]

    def owns_selector(self, selector: str) -> bool:
        s = selector.lower()
        if s in self.selectors:
            return True
        return bool(self.selector_pattern and re.fullmatch(self.selector_pattern, s))

    def serves_host(self, host: str) -> bool:
        h = host.lower().rstrip(".")
        if self.host_pattern:
            return bool(re.fullmatch(self.host_pattern, h))
        return any(h == x or h.endswith("." + x) for x in self.hosts)

    def authorises(self, domain: str) -> bool:
        """``domain`` (an SPF include or redirect target) is one of the provider's."""
        d = domain.lower().rstrip(".")
        return any(d == x or d.endswith("." + x) for x in self.spf_includes)

    def delegates_to(self, target: str) -> bool:
        t = target.lower().rstrip(".")
        return any(t == x or t.endswith("." + x) for x in self.cname_targets)


def _preset(key: str, entry: dict[str, object]) -> Preset:
    spf = entry["spf"]
    dkim = entry["dkim"]
    assert isinstance(spf, dict) and isinstance(dkim, dict)
    preset = Preset(
        key=key,
        name=str(entry["name"]),
        hosts=tuple(entry.get("hosts", ())),  # type: ignore[arg-type]
        host_pattern=entry.get("host_pattern"),  # type: ignore[arg-type]
        spf_includes=tuple(spf["include"]),
        spf_note=str(spf.get("note", "")),
        selectors=tuple(s.lower() for s in dkim.get("selectors", ())),
        selector_pattern=dkim.get("pattern"),
        example_selector=str(dkim.get("example", "")),
        cname=str(dkim.get("cname", "none")),
        cname_targets=tuple(dkim.get("cname_targets", ())),
        dkim_note=str(dkim.get("note", "")),
        sources=tuple(entry.get("sources", ())),  # type: ignore[arg-type]
    )
    if preset.cname not in CNAME_MODES or not preset.spf_includes or not preset.sources:
        raise ValueError(f"relays.json: provider {key!r} is incomplete")
    if preset.cname == "required" and not preset.cname_targets:
        raise ValueError(f"relays.json: provider {key!r} delegates DKIM to no target")
    return preset


@functools.cache
def presets() -> dict[str, Preset]:
    """Every preset, by name (read once from the package's ``data/relays.json``)."""
    text = resources.files(__package__).joinpath("data/relays.json").read_text("utf-8")
    doc = json.loads(text)
    return {key: _preset(key, entry) for key, entry in doc["providers"].items()}


def preset(name: str, *, where: str = "provider") -> Preset:
    """The preset called ``name``.

    Raises:
        ConfigError: no such preset (the message lists the known ones).
    """
    found = presets().get(name.strip().lower())
    if found is None:
        raise ConfigError(
            f"{where} = {name!r}: unknown relay provider (known: {', '.join(sorted(presets()))})"
        )
    return found


def detect(host: str) -> Preset | None:
    """The provider whose SMTP host ``host`` is, if any."""
    return next((p for p in presets().values() if p.serves_host(host)), None)


@dataclass(frozen=True)
class RelayCheck:
    """A relay to check the domain for: its name (the settings' or ``--provider``'s)
    and its provider's preset."""

    relay: str
    preset: Preset


def _label(rc: RelayCheck) -> str:
    return f"relay {rc.relay} ({rc.preset.name})" if rc.relay != rc.preset.key else rc.preset.name


async def _check_spf(ctx: DnsContext, rc: RelayCheck) -> list[Finding]:
    from .checks import spf_tree

    tree = await spf_tree(ctx)
    if tree.answer is not None and tree.answer.failed:
        return []  # check_spf reports the failure
    p = rc.preset
    if tree.record is not None and any(p.authorises(n.domain) for n in tree.walk()):
        return []
    wanted = " or ".join(f"include:{i}" for i in p.spf_includes)
    why = "has no SPF record" if tree.record is None else "does not authorise it"
    return [
        ctx.finding(
            "spf.relay-not-authorized",
            f"{_label(rc)} is configured but the SPF of {ctx.domain} {why}: add {wanted}",
            relay=rc.relay,
            provider=p.key,
            include=list(p.spf_includes),
        )
    ]


async def _check_selector(
    ctx: DnsContext, rc: RelayCheck, selector: str, configured: bool
) -> list[Finding]:
    p = rc.preset
    answer = await query_dkim(selector, ctx.domain, resolver=ctx.resolver)
    name = key_name(selector, ctx.domain)
    if answer.failed:
        return [] if configured else _failed(ctx, answer, f"DKIM selector {selector}")
    out: list[Finding] = []
    has_key = any("p=" in r or r.lower().startswith("v=dkim1") for r in answer.records)
    target = answer.canonical
    if target is not None and p.cname != "none" and not p.delegates_to(target):
        out.append(
            ctx.finding(
                "dkim.relay-cname-mismatch",
                f"{_label(rc)} signs with {selector}, but {name} is a CNAME to {target},"
                f" not into {' or '.join(p.cname_targets)}",
                subject=name,
                relay=rc.relay,
                provider=p.key,
                target=target,
            )
        )
    elif target is None and has_key and p.cname == "required":
        out.append(
            ctx.finding(
                "dkim.relay-cname-mismatch",
                f"{_label(rc)} rotates its keys behind a CNAME into"
                f" {' or '.join(p.cname_targets)}, but {name} is a TXT record"
                " copied once: it stops verifying at the next rotation",
                subject=name,
                relay=rc.relay,
                provider=p.key,
            )
        )
    if not has_key and not configured:  # a configured one is check_dkim's dkim.missing
        out.append(
            ctx.finding(
                "dkim.relay-selector-missing",
                f"{_label(rc)} signs with selector {selector}, which is missing: no key at {name}",
                subject=name,
                relay=rc.relay,
                provider=p.key,
                selector=selector,
            )
        )
    return out


def _failed(ctx: DnsContext, answer: object, what: str) -> list[Finding]:
    from .checks import failed

    return failed(ctx, answer, what)  # type: ignore[arg-type]


async def _check_dkim(ctx: DnsContext, rc: RelayCheck) -> list[Finding]:
    p = rc.preset
    owned = [s for s in ctx.selectors if p.owns_selector(s)]
    if not owned and not p.selectors:
        checked = ", ".join(ctx.selectors) or "none"
        return [
            ctx.finding(
                "dkim.relay-selector-missing",
                f"{_label(rc)} signs with a selector like {p.example_selector}; none of the"
                f" selectors checked ({checked}) is one: add it to dkim_selectors",
                relay=rc.relay,
                provider=p.key,
            )
        ]
    todo = [(s, True) for s in owned] or [(s, False) for s in p.selectors]
    results = await asyncio.gather(*(_check_selector(ctx, rc, s, c) for s, c in todo))
    return [f for r in results for f in r]


async def check_relays(ctx: DnsContext) -> list[Finding]:
    """Each configured relay's SPF authorisation and DKIM selectors, by its preset."""
    results = await asyncio.gather(
        *(c(ctx, rc) for rc in ctx.relays for c in (_check_spf, _check_dkim))
    )
    return [f for r in results for f in r]
