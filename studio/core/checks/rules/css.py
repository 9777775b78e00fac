"""css.unsupported: CSS the author wrote that Gmail, Outlook, Apple Mail or Yahoo ignore.

Support data is caniemail's (vendored in ``checks/data``, MIT; refreshed by
``scripts/refresh_caniemail.py``). For each CSS property used in the template's
own styles (``<mj-style>`` blocks and ``style=""`` attributes in the MJML — not the
boilerplate MRML adds), the latest test result of every platform of the four client
families is read; a property is reported when under 70 % of those platforms
support it (partial support counts half). Properties listed in
``lint.css_allow`` are used knowingly and skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..context import MessageContext
from ..registry import Hit, rule

FAMILIES = ("gmail", "outlook", "apple-mail", "yahoo")
THRESHOLD = 0.5

_STYLE_BLOCK = re.compile(r"<mj-style\b[^>]*>(.*?)</mj-style>", re.S | re.I)
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*(["'])(.*?)\1""", re.S | re.I)
_DECL = re.compile(r"(?:^|[;{\s])(-?[a-z][a-z-]*)\s*:\s*[^;{}]+", re.I)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


@dataclass(frozen=True)
class Support:
    slug: str
    title: str
    url: str
    score: float
    failing: tuple[str, ...]  # families whose platforms mostly lack support


def _latest(versions: dict[str, str]) -> str:
    # Versions are years, dates or numbers; the data lists them oldest first.
    value = list(versions.values())[-1]
    return value.split()[0] if value else "u"


@cache
def support_table() -> dict[str, Support]:
    """CSS property name → its support across the four families."""
    raw = resources.files("studio.core.checks").joinpath("data/caniemail.json").read_text("utf-8")
    data = json.loads(raw)
    table: dict[str, Support] = {}
    for feature in data["features"]:
        slug = feature["slug"]
        if not slug.startswith("css-"):
            continue
        total = 0.0
        count = 0
        failing = []
        for family in FAMILIES:
            platforms = feature["stats"].get(family, {})
            fam_total = fam_count = 0.0
            for versions in platforms.values():
                v = _latest(versions)
                if v == "u":
                    continue
                score = 1.0 if v == "y" else 0.5 if v == "a" else 0.0
                total += score
                fam_total += score
                count += 1
                fam_count += 1
            if fam_count and fam_total / fam_count < 0.5:
                failing.append(data["nicenames"].get(family, family))
        if count:
            table[slug.removeprefix("css-")] = Support(
                slug, feature["title"], feature["url"], total / count, tuple(failing)
            )
    return table


def declared_properties(mjml: str) -> list[str]:
    """CSS property names declared in the author's styles, in order of appearance."""
    found: dict[str, None] = {}
    chunks = [m.group(1) for m in _STYLE_BLOCK.finditer(mjml)]
    chunks += [m.group(2) for m in _STYLE_ATTR.finditer(mjml)]
    for chunk in chunks:
        for m in _DECL.finditer(_COMMENT.sub("", chunk)):
            found.setdefault(m.group(1).lower(), None)
    return list(found)


@rule("css.unsupported")
def unsupported(ctx: MessageContext) -> Iterator[Hit]:
    table = support_table()
    allowed = set(ctx.settings.lint.css_allow)
    for prop in declared_properties(ctx.msg.mjml):
        if prop in allowed:
            continue
        support = table.get(prop)
        if support is None or support.score >= THRESHOLD:
            continue
        who = ", ".join(support.failing) or "several clients"
        yield Hit(
            ctx.subject,
            f"`{prop}` is supported by {support.score:.0%} of tested Gmail, Outlook, Apple Mail"
            f" and Yahoo platforms (not by {who}); see {support.url}",
            ctx.sources.locate(prop + ":", prop),
            {"property": prop, "support": round(support.score, 2), "url": support.url},
        )
