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

import hashlib
import ipaddress
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError
from ..catalogue import CATALOGUE
from ..findings import Finding
from .dkim import key_name, parse_dkim, parse_tags
from .dmarc import STRENGTH, org_domain, parse_dmarc, report_domain

if TYPE_CHECKING:
    from ..workspace import Workspace
    from . import DnsReport

FORMAT = "studio-dns-baseline"
VERSION = 1
NEAR_LIMIT = 9  # SPF lookups: at 9 or 10 of 10, the next include breaks SPF
MTA_STS_POLICY = (
    "not fetched: the preflight reads the _mta-sts TXT record, not the HTTPS policy"
    " file where mode and max_age live"
)

OK, MISSING, UNKNOWN = "ok", "missing", "unknown"
ALL_STRENGTH = {"-": 3, "~": 2, "?": 1, "+": 0}


# -- the snapshot ------------------------------------------------------------------------


def _failed(findings: Iterable[Finding], subject: str | None = None) -> bool:
    """A lookup of this check (about ``subject``, if given) could not be answered."""
    return any(
        f.id.startswith("dns.") and (subject is None or f.subject == subject) for f in findings
    )


def _ids(findings: Iterable[Finding], subject: str | None = None) -> set[str]:
    return {f.id for f in findings if subject is None or f.subject == subject}


def _records(report: DnsReport, protocol: str) -> list[tuple[str, str]]:
    return report.records.get(protocol, [])


def _spf(report: DnsReport) -> dict[str, Any]:
    found = report.sections.get("SPF", [])
    tree = report.spf_tree
    ips: dict[str, str] = {}
    if tree is None or tree.answer is None or tree.answer.failed:
        return {"status": UNKNOWN}
    if tree.record is None:
        out: dict[str, Any] = {"status": MISSING}
    else:
        alls = [t for t in tree.record.mechanisms if t.mechanism == "all"]
        out = {
            "status": OK,
            "record": tree.record.text,
            "all": f"{alls[-1].qualifier}all" if alls else None,
            "lookups": tree.total,
            "voids": tree.total_void,
            "tree": [
                {
                    "domain": n.domain,
                    "via": n.via,
                    "record": n.record.text if n.record else None,
                    "lookups": n.lookups,
                    "status": UNKNOWN
                    if n.answer is not None and n.answer.failed
                    else (OK if n.record else MISSING),
                }
                for n in tree.walk()
            ],
            "includes": sorted({n.domain for n in tree.walk() if n is not tree}),
        }
    for ip in report.ips:
        if out["status"] == MISSING:
            ips[ip] = "none"  # no SPF record: check_host() is none for every IP
            continue
        if _failed(found, ip):
            ips[ip] = UNKNOWN
            continue
        refused = [f for f in found if f.id == "spf.ip-not-authorized" and f.subject == ip]
        ips[ip] = str(refused[0].details.get("result", "fail")) if refused else "pass"
    out["ips"] = ips
    return out


def _dkim(report: DnsReport) -> dict[str, Any]:
    found = report.sections.get("DKIM", [])
    seen = {name.split(" → ")[0]: text for name, text in _records(report, "DKIM")}
    out: dict[str, Any] = {}
    for selector in report.selectors:
        name = key_name(selector, report.domain).lower()  # as the resolver answers it
        ids = _ids(found, name)
        if _failed(found, name) or any(i.startswith("dns.") for i in ids):
            out[selector] = {"status": UNKNOWN}
        elif "dkim.missing" in ids or name not in seen:
            out[selector] = {"status": MISSING}
        elif "dkim.revoked" in ids:
            out[selector] = {"status": "revoked"}
        else:
            key = parse_dkim(selector, name, seen[name])
            fingerprint = hashlib.sha256(key.tags.get("p", "").encode()).hexdigest()[:16]
            out[selector] = {
                "status": OK if key.bits is not None else "invalid",
                "type": key.key_type,
                "bits": key.bits,
                "key": fingerprint,
            }
    return out


def _dmarc(report: DnsReport) -> dict[str, Any]:
    found = report.sections.get("DMARC", [])
    seen = _records(report, "DMARC")
    if not seen:
        if "dmarc.missing" in _ids(found):
            return {"status": MISSING}
        return {"status": UNKNOWN}
    name, text = seen[0]
    domain = name.removeprefix("_dmarc.")
    record = parse_dmarc(name, domain, text)
    inherited = domain != report.domain
    unauthorised = sorted(
        str(f.details.get("uri")) for f in found if f.id == "dmarc.rua-unauthorized"
    )
    external = [
        uri
        for tag in ("rua", "ruf")
        for uri in record.uris(tag)
        if (dest := report_domain(uri)) and org_domain(dest) != org_domain(domain)
    ]
    return {
        "status": OK,
        "record": text,
        "found_at": name,
        "policy": record.subdomain_policy if inherited else record.policy,
        "p": record.policy,
        "sp": record.subdomain_policy,
        "pct": record.pct,
        "adkim": record.tags.get("adkim", "r").lower(),
        "aspf": record.tags.get("aspf", "r").lower(),
        "rua": record.uris("rua"),
        "ruf": record.uris("ruf"),
        # an authorisation lookup that failed leaves the destination out of both lists
        "authorised": sorted(
            u
            for u in external
            if u not in unauthorised and not _failed(found, _auth_name(domain, u))
        ),
        "unauthorised": unauthorised,
    }


