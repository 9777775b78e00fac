"""DNS drift: what the preflight saw, kept as a baseline, and what got worse since.

* :func:`snapshot` turns a :class:`~studio.core.dns.DnsReport` into plain data (a
  versioned JSON document): the SPF tree with its lookup and void counts and which
  sending IPs it authorises, each DKIM selector's key type, size and fingerprint, the
  DMARC tags in effect, MX, MTA-STS, TLS-RPT, BIMI, the PTR of each sending IP and the
  marketing/transactional separation.
* :func:`save_baseline` / :func:`load_baseline` write and read it (a baseline of
  another domain, of an unknown version or not a baseline at all is a
  :class:`~studio.errors.ConfigError`: one line, exit 2).
* :func:`compare` reports the differences as ``drift.*`` findings: regressions as
  errors (a weaker DMARC policy, a DKIM selector gone or its key shorter, a sending
  IP SPF no longer authorises, SPF at 9 or 10 of its 10 lookups...), neutral changes
  as info (a new include, a rotated key of equal strength, a new report address).

The snapshot is built only from the report: the records the preflight saw and the
findings each check returned. It makes no DNS query (``benchmarks/dns_drift.py``
counts them with and without a baseline). Something the preflight could not check
(a timeout, a name no zone file covers) is recorded as ``unknown`` and never compared.

MTA-STS: the preflight reads the ``_mta-sts`` TXT record only, not the HTTPS policy
file where ``mode`` and ``max_age`` live, so the snapshot records the policy ``id``
(which changes whenever the policy file does) and a mode downgrade is reported as
``drift.mta-sts-changed`` (a changed policy id), not as a downgrade.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalogue import CATALOGUE
from ..findings import Finding
from .baseline import (
    ALL_STRENGTH,
    FORMAT,
    MISSING,
    NEAR_LIMIT,
    OK,
    UNKNOWN,
    VERSION,
    load_baseline,
    missing_baseline,
    save_baseline,
    settings_baseline,
    snapshot,
)
from .dkim import key_name
from .dmarc import STRENGTH

if TYPE_CHECKING:
    from . import DnsReport


# -- the comparison ----------------------------------------------------------------------


class _Drift:
    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.findings: list[Finding] = []

    def add(self, check_id: str, message: str, subject: str | None = None, **details: Any) -> None:
        self.findings.append(
            Finding(
                check_id,
                CATALOGUE[check_id].severity,
                subject or self.domain,
                message,
                details=details,
            )
        )


def _get(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _known(*parts: Mapping[str, Any]) -> bool:
    """Both sides were checked (neither unknown nor absent from the baseline)."""
    return all(p.get("status") not in (None, UNKNOWN) for p in parts)


def compare(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> list[Finding]:
    """The ``drift.*`` findings between a baseline and today's snapshot."""
    d = _Drift(str(current.get("domain")))
    _compare_scope(d, _get(baseline, "checked"), _get(current, "checked"))
    _compare_spf(d, _get(baseline, "spf"), _get(current, "spf"))
    _compare_dkim(d, _get(baseline, "dkim"), _get(current, "dkim"))
    _compare_dmarc(d, _get(baseline, "dmarc"), _get(current, "dmarc"))
    _compare_mx(d, _get(baseline, "mx"), _get(current, "mx"))
    _compare_tagged(d, "mta-sts", "MTA-STS", _get(baseline, "mta_sts"), _get(current, "mta_sts"))
    _compare_tagged(d, "tlsrpt", "TLS-RPT", _get(baseline, "tlsrpt"), _get(current, "tlsrpt"))
    _compare_tagged(d, "bimi", "BIMI", _get(baseline, "bimi"), _get(current, "bimi"))
    _compare_ptr(d, _get(baseline, "ptr"), _get(current, "ptr"))
    _compare_separation(d, _get(baseline, "separation"), _get(current, "separation"))
    return d.findings


