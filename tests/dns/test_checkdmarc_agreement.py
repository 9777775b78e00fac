"""Studio and checkdmarc on the same fixture zones through the same nsd on loopback.

For each fixture domain both give a verdict: whether the SPF record can be
evaluated (not none, not permerror), its DNS-lookup and void-lookup counts when it
can, and the DMARC policy in effect (where it was found and its p=). They agree but
in :data:`DIFFERENCES`, each explained, with the RFC section, in docs/dns.md
("Studio and checkdmarc"). A new disagreement, or one that went away, fails here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import checkdmarc.dmarc
import checkdmarc.spf
import dns.nameserver
import pytest

from studio.core.dns import preflight_sync, resolver_for
from studio.core.dns.dmarc import parse_dmarc
from studio.core.dns.resolver import parse_nameserver

from .test_dns_server import problems

# check_host() would return permerror: the record cannot be used (RFC 7208 4.6, 4.6.4, 5.2)
PERMERROR = {
    "spf.multiple",
    "spf.syntax",
    "spf.lookup-limit",
    "spf.void-lookups",
    "spf.include-missing",
    "spf.loop",
}

DOMAINS = [
    "good.test",
    "good2.test",
    "spf.test",
    *[
        f"{s}.spf.test"
        for s in ("nospf", "multi", "syntax", "plusall", "neutral", "noall", "ptr", "long")
    ],
    *[f"{s}.spf.test" for s in ("ipfail", "macro")],
    *[f"{s}.spflimits.test" for s in ("deep", "void", "loop", "mxmany")],
    "dmarc.test",
    *[f"{s}.dmarc.test" for s in ("none", "pct", "norua", "multi", "syntax", "ext")],
    "mail.subpolicy.test",
    "tangle.subpolicy.test",
    "nodmarc.test",
    "mail.nodmarc.test",
    "nullmx.test",
    "weak.bimi.test",
    "weakpct.bimi.test",
    *[f"{s}hostile.test" for s in ("", "mutual.", "chain.", "fan.", "big.", "utf8.")],
]

# (domain, what) -> (Studio's verdict, checkdmarc's verdict); see docs/dns.md
DIFFERENCES: dict[tuple[str, str], tuple[object, object]] = {
    # RFC 7208 4.5: the record starts with "v=spf1 ", so it is the SPF record; its
    # non-ASCII bytes are a syntax error, a permerror (4.6). checkdmarc skips a TXT
    # record it cannot decode and reports no record (none).
    ("utf8.hostile.test", "spf"): ("permerror", "none"),
    # RFC 7489 6.6.3: an invalid p= with a valid rua= is applied as p=none.
    # checkdmarc calls the record invalid and applies no policy.
    ("syntax.dmarc.test", "dmarc"): (("syntax.dmarc.test", "none"), None),
    # RFC 7208 5.5: ptr looks up the client IP's PTR names and their addresses, never
    # the A record of the ptr target; checkdmarc looks that up and counts it void.
    ("ptr.spf.test", "void"): (0, 1),
}


@dataclass(frozen=True)
class Verdict:
    spf: str  # "ok", "none", "permerror" or "temperror"
    lookups: int | None  # when spf == "ok"
    void: int | None  # lookups answered NXDOMAIN or with no record, when spf == "ok"
    dmarc: tuple[str, str] | None  # (the domain of the record, its policy) in effect


def studio_verdict(ns: str, domain: str) -> Verdict:
    report = preflight_sync(domain, resolver=resolver_for(nameservers=[ns], timeout=10))
    found = problems(report)
    if "spf.missing" in found:
        spf = "none"
    elif found & PERMERROR:
        spf = "permerror"
    elif any(f.id.startswith("dns.") and f.subject == domain for f in report.findings):
        spf = "temperror"
    else:
        spf = "ok"
    tree = report.spf_tree if spf == "ok" else None
    lookups, void = (tree.total, tree.total_void) if tree else (None, None)
    dmarc = None
    records = report.records.get("DMARC", [])
    if len(records) == 1 and "dmarc.multiple" not in found:
        name, text = records[0]
        owner = name.removeprefix("_dmarc.")
        dmarc = (owner, parse_dmarc(name, owner, text).policy)
    return Verdict(spf, lookups, void, dmarc)


def checkdmarc_verdict(ns: str, domain: str) -> Verdict:
    server = [dns.nameserver.Do53Nameserver(*parse_nameserver(ns))]  # loopback only
    spf = checkdmarc.spf.check_spf(domain, nameservers=server, timeout=10, retries=0)
    verdict, lookups, void = (
        ("ok", spf["dns_lookups"], spf["void_dns_lookups"])
        if spf["valid"]
        else (_why(server, domain), None, None)
    )
    dm = checkdmarc.dmarc.check_dmarc(domain, nameservers=server, timeout=10, retries=0)
    dmarc = None
    if dm["valid"]:
        dmarc = (dm["location"], dm["tags"]["p"]["value"])
    return Verdict(verdict, lookups, void, dmarc)


def _why(server: Sequence[dns.nameserver.Nameserver], domain: str) -> str:
    """Why checkdmarc found the SPF record unusable (its check_spf says only "invalid")."""
    try:
        checkdmarc.spf.query_spf_record(domain, nameservers=server, timeout=10, retries=0)
    except checkdmarc.spf.SPFRecordNotFound as exc:
        return "none" if isinstance(exc.error, str) else "temperror"  # else: a DNS error
    except checkdmarc.spf.SPFError:
        return "permerror"  # multiple records
    return "permerror"  # found, but parsing it failed


@pytest.fixture(scope="module")
def verdicts(nameserver: str) -> dict[str, tuple[Verdict, Verdict]]:
    return {d: (studio_verdict(nameserver, d), checkdmarc_verdict(nameserver, d)) for d in DOMAINS}


@pytest.mark.parametrize("domain", DOMAINS)
def test_spf_verdicts_agree(verdicts: dict[str, tuple[Verdict, Verdict]], domain: str) -> None:
    ours, theirs = verdicts[domain]
    expected = DIFFERENCES.get((domain, "spf"), (theirs.spf, theirs.spf))
    assert (ours.spf, theirs.spf) == expected
    assert ours.lookups == theirs.lookups
    assert (ours.void, theirs.void) == DIFFERENCES.get((domain, "void"), (theirs.void, theirs.void))


@pytest.mark.parametrize("domain", DOMAINS)
def test_dmarc_verdicts_agree(verdicts: dict[str, tuple[Verdict, Verdict]], domain: str) -> None:
    ours, theirs = verdicts[domain]
    expected = DIFFERENCES.get((domain, "dmarc"), (theirs.dmarc, theirs.dmarc))
    assert (ours.dmarc, theirs.dmarc) == expected


def test_the_comparison_sees_every_kind_of_verdict(
    verdicts: dict[str, tuple[Verdict, Verdict]],
) -> None:
    ours = [v for v, _ in verdicts.values()]
    assert {v.spf for v in ours} >= {"ok", "none", "permerror"}
    assert {v.lookups for v in ours} >= {0, 1, 2}
    assert None in {v.dmarc for v in ours}
    assert {v.dmarc[1] for v in ours if v.dmarc} == {"none", "quarantine", "reject"}
    # an inherited policy is found at the organisational domain by both
    assert verdicts["mail.subpolicy.test"][1].dmarc == ("subpolicy.test", "reject")
