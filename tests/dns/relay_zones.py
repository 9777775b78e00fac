"""Fixture zones for the relay presets: each provider's own zones, and in
``relays.test`` a correct and a wrong setup per provider, built from the presets.

* ``ok-<provider>.relays.test`` — SPF includes the provider, its DKIM selectors are
  published its way (a CNAME into its zone, or a TXT key);
* ``bad-<provider>.relays.test`` — SPF lacks the include, and the first selector is
  published the wrong way: a TXT key copied where a CNAME is required, a CNAME into
  another zone where one is optional, missing where a TXT key is expected. The other
  fixed selectors are missing.

Selectors a provider generates (Postmark's, SES's, SparkPost's) are :data:`SAMPLE`.
"""

from __future__ import annotations

from collections.abc import Callable

from studio.core.dns.relays import Preset, presets

SAMPLE = {
    "postmark": "20260101000000pm",
    "ses": "4f3kq2xj7bz6hx3xj5v2d6m7k2zq4wxa",
    "sparkpost": "scph0126",
}
"""A selector of each provider without fixed ones (one that matches its pattern)."""

HEADER = """$ORIGIN {origin}.
$TTL 300
@ IN SOA ns1.good.test. hostmaster.good.test. 1 3600 600 86400 300
@ IN NS ns1.good.test.
"""


def selectors(p: Preset) -> tuple[str, ...]:
    """The selectors the provider signs with in the fixtures."""
    return p.selectors or (SAMPLE[p.key],)


def configured(p: Preset) -> tuple[str, ...]:
    """What a workspace lists in dkim_selectors for the provider: nothing when its
    selectors are fixed (the check knows them), else the generated one."""
    return () if p.selectors else (SAMPLE[p.key],)


def _owner(name: str, origins: list[str]) -> str:
    return max((o for o in origins if name == o or name.endswith("." + o)), key=len)


def relay_zones(dkim: str, site: Callable[..., str], zone: Callable[..., str]) -> dict[str, str]:
    """``{origin: zone text}``; ``dkim`` is a DKIM key record in zone-file syntax;
    ``site`` and ``zone`` are conftest's builders of healthy sending names."""
    records: list[tuple[str, str]] = []  # (absolute name, "TYPE data")
    body = ""
    for p in presets().values():
        include, target = p.spf_includes[0], (p.cname_targets or ("",))[0]
        records.append((include, 'TXT "v=spf1 ip4:203.0.113.0/24 -all"'))
        for which in ("ok", "bad"):
            sub = f"{which}-{p.key}"
            spf = f"v=spf1 include:{include} -all" if which == "ok" else "v=spf1 ip4:192.0.2.1 -all"
            body += site("relays.test", sub, spf=spf)
            for i, sel in enumerate(selectors(p)):
                name = f"{sel}._domainkey.{sub}"
                if which == "ok" and p.cname != "none":
                    delegated = f"{sel}.{sub}.{target}"
                    body += f"{name} IN CNAME {delegated}.\n"
                    records.append((delegated, f"TXT {dkim}"))
                elif which == "ok":
                    body += f"{name} IN TXT {dkim}\n"
                elif i == 0 and p.cname == "required":
                    body += f"{name} IN TXT {dkim}\n"
                elif i == 0 and p.cname == "optional":
                    body += f"{name} IN CNAME {sel}.elsewhere.relays.test.\n"
                    body += f"{sel}.elsewhere IN TXT {dkim}\n"
    origins = sorted(
        {n for n, _ in records} | {t for p in presets().values() for t in p.cname_targets}
    )
    origins = [o for o in origins if not any(o.endswith("." + q) for q in origins)]
    out = {o: HEADER.format(origin=o) for o in origins}
    for name, rr in records:
        out[_owner(name, origins)] += f"{name}. IN {rr}\n"
    out["relays.test"] = zone("relays.test", body)
    return out