def _compare_scope(d: _Drift, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    for key, what in (("selectors", "DKIM selector"), ("ips", "sending IP")):
        before, now = list(old.get(key) or []), list(new.get(key) or [])
        for item in before:
            if item not in now:
                d.add(
                    "drift.scope-changed",
                    f"{what} {item} is in the baseline but no longer checked (not compared)",
                    subject=item,
                )
    if old.get("marketing_domain") != new.get("marketing_domain"):
        d.add(
            "drift.scope-changed",
            f"marketing domain {old.get('marketing_domain')!r} in the baseline,"
            f" {new.get('marketing_domain')!r} now (separation not compared)",
        )


def _compare_spf(d: _Drift, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if not _known(old, new):
        return
    if old["status"] == OK and new["status"] == MISSING:
        d.add("drift.spf-gone", f"{d.domain} had an SPF record and has none now")
        return  # every sending IP with it: one finding, not one per IP
    if old["status"] == OK and new["status"] == OK:
        a, b = old.get("all"), new.get("all")
        if a and ALL_STRENGTH.get(a[0], 0) > ALL_STRENGTH.get((b or "?")[0], 0):
            d.add("drift.spf-all-weakened", f"SPF ends {b or 'without all'} (was {a})")
        lo, ln = int(old.get("lookups", 0)), int(new.get("lookups", 0))
        if ln >= NEAR_LIMIT and ln > lo:
            d.add(
                "drift.spf-lookups-near-limit",
                f"SPF needs {ln} of 10 DNS lookups (was {lo})",
                before=lo,
                after=ln,
            )
        elif ln != lo:
            d.add(
                "drift.spf-lookups-changed",
                f"SPF needs {ln} of 10 DNS lookups (was {lo})",
                before=lo,
                after=ln,
            )
        vo, vn = int(old.get("voids", 0)), int(new.get("voids", 0))
        if vn > vo:
            d.add(
                "drift.spf-voids-up",
                f"{vn} SPF lookups now return nothing (was {vo}; the limit is 2)",
                before=vo,
                after=vn,
            )
        before, now = set(old.get("includes") or ()), set(new.get("includes") or ())
        for name in sorted(now - before):
            d.add("drift.spf-include-added", f"SPF now includes {name}", subject=name)
        for name in sorted(before - now):
            d.add("drift.spf-include-removed", f"SPF no longer includes {name}", subject=name)
    old_ips, new_ips = _get(old, "ips"), _get(new, "ips")
    for ip in sorted(set(old_ips) & set(new_ips)):
        a, b = old_ips[ip], new_ips[ip]
        if UNKNOWN in (a, b) or a == b:
            continue
        if a == "pass":
            d.add(
                "drift.spf-ip-dropped",
                f"SPF no longer authorises sending IP {ip} (check_host = {b}, was pass)",
                subject=ip,
                result=b,
            )
        elif b == "pass":
            d.add(
                "drift.spf-ip-added",
                f"SPF now authorises sending IP {ip} (was {a})",
                subject=ip,
            )


def _compare_dkim(d: _Drift, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    for selector in sorted(set(old) | set(new)):
        a, b = _get(old, selector), _get(new, selector)
        name = key_name(selector, d.domain)
        if selector not in new:
            continue  # no longer checked: reported as drift.scope-changed
        if selector not in old:
            if b.get("status") == OK:
                d.add(
                    "drift.dkim-selector-added",
                    f"selector {selector} ({_key_text(b)}) is not in the baseline",
                    subject=name,
                )
            continue
        if not _known(a, b):
            continue
        if a["status"] == OK and b["status"] != OK:
            d.add(
                "drift.dkim-selector-gone",
                f"selector {selector} had a {_key_text(a)} key and is {b['status']} now",
                subject=name,
                status=b["status"],
            )
        elif a["status"] != OK and b["status"] == OK:
            d.add(
                "drift.dkim-selector-added",
                f"selector {selector} has a {_key_text(b)} key (was {a['status']})",
                subject=name,
            )
        elif a["status"] == OK and b["status"] == OK:
            weaker = a.get("type") == b.get("type") and int(b.get("bits") or 0) < int(
                a.get("bits") or 0
            )
            if weaker:
                d.add(
                    "drift.dkim-key-shorter",
                    f"selector {selector}'s key is {_key_text(b)}, was {_key_text(a)}",
                    subject=name,
                    before=a.get("bits"),
                    after=b.get("bits"),
                )
            elif a.get("key") != b.get("key") or a.get("type") != b.get("type"):
                d.add(
                    "drift.dkim-key-rotated",
                    f"selector {selector}'s key was rotated: {_key_text(b)} (was {_key_text(a)})",
                    subject=name,
                )


def _key_text(key: Mapping[str, Any]) -> str:
    bits = key.get("bits")
    return f"{key.get('type', '?')}{f' {bits} bits' if bits else ''}"


def _compare_dmarc(d: _Drift, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if not _known(old, new):
        return
    if old["status"] == OK and new["status"] == MISSING:
        d.add("drift.dmarc-gone", f"{d.domain} had a DMARC policy ({old.get('policy')}), now none")
        return
    if old["status"] == MISSING and new["status"] == OK:
        d.add(
            "drift.dmarc-strengthened",
            f"DMARC is published now: p={new.get('policy')}",
            subject=str(new.get("found_at")),
        )
    if old["status"] != OK or new["status"] != OK:
        return
    worse: list[str] = []
    better: list[str] = []
    for tag in ("policy", "sp"):
        a, b = str(old.get(tag)), str(new.get(tag))
        if STRENGTH.get(b, 0) < STRENGTH.get(a, 0):
            worse.append(f"{'p' if tag == 'policy' else 'sp'}={b} (was {a})")
        elif STRENGTH.get(b, 0) > STRENGTH.get(a, 0):
            better.append(f"{'p' if tag == 'policy' else 'sp'}={b} (was {a})")
    pa, pb = int(old.get("pct", 100)), int(new.get("pct", 100))
    if pb < pa:
        worse.append(f"pct={pb} (was {pa})")
    elif pb > pa:
        better.append(f"pct={pb} (was {pa})")
    for tag in ("adkim", "aspf"):
        a, b = str(old.get(tag)), str(new.get(tag))
        if a == "s" and b == "r":
            worse.append(f"{tag}=r (was s)")
        elif a == "r" and b == "s":
            better.append(f"{tag}=s (was r)")
    if worse:
        d.add(
            "drift.dmarc-weakened",
            "DMARC weakened: " + ", ".join(worse),
            subject=str(new.get("found_at")),
        )
    if better:
        d.add(
            "drift.dmarc-strengthened",
            "DMARC strengthened: " + ", ".join(better),
            subject=str(new.get("found_at")),
        )
    for tag in ("rua", "ruf"):
        a_uris, b_uris = set(old.get(tag) or ()), set(new.get(tag) or ())
        changes = [f"{u} added" for u in sorted(b_uris - a_uris)]
        changes += [f"{u} removed" for u in sorted(a_uris - b_uris)]
        if changes:
            d.add(
                "drift.dmarc-reports-changed",
                f"DMARC {tag}: " + ", ".join(changes),
                subject=str(new.get("found_at")),
            )
    for uri in sorted(set(old.get("authorised") or ()) & set(new.get("unauthorised") or ())):
        d.add(
            "drift.dmarc-report-unauthorised",
            f"{uri} no longer authorises reports for {d.domain}",
            subject=str(new.get("found_at")),
        )


def _compare_mx(d: _Drift, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if not _known(old, new) or old.get("records") == new.get("records"):
        return
    now = ", ".join(new.get("records") or []) or "none"
    was = ", ".join(old.get("records") or []) or "none"
    if old["status"] == OK and new["status"] == MISSING:
        d.add("drift.mx-gone", f"MX: {now} (was {was})")
    else:
        d.add("drift.mx-changed", f"MX: {now} (was {was})")


def _compare_tagged(
    d: _Drift, prefix: str, protocol: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> None:
    if not _known(old, new):
        return
    if old["status"] == OK and new["status"] != OK:
        d.add(f"drift.{prefix}-gone", f"the {protocol} record is gone (was {old.get('record')})")
    elif old["status"] == OK and old.get("record") != new.get("record"):
        d.add(
            f"drift.{prefix}-changed",
            f"{protocol}: {new.get('record')} (was {old.get('record')})",
        )
    elif old["status"] != OK and new["status"] == OK:
        d.add(f"drift.{prefix}-changed", f"{protocol} is now published: {new.get('record')}")


def _compare_ptr(d: _Drift, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    for ip in sorted(set(old) & set(new)):
        a, b = _get(old, ip), _get(new, ip)
        if not _known(a, b) or a == b:
            continue
        if a["status"] == OK and b["status"] != OK:
            d.add(
                "drift.ptr-mismatch",
                f"the PTR of {ip} no longer matches ({b['status']};"
                f" was {', '.join(a.get('names') or [])})",
                subject=ip,
            )
        else:
            d.add(
                "drift.ptr-changed",
                f"PTR of {ip}: {b['status']} {', '.join(b.get('names') or [])}"
                f" (was {a['status']} {', '.join(a.get('names') or [])})",
                subject=ip,
            )


def _compare_separation(d: _Drift, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if old.get("marketing_domain") != new.get("marketing_domain"):
        return  # reported as drift.scope-changed
    if old.get("status") == "separate" and new.get("status") == "shared":
        d.add(
            "drift.domain-shared",
            f"{d.domain} now shares a domain, selector or key with {new.get('marketing_domain')}",
        )


def drift(report: DnsReport, baseline: Path) -> list[Finding]:
    """The drift of ``report`` against the baseline file (no DNS query)."""
    return compare(load_baseline(baseline, report.domain), snapshot(report))


def apply_baseline(report: DnsReport, baseline: Path) -> list[Finding]:
    """Add the drift against ``baseline`` to the report's findings; return it.

    Raises:
        ConfigError: the baseline cannot be read, or is not one of this domain.
    """
    found = drift(report, baseline)
    report.findings += found
    report.baseline = str(baseline)
    return found


__all__ = [
    "FORMAT",
    "VERSION",
    "apply_baseline",
    "compare",
    "drift",
    "missing_baseline",
    "settings_baseline",
    "load_baseline",
    "save_baseline",
    "snapshot",
]
