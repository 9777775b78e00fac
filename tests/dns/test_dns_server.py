"""The DNS checks against a real nsd on loopback: expected ids for broken zones, none for good."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.dns import preflight_sync, resolver_for
from studio.core.dns.spf import build_tree, check_host
from studio.core.findings import Severity

B = "broken.test"


def run(ns: str, domain: str, **kw: object):  # type: ignore[no-untyped-def]
    return preflight_sync(domain, resolver=resolver_for(nameservers=[ns], timeout=2), **kw)


def ids(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.id for f in report.findings if f.severity >= Severity.WARNING}


def test_good_zone_has_no_findings(nameserver: str) -> None:
    report = run(
        nameserver,
        "good.test",
        selectors=["s1", "esp"],
        ips=["192.0.2.25"],
        marketing_domain="news.good.test",
        marketing_selectors=["m1"],
    )
    assert ids(report) == set()
    key_types = [f for f in report.findings if f.id == "dkim.key-type"]
    assert len(key_types) == 2  # the CNAMEd provider key was followed
    assert report.spf_tree is not None and report.spf_tree.total == 1


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        ("nospf", {"spf.missing"}),
        ("multi", {"spf.multiple"}),
        ("syntax", {"spf.syntax"}),
        ("deep", {"spf.lookup-limit"}),
        ("void", {"spf.include-missing", "spf.void-lookups"}),
        ("loop", {"spf.loop"}),
        ("plusall", {"spf.all-permissive"}),
        ("noall", {"spf.no-all"}),
        ("ptr", {"spf.ptr"}),
        ("long", {"spf.too-long"}),
    ],
)
def test_spf_problems(nameserver: str, sub: str, expected: set[str]) -> None:
    found = {i for i in ids(run(nameserver, f"{sub}.{B}")) if i.startswith("spf.")}
    assert found == expected


def test_spf_tree_counts_every_branch_past_the_limit(nameserver: str) -> None:
    import asyncio

    tree = asyncio.run(build_tree(f"deep.{B}", resolver=resolver_for(nameservers=[nameserver])))
    assert tree.total == 15
    assert [c.domain for c in tree.children] == [f"d1.{B}", f"d2.{B}", f"d3.{B}"]
    assert [c.total for c in tree.children] == [5, 3, 4]
    assert "[15 lookups]" in tree.render()[0]


def test_check_host_ip_not_authorized_and_macros(nameserver: str) -> None:
    assert "spf.ip-not-authorized" in ids(run(nameserver, f"ipfail.{B}", ips=["192.0.2.99"]))
    assert "spf.ip-not-authorized" not in ids(run(nameserver, f"ipfail.{B}", ips=["192.0.2.1"]))
    import asyncio

    res = resolver_for(nameservers=[nameserver])
    assert asyncio.run(check_host("192.0.2.25", f"macro.{B}", resolver=res))[0] == "pass"
    assert asyncio.run(check_host("192.0.2.26", f"macro.{B}", resolver=res))[0] == "fail"
    assert asyncio.run(check_host("192.0.2.5", f"deep.{B}", resolver=res))[0] == "permerror"
    assert asyncio.run(check_host("203.0.113.7", "good.test", resolver=res))[0] == "pass"
    assert asyncio.run(check_host("2001:db8::1", "good.test", resolver=res))[0] == "fail"


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
def test_dkim_problems(nameserver: str, selector: str, expected: str, severity: Severity) -> None:
    report = run(nameserver, f"dk.{B}", selectors=[selector])
    [f] = [f for f in report.findings if f.id == expected]
    assert f.severity == severity


def test_dkim_key_sizes_and_types_are_read_from_the_keys(nameserver: str) -> None:
    report = run(nameserver, f"dk.{B}", selectors=["short", "ed"])
    info = {
        f.details["key_type"]: f.details["bits"] for f in report.findings if f.id == "dkim.key-type"
    }
    assert info == {"rsa": 1024, "ed25519": 256}


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        (f"dm-none.{B}", {"dmarc.policy-none"}),
        (f"dm-pct.{B}", {"dmarc.pct"}),
        (f"dm-norua.{B}", {"dmarc.no-rua"}),
        (f"dm-multi.{B}", {"dmarc.multiple"}),
        (f"dm-syntax.{B}", {"dmarc.syntax"}),
        (f"dm-ext.{B}", {"dmarc.rua-unauthorized"}),
        (f"sub.{B}", {"dmarc.subdomain-policy", "dmarc.policy-none"}),
        ("nodmarc.test", {"dmarc.missing"}),
    ],
)
def test_dmarc_problems(nameserver: str, domain: str, expected: set[str]) -> None:
    found = {i for i in ids(run(nameserver, domain)) if i.startswith("dmarc.")}
    assert found == expected


def test_other_protocols(nameserver: str) -> None:
    assert "mx.missing" in ids(run(nameserver, f"nospf.{B}"))
    null = run(nameserver, f"nullmx.{B}")
    assert "mx.null" in {f.id for f in null.findings} and "mx.missing" not in ids(null)
    assert "mta-sts.syntax" in ids(run(nameserver, f"sts-bad.{B}"))
    assert "tlsrpt.syntax" in ids(run(nameserver, f"rpt-bad.{B}"))
    assert {"bimi.syntax", "bimi.dmarc-too-weak"} <= ids(run(nameserver, f"bimi-bad.{B}"))
    info = {f.id for f in run(nameserver, f"nospf.{B}").findings}
    assert {"mta-sts.missing", "tlsrpt.missing"} <= info


def test_ptr(nameserver: str) -> None:
    report = run(nameserver, "good.test", ips=["192.0.2.25", "192.0.2.50", "192.0.2.60"])
    by_ip = {(f.id, f.subject) for f in report.findings if f.id.startswith("ptr.")}
    assert by_ip == {("ptr.mismatch", "192.0.2.50"), ("ptr.missing", "192.0.2.60")}


def test_shared_with_marketing(nameserver: str) -> None:
    same = run(nameserver, "good.test", marketing_domain="good.test")
    assert "domain.shared-with-marketing" in ids(same)
    shared = run(
        nameserver,
        "good.test",
        selectors=["s1"],
        marketing_domain="news.good.test",
        marketing_selectors=["s1"],
    )
    assert "domain.shared-with-marketing" in ids(shared)


def test_timeout_is_reported_never_passed(silent_nameserver: str) -> None:
    report = preflight_sync(
        "good.test",
        resolver=resolver_for(nameservers=[silent_nameserver], timeout=0.3, retries=0),
        selectors=["s1"],
        ips=["192.0.2.25"],
    )
    assert "dns.timeout" in ids(report)
    assert not {i for i in ids(report) if i.split(".")[0] in ("spf", "dkim", "dmarc")}


def test_servfail_outside_served_zones(nameserver: str) -> None:
    report = run(nameserver, "unknown.example")
    assert "dns.servfail" in ids(report)


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
    bad = cli(f"deep.{B}", "--nameserver", nameserver, "--format", "json")
    assert bad.returncode == 1
    assert "spf.lookup-limit" in {f["id"] for f in json.loads(bad.stdout)["findings"]}
    text = cli(f"deep.{B}", "--nameserver", nameserver)
    assert "include:d1.broken.test  [5 lookups]" in text.stdout
    usage = cli("good.test", "--nameserver", "127.0.0.1:99999")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    missing = cli("good.test", "--zone-file", str(tmp_path / "nope.zone"))
    assert missing.returncode == 2 and "nope.zone" in missing.stderr


def test_zone_file_resolver_matches_the_server(nameserver: str, zone_dir: Path) -> None:
    files = sorted(zone_dir.glob("*.zone"))
    for domain, kw in [
        (f"deep.{B}", {}),
        (f"dk.{B}", {"selectors": ["short", "revoked"]}),
        ("good.test", {"ips": ["192.0.2.25", "192.0.2.50"]}),
    ]:
        live = run(nameserver, domain, **kw)
        offline = preflight_sync(domain, resolver=resolver_for(zone_files=files), **kw)
        assert {f.id for f in live.findings} == {f.id for f in offline.findings}, domain
