"""The per-protocol summary of a preflight: what passed as well as what failed."""

from __future__ import annotations

from studio.core.dns import preflight_sync, resolver_for
from studio.core.dns.summary import Status, summarize
from studio.core.workspace import Workspace


def rows_of(report):  # type: ignore[no-untyped-def]
    return {(r.protocol, r.subject): r for r in summarize(report)}


def test_example_zone_says_what_passed(example: Workspace) -> None:
    s = example.settings
    resolver = resolver_for(zone_files=[example.root / z for z in s.dns.zone_files])
    report = preflight_sync(
        s.transactional_domain or "",
        resolver=resolver,
        selectors=s.dkim_selectors,
        ips=s.sending_ips,
        marketing_domain=s.marketing_domain,
        marketing_selectors=s.marketing_dkim_selectors,
    )
    rows = summarize(report)
    protocols = [r.protocol for r in rows]
    for p in ("SPF", "DKIM", "DMARC", "MX", "MTA-STS", "TLS-RPT", "BIMI", "PTR", "Marketing"):
        assert p in protocols
    assert {r.status for r in rows} == {Status.PASS}
    by = {r.protocol: r for r in rows}
    assert "p=reject" in by["DMARC"].summary
    assert "rsa 2048 bits" in by["DKIM"].summary
    assert "-all" in by["SPF"].summary
    assert [r.subject for r in rows if r.protocol == "PTR"] == list(s.sending_ips)


def run(ns: str, domain: str, **kw: object):  # type: ignore[no-untyped-def]
    return preflight_sync(domain, resolver=resolver_for(nameservers=[ns], timeout=2), **kw)


def test_each_selector_has_its_row(nameserver: str) -> None:
    report = run(nameserver, "dkim.test", selectors=["good", "short", "revoked", "absent"])
    rows = rows_of(report)
    good = rows[("DKIM", "good._domainkey.dkim.test")]
    assert good.status is Status.PASS and "rsa 2048 bits" in good.summary
    short = rows[("DKIM", "short._domainkey.dkim.test")]
    assert short.status is Status.WARN and short.ids == ("dkim.key-too-short",)
    assert "1024 bits" in short.summary
    assert rows[("DKIM", "revoked._domainkey.dkim.test")].ids == ("dkim.revoked",)
    absent = rows[("DKIM", "absent._domainkey.dkim.test")]
    assert absent.status is not Status.PASS and "dkim.missing" in absent.ids
    # nothing given to check: said so, neither passed nor failed
    assert rows[("PTR", "dkim.test")].status is Status.ABSENT
    assert rows[("Marketing", "dkim.test")].status is Status.ABSENT


def test_weak_dmarc_and_missing_mx_are_not_passes(nameserver: str) -> None:
    rows = {r.protocol: r for r in summarize(run(nameserver, "none.dmarc.test"))}
    assert rows["DMARC"].status is not Status.PASS and "dmarc.policy-none" in rows["DMARC"].ids
    assert "p=none" in rows["DMARC"].summary
    assert rows["SPF"].status is Status.PASS
    rows = {r.protocol: r for r in summarize(run(nameserver, "nomx.nullmx.test"))}
    assert rows["MX"].status is not Status.PASS and rows["MX"].ids == ("mx.missing",)
    assert rows["BIMI"].status is Status.ABSENT  # optional


def test_a_failed_lookup_is_never_a_pass(silent_nameserver: str) -> None:
    report = preflight_sync(
        "good.test",
        resolver=resolver_for(nameservers=[silent_nameserver], timeout=0.3, retries=0),
        selectors=["s1"],
    )
    for row in summarize(report):
        if row.protocol in ("SPF", "DKIM", "DMARC", "MX", "MTA-STS", "TLS-RPT"):
            assert row.status in (Status.WARN, Status.FAIL), row
            assert any(i.startswith("dns.") for i in row.ids), row
