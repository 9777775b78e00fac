"""Rules on images and on the document: alt text (in the source), https, lang, title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from ..context import MessageContext
from ..html_view import blank
from ..registry import Hit, rule

# An image tag in the MJML/Jinja source: <mj-image ...> or <img ...> (or the
# carousel's). MRML adds alt="" to what it renders, so absence is seen only here.
IMAGE_TAG = re.compile(
    r"<(mj-image|mj-carousel-image|img)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.I
)
ALT_ATTR = re.compile(r"\salt\s*=", re.I)


# <mj-attributes> holds defaults, not images: blanked before the search.
_DEFAULTS = re.compile(r"<mj-attributes\b.*?</mj-attributes>", re.S | re.I)


@rule("image.missing-alt")
def missing_alt(ctx: MessageContext) -> Iterator[Hit]:
    seen = set()
    for location, m in ctx.sources.search(IMAGE_TAG, blank=_DEFAULTS):
        if ALT_ATTR.search(m.group(2)) or (location.file, location.line) in seen:
            continue
        seen.add((location.file, location.line))
        src = re.search(r"""\ssrc\s*=\s*["']([^"']*)""", m.group(2))
        yield Hit(
            ctx.subject,
            f"<{m.group(1)}> without alt" + (f" (src {src.group(1)})" if src else ""),
            location,
        )


@rule("image.insecure")
def insecure_image(ctx: MessageContext) -> Iterator[Hit]:
    for src in dict.fromkeys(i.src for i in ctx.html.images):
        if src.lower().startswith("http://"):
            yield Hit(
                ctx.subject,
                f"image over http: {src}",
                partial(ctx.sources.locate, src),
                {"src": src},
            )


@rule("html.lang-missing")
def lang_missing(ctx: MessageContext) -> Iterator[Hit]:
    if blank(ctx.msg.html):
        return  # a text-only message has no document to tag
    lang = (ctx.html.lang or "").strip().lower()
    if not lang or lang == "und":
        yield Hit(
            ctx.subject, "no lang on <html> (set <mjml lang=...>)", ctx.sources.locate("<mjml")
        )


@rule("html.title-missing")
def title_missing(ctx: MessageContext) -> Iterator[Hit]:
    if not blank(ctx.msg.html) and not ctx.html.title:
        yield Hit(
            ctx.subject, "empty <title> (set <mj-title>)", ctx.sources.locate("<mj-head", "<mjml")
        )