def _auth_name(domain: str, uri: str) -> str:
    return f"{domain}._report._dmarc.{report_domain(uri)}"


def _tagged(report: DnsReport, protocol: str, missing_id: str | None) -> dict[str, Any]:
    found = report.sections.get(protocol, [])
    seen = _records(report, protocol)
    if seen:
        tags, _ = parse_tags(seen[0][1])
        return {"status": OK, "record": seen[0][1], "tags": tags}
    if _failed(found):
        return {"status": UNKNOWN}
    if missing_id is None or missing_id in _ids(found):
        return {"status": MISSING}
    return {"status": UNKNOWN}


def _mx(report: DnsReport) -> dict[str, Any]:
    found = report.sections.get("MX", [])
    if _failed(found):
        return {"status": UNKNOWN}
    records = sorted(text for _, text in _records(report, "MX"))
    if not records or records == ["0 ."]:
        return {"status": MISSING, "records": records}
    return {"status": OK, "records": records}


def _ptr(report: DnsReport) -> dict[str, Any]:
    found = report.sections.get("PTR", [])
    out: dict[str, Any] = {}
    for ip in report.ips:
        reverse = ipaddress.ip_address(ip).reverse_pointer
        names = sorted(text for owner, text in _records(report, "PTR") if owner == ip)
        ids = _ids(found, ip)
        if _failed(found, reverse) or _failed(found, ip):
            out[ip] = {"status": UNKNOWN}
        elif "ptr.missing" in ids:
            out[ip] = {"status": MISSING}
        elif "ptr.mismatch" in ids:
            out[ip] = {"status": "mismatch", "names": names}
        else:
            out[ip] = {"status": OK, "names": names}
    return out


def _separation(report: DnsReport) -> dict[str, Any]:
    if not report.marketing_domain:
        return {"status": "unset"}
    shared = "domain.shared-with-marketing" in _ids(report.sections.get("Domain", []))
    return {
        "status": "shared" if shared else "separate",
        "marketing_domain": report.marketing_domain,
    }


def snapshot(report: DnsReport, *, saved: datetime | None = None) -> dict[str, Any]:
    """What the preflight saw, as JSON-ready data (no DNS query is made)."""
    mta_sts = _tagged(report, "MTA-STS", "mta-sts.missing")
    if mta_sts["status"] == OK:
        mta_sts["id"] = mta_sts["tags"].get("id")
    mta_sts |= {"mode": None, "max_age": None, "policy": MTA_STS_POLICY}
    return {
        "format": FORMAT,
        "version": VERSION,
        "domain": report.domain,
        "saved": (saved or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "checked": {
            "selectors": list(report.selectors),
            "ips": list(report.ips),
            "marketing_domain": report.marketing_domain,
        },
        "spf": _spf(report),
        "dkim": _dkim(report),
        "dmarc": _dmarc(report),
        "mx": _mx(report),
        "mta_sts": mta_sts,
        "tlsrpt": _tagged(report, "TLS-RPT", "tlsrpt.missing"),
        "bimi": _tagged(report, "BIMI", None),
        "ptr": _ptr(report),
        "separation": _separation(report),
    }


# -- files -------------------------------------------------------------------------------


def save_baseline(report: DnsReport, path: Path) -> dict[str, Any]:
    """Write the snapshot of ``report`` to ``path`` (replaced whole, never half-written)."""
    data = snapshot(report)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the baseline: {exc.strerror}") from None
    return data


def load_baseline(path: Path, domain: str) -> dict[str, Any]:
    """The baseline at ``path``, checked to be a version-1 baseline of ``domain``.

    Raises:
        ConfigError: unreadable, not a baseline, an unknown version or another domain.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the baseline: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a DNS baseline (not UTF-8 text)") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: not a DNS baseline (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(
            f'{path}: not a DNS baseline (no "format": "{FORMAT}"; write one with'
            " studio dns --save-baseline)"
        )
    if data.get("version") != VERSION:
        raise ConfigError(
            f"{path}: baseline version {data.get('version')!r} is unknown"
            f" (this Studio reads version {VERSION}); save a new one with --save-baseline"
        )
    if str(data.get("domain", "")).lower() != domain.lower():
        raise ConfigError(f"{path}: a baseline of {data.get('domain')!r}, not of {domain!r}")
    return data


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


def settings_baseline(workspace: Workspace | None, domain: str) -> Path | None:
    """The ``[dns] baseline`` of the workspace, when ``domain`` is its own domain."""
    if workspace is None or not workspace.settings.dns.baseline:
        return None
    own = (workspace.settings.transactional_domain or "").lower().rstrip(".")
    if domain.lower().rstrip(".") != own:
        return None
    return workspace.root / workspace.settings.dns.baseline


def missing_baseline(workspace: Workspace, path: Path) -> ConfigError:
    """The error for a configured baseline not saved yet (naming the setting)."""
    file = workspace.settings_file
    key = "tool.studio.dns" if file is not None and file.name == "pyproject.toml" else "dns"
    return ConfigError(
        f"{file}: {key}.baseline = {workspace.settings.dns.baseline!r}: {path} does not"
        f" exist (write it with studio dns --save-baseline {workspace.settings.dns.baseline})"
    )


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
