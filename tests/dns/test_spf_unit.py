"""SPF parsing and macro expansion (pure logic), and the zone-file resolver's answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from studio.core.dns.resolver import ZoneResolver, parse_nameserver
from studio.core.dns.spf import parse_spf
from studio.core.dns.spf_check import expand
from studio.errors import DnsError

EX = {
    "ip": "192.0.2.3",
    "domain": "example.test",
    "sender": "strong-bad@email.example.test",
    "helo": "mx.example.test",
}


@pytest.mark.parametrize(
    ("spec", "out"),
    [
        ("%{s}", "strong-bad@email.example.test"),
        ("%{o}", "email.example.test"),
        ("%{d}", "example.test"),
        ("%{d1}", "test"),
        ("%{dr}", "test.example"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.test"),
        ("%{h}", "mx.example.test"),
        ("%%%_%-", "% %20"),
    ],
)
def test_macros(spec: str, out: str) -> None:
    assert expand(spec, **EX) == out


def test_ipv6_macro() -> None:
    got = expand("%{ir}", ip="2001:db8::cb01", domain="d", sender="s@d", helo="h")
    assert got.startswith("1.0.b.c.0.0.0.0") and got.endswith("8.b.d.0.1.0.0.2")


def test_parse_terms_and_errors() -> None:
    rec = parse_spf("v=spf1 a/24 mx:mail.example.test//64 ip4:192.0.2.0/24 ~all redirect=x.test")
    assert [str(t) for t in rec.terms] == [
        "a/24",
        "mx:mail.example.test//64",
        "ip4:192.0.2.0/24",
        "~all",
        "redirect=x.test",
    ]
    assert rec.errors == ()
    bad = parse_spf("v=spf1 ip4:1.2.3.4/40 ip6:192.0.2.1 frob all:x include:%{z}.x")
    assert len(bad.errors) == 5


def test_nameserver_parsing() -> None:
    assert parse_nameserver("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert parse_nameserver("[::1]:53") == ("::1", 53)
    assert parse_nameserver("::1") == ("::1", 53)
    with pytest.raises(DnsError):
        parse_nameserver("127.0.0.1:0")


def test_zone_resolver_cname_nxdomain_nodata_outside(tmp_path: Path) -> None:
    z = tmp_path / "z.test.zone"
    z.write_text(
        "$ORIGIN z.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\n@ NS ns\nns A 192.0.2.1\nalias CNAME ns\n"
    )
    r = ZoneResolver([z])
    assert asyncio.run(r.resolve("alias.z.test", "A")).records == ("192.0.2.1",)
    assert asyncio.run(r.resolve("alias.z.test", "A")).canonical == "ns.z.test"
    assert asyncio.run(r.resolve("nope.z.test", "A")).status == "nxdomain"
    assert asyncio.run(r.resolve("ns.z.test", "TXT")).status == "nodata"
    assert asyncio.run(r.resolve("other.test", "A")).status == "unchecked"
    (tmp_path / "bad.zone").write_text("$ORIGIN bad.\n@ IN BOGUS x\n")
    with pytest.raises(DnsError):
        ZoneResolver([tmp_path / "bad.zone"])


def test_a_ptr_outside_every_zone_file_says_so() -> None:
    from studio.core.dns import preflight

    example = Path(__file__).parents[2] / "brand"
    resolver = ZoneResolver([example / "mapleandmoss.example.zone"])  # forward zone only
    report = asyncio.run(
        preflight("mail.mapleandmoss.example", resolver=resolver, ips=["192.0.2.25"])
    )
    [ptr] = [f for f in report.findings if f.subject == "25.2.0.192.in-addr.arpa"]
    assert ptr.details.get("reason") == "no zone file covers 25.2.0.192.in-addr.arpa"
