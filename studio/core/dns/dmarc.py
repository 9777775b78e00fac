"""DMARC (RFC 7489): policy discovery at the domain, then at its organisational domain.

The organisational domain comes from the Public Suffix List shipped with
``publicsuffixlist`` (no network). Report destinations outside the domain's
organisation need their ``<domain>._report._dmarc.<destination>`` authorisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from publicsuffixlist import PublicSuffixList

from .dkim import parse_tags
from .resolver import Answer, Resolver

POLICIES = ("none", "quarantine", "reject")
STRENGTH = {"none": 0, "quarantine": 1, "reject": 2}


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def org_domain(domain: str) -> str:
    """The organisational domain (registrable part) of ``domain``."""
    found = _psl().privatesuffix(domain.lower())
    return found or domain.lower()


@dataclass(frozen=True)
class DmarcRecord:
    name: str  # where it was found (_dmarc.<domain>)
    domain: str  # the domain it belongs to
    text: str
    tags: dict[str, str]
    errors: tuple[str, ...]

    @property
    def policy(self) -> str:
        """p=; an invalid one counts as none (RFC 7489 6.6.3: act as if p=none)."""
        p = self.tags.get("p", "").lower()
        return p if p in POLICIES else "none"

    @property
    def subdomain_policy(self) -> str:
        """sp=, else p= (an invalid sp= counts as none, like p=)."""
        sp = self.tags.get("sp", self.policy).lower()
        return sp if sp in POLICIES else "none"

    @property
    def pct(self) -> int:
        try:
            return int(self.tags.get("pct", "100"))
        except ValueError:
            return 100

    def uris(self, tag: str) -> list[str]:
        return [u.strip() for u in self.tags.get(tag, "").split(",") if u.strip()]


def is_dmarc(text: str) -> bool:
    return text.replace(" ", "").lower().startswith("v=dmarc1")


async def query_dmarc(domain: str, *, resolver: Resolver) -> tuple[Answer, list[str]]:
    answer = await resolver.resolve(f"_dmarc.{domain}", "TXT")
    return answer, [r for r in answer.records if is_dmarc(r)]


def parse_dmarc(name: str, domain: str, text: str) -> DmarcRecord:
    tags, errors = parse_tags(text)
    if not text.lstrip().lower().startswith("v=dmarc1"):
        errors.append("v=DMARC1 must come first")
    if tags.get("p", "").lower() not in POLICIES:
        errors.append(f"p= must be none, quarantine or reject (found {tags.get('p')!r})")
    if "sp" in tags and tags["sp"].lower() not in POLICIES:
        errors.append(f"sp= must be none, quarantine or reject (found {tags['sp']!r})")
    if "pct" in tags and (not tags["pct"].isdigit() or not 0 <= int(tags["pct"]) <= 100):
        errors.append(f"pct= must be 0 to 100 (found {tags['pct']!r})")
    for tag in ("adkim", "aspf"):
        if tag in tags and tags[tag].lower() not in ("r", "s"):
            errors.append(f"{tag}= must be r or s")
    for tag in ("rua", "ruf"):
        for uri in [u for u in tags.get(tag, "").split(",") if u]:
            if (
                not uri.lower().startswith(("mailto:", "https:"))
                or "@" not in uri
                and uri.lower().startswith("mailto:")
            ):
                errors.append(f"{tag}= {uri!r} is not a mailto: address")
    return DmarcRecord(name, domain, text, tags, tuple(errors))


def report_domain(uri: str) -> str | None:
    """The domain a ``mailto:`` report URI delivers to."""
    if not uri.lower().startswith("mailto:"):
        return None
    address = uri[len("mailto:") :].split("!", 1)[0]
    return address.rpartition("@")[2].lower() or None
