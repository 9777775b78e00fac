"""The trace headers the sink puts before each message it stores, written and read back.

The sink stores what it received with the envelope in front::

    Return-Path: <sender>
    X-Studio-Envelope-To: first@recipient        (one header per recipient)
    X-Studio-Envelope-To: "a, b"@recipient
    X-Studio-Peer: 127.0.0.1
    Received: from helo ([127.0.0.1]) by studio-sink with ESMTP; date

One header per recipient keeps an address with a quoted comma whole (messages
stored before held them all in one header joined with ", "; :func:`read_trace`
still reads those, splitting on commas outside quotes). The block is read here
from the bytes, without the ``email`` package, so a listing costs one pass over it
and release can hand on exactly the bytes that followed it (the application's
message).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime

SENDER, RECIPIENT, PEER, RECEIVED = (
    b"Return-Path:",
    b"X-Studio-Envelope-To:",
    b"X-Studio-Peer:",
    b"Received:",
)

MAX_LINE_READ = 64 * 1024
"""Bytes of one trace header that are read (a new sink's lines are far shorter)."""


def _safe(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def trace_headers(
    sender: str, recipients: Sequence[str], peer: str, helo: str | None, esmtp: bool
) -> bytes:
    """The block the sink writes before a message (CRLF line ends, UTF-8)."""
    lines = [f"Return-Path: <{_safe(sender)}>"]
    lines += [f"X-Studio-Envelope-To: {_safe(r)}" for r in recipients]
    lines.append(f"X-Studio-Peer: {_safe(peer)}")
    lines.append(
        f"Received: from {_safe(helo or 'unknown')} ([{_safe(peer)}])"
        f" by studio-sink with {'ESMTP' if esmtp else 'SMTP'};"
        f" {format_datetime(dt.datetime.now(dt.timezone.utc))}"
    )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@dataclass(frozen=True)
class Trace:
    """The envelope as the sink recorded it, and where the application's message starts."""

    sender: str
    recipients: tuple[str, ...]
    peer: str
    end: int
    """Offset of the first byte after the trace block (0 when there is none)."""


def split_list(value: str) -> list[str]:
    """Addresses joined with commas, split on the commas outside quotes and brackets."""
    out: list[str] = []
    current: list[str] = []
    quoted = escaped = bracket = False
    for ch in value:
        if escaped:
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif not quoted and ch in "[]":
            bracket = ch == "["
        elif ch == "," and not quoted and not bracket:
            out.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    out.append("".join(current).strip())
    return [a for a in out if a]


def _line(raw: bytes, pos: int) -> tuple[bytes, int]:
    end = raw.find(b"\n", pos)
    end = len(raw) if end < 0 else end + 1
    return raw[pos:end], end


def read_trace(raw: bytes) -> Trace:
    """The leading trace block of a stored message (empty if it has none).

    Reads Return-Path, the X-Studio-Envelope-To headers and X-Studio-Peer in the order
    the sink writes them, then the sink's one Received header: any further header,
    a Received one included, is the application's.
    """
    sender, peer = "", ""
    recipients: list[str] = []
    pos = 0
    line, nxt = _line(raw, pos)
    if line.startswith(SENDER):
        value = line[len(SENDER) :].decode("utf-8", "replace").strip()
        sender = value[1:-1] if value.startswith("<") and value.endswith(">") else value
        pos = nxt
        line, nxt = _line(raw, pos)
    while line.startswith(RECIPIENT):
        # Bounded: an earlier sink stored 200,000 recipients in one 51 MB line.
        part = line[len(RECIPIENT) : len(RECIPIENT) + MAX_LINE_READ]
        recipients += split_list(part.decode("utf-8", "replace"))
        pos = nxt
        line, nxt = _line(raw, pos)
    if line.startswith(PEER):
        peer = line[len(PEER) :].decode("utf-8", "replace").strip()
        pos = nxt
        line, nxt = _line(raw, pos)
        if line.startswith(RECEIVED):  # the sink's own, always right after the peer
            pos = nxt
    elif pos == 0:
        return Trace("", (), "", 0)
    return Trace(sender, tuple(recipients), peer, pos)


def original(raw: bytes) -> bytes:
    """The message as the application sent it: the stored bytes after the trace block."""
    return raw[read_trace(raw).end :]
