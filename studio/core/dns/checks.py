"""The DNS checks: one ``check_*`` coroutine per protocol, all with one signature.

Each takes the run's :class:`DnsContext` and returns findings. They run
concurrently; what one check needs from another (BIMI needs the DMARC policy)
is shared through the context's memo, so each lookup is made once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..catalogue import CATALOGUE
from ..findings import Finding, Severity
from .dkim import parse_dkim, query_dkim
from .dmarc import (
    STRENGTH,
    DmarcRecord,
    org_domain,
    parse_dmarc,
    query_dmarc,
    report_domain,
)
from .relays import RelayCheck, check_relays
from .resolver import NOT_COVERED, UNCHECKED, Answer, Resolver
from .spf import (
    LOOKUP_LIMIT,
    MAX_RECORD,
    VOID_LIMIT,
    SpfNode,
    build_tree,
    is_spf,
)
from .spf_check import check_host, validated_names


@dataclass
class DnsContext:
    domain: str
    resolver: Resolver
    selectors: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    marketing_domain: str | None = None
    marketing_selectors: tuple[str, ...] = ()
    relays: tuple[RelayCheck, ...] = ()
    """Relays whose provider presets the domain is checked for (``relays.py``)."""
    memo: dict[str, asyncio.Task[object]] = field(default_factory=dict)
    spf_tree: SpfNode | None = None
    records: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def finding(
        self,
        check_id: str,
        message: str,
        *,
        subject: str | None = None,
        severity: Severity | None = None,
        **details: object,
    ) -> Finding:
        return Finding(
            check_id,
            severity or CATALOGUE[check_id].severity,
            subject or self.domain,
            message,
            details=details,
        )

    def seen(self, protocol: str, name: str, text: str) -> None:
        self.records.setdefault(protocol, []).append((name, text))

    async def once(self, key: str, make: Callable[[], Awaitable[object]]) -> object:
        task = self.memo.get(key)
        if task is None:
            task = asyncio.ensure_future(make())
            self.memo[key] = task
        return await task


def failed(ctx: DnsContext, answer: Answer, what: str) -> list[Finding]:
    """dns.timeout / dns.servfail / dns.cname-loop for a question that could not be answered."""
    check_id = {
        "timeout": "dns.timeout",
        "loop": "dns.cname-loop",
        UNCHECKED: "dns.not-checked",
    }.get(answer.status, "dns.servfail")
    why = answer.reason or f"{answer.name} {answer.rdtype} gave {answer.status}"
    message = f"{what} could not be checked: {why}"
    if answer.status == UNCHECKED:
        message = f"{what} not checked: {why} (no resolver given: --nameserver or --live)"
    if answer.reason:  # no zone file covers the name (and no resolver): not a failing server
        return [ctx.finding(check_id, message, subject=answer.name, reason=answer.reason)]
    return [ctx.finding(check_id, message, subject=answer.name)]


# -- SPF -----------------------------------------------------------------------------


async def spf_tree(ctx: DnsContext) -> SpfNode:
    """The domain's SPF include tree, built once per run (SPF and relay checks share it)."""
    tree = await ctx.once("spf-tree", lambda: build_tree(ctx.domain, resolver=ctx.resolver))
    assert isinstance(tree, SpfNode)
    return tree


