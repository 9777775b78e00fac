"""SPF's ``check_host()`` (RFC 7208 sections 4 and 5): the verdict for an IP address.

What a receiver computes for a sender: the record fetched and parsed (``spf.py``),
its mechanisms evaluated in order with macro expansion (section 7), the lookup and
void-lookup limits (4.6.4) counted across includes and redirects, ``ptr`` names
validated forward (5.5); a DNS failure is ``temperror``, a broken record ``permerror``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from .resolver import Resolver
from .spf import (
    LOOKUP_LIMIT,
    NAME_LIMIT,
    VOID_LIMIT,
    IPAddress,
    SpfRecord,
    parse_spf,
    query_spf,
)

_MACRO = re.compile(r"%\{([slodiphcrtv])(\d*)(r?)([.\-+,/_=]*)\}|%%|%_|%-|%")


@dataclass
class _Budget:
    lookups: int = 0
    void: int = 0


class _PermError(Exception):
    pass


class _TempError(Exception):
    pass


def expand(spec: str, *, ip: str, domain: str, sender: str, helo: str) -> str:
    """Expand SPF macros (RFC 7208 §7) in a domain-spec."""
    local, _, sender_domain = sender.rpartition("@")
    local = local or "postmaster"
    addr = ipaddress.ip_address(ip)
    if addr.version == 4:
        i_value = str(addr)
    else:
        i_value = ".".join(addr.exploded.replace(":", ""))
    values = {
        "s": sender,
        "l": local,
        "o": sender_domain or domain,
        "d": domain,
        "i": i_value,
        "p": "unknown",
        "v": "in-addr" if addr.version == 4 else "ip6",
        "h": helo,
    }

    def repl(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "%%":
            return "%"
        if token == "%_":
            return " "
        if token == "%-":
            return "%20"
        if token == "%":
            raise _PermError(f"invalid macro in {spec!r}")
        letter, digits, reverse, delims = m.group(1), m.group(2), m.group(3), m.group(4) or "."
        parts = re.split("[" + re.escape(delims) + "]", values[letter])
        if reverse:
            parts.reverse()
        if digits:
            if int(digits) == 0:
                raise _PermError(f"invalid macro in {spec!r}")
            parts = parts[-int(digits) :]
        return ".".join(parts)

    return _MACRO.sub(repl, spec)


async def _spf_record(domain: str, resolver: Resolver) -> SpfRecord | None:
    answer, records = await query_spf(domain, resolver=resolver)
    if answer.failed:
        raise _TempError(answer.reason or f"{domain}: {answer.status}")
    if not records:
        return None
    if len(records) > 1:
        raise _PermError(f"{domain} has {len(records)} SPF records")
    record = parse_spf(records[0])
    if record.errors:
        raise _PermError(f"{domain}: {record.errors[0]}")
    return record


async def _addresses(name: str, ip: IPAddress, resolver: Resolver, budget: _Budget) -> list[str]:
    ans = await resolver.resolve(name, "A" if ip.version == 4 else "AAAA")
    if ans.failed:
        raise _TempError(ans.reason or f"{name}: {ans.status}")
    if not ans.ok:
        budget.void += 1
        if budget.void > VOID_LIMIT:
            raise _PermError("more than 2 void lookups")
    return list(ans.records)


def _in(ip: IPAddress, address: str, cidr: int | None) -> bool:
    try:
        full = 32 if ip.version == 4 else 128
        net = ipaddress.ip_network(f"{address}/{full if cidr is None else cidr}", strict=False)
    except ValueError:
        return False
    return ip in net


async def _check(
    ip: IPAddress,
    domain: str,
    sender: str,
    helo: str,
    resolver: Resolver,
    budget: _Budget,
    depth: int,
) -> str:
    if depth > 20:
        raise _PermError("include/redirect nesting too deep")
    record = await _spf_record(domain, resolver)
    if record is None:
        return "none"
    ex = {"ip": str(ip), "domain": domain, "sender": sender, "helo": helo}

    def count() -> None:
        budget.lookups += 1
        if budget.lookups > LOOKUP_LIMIT:
            raise _PermError("more than 10 DNS-querying terms")

    results = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
    for term in record.mechanisms:
        m = term.mechanism
        matched = False
        if m == "all":
            matched = True
        elif m in ("ip4", "ip6"):
            net = ipaddress.ip_network(term.value or "", strict=False)
            matched = ip.version == net.version and ip in net
        elif m == "include":
            count()
            target = expand(term.value or "", **ex)
            result = await _check(ip, target, sender, helo, resolver, budget, depth + 1)
            if result == "pass":
                matched = True
            elif result in ("temperror",):
                raise _TempError(target)
            elif result in ("permerror", "none"):
                raise _PermError(f"include:{target} has no usable SPF record")
        elif m == "a":
            count()
            target = expand(term.value or domain, **ex)
            cidr = term.cidr4 if ip.version == 4 else term.cidr6
            matched = any(_in(ip, a, cidr) for a in await _addresses(target, ip, resolver, budget))
        elif m == "mx":
            count()
            target = expand(term.value or domain, **ex)
            ans = await resolver.resolve(target, "MX")
            if ans.failed:
                raise _TempError(ans.reason or target)
            if not ans.ok:
                budget.void += 1
            names = [r.split()[1] for r in ans.records]
            if len(names) > NAME_LIMIT:
                raise _PermError(f"mx:{target} has more than 10 names")
            cidr = term.cidr4 if ip.version == 4 else term.cidr6
            for name in names:
                if any(_in(ip, a, cidr) for a in await _addresses(name, ip, resolver, budget)):
                    matched = True
                    break
        elif m == "ptr":
            count()
            target = expand(term.value or domain, **ex).lower()
            for name in (await validated_names(ip, resolver))[:NAME_LIMIT]:
                if name == target or name.endswith("." + target):
                    matched = True
                    break
        elif m == "exists":
            count()
            target = expand(term.value or "", **ex)
            ans = await resolver.resolve(target, "A")
            if ans.failed:
                raise _TempError(ans.reason or target)
            matched = ans.ok and bool(ans.records)
            if not matched:
                budget.void += 1
        if budget.void > VOID_LIMIT:
            raise _PermError("more than 2 void lookups")
        if matched:
            return results[term.qualifier]
    redirect = record.modifier("redirect")
    if redirect and not any(t.mechanism == "all" for t in record.mechanisms):
        count()
        target = expand(redirect, **ex)
        result = await _check(ip, target, sender, helo, resolver, budget, depth + 1)
        return "permerror" if result == "none" else result
    return "neutral"


async def validated_names(ip: IPAddress, resolver: Resolver) -> list[str]:
    """PTR names of ``ip`` whose forward lookup includes ``ip`` (forward-confirmed)."""
    ptr = await resolver.resolve(ip.reverse_pointer, "PTR")
    names = []
    for name in ptr.records[:NAME_LIMIT]:
        fwd = await resolver.resolve(name, "A" if ip.version == 4 else "AAAA")
        if any(ipaddress.ip_address(a) == ip for a in fwd.records):
            names.append(name)
    return names


async def check_host(
    ip: str, domain: str, *, resolver: Resolver, sender: str | None = None, helo: str | None = None
) -> tuple[str, str]:
    """RFC 7208 check_host(): (result, reason). Result is pass, fail, softfail,
    neutral, none, permerror or temperror."""
    address = ipaddress.ip_address(ip)
    sender = sender or f"postmaster@{domain}"
    try:
        result = await _check(
            address, domain.lower(), sender, helo or domain, resolver, _Budget(), 0
        )
        return result, ""
    except _PermError as exc:
        return "permerror", str(exc)
    except _TempError as exc:
        return "temperror", str(exc)
