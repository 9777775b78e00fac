"""The DNS checks against a real nsd on loopback: expected ids for broken zones, none for good."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from studio.core.catalogue import DNS_IDS
from studio.core.dns import preflight_sync, resolver_for
from studio.core.dns.spf import MAX_NODES, build_tree
from studio.core.dns.spf_check import check_host
from studio.core.findings import Severity

from .conftest import FANOUT_DEPTH, Listener
from .test_relay_presets import RELAY_IDS

SL = "spflimits.test"


def run(ns: str, domain: str, **kw: object):  # type: ignore[no-untyped-def]
    return preflight_sync(domain, resolver=resolver_for(nameservers=[ns], timeout=2), **kw)


def ids(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.id for f in report.findings if f.severity >= Severity.WARNING}


def problems(report) -> set[str]:  # type: ignore[no-untyped-def]
    """Every id found, at any severity, except the key type reported for each good key."""
    return {f.id for f in report.findings} - {"dkim.key-type"}


GOOD: dict[str, dict[str, object]] = {
    "good.test": {
        "selectors": ["s1", "esp"],
        "ips": ["192.0.2.25"],
        "marketing_domain": "news.good.test",
        "marketing_selectors": ["m1"],
    },
    "good2.test": {
        "selectors": ["ed", "rsa"],
        "ips": ["192.0.2.26", "2001:db8:25::25"],
        "marketing_domain": "news.good2.test",
        "marketing_selectors": ["n1"],
    },
}


@pytest.mark.parametrize("domain", sorted(GOOD))
def test_good_zones_have_no_findings(nameserver: str, domain: str) -> None:
    report = run(nameserver, domain, **GOOD[domain])
    assert problems(report) == set()
    key_types = [f for f in report.findings if f.id == "dkim.key-type"]
    assert len(key_types) == 2  # one per selector (good.test's esp: the CNAMEd provider key)
    assert report.spf_tree is not None and report.spf_tree.total in (1, 2)


def dkim(selector: str, expected: str) -> tuple[str, dict[str, object], set[str]]:
    return ("dkim.test", {"selectors": [selector]}, {expected} if expected else set())


# Each case is a healthy name with one thing changed (see conftest.site): it raises
# exactly these ids, at any severity, and nothing else.
CASES: list[tuple[str, dict[str, object], set[str]]] = [
    # healthy apexes of the scenario zones
    *[(z, {}, set()) for z in ("spf.test", SL, "dmarc.test", "subpolicy.test", "dkim.test")],
    *[(z, {}, set()) for z in ("bimi.test", "transport.test", "hostile.test")],
    # SPF
    ("nospf.spf.test", {}, {"spf.missing"}),
    ("multi.spf.test", {}, {"spf.multiple"}),
    ("syntax.spf.test", {}, {"spf.syntax"}),
    ("plusall.spf.test", {}, {"spf.all-permissive"}),
    ("neutral.spf.test", {}, {"spf.all-permissive"}),
    ("noall.spf.test", {}, {"spf.no-all"}),
    ("ptr.spf.test", {}, {"spf.ptr"}),
    ("long.spf.test", {}, {"spf.too-long"}),
    ("ipfail.spf.test", {"ips": ["192.0.2.25"]}, {"spf.ip-not-authorized"}),
    ("ipfail.spf.test", {"ips": ["192.0.2.10"]}, set()),  # passes through mx
    ("macro.spf.test", {"ips": ["192.0.2.25"]}, set()),
    ("macro.spf.test", {"ips": ["192.0.2.26"]}, {"spf.ip-not-authorized"}),
    (f"deep.{SL}", {}, {"spf.lookup-limit"}),
    (f"void.{SL}", {}, {"spf.include-missing", "spf.void-lookups"}),
    (f"loop.{SL}", {}, {"spf.loop"}),
    (f"mxmany.{SL}", {}, {"spf.lookup-limit"}),  # 11 names behind one mx
    # DKIM
    *[
        dkim(s, i)
        for s, i in [
            ("good", ""),
            ("esp", ""),
            ("ed", ""),
            ("missing", "dkim.missing"),
            ("dangling", "dkim.missing"),
            ("bad", "dkim.syntax"),
            ("revoked", "dkim.revoked"),
            ("short", "dkim.key-too-short"),
            ("tiny", "dkim.key-too-short"),
            ("testing", "dkim.testing"),
            ("sha1", "dkim.sha1"),
        ]
    ],
    # DMARC
    ("none.dmarc.test", {}, {"dmarc.policy-none"}),
    ("pct.dmarc.test", {}, {"dmarc.pct"}),
    ("norua.dmarc.test", {}, {"dmarc.no-rua"}),
    ("multi.dmarc.test", {}, {"dmarc.multiple"}),
    # an invalid p= with a valid rua= counts as p=none (RFC 7489 6.6.3)
    ("syntax.dmarc.test", {}, {"dmarc.syntax", "dmarc.policy-none"}),
    ("ext.dmarc.test", {}, {"dmarc.rua-unauthorized"}),
    ("mail.subpolicy.test", {}, {"dmarc.subdomain-policy", "dmarc.policy-none"}),
    ("nodmarc.test", {}, {"dmarc.missing"}),
    ("mail.nodmarc.test", {}, {"dmarc.missing"}),
    # MX, MTA-STS, TLS-RPT, BIMI
    ("nullmx.test", {}, {"mx.null"}),
    ("nomx.nullmx.test", {}, {"mx.missing"}),
    ("sts-bad.transport.test", {}, {"mta-sts.syntax"}),
    ("rpt-bad.transport.test", {}, {"tlsrpt.syntax"}),
    ("bare.transport.test", {}, {"mta-sts.missing", "tlsrpt.missing"}),
    ("bad.bimi.test", {}, {"bimi.syntax"}),
    ("weak.bimi.test", {}, {"bimi.dmarc-too-weak", "dmarc.policy-none"}),
    ("weakpct.bimi.test", {}, {"bimi.dmarc-too-weak", "dmarc.pct"}),
    # PTR (spf.test allows 192.0.2.0/24)
    ("spf.test", {"ips": ["192.0.2.10"]}, set()),
    ("spf.test", {"ips": ["192.0.2.50"]}, {"ptr.mismatch"}),
    ("spf.test", {"ips": ["192.0.2.60"]}, {"ptr.missing"}),
    # the marketing domain
    ("good.test", {"marketing_domain": "good.test"}, {"domain.shared-with-marketing"}),
    (
        "good.test",
        {"selectors": ["s1"], "marketing_domain": "news.good.test", "marketing_selectors": ["s1"]},
        {"domain.shared-with-marketing"},
    ),
    (
        "tx.market.test",  # different selectors, one key
        {
            "selectors": ["s1"],
            "marketing_domain": "news.market.test",
            "marketing_selectors": ["m1"],
        },
        {"domain.shared-with-marketing"},
    ),
    # hostile records
    ("mutual.hostile.test", {}, {"spf.loop"}),  # a -> b -> a
    ("chain.hostile.test", {}, {"spf.lookup-limit"}),  # 100 includes, one after another
    ("fan.hostile.test", {}, {"spf.lookup-limit"}),  # 10 includes of 10 includes
    ("big.hostile.test", {}, {"spf.too-long"}),  # a 10 KB record (TCP)
    ("utf8.hostile.test", {}, {"spf.syntax"}),  # non-ASCII bytes in the record
    ("hostile.test", {"selectors": ["loop1"]}, {"dns.cname-loop"}),
    # several problems at once (the TUI test shows this one)
    (
        "tangle.subpolicy.test",
        {},
        {"spf.lookup-limit", "dmarc.subdomain-policy", "dmarc.policy-none", "mx.missing"}
        | {"mta-sts.missing", "tlsrpt.missing"},
    ),
    ("unknown.example", {}, {"dns.servfail"}),  # no fixture zone: nsd refuses
]


@pytest.mark.parametrize(
    ("domain", "kw", "expected"),
    CASES,
    ids=[f"{d}{' ' + str(kw) if kw else ''}" for d, kw, _ in CASES],
)
def test_each_case_raises_exactly_its_ids(
    nameserver: str, domain: str, kw: dict[str, object], expected: set[str]
) -> None:
    assert problems(run(nameserver, domain, **kw)) == expected


def test_every_dns_id_has_a_case() -> None:
    covered = {i for _, _, expected in CASES for i in expected}
    covered |= {"dkim.key-type", "dns.timeout"}  # the good zones; the silent server
    covered |= RELAY_IDS  # test_relay_presets.py, on the relay zones
    covered |= {"dns.not-checked"}  # zone files without a resolver: tests/dns/test_zone_fallback.py
    covered |= {i for i in DNS_IDS if i.startswith("drift.")}  # tests/dns/test_drift.py
    assert covered == DNS_IDS


def test_spf_tree_counts_every_branch_past_the_limit(nameserver: str) -> None:
    import asyncio

    tree = asyncio.run(build_tree(f"deep.{SL}", resolver=resolver_for(nameservers=[nameserver])))
    assert tree.total == 15
    assert [c.domain for c in tree.children] == [f"d1.{SL}", f"d2.{SL}", f"d3.{SL}"]
    assert [c.total for c in tree.children] == [5, 3, 4]
    assert "[15 lookups]" in tree.render()[0]


@pytest.mark.parametrize(
    ("domain", "total"), [("chain.hostile.test", 100), ("fan.hostile.test", 110)]
)
def test_hostile_trees_are_counted_to_the_end(nameserver: str, domain: str, total: int) -> None:
    report = run(nameserver, domain, ips=["192.0.2.10"])
    assert report.spf_tree is not None and report.spf_tree.total == total
    # a receiver stops at the 11th lookup: permerror, so the IP is not authorised
    assert "spf.ip-not-authorized" in ids(report)


def test_hostile_bytes_and_sizes_are_read_not_choked_on(nameserver: str) -> None:
    apex = run(nameserver, "hostile.test")  # SPF next to a 10 KB record and stray bytes
    assert apex.records["SPF"] == [("hostile.test", "v=spf1 ip4:192.0.2.0/24 -all")]
    [(_, big)] = run(nameserver, "big.hostile.test").records["SPF"]
    assert len(big) > 9000 and big.endswith(" -all")
    utf8 = run(nameserver, "utf8.hostile.test")
    errors = [f.message for f in utf8.findings if f.id == "spf.syntax"]
    assert len(errors) == 2  # the non-ASCII include target, the stray byte
    assert utf8.spf_tree is not None and utf8.spf_tree.children == []  # neither looked up


def test_check_host_results(nameserver: str) -> None:
    import asyncio

    res = resolver_for(nameservers=[nameserver])
    assert asyncio.run(check_host("192.0.2.25", "macro.spf.test", resolver=res))[0] == "pass"
    assert asyncio.run(check_host("192.0.2.26", "macro.spf.test", resolver=res))[0] == "fail"
    assert asyncio.run(check_host("192.0.2.5", f"deep.{SL}", resolver=res))[0] == "permerror"
    assert asyncio.run(check_host("192.0.2.5", "mutual.hostile.test", resolver=res))[0] == (
        "permerror"
    )
    assert asyncio.run(check_host("203.0.113.7", "good.test", resolver=res))[0] == "pass"
    assert asyncio.run(check_host("2001:db8::1", "good.test", resolver=res))[0] == "fail"
    assert asyncio.run(check_host("2001:db8:25::25", "good2.test", resolver=res))[0] == "pass"
    assert asyncio.run(check_host("203.0.113.7", "good2.test", resolver=res))[0] == "pass"
    assert asyncio.run(check_host("198.51.100.1", "good2.test", resolver=res))[0] == "fail"


@pytest.mark.parametrize(
    ("selector", "expected", "severity"),
    [
        ("missing", "dkim.missing", Severity.ERROR),
        ("bad", "dkim.syntax", Severity.ERROR),
        ("revoked", "dkim.revoked", Severity.ERROR),
        ("short", "dkim.key-too-short", Severity.WARNING),
        ("tiny", "dkim.key-too-short", Severity.ERROR),
        ("testing", "dkim.testing", Severity.WARNING),
        ("sha1", "dkim.sha1", Severity.WARNING),
    ],
)
def test_dkim_severities(nameserver: str, selector: str, expected: str, severity: Severity) -> None:
    report = run(nameserver, "dkim.test", selectors=[selector])
    [f] = [f for f in report.findings if f.id == expected]
    assert f.severity == severity


def test_dkim_key_sizes_and_types_are_read_from_the_keys(nameserver: str) -> None:
    report = run(nameserver, "dkim.test", selectors=["short", "ed"])
    info = {
        f.details["key_type"]: f.details["bits"] for f in report.findings if f.id == "dkim.key-type"
    }
    assert info == {"rsa": 1024, "ed25519": 256}


def test_timeout_is_reported_never_passed(silent_nameserver: str) -> None:
    report = preflight_sync(
        "good.test",
        resolver=resolver_for(nameservers=[silent_nameserver], timeout=0.3, retries=0),
        selectors=["s1"],
        ips=["192.0.2.25"],
    )
    assert "dns.timeout" in ids(report)
    assert not {i for i in ids(report) if i.split(".")[0] in ("spf", "dkim", "dmarc")}


def test_a_silent_server_is_asked_each_question_once_per_try(
    listening_silent_nameserver: Listener,
) -> None:
    silent = listening_silent_nameserver
    report = preflight_sync(
        "good.test",
        resolver=resolver_for(nameservers=[silent.address], timeout=0.2, retries=1),
        selectors=["s1"],
        ips=["192.0.2.25"],
    )
    assert problems(report) == {"dns.timeout"}
    asked = Counter(silent.asked)
    assert asked and max(asked.values()) <= 2  # the first try and one retry, then give up
    # each question once: the run's cache shares it between the checks that need it
    assert len(asked) == report.queries


def test_cli_against_a_silent_server_reports_and_exits(silent_nameserver: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "studio", "dns", "good.test", "--nameserver", silent_nameserver]
        + ["--timeout", "0.2", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,  # a guard against a hang, not a speed check
    )
    assert out.returncode == 1, out.stderr
    assert {f["id"] for f in json.loads(out.stdout)["findings"]} == {"dns.timeout"}


def test_cache_and_concurrency(nameserver: str) -> None:
    report = run(nameserver, "good.test", selectors=["s1"], ips=["192.0.2.25"])
    assert report.queries > 5 and report.cache_hits > 0


def test_studio_dns_cli(nameserver: str, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "studio", "dns", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )

    good = cli("good.test", "--nameserver", nameserver, "-s", "s1", "--format", "json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["summary"]["error"] == 0
    bad = cli(f"deep.{SL}", "--nameserver", nameserver, "--format", "json")
    assert bad.returncode == 1
    assert "spf.lookup-limit" in {f["id"] for f in json.loads(bad.stdout)["findings"]}
    text = cli(f"deep.{SL}", "--nameserver", nameserver)
    assert f"include:d1.{SL}  [5 lookups]" in text.stdout
    usage = cli("good.test", "--nameserver", "127.0.0.1:99999")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    missing = cli("good.test", "--zone-file", str(tmp_path / "nope.zone"))
    assert missing.returncode == 2 and "nope.zone" in missing.stderr


def test_zone_file_resolver_matches_the_server(nameserver: str, zone_dir: Path) -> None:
    files = sorted(zone_dir.glob("*.zone"))
    cases: list[tuple[str, dict[str, object]]] = [
        (f"deep.{SL}", {}),
        ("dkim.test", {"selectors": ["short", "revoked", "esp", "dangling"]}),
        ("good.test", {"ips": ["192.0.2.25", "192.0.2.50"]}),
        ("good2.test", GOOD["good2.test"]),
        ("hostile.test", {"selectors": ["loop1"]}),
        ("chain.hostile.test", {}),
        ("utf8.hostile.test", {}),
        ("mail.nodmarc.test", {}),
    ]
    for domain, kw in cases:
        live = run(nameserver, domain, **kw)
        offline = preflight_sync(domain, resolver=resolver_for(zone_files=files), **kw)
        assert {f.id for f in live.findings} == {f.id for f in offline.findings}, domain


def test_a_fan_out_include_tree_is_fetched_once_per_record(nameserver: str) -> None:
    # deep.fanout.test: each of 18 levels includes two names of the next; walked as a
    # tree that is 2**19 nodes (89 s and 1.4 GB before records were shared)
    report = run(nameserver, "deep.fanout.test", ips=["192.0.2.10"])
    tree = report.spf_tree
    assert tree is not None and not tree.truncated
    assert len(tree.walk()) == 1 + 2 * FANOUT_DEPTH  # every record once
    assert tree.total == 2 ** (FANOUT_DEPTH + 1) - 2  # every path counted, as receivers do
    assert len(tree.render()) <= 1 + 4 * FANOUT_DEPTH
    assert len(repr(tree)) < 10_000  # a shared subtree is not printed once per path
    # a receiver stops at the 11th lookup: permerror, so the IP is not authorised
    assert ids(report) == {"spf.lookup-limit", "spf.ip-not-authorized"}


def test_an_include_tree_fetches_at_most_max_nodes_records(nameserver: str) -> None:
    report = run(nameserver, "wide.fanout.test")
    tree = report.spf_tree
    assert tree is not None and tree.truncated
    assert len(tree.walk()) == MAX_NODES
    assert tree.total >= MAX_NODES - 1
    assert ids(report) == {"spf.lookup-limit"}