async def check_spf(ctx: DnsContext) -> list[Finding]:
    out: list[Finding] = []
    tree = await spf_tree(ctx)
    ctx.spf_tree = tree
    root = tree.answer
    assert root is not None
    if root.failed:
        return failed(ctx, root, "SPF")
    spf_records = [r for r in root.records if is_spf(r)]
    for r in spf_records:
        ctx.seen("SPF", ctx.domain, r)
    if not spf_records:
        return [ctx.finding("spf.missing", f"{ctx.domain} has no v=spf1 TXT record")]
    if len(spf_records) > 1:
        out.append(
            ctx.finding("spf.multiple", f"{len(spf_records)} SPF records: a permanent error")
        )
    for parts, text in zip(root.strings, root.records, strict=False):
        if is_spf(text) and (any(len(p) > 255 for p in parts) or len(text) > MAX_RECORD):
            out.append(
                ctx.finding(
                    "spf.too-long",
                    f"the record is {len(text)} characters"
                    f" (strings up to 255, record under {MAX_RECORD})",
                )
            )
    for node in tree.walk():
        rec = node.record
        if node.answer is not None and node.answer.failed and node is not tree:
            out += failed(ctx, node.answer, f"SPF of {node.domain}")
            continue
        if node is not tree and rec is None:
            out.append(
                ctx.finding(
                    "spf.include-missing",
                    f"{node.via}:{node.domain} has no SPF record",
                    subject=node.domain,
                )
            )
        if rec is not None:
            for err in rec.errors:
                out.append(ctx.finding("spf.syntax", err, subject=node.domain, record=rec.text))
            if any(t.mechanism == "ptr" for t in rec.mechanisms):
                out.append(
                    ctx.finding("spf.ptr", "the ptr mechanism is deprecated", subject=node.domain)
                )
        for check_id, message in node.problems:
            out.append(ctx.finding(check_id, message, subject=node.domain))
    rec = tree.record
    assert rec is not None
    alls = [t for t in rec.mechanisms if t.mechanism == "all"]
    if alls and alls[-1].qualifier in "+?":
        out.append(
            ctx.finding("spf.all-permissive", f"the record ends with {alls[-1]}", record=rec.text)
        )
    if not alls and rec.modifier("redirect") is None:
        out.append(
            ctx.finding("spf.no-all", "the record has neither all nor redirect=", record=rec.text)
        )
    if tree.total > LOOKUP_LIMIT:
        out.append(
            ctx.finding(
                "spf.lookup-limit",
                f"SPF needs {'at least ' if tree.truncated else ''}{tree.total} DNS lookups;"
                f" receivers stop at {LOOKUP_LIMIT}"
                " (RFC 7208 4.6.4)",
                lookups=tree.total,
                tree="\n".join(tree.render()),
            )
        )
    if tree.total_void > VOID_LIMIT:
        out.append(
            ctx.finding(
                "spf.void-lookups",
                f"{tree.total_void} lookups return no records (limit {VOID_LIMIT})",
            )
        )
    for ip in ctx.ips:
        result, reason = await check_host(ip, ctx.domain, resolver=ctx.resolver)
        if result == "temperror":
            out.append(
                ctx.finding(
                    "dns.not-checked" if reason.startswith(NOT_COVERED) else "dns.timeout",
                    f"check_host({ip}) could not finish: {reason}",
                    subject=ip,
                )
            )
        elif result != "pass":
            out.append(
                ctx.finding(
                    "spf.ip-not-authorized",
                    f"check_host({ip}, {ctx.domain}) = {result}"
                    + (f": {reason}" if reason else ""),
                    subject=ip,
                    result=result,
                )
            )
    return out


# -- DKIM ----------------------------------------------------------------------------


