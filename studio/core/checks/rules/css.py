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
_DECL = re.compile(r"(?:^|[;{\s])(-?[a-z][a-z-]*)\s*:\s*([^;{}]+)", re.I)
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


def declarations(mjml: str) -> Iterator[tuple[str, str]]:
    """(property, value) of each declaration in ``<mj-style>`` blocks and style attributes."""
    chunks = [m.group(1) for m in _STYLE_BLOCK.finditer(mjml)]
    chunks += [m.group(2) for m in _STYLE_ATTR.finditer(mjml)]
    for chunk in chunks:
        for m in _DECL.finditer(_COMMENT.sub("", chunk)):
            yield m.group(1).lower(), "".join(m.group(2).split()).lower()


def declared_properties(mjml: str, *, skip: frozenset[tuple[str, str]] = frozenset()) -> list[str]:
    """CSS property names declared in the author's styles, in order of appearance."""
    found: dict[str, None] = {}
    for prop, value in declarations(mjml):
        if (prop, value) not in skip:
            found.setdefault(prop, None)
    return list(found)


# Every MJML element once: what MRML writes into style attributes by itself.
_EVERY_ELEMENT = """<mjml><mj-head><mj-preview>p</mj-preview></mj-head>
<mj-body><mj-wrapper><mj-section><mj-group><mj-column>
<mj-text>t</mj-text><mj-button href="https://x.example/">b</mj-button>
<mj-image src="https://x.example/i.png" alt="i" href="https://x.example/"></mj-image>
<mj-divider></mj-divider><mj-spacer></mj-spacer><mj-table><tr><td>c</td></tr></mj-table>
<mj-social><mj-social-element name="facebook" href="https://x.example/">f</mj-social-element>
</mj-social><mj-navbar><mj-navbar-link href="https://x.example/">n</mj-navbar-link></mj-navbar>
</mj-column></mj-group></mj-section></mj-wrapper>
<mj-hero background-url="https://x.example/h.png"><mj-text>h</mj-text></mj-hero>
</mj-body></mjml>"""


@cache
def mjml_boilerplate() -> frozenset[tuple[str, str]]:
    """The declarations MRML adds to the HTML of every message, whoever wrote the MJML."""
    from ...render.mjml import compile_mjml

    return frozenset(declarations(compile_mjml(_EVERY_ELEMENT).html))


@rule("css.unsupported")
def unsupported(ctx: MessageContext) -> Iterator[Hit]:
    table = support_table()
    allowed = set(ctx.settings.lint.css_allow)
    # A lone HTML file or captured message has no MJML: leave out what MRML writes.
    skip = mjml_boilerplate() if ctx.msg.mjml == ctx.msg.html else frozenset()
    for prop in declared_properties(ctx.msg.mjml, skip=skip):
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
