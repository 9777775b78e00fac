"""Reading a message from bytes (a captured one, a ``.eml``) with bounded work.

Python's ``email`` package parses a header when it is read, and some of that work
grows faster than the header: a 2 MB folded Subject took 104 s, 32 KB of ``"``
in a To header 20 s, a thousand ``(`` a RecursionError. A captured message is
whatever anyone sent to the sink, so headers are bounded before the package
sees them:

* each header field is cut to :data:`MAX_HEADER_LENGTH` characters (unfolded);
* all the fields of a message (every MIME part's included) share a budget of
  :data:`HEADER_BUDGET` characters; past it, fields are kept empty;
* a header the package cannot parse reads as empty instead of raising.

Each cut field is recorded as a :class:`HeaderTooLong` defect on the message, which
the ``message.header-too-long`` check reports. :func:`header_fields` reads the top
header block without the ``email`` package at all (one pass, same limits), for
listings that need a few fields of many messages.
"""

from __future__ import annotations

import binascii
from email.errors import MessageDefect
from email.feedparser import BytesFeedParser, FeedParser
from email.header import decode_header, make_header
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy
from typing import Any

from .mailbodies import parse_with_runs_cut

MAX_HEADER_LENGTH = 2000
"""Characters kept of one header field. RFC 5322 allows 998 per line; a folded field
may be longer, but an application's transactional mail has no reason to be."""

HEADER_BUDGET = 32 * 1024
"""Characters of header fields kept per message, all MIME parts together."""


class HeaderTooLong(MessageDefect):
    """A header field longer than Studio reads (cut), or past the message's budget."""

    def __init__(self, name: str, length: int) -> None:
        super().__init__(f"header {name} is {length:,} characters; read up to {MAX_HEADER_LENGTH}")
        self.name = name
        self.length = length


class _BoundedPolicy(EmailPolicy):
    """The default policy, with header fields cut to the limits as they are read.

    One instance per message: ``budget`` and ``cut`` are that message's accounts.
    """

    budget: list[int] | None = None  # one item: characters left
    cut: list[tuple[str, int]] | None = None

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        assert self.budget is not None and self.cut is not None
        length = len(value)
        keep = min(length, MAX_HEADER_LENGTH, self.budget[0])
        if keep < length:
            self.cut.append((name, length))
            value = value[:keep]
        self.budget[0] -= keep
        return name, value

    def header_fetch_parse(self, name: str, value: str) -> Any:
        try:
            return super().header_fetch_parse(name, value)
        except Exception:  # noqa: BLE001 - the email package raises anything on hostile input
            return super().header_fetch_parse(name, "")


FEED_CHUNK = 1 << 16
"""Characters fed to the parser at a time (``email.message_from_bytes`` copies the whole
message into a ``StringIO`` first: four bytes a character, 4x the message at its peak)."""


def read_message(raw: bytes | str) -> EmailMessage:
    """Parse ``raw`` with the header limits; cut fields become :class:`HeaderTooLong` defects.

    ``raw`` may be the message's text when it is ASCII (the same message, decoded
    once by the caller). Either way it is fed to the parser in chunks, the way the
    ``email`` package reads a file, so parsing holds one more copy of the message
    (its parts' payloads), not several; a text's long bodies are not even read line
    by line (:mod:`studio.core.mailbodies`).
    """
    if isinstance(raw, str):
        msg = parse_with_runs_cut(raw, _parse_text) or _parse_text(raw)
    else:
        policy = _BoundedPolicy(budget=[HEADER_BUDGET], cut=[])
        parser = BytesFeedParser(policy=policy)
        view = memoryview(raw)
        for start in range(0, len(raw), FEED_CHUNK):
            parser.feed(bytes(view[start : start + FEED_CHUNK]))
        msg = _with_cuts(parser.close(), policy)
    return msg


def _parse_text(text: str) -> EmailMessage:
    policy = _BoundedPolicy(budget=[HEADER_BUDGET], cut=[])
    parser = FeedParser(policy=policy)
    for start in range(0, len(text), FEED_CHUNK):
        parser.feed(text[start : start + FEED_CHUNK])
    return _with_cuts(parser.close(), policy)


def _with_cuts(msg: object, policy: _BoundedPolicy) -> EmailMessage:
    assert isinstance(msg, EmailMessage)
    for name, length in policy.cut or []:
        msg.defects.append(HeaderTooLong(name, length))
    return msg