async def check_dkim(ctx: DnsContext) -> list[Finding]:
    async def one(selector: str) -> list[Finding]:
        answer = await query_dkim(selector, ctx.domain, resolver=ctx.resolver)
        name = answer.name
        if answer.failed:
            return failed(ctx, answer, f"DKIM selector {selector}")
        texts = [r for r in answer.records if "p=" in r or r.lower().startswith("v=dkim1")]
        if not texts:
            return [ctx.finding("dkim.missing", f"no DKIM key at {name}", subject=name)]
        key = parse_dkim(selector, answer.canonical or name, texts[0])
        ctx.seen("DKIM", name + (f" → {answer.canonical}" if answer.canonical else ""), texts[0])
        out = [ctx.finding("dkim.syntax", e, subject=name) for e in key.errors]
        if key.revoked:
            out.append(
                ctx.finding("dkim.revoked", f"{name} has an empty p= (revoked)", subject=name)
            )
            return out
        if key.key_type == "rsa" and key.bits is not None and key.bits < 2048:
            out.append(
                ctx.finding(
                    "dkim.key-too-short",
                    f"the RSA key of {selector} is {key.bits} bits",
                    subject=name,
                    severity=Severity.ERROR if key.bits < 1024 else Severity.WARNING,
                    bits=key.bits,
                )
            )
        if key.testing:
            out.append(ctx.finding("dkim.testing", f"{name} has t=y", subject=name))
        if key.hashes and "sha256" not in key.hashes:
            out.append(ctx.finding("dkim.sha1", f"{name} allows only h=sha1", subject=name))
        if not key.errors:
            size = f", {key.bits} bits" if key.bits else ""
            out.append(
                ctx.finding(
                    "dkim.key-type",
                    f"{selector}: {key.key_type}{size}",
                    subject=name,
                    key_type=key.key_type,
                    bits=key.bits,
                )
            )
        return out

    results = await asyncio.gather(*(one(s) for s in ctx.selectors))
    return [f for r in results for f in r]


# -- DMARC ---------------------------------------------------------------------------


async def find_dmarc(ctx: DnsContext) -> tuple[DmarcRecord | None, list[Finding]]:
    async def make() -> tuple[DmarcRecord | None, list[Finding]]:
        out: list[Finding] = []
        org = org_domain(ctx.domain)
        for domain in dict.fromkeys((ctx.domain, org)):
            answer, records = await query_dmarc(domain, resolver=ctx.resolver)
            if answer.failed:
                return None, failed(ctx, answer, "DMARC")
            if not records:
                continue
            for r in records:
                ctx.seen("DMARC", answer.name, r)
            if len(records) > 1:
                out.append(
                    ctx.finding(
                        "dmarc.multiple",
                        f"{len(records)} DMARC records at {answer.name}",
                        subject=answer.name,
                    )
                )
            return parse_dmarc(answer.name, domain, records[0]), out
        return None, [
            ctx.finding(
                "dmarc.missing",
                f"no DMARC record at _dmarc.{ctx.domain}"
                f" nor at the organisational domain _dmarc.{org}",
            )
        ]

    result = await ctx.once("dmarc", make)
    return result  # type: ignore[return-value]


async def check_dmarc(ctx: DnsContext) -> list[Finding]:
    record, out = await find_dmarc(ctx)
    out = list(out)
    if record is None:
        return out
    name = record.name
    out += [ctx.finding("dmarc.syntax", e, subject=name, record=record.text) for e in record.errors]
    inherited = record.domain != ctx.domain
    effective = record.subdomain_policy if inherited else record.policy
    if effective == "none":
        out.append(
            ctx.finding(
                "dmarc.policy-none",
                f"the policy for {ctx.domain} is none"
                + (" (sp= of " + record.domain + ")" if inherited else ""),
                subject=name,
            )
        )
    if inherited and STRENGTH.get(record.subdomain_policy, 0) < STRENGTH.get(record.policy, 0):
        out.append(
            ctx.finding(
                "dmarc.subdomain-policy",
                f"{ctx.domain} is covered by {record.domain}'s sp={record.subdomain_policy},"
                f" weaker than its p={record.policy}",
                subject=name,
            )
        )
    if record.pct < 100:
        out.append(ctx.finding("dmarc.pct", f"pct={record.pct}", subject=name))
    if not record.uris("rua"):
        out.append(ctx.finding("dmarc.no-rua", "no rua= aggregate report address", subject=name))
    own = org_domain(record.domain)
    checks = []
    for tag in ("rua", "ruf"):
        for uri in record.uris(tag):
            dest = report_domain(uri)
            if dest and org_domain(dest) != own:
                checks.append((tag, uri, dest))

    async def authorised(tag: str, uri: str, dest: str) -> list[Finding]:
        answer = await ctx.resolver.resolve(f"{record.domain}._report._dmarc.{dest}", "TXT")
        if answer.failed:
            return failed(ctx, answer, f"the {tag} authorisation of {dest}")
        if not any(r.replace(" ", "").lower().startswith("v=dmarc1") for r in answer.records):
            return [
                ctx.finding(
                    "dmarc.rua-unauthorized",
                    f"{tag}={uri}: {dest} does not publish {record.domain}._report._dmarc.{dest}",
                    subject=name,
                    uri=uri,
                )
            ]
        return []

    for found in await asyncio.gather(*(authorised(*c) for c in checks)):
        out += found
    return out


