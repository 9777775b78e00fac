"""The DNS baseline: what the preflight saw, as a versioned JSON document.

:func:`snapshot` turns a :class:`~studio.core.dns.DnsReport` into plain data: the SPF
tree with its lookup and void counts and which sending IPs it authorises, each DKIM
selector's key type, size and fingerprint, the DMARC tags in effect, MX, MTA-STS,
TLS-RPT, BIMI, the PTR of each sending IP and the marketing/transactional
separation. :func:`save_baseline` / :func:`load_baseline` write and read it (a
baseline of another domain, of an unknown version or not a baseline at all is a
:class:`~studio.errors.ConfigError`: one line, exit 2). ``drift.py`` compares two.

The snapshot is built only from the report: the records the preflight saw and the
findings each check returned. It makes no DNS query. Something the preflight could
not check (a timeout, a name no zone file covers) is recorded as ``unknown``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError
from ..findings import Finding
from .dkim import key_name, parse_dkim, parse_tags
from .dmarc import org_domain, parse_dmarc, report_domain

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


# -- the workspace setting ----------------------------------------------------------------


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
