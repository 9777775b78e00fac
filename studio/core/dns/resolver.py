"""The one seam every DNS lookup goes through, and its implementations.

* :class:`LiveResolver` asks real nameservers with ``dns.asyncresolver`` (the
  system's, or ``HOST[:PORT]`` ones), with a timeout and retries;
* :class:`ZoneResolver` answers from zone files, so that a domain can be checked
  before its records are published (and the bundled example offline); names no
  zone file covers go to a fallback resolver when there is one (``--nameserver``,
  live DNS), else are answered "not checked";
* :class:`CachingResolver` wraps either for one run: each (name, type) is asked
  once, and concurrent askers share the answer.

Answers are plain data (:class:`Answer`) with a status instead of exceptions, so
checks can turn a timeout, a SERVFAIL or a CNAME chain that never ends into a
``dns.timeout``/``dns.servfail``/``dns.cname-loop`` finding rather than a silent pass.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.zone

from ...errors import DnsError

OK, NXDOMAIN, NODATA, TIMEOUT, SERVFAIL = "ok", "nxdomain", "nodata", "timeout", "servfail"
UNCHECKED = "unchecked"  # outside every zone file, and no resolver to ask instead
NOT_COVERED = "no zone file covers"  # how an unchecked answer's reason begins
LOOP = "loop"  # a CNAME chain that loops or is longer than resolvers follow
MAX_CHAIN = 16  # CNAMEs followed before giving up (dnspython's limit too)


@dataclass(frozen=True)
class Answer:
    """The answer to one question.

    Attributes:
        name: the name asked (lower case, no trailing dot).
        rdtype: ``TXT``, ``A``, ``MX`` ...
        status: ok, nxdomain, nodata, timeout, servfail, loop or unchecked.
        records: each record in presentation form; for TXT, the strings joined.
        strings: for TXT, each record's character-strings (to check their lengths).
        canonical: the name the answer came from after CNAMEs, if different.
        size: the size of the DNS response in bytes, when known.
        reason: why there is no answer, when the resolver knows better than its
            status (a zone-file resolver: no zone file covers the name).
    """

    name: str
    rdtype: str
    status: str
    records: tuple[str, ...] = ()
    strings: tuple[tuple[bytes, ...], ...] = ()
    canonical: str | None = None
    size: int = 0
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def failed(self) -> bool:
        """The question could not be answered (not: the answer is empty)."""
        return self.status in (TIMEOUT, SERVFAIL, LOOP, UNCHECKED)


class Resolver(Protocol):
    async def resolve(self, name: str, rdtype: str) -> Answer: ...


def normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _records(rrset: object, rdtype: str) -> tuple[tuple[str, ...], tuple[tuple[bytes, ...], ...]]:
    records: list[str] = []
    strings: list[tuple[bytes, ...]] = []
    for rdata in rrset:  # type: ignore[attr-defined]
        if rdtype == "TXT":
            parts = tuple(rdata.strings)
            strings.append(parts)
            records.append(b"".join(parts).decode("utf-8", "replace"))
        elif rdtype == "MX":
            records.append(f"{rdata.preference} {normalize(rdata.exchange.to_text()) or '.'}")
        elif rdtype in ("PTR", "CNAME", "NS"):
            records.append(normalize(rdata.target.to_text()))
        else:
            records.append(rdata.to_text())
    return tuple(records), tuple(strings)


def parse_nameserver(value: str) -> tuple[str, int]:
    """``1.2.3.4``, ``1.2.3.4:5353``, ``[::1]:5353``, ``::1`` or a host name (looked up)."""
    host, port = value.strip(), 53
    if host.startswith("["):
        inner, _, rest = host[1:].partition("]")
        host = inner
        if rest.startswith(":"):
            port = _port(value, rest[1:])
    elif host.count(":") == 1:
        host, p = host.split(":")
        port = _port(value, p)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            host = str(socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0][4][0])
        except OSError:
            raise DnsError(f"nameserver {value!r}: cannot resolve {host!r}") from None
    return host, port


def _port(value: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise DnsError(f"nameserver {value!r}: expected HOST[:PORT] with a port from 1 to 65535")
    return int(text)


class LiveResolver:
    """Real DNS through ``dns.asyncresolver``."""

    def __init__(
        self, nameservers: Sequence[str] = (), *, timeout: float = 3.0, retries: int = 1
    ) -> None:
        self.nameservers, self.timeout, self.retries = tuple(nameservers), timeout, retries
        self._resolver = dns.asyncresolver.Resolver(configure=not nameservers)
        if nameservers:
            self._resolver.nameservers = [
                dns.nameserver.Do53Nameserver(*parse_nameserver(ns)) for ns in nameservers
            ]
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout * (retries + 1)
        self._resolver.retry_servfail = False

    async def resolve(self, name: str, rdtype: str) -> Answer:
        qname = normalize(name)
        try:
            ans = await self._resolver.resolve(qname + ".", rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return Answer(qname, rdtype, NXDOMAIN)
        except dns.resolver.LifetimeTimeout:
            return Answer(qname, rdtype, TIMEOUT)
        except dns.resolver.NoNameservers as exc:
            errors = exc.kwargs.get("errors") or []
            if any(isinstance(e[3], dns.message.ChainTooLong) for e in errors):
                return Answer(qname, rdtype, LOOP)
            return Answer(qname, rdtype, SERVFAIL)
        except (dns.exception.DNSException, OSError):
            return Answer(qname, rdtype, SERVFAIL)
        canonical = normalize(ans.canonical_name.to_text())
        size = len(ans.response.to_wire()) if ans.response is not None else 0
        if ans.rrset is None:
            return Answer(qname, rdtype, NODATA, canonical=_other(canonical, qname), size=size)
        records, strings = _records(ans.rrset, rdtype)
        return Answer(qname, rdtype, OK, records, strings, _other(canonical, qname), size)


def _other(canonical: str, qname: str) -> str | None:
    return canonical if canonical != qname else None


class ZoneResolver:
    """Answers from zone files; a name they do not cover goes to ``fallback``.

    Without a fallback such a name is answered :data:`UNCHECKED` (it cannot be
    checked from here: not a failing server).
    """

    def __init__(self, paths: Sequence[Path], fallback: Resolver | None = None) -> None:
        self.fallback = fallback
        self.zones: dict[str, dns.zone.Zone] = {}
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise DnsError(f"{path}: cannot read zone file: {exc.strerror}") from None
            except UnicodeDecodeError as exc:
                raise DnsError(
                    f"{path}: not a zone file: not UTF-8 text (byte {exc.start})"
                ) from None
            origin = None if "$ORIGIN" in text else path.name.removesuffix(".zone")
            try:
                zone = dns.zone.from_text(
                    text, origin=origin, relativize=False, filename=str(path), check_origin=False
                )
            except dns.exception.DNSException as exc:
                raise DnsError(f"{path}: invalid zone file: {exc}") from None
            assert zone.origin is not None
            self.zones[normalize(zone.origin.to_text())] = zone

    def _zone_for(self, name: str) -> dns.zone.Zone | None:
        best: tuple[str, dns.zone.Zone] | None = None
        for origin, zone in self.zones.items():
            if (name == origin or name.endswith("." + origin)) and (
                best is None or len(origin) > len(best[0])
            ):
                best = (origin, zone)
        return best[1] if best else None

    async def resolve(self, name: str, rdtype: str) -> Answer:
        qname = normalize(name)
        current = qname
        for _ in range(MAX_CHAIN):
            zone = self._zone_for(current)
            if zone is None:
                if self.fallback is not None:
                    return await self._ask_fallback(qname, current, rdtype)
                # Outside every zone file and nobody to ask: not checked.
                return Answer(
                    qname,
                    rdtype,
                    UNCHECKED,
                    canonical=_other(current, qname),
                    reason=f"{NOT_COVERED} {current}",
                )
            node = zone.get_node(dns.name.from_text(current + "."))
            if node is None:
                return Answer(qname, rdtype, NXDOMAIN, canonical=_other(current, qname))
            rds = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype))
            if rds is not None:
                records, strings = _records(rds, rdtype)
                size = 12 + sum(len(r) + 12 for r in records)
                return Answer(qname, rdtype, OK, records, strings, _other(current, qname), size)
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None:
                return Answer(qname, rdtype, NODATA, canonical=_other(current, qname))
            current = normalize(next(iter(cname)).target.to_text())
        return Answer(qname, rdtype, LOOP)

    async def _ask_fallback(self, qname: str, current: str, rdtype: str) -> Answer:
        """``current`` (reached from ``qname``, maybe through CNAMEs) from the fallback."""
        assert self.fallback is not None
        answer = await self.fallback.resolve(current, rdtype)
        if current == qname:
            return answer
        return dataclasses.replace(answer, name=qname, canonical=answer.canonical or current)


class CachingResolver:
    """One run's cache in front of a resolver; concurrent askers share one query."""

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner
        self._tasks: dict[tuple[str, str], asyncio.Task[Answer]] = {}
        self.queries = 0
        self.hits = 0

    async def resolve(self, name: str, rdtype: str) -> Answer:
        key = (normalize(name), rdtype.upper())
        task = self._tasks.get(key)
        if task is None:
            self.queries += 1
            task = asyncio.ensure_future(self.inner.resolve(*key))
            self._tasks[key] = task
        else:
            self.hits += 1
        return await task