# -- MX, MTA-STS, TLS-RPT, BIMI ------------------------------------------------------


async def check_mx(ctx: DnsContext) -> list[Finding]:
    answer = await ctx.resolver.resolve(ctx.domain, "MX")
    if answer.failed:
        return failed(ctx, answer, "MX")
    for r in answer.records:
        ctx.seen("MX", ctx.domain, r)
    if not answer.records:
        return [ctx.finding("mx.missing", f"{ctx.domain} has no MX record")]
    if answer.records == ("0 .",):
        return [ctx.finding("mx.null", f"{ctx.domain} has a null MX (receives no mail)")]
    return []


async def _tagged_record(
    ctx: DnsContext, name: str, prefix: str, protocol: str, missing_id: str | None
) -> tuple[str | None, list[Finding]]:
    answer = await ctx.resolver.resolve(name, "TXT")
    if answer.failed:
        return None, failed(ctx, answer, protocol)
    records = [r for r in answer.records if r.replace(" ", "").lower().startswith(prefix.lower())]
    if not records:
        if missing_id:
            return None, [ctx.finding(missing_id, f"no {protocol} record at {name}", subject=name)]
        return None, []
    ctx.seen(protocol, name, records[0])
    return records[0], []


async def check_mta_sts(ctx: DnsContext) -> list[Finding]:
    name = f"_mta-sts.{ctx.domain}"
    text, out = await _tagged_record(ctx, name, "v=STSv1", "MTA-STS", "mta-sts.missing")
    if text is not None:
        from .dkim import parse_tags

        tags, errors = parse_tags(text)
        if tags.get("v") != "STSv1":
            errors.append("v=STSv1 must come first")
        if not re.fullmatch(r"[A-Za-z0-9]{1,32}", tags.get("id", "")):
            errors.append("id= must be 1 to 32 letters or digits")
        out += [ctx.finding("mta-sts.syntax", e, subject=name) for e in errors]
    return out


async def check_tlsrpt(ctx: DnsContext) -> list[Finding]:
    name = f"_smtp._tls.{ctx.domain}"
    text, out = await _tagged_record(ctx, name, "v=TLSRPTv1", "TLS-RPT", "tlsrpt.missing")
    if text is not None:
        from .dkim import parse_tags

        tags, errors = parse_tags(text)
        uris = [u.strip() for u in tags.get("rua", "").split(",") if u.strip()]
        if not uris:
            errors.append("no rua= report address")
        for u in uris:
            if not u.lower().startswith(("mailto:", "https://")):
                errors.append(f"rua= {u!r} is neither mailto: nor https:")
        out += [ctx.finding("tlsrpt.syntax", e, subject=name) for e in errors]
    return out


async def check_bimi(ctx: DnsContext) -> list[Finding]:
    name = f"default._bimi.{ctx.domain}"
    text, out = await _tagged_record(ctx, name, "v=BIMI1", "BIMI", None)
    if text is None:
        return out
    from .dkim import parse_tags

    tags, errors = parse_tags(text)
    if tags.get("v") != "BIMI1":
        errors.append("v=BIMI1 must come first")
    logo = tags.get("l", "")
    if logo and not (logo.lower().startswith("https://") and logo.lower().endswith(".svg")):
        errors.append(f"l= must be an https URL of an SVG logo (found {logo!r})")
    if tags.get("a") and not tags["a"].lower().startswith("https://"):
        errors.append("a= must be an https URL")
    out += [ctx.finding("bimi.syntax", e, subject=name) for e in errors]
    record, _ = await find_dmarc(ctx)
    if record is not None:
        policy = record.subdomain_policy if record.domain != ctx.domain else record.policy
        if STRENGTH.get(policy, 0) < 1 or record.pct < 100:
            out.append(
                ctx.finding(
                    "bimi.dmarc-too-weak",
                    f"DMARC policy {policy} (pct={record.pct}); BIMI needs"
                    " quarantine or reject at 100 %",
                    subject=name,
                )
            )
    return out