def too_long(msg: EmailMessage) -> list[HeaderTooLong]:
    """The header fields :func:`read_message` cut in ``msg``."""
    return [d for d in msg.defects if isinstance(d, HeaderTooLong)]


def header_fields(raw: bytes, start: int = 0) -> list[tuple[str, str]]:
    """The top header block of ``raw`` from ``start``: (name, unfolded value), in order.

    One pass, no ``email`` package; values are cut to :data:`MAX_HEADER_LENGTH` and
    reading stops after :data:`HEADER_BUDGET` characters (the rest is not looked at).
    """
    fields: list[tuple[str, str]] = []
    budget = HEADER_BUDGET
    pos, end = start, len(raw)
    name: str | None = None
    parts: list[str] = []
    size = 0

    def flush() -> None:
        if name is not None:
            fields.append((name, "".join(parts).strip()))

    while pos < end and budget > 0:
        nl = raw.find(b"\n", pos, min(end, pos + budget + 1))
        stop = nl + 1 if nl >= 0 else min(end, pos + budget)
        line = raw[pos:stop].rstrip(b"\r\n")
        budget -= stop - pos
        pos = stop
        if not line:
            break  # the blank line before the body
        text = line.decode("utf-8", "replace")
        if text[0] in " \t":  # a folded continuation
            if name is not None and size < MAX_HEADER_LENGTH:
                piece = text[: MAX_HEADER_LENGTH - size]
                parts.append(piece)
                size += len(piece)
            continue
        flush()
        field, colon, value = text.partition(":")
        if not colon:
            name = None
            continue
        name, parts = field.strip(), [value[:MAX_HEADER_LENGTH]]
        size = len(parts[0])
    flush()
    return fields


def first(fields: list[tuple[str, str]], name: str) -> str:
    """The value of the first field called ``name`` (case-insensitive), or ''."""
    wanted = name.lower()
    return next((v for n, v in fields if n.lower() == wanted), "")


def decoded(value: str) -> str:
    """A header value with its RFC 2047 encoded words decoded; as is if they do not decode."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # noqa: BLE001 - unknown charsets, bad base64...: show it encoded
        return value


def body_text(msg: EmailMessage, subtype: str, *, take: bool = False) -> str | None:
    """The text of the message's ``text/<subtype>`` body, or None if it has none.

    An unknown charset or a broken transfer encoding gives the bytes read as UTF-8
    (with replacement characters), not an exception. With ``take`` the part's
    payload is emptied once it is read, before the text is built where it can be:
    the caller keeps the only copy of a big body (the message is not whole after).
    """
    try:
        part = msg.get_body((subtype,))
    except Exception:  # noqa: BLE001 - a broken MIME tree has no body to show
        return None
    if part is None:
        return None
    quick = _quoted_printable_text(part, take)
    if quick is not None:
        return quick
    try:
        text = str(part.get_content())
    except Exception:  # noqa: BLE001 - LookupError (charset), ValueError, ...
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if take:
        part.set_payload("")
    return text


def _quoted_printable_text(part: MIMEPart, take: bool = False) -> str | None:
    """A quoted-printable ASCII payload decoded in one step, as ``get_content`` would
    decode it (which copies it three times first); None for anything else. With
    ``take`` the payload is emptied once decoded, before the bytes become text."""
    payload = part.get_payload()
    if (
        str(part.get("Content-Transfer-Encoding", "")).lower() != "quoted-printable"
        or not isinstance(payload, str)
        or not payload.isascii()
    ):
        return None
    data = _a2b_qp(payload)
    if take:
        del payload
        part.set_payload("")
    charset = str(part.get_param("charset", "ASCII"))
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


QP_CHUNK = 1 << 20
"""Characters of a quoted-printable body decoded at a time (``binascii.a2b_qp`` holds
a buffer of its input's size beside the bytes it returns)."""


def _a2b_qp(payload: str) -> bytearray:
    """``binascii.a2b_qp(payload)``, decoded in runs of whole lines into one buffer
    (an escape or a soft line break never spans a newline)."""
    out = bytearray()
    start = 0
    while start < len(payload):
        nl = payload.find("\n", start + QP_CHUNK)
        stop = nl + 1 if nl >= 0 else len(payload)
        out += binascii.a2b_qp(payload[start:stop])
        start = stop
    return out
