"""Rules on the message as a whole: size, parts, headers, From, preheader, parity."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parseaddr
from functools import partial

from ...mailparse import MAX_HEADER_LENGTH, body_text, too_long
from ...message import GMAIL_CLIP_BYTES
from ...preheader import preview_text
from ..context import MessageContext, UrlIndex
from ..html_view import blank
from ..registry import Hit, rule

ENVELOPE_RULES = frozenset({"message.headers", "message.from-domain", "message.header-too-long"})
"""Rules on a message's header and envelope: they apply to messages (a template's
render, an ``.eml``, captured mail), not to a lone ``.html`` or ``.mjml`` file."""
REQUIRED_HEADERS = ("Message-ID", "Date", "From", "MIME-Version", "Subject")
MIN_WORDS_PER_IMAGE = 25


@rule("message.size-clipped")
def size_clipped(ctx: MessageContext) -> Iterator[Hit]:
    size = ctx.msg.size
    if size > GMAIL_CLIP_BYTES:
        yield Hit(
            ctx.subject,
            f"the HTML is {size / 1024:.1f} KB after link tagging; Gmail clips past 102 KB",
            details={"bytes": size, "limit": GMAIL_CLIP_BYTES},
        )


@rule("message.no-text-part")
def no_text_part(ctx: MessageContext) -> Iterator[Hit]:
    text = body_text(ctx.msg.email, "plain")
    if text is None or not text.strip():
        yield Hit(ctx.subject, "no text/plain part (or an empty one)")


@rule("message.headers")
def headers(ctx: MessageContext) -> Iterator[Hit]:
    email = ctx.msg.email
    missing = [h for h in REQUIRED_HEADERS if not email.get(h)]
    if missing:
        yield Hit(
            ctx.subject, f"missing header(s): {', '.join(missing)}", details={"missing": missing}
        )


@rule("message.from-domain")
def from_domain(ctx: MessageContext) -> Iterator[Hit]:
    domain = ctx.settings.transactional_domain
    if not domain:
        return
    _, addr = parseaddr(str(ctx.msg.email.get("From", "")))
    sender = addr.rpartition("@")[2].lower()
    if sender != domain and not sender.endswith("." + domain):
        location = None
        if ctx.msg.template is None:  # a saved message: its From line (captured: none)
            location = ctx.sources.locate("From:")
            location = location if location.line is not None else None
        elif ctx.workspace and ctx.workspace.settings_file:
            location_file = ctx.workspace.relpath(ctx.workspace.settings_file)
            from ...findings import Location

            location = Location(location_file)
        yield Hit(
            ctx.subject,
            f"From is {addr or '(none)'}, not on the transactional domain {domain}",
            location,
            details={"from": addr, "domain": domain},
        )


@rule("message.no-preheader")
def no_preheader(ctx: MessageContext) -> Iterator[Hit]:
    if ctx.msg.template is not None:  # a template: its front matter says it
        if not ctx.msg.preheader.strip():
            yield Hit(ctx.subject, "the preheader is empty", ctx.sources.locate("preheader:"))
        return
    if blank(ctx.msg.html):
        return  # a text-only message: the inbox shows its first line, as written
    shown = preview_text(ctx.msg.html)
    if shown.preheader is None:
        yield Hit(
            ctx.subject,
            f"no hidden preview text before the first visible text;"
            f" the inbox line reads {shown.inbox_line!r}",
            details={"inbox_line": shown.inbox_line},
        )


@rule("message.image-heavy")
def image_heavy(ctx: MessageContext) -> Iterator[Hit]:
    images = [i for i in ctx.html.images if i.src and not i.src.startswith("data:")]
    if len(images) >= 3 and ctx.html.words < MIN_WORDS_PER_IMAGE * len(images):
        yield Hit(
            ctx.subject,
            f"{ctx.html.words} words of text for {len(images)} images"
            f" (under {MIN_WORDS_PER_IMAGE} words per image)",
            details={"words": ctx.html.words, "images": len(images)},
        )


@rule("message.text-parity")
def text_parity(ctx: MessageContext) -> Iterator[Hit]:
    text = ctx.msg.text
    # a short text is searched directly (what UrlIndex does for it, without the calls)
    contains = text.__contains__ if len(text) <= UrlIndex.SHORT else UrlIndex(text).__contains__
    for href in ctx.distinct_links:
        shown = href[7:].split("?", 1)[0] if href[:7].lower() == "mailto:" else href
        if not contains(shown):
            yield Hit(
                ctx.subject,
                f"the text part lacks the link {href}",
                partial(ctx.sources.locate, href.split("?", 1)[0]),
                details={"href": href},
            )


@rule("message.header-too-long")
def header_too_long(ctx: MessageContext) -> Iterator[Hit]:
    email = ctx.msg.email
    longest: dict[str, int] = {}
    for cut in too_long(email):  # a parsed .eml or captured message: cut when read
        longest[cut.name] = max(longest.get(cut.name, 0), cut.length)
    for name, value in email.raw_items():  # a message Studio built
        if len(value) > MAX_HEADER_LENGTH:
            longest[name] = max(longest.get(name, 0), len(value))
    for name, length in longest.items():
        yield Hit(
            ctx.subject,
            f"the {name} header is {length:,} characters; Studio reads {MAX_HEADER_LENGTH:,}",
            details={"header": name, "length": length, "limit": MAX_HEADER_LENGTH},
        )