# -- PTR and domain separation -------------------------------------------------------


async def check_ptr(ctx: DnsContext) -> list[Finding]:
    async def one(ip: str) -> list[Finding]:
        address = ipaddress.ip_address(ip)
        ptr = await ctx.resolver.resolve(address.reverse_pointer, "PTR")
        if ptr.failed:
            return failed(ctx, ptr, f"reverse DNS of {ip}")
        if not ptr.records:
            return [ctx.finding("ptr.missing", f"{ip} has no PTR record", subject=ip)]
        for r in ptr.records:
            ctx.seen("PTR", ip, r)
        if not await validated_names(address, ctx.resolver):
            return [
                ctx.finding(
                    "ptr.mismatch",
                    f"{ip} → {', '.join(ptr.records)}, which does not resolve back to {ip}",
                    subject=ip,
                )
            ]
        return []

    results = await asyncio.gather(*(one(ip) for ip in ctx.ips))
    return [f for r in results for f in r]


async def check_shared(ctx: DnsContext) -> list[Finding]:
    if not ctx.marketing_domain:
        return []
    if ctx.marketing_domain.lower() == ctx.domain.lower():
        return [
            ctx.finding(
                "domain.shared-with-marketing", "the transactional domain is the marketing domain"
            )
        ]
    shared = sorted(set(ctx.selectors) & set(ctx.marketing_selectors))
    if shared:
        return [
            ctx.finding(
                "domain.shared-with-marketing",
                f"DKIM selector(s) {', '.join(shared)} used by both domains",
            )
        ]
    # The same public key published for both domains is one signing key shared.
    keys: dict[str, set[str]] = {}
    for domain, selectors in (
        (ctx.domain, ctx.selectors),
        (ctx.marketing_domain, ctx.marketing_selectors),
    ):
        for s in selectors:
            answer = await query_dkim(s, domain, resolver=ctx.resolver)
            for r in answer.records:
                key = parse_dkim(s, answer.name, r).tags.get("p")
                if key:
                    keys.setdefault(key, set()).add(domain)
    if any(len(domains) > 1 for domains in keys.values()):
        return [
            ctx.finding(
                "domain.shared-with-marketing", "the same DKIM key is published for both domains"
            )
        ]
    return []


CHECKS: tuple[Callable[[DnsContext], Awaitable[list[Finding]]], ...] = (
    check_spf,
    check_dkim,
    check_dmarc,
    check_mx,
    check_mta_sts,
    check_tlsrpt,
    check_bimi,
    check_ptr,
    check_shared,
    check_relays,
)

PROTOCOL_OF = {
    "spf": "SPF",
    "dkim": "DKIM",
    "dmarc": "DMARC",
    "mx": "MX",
    "mta-sts": "MTA-STS",
    "tlsrpt": "TLS-RPT",
    "bimi": "BIMI",
    "ptr": "PTR",
    "domain": "Domain",
    "dns": "DNS",
    "drift": "Drift",
}

SECTION_OF = {
    "check_spf": "SPF",
    "check_dkim": "DKIM",
    "check_dmarc": "DMARC",
    "check_mx": "MX",
    "check_mta_sts": "MTA-STS",
    "check_tlsrpt": "TLS-RPT",
    "check_bimi": "BIMI",
    "check_ptr": "PTR",
    "check_shared": "Domain",
    "check_relays": "Relays",
}
"""The protocol each check covers: a DNS failure (``dns.*``) belongs to the check that met it."""
