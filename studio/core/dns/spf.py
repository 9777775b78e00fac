"""SPF (RFC 7208): query, parse, the include tree with its lookup counts.

* :func:`query_spf` finds the ``v=spf1`` records of a domain;
* :func:`parse_spf` turns one into terms, with syntax errors as data;
* :func:`build_tree` follows ``include`` and ``redirect`` recursively, counting the
  DNS-querying terms of each branch (``include a mx ptr exists redirect``), the
  names behind ``mx``/``ptr`` and void lookups, and finding loops and targets
  without SPF — the whole tree, even past the 10-lookup limit, so a user sees
  which branch costs what (each record fetched once and shared, at most
  :data:`MAX_NODES` of them, so a hostile fan-out costs neither time nor memory);
* :func:`~.spf_check.check_host` (``spf_check.py``) evaluates the record for an IP
  as a receiver would.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .resolver import Answer, Resolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
NAME_LIMIT = 10  # names behind one mx or ptr
MAX_RECORD = 450  # octets: a longer record risks a response over 512 bytes (RFC 7208 3.4)
# records fetched for one include tree: receivers stop at 10 lookups; the tree is drawn
# past that so a user sees which branch costs what, but a hostile fan-out of distinct
# names must not cost thousands of queries (a 100-include chain needs 101)
MAX_NODES = 200

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_TERMS = ("include", "a", "mx", "ptr", "exists")
QUALIFIERS = "+-~?"
_NAME_CHARS = re.compile(r"^[A-Za-z0-9._%{}\-+=,/|]+$")


@dataclass(frozen=True)
class Term:
    qualifier: str
    mechanism: str  # one of MECHANISMS, or a modifier name (redirect, exp, ...)
    value: str | None = None
    cidr4: int | None = None
    cidr6: int | None = None

    @property
    def is_modifier(self) -> bool:
        return self.mechanism not in MECHANISMS

    def __str__(self) -> str:
        q = "" if self.qualifier == "+" else self.qualifier
        if self.is_modifier:
            return f"{self.mechanism}={self.value}"
        text = q + self.mechanism + (f":{self.value}" if self.value else "")
        if self.cidr4 is not None and self.mechanism not in ("ip4", "ip6"):
            text += f"/{self.cidr4}"
        if self.cidr6 is not None and self.mechanism not in ("ip4", "ip6"):
            text += f"//{self.cidr6}"
        return text


@dataclass(frozen=True)
class SpfRecord:
    text: str
    terms: tuple[Term, ...]
    errors: tuple[str, ...]

    @property
    def mechanisms(self) -> list[Term]:
        return [t for t in self.terms if not t.is_modifier]

    def modifier(self, name: str) -> str | None:
        for t in self.terms:
            if t.is_modifier and t.mechanism == name:
                return t.value
        return None


def is_spf(text: str) -> bool:
    low = text.lower()
    return low == "v=spf1" or low.startswith("v=spf1 ")


async def query_spf(domain: str, *, resolver: Resolver) -> tuple[Answer, list[str]]:
    """The TXT answer for ``domain`` and its ``v=spf1`` records."""
    answer = await resolver.resolve(domain, "TXT")
    return answer, [r for r in answer.records if is_spf(r)]


def _check_domain_spec(value: str, errors: list[str], term: str) -> bool:
    """Append what is wrong with a domain-spec to ``errors``; True when it is valid."""
    before = len(errors)
    if not value or not _NAME_CHARS.match(value):
        errors.append(f"{term}: invalid domain {value!r}")
        return False
    for m in re.finditer(r"%.?", value):
        if m.group(0) not in ("%{", "%%", "%_", "%-"):
            errors.append(f"{term}: invalid macro {m.group(0)!r}")
    for m in re.finditer(r"%\{([^}]*)\}", value):
        if not re.fullmatch(r"[slodiphcrtv]\d*r?[.\-+,/_=]*", m.group(1)):
            errors.append(f"{term}: invalid macro %{{{m.group(1)}}}")
    return len(errors) == before


def parse_spf(text: str) -> SpfRecord:
    """Parse one ``v=spf1`` record; problems are returned as ``errors``, never raised."""
    parts = text.split()
    errors: list[str] = []
    terms: list[Term] = []
    if not parts or parts[0].lower() != "v=spf1":
        return SpfRecord(text, (), ("the record does not start with v=spf1",))
    seen_modifiers: set[str] = set()
    for raw in parts[1:]:
        m = re.fullmatch(r"([a-zA-Z][a-zA-Z0-9_.\-]*)=(.*)", raw)
        if m:
            name, mod_value = m.group(1).lower(), m.group(2)
            if name in ("redirect", "exp"):
                if name in seen_modifiers:
                    errors.append(f"{name}= appears more than once")
                if not _check_domain_spec(mod_value, errors, raw):
                    continue  # an invalid target is never looked up
            seen_modifiers.add(name)
            terms.append(Term("+", name, mod_value))
            continue
        qualifier = "+"
        body = raw
        if body and body[0] in QUALIFIERS:
            qualifier, body = body[0], body[1:]
        mech, _, rest = body.partition(":")
        mech_l = mech.lower()
        cidr4 = cidr6 = None
        if mech_l not in MECHANISMS:
            # "a/24", "mx//64" have the CIDR right after the name.
            base = re.match(r"^(a|mx)(/.*)$", mech_l)
            if base:
                mech_l, rest = base.group(1), base.group(2)
            else:
                errors.append(f"unknown term {raw!r}")
                continue
        value = rest or None
        if mech_l in ("a", "mx") and value:
            m2 = re.match(r"^(.*?)(?:/(\d+))?(?://(\d+))?$", value)
            if m2:
                value = m2.group(1) or None
                cidr4 = int(m2.group(2)) if m2.group(2) else None
                cidr6 = int(m2.group(3)) if m2.group(3) else None
                if (cidr4 is not None and cidr4 > 32) or (cidr6 is not None and cidr6 > 128):
                    errors.append(f"{raw}: invalid CIDR length")
        if mech_l == "all" and rest:
            errors.append(f"{raw}: all takes no value")
        elif mech_l in ("include", "exists"):
            if not value:
                errors.append(f"{raw}: {mech_l} needs a domain")
                continue
            if not _check_domain_spec(value, errors, raw):
                continue  # an invalid target is never looked up
        elif mech_l in ("a", "mx", "ptr") and value:
            if not _check_domain_spec(value, errors, raw):
                continue
        elif mech_l in ("ip4", "ip6"):
            try:
                net = ipaddress.ip_network(rest, strict=False)
                if (
                    (mech_l == "ip4") != (net.version == 4)
                    or "/" in rest
                    and not rest.split("/")[1]
                ):
                    raise ValueError
            except ValueError:
                errors.append(f"{raw}: invalid {mech_l} address or network")
                continue
        terms.append(Term(qualifier, mech_l, value, cidr4, cidr6))
    return SpfRecord(text, tuple(terms), tuple(errors))


# -- the include tree ----------------------------------------------------------------


@dataclass(eq=False)
class SpfNode:
    """One domain of the include/redirect tree and what it costs.

    ``lookups`` counts this record's DNS-querying terms; ``total`` adds the
    children's, which is what counts against the limit of 10.

    A domain reached twice the same way (``include:x`` from two branches) is one
    shared node, so the "tree" is a graph without cycles: a record that includes two
    names which each include the same two names, 18 levels deep, is 37 nodes and not
    half a million. ``total`` still counts every path, as a receiver would.
    """

    domain: str
    via: str  # "root", "include" or "redirect"
    record: SpfRecord | None = None
    answer: Answer | None = None
    lookups: int = 0
    void: int = 0
    # not in repr: a shared subtree would be printed once per path (2**19 times)
    children: list[SpfNode] = field(default_factory=list, repr=False)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (check id, message)
    truncated: bool = False  # MAX_NODES reached: ``total`` is a lower bound

    def _sum(self, own: Callable[[SpfNode], int]) -> int:
        """``own`` of this node plus that of every node below it, once per path."""
        done: dict[int, int] = {}

        def visit(node: SpfNode) -> int:
            if id(node) not in done:
                done[id(node)] = own(node) + sum(visit(c) for c in node.children)
            return done[id(node)]

        return visit(self)

    @property
    def total(self) -> int:
        return self._sum(lambda n: n.lookups)

    @property
    def total_void(self) -> int:
        return self._sum(lambda n: n.void)

    def walk(self) -> list[SpfNode]:
        """Every node once, parents before children (a shared node at its first place)."""
        out: list[SpfNode] = []
        seen: set[int] = set()
        stack = [self]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def render(self, indent: str = "") -> list[str]:
        """The tree as text lines, with per-branch lookup counts.

        A shared node is drawn in full once; later places say so in one line.
        """
        lines: list[str] = []
        drawn: set[int] = set()
        totals: dict[int, int] = {}

        def total(node: SpfNode) -> int:
            if id(node) not in totals:
                totals[id(node)] = node.lookups + sum(total(c) for c in node.children)
            return totals[id(node)]

        def draw(node: SpfNode, pad: str) -> None:
            head = f"{pad}{node.domain}" if node.via == "root" else f"{pad}{node.via}:{node.domain}"
            n = total(node)
            head += f"  [{n} lookup{'s' if n != 1 else ''}]"
            if node.record is None:
                head += "  (no SPF record)"
            if id(node) in drawn and node.children:
                lines.append(head + "  (as above)")
                return
            drawn.add(id(node))
            lines.append(head)
            for c in node.children:
                draw(c, pad + "  ")

        draw(self, indent)
        if self.truncated:
            lines.append(f"{indent}(stopped after {MAX_NODES} records)")
        return lines


def _target(term: Term, domain: str) -> str:
    return (term.value or domain).lower()


async def build_tree(domain: str, *, resolver: Resolver) -> SpfNode:
    """Follow includes and redirects from ``domain``, counting lookups per branch.

    Each (domain, include|redirect) is fetched once and shared; at most
    :data:`MAX_NODES` records are fetched, after which the root is marked
    ``truncated`` and its ``total`` is a lower bound (far past the limit of 10).
    """
    root = SpfNode(domain=domain.lower(), via="root")
    built: dict[tuple[str, str], SpfNode] = {}
    await _grow(root, resolver, built, chain=(), root=root)
    return root


async def _grow(
    node: SpfNode,
    resolver: Resolver,
    built: dict[tuple[str, str], SpfNode],
    *,
    chain: tuple[str, ...],
    root: SpfNode,
) -> None:
    """Fetch ``node``'s record and build its children depth-first.

    ``built`` holds every node fetched so far; a node on ``chain`` is still being
    built, so reaching it again is a loop, while any other node in ``built`` is
    finished and can be shared.
    """
    built[(node.domain, node.via)] = node
    answer, records = await query_spf(node.domain, resolver=resolver)
    node.answer = answer
    if answer.failed or not records:
        return
    record = parse_spf(records[0])
    node.record = record
    chain = (*chain, node.domain)
    for term in record.terms:
        kind = term.mechanism
        if kind in LOOKUP_TERMS or kind == "redirect":
            node.lookups += 1
        if "%" in (term.value or ""):
            continue  # macro targets depend on the sender: counted, not followed
        if kind in ("include", "redirect"):
            target = _target(term, node.domain)
            if target in chain:
                node.problems.append(("spf.loop", f"{kind}:{target} loops back to {target}"))
                continue
            child = built.get((target, kind))
            if child is None:
                if len(built) >= MAX_NODES:
                    root.truncated = True
                    continue
                child = SpfNode(domain=target, via=kind)
                await _grow(child, resolver, built, chain=chain, root=root)
            if child.answer is not None and child.answer.status in ("nxdomain", "nodata"):
                node.void += 1
            node.children.append(child)
        elif kind in ("a", "mx", "exists"):
            target = _target(term, node.domain)
            rdtype = "MX" if kind == "mx" else "A"
            ans = await resolver.resolve(target, rdtype)
            if ans.status in ("nxdomain", "nodata"):
                if kind != "a" or (await resolver.resolve(target, "AAAA")).status != "ok":
                    node.void += 1
            if kind == "mx" and len(ans.records) > NAME_LIMIT:
                node.problems.append(
                    ("spf.lookup-limit", f"mx:{target} has {len(ans.records)} MX names (limit 10)")
                )
