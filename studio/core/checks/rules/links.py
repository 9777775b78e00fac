"""Rules on links: scheme, emptiness, misleading text, shorteners, tracking, leftovers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from urllib.parse import parse_qsl, urlsplit

from ...findings import Location
from ..context import MessageContext
from ..registry import Hit, rule

SHORTENERS = frozenset(
    """bit.ly bitly.com tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly
    shorturl.at tiny.cc lnkd.in s.id rb.gy t.ly v.gd bl.ink short.io tr.im x.co
    soo.gd clck.ru qr.ae adf.ly shorte.st""".split()
)
UNRENDERED = re.compile(r"\{\{|\{%|\}\}|%7B%7B|%7B%25|\[\[|\*\|", re.IGNORECASE)
URLISH = re.compile(r"^(?:https?://|www\.)\S+$|^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?$", re.I)
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
UNSAFE_SCHEMES = ("javascript", "data", "vbscript")
# What a browser drops before reading a scheme: leading C0 controls and spaces, and
# tabs and line breaks anywhere (so "java\tscript:" is still javascript:).
_SCHEME_NOISE = re.compile(r"^[\x00-\x20]+|[\t\n\r]")


# The host of a plain ``http(s)://host[:port]`` URL, read without ``urlsplit`` (a
# message with 100,000 links spent most of the link rules there); anything else
# (userinfo, brackets, spaces or controls, non-ASCII) goes through ``urlsplit``.
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]*)(?::[0-9]*)?(?=[/?#]|\Z)", re.I)
_UNUSUAL = re.compile(r"[^\x21-\x7e]")


def _host(url: str) -> str:
    m = _PLAIN_HOST.match(url)
    if m is not None and _UNUSUAL.search(url) is None:
        return m.group(1).lower()
    try:
        return (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return ""


def _locate(ctx: MessageContext, href: str) -> Location:
    """Where a URL is written: as rendered, else without the query tracking may have
    added, else where the template writes the sample variable it came from."""
    return ctx.locate_url(href)


def _web(ctx: MessageContext) -> Iterator[tuple[str, str]]:
    """Each distinct web link of the message with its text (worked out once: four
    rules walk them)."""
    return ctx.web_links


@rule("link.insecure")
def insecure(ctx: MessageContext) -> Iterator[Hit]:
    for href, _ in _web(ctx):
        if href.lower().startswith("http://"):
            yield Hit(
                ctx.subject, f"http link: {href}", partial(_locate, ctx, href), {"href": href}
            )


def unsafe_scheme_of(href: str) -> str | None:
    """``javascript``, ``data`` or ``vbscript`` when ``href`` runs or embeds content."""
    if href[:1] in ("h", "H"):  # http(s) and the like: no noise to drop, not one of them
        return None
    scheme, colon, _ = _SCHEME_NOISE.sub("", href).partition(":")
    scheme = scheme.lower()
    return scheme if colon and scheme in UNSAFE_SCHEMES else None


@rule("link.unsafe-scheme")
def unsafe_scheme(ctx: MessageContext) -> Iterator[Hit]:
    seen = set()
    for link in ctx.html.links:
        scheme = unsafe_scheme_of(link.href)
        if scheme and link.href not in seen:
            seen.add(link.href)
            yield Hit(
                ctx.subject,
                f"a {scheme}: link (a script or inline content, not a page): {link.href[:80]}",
                partial(_locate, ctx, link.href),
                {"href": link.href, "scheme": scheme},
            )


@rule("link.empty")
def empty(ctx: MessageContext) -> Iterator[Hit]:
    for link in ctx.html.links:
        href = link.href.strip()
        if not href or href == "#":
            yield Hit(
                ctx.subject,
                f"a link with no target (text: {link.text or link.image_alt or 'none'!r})",
                partial(ctx.sources.locate, link.text or 'href=""'),
                {"text": link.text},
            )


@rule("link.no-accessible-name")
def no_accessible_name(ctx: MessageContext) -> Iterator[Hit]:
    for link in ctx.html.links:
        href = link.href.strip()
        if href and href != "#" and not link.text and not link.image_alt:
            yield Hit(
                ctx.subject,
                f"a link with no visible text or image alt: {href}",
                partial(_locate, ctx, href),
                {"href": href},
            )


@rule("link.mismatch")
def mismatch(ctx: MessageContext) -> Iterator[Hit]:
    for href, text in _web(ctx):
        if not text or not URLISH.match(text):
            continue
        shown, target = _host(text), _host(href)
        if shown and target and shown != target:
            yield Hit(
                ctx.subject,
                f"the text shows {text!r} but the link goes to {target}",
                partial(ctx.sources.locate, text),
                {"text": text, "href": href},
            )


@rule("link.shortener")
def shortener(ctx: MessageContext) -> Iterator[Hit]:
    for href, _ in _web(ctx):
        host = _host(href)
        if host in SHORTENERS or host.removeprefix("www.") in SHORTENERS:
            yield Hit(
                ctx.subject,
                f"{host} is a public URL shortener: {href}",
                partial(_locate, ctx, href),
                {"href": href},
            )


@rule("link.untracked")
def untracked(ctx: MessageContext) -> Iterator[Hit]:
    own = ctx.settings.tracking.own_domains
    if not own:
        return
    for href, _ in _web(ctx):
        host = _host(href)
        if not any(host == d or host.endswith("." + d) for d in own):
            continue
        keys = {k for k, _ in parse_qsl(urlsplit(href).query)}
        missing = [k for k in UTM_KEYS if k not in keys]
        if missing:
            yield Hit(
                ctx.subject,
                f"own-domain link without {', '.join(missing)}: {href}",
                partial(_locate, ctx, href),
                {"href": href},
            )


@rule("link.unrendered")
def unrendered(ctx: MessageContext) -> Iterator[Hit]:
    for link in ctx.html.links:
        if UNRENDERED.search(link.href):
            yield Hit(
                ctx.subject,
                f"template syntax left in a URL: {link.href}",
                partial(ctx.sources.locate, link.href, link.href.split("?", 1)[0]),
                {"href": link.href},
            )
    for image in ctx.html.images:
        if UNRENDERED.search(image.src):
            yield Hit(
                ctx.subject,
                f"template syntax left in an image URL: {image.src}",
                partial(ctx.sources.locate, image.src, image.src.split("?", 1)[0]),
                {"src": image.src},
            )
