"""How many bytes ``EmailMessage.as_bytes()`` would give, without building them.

Serialising a message holds it about three times over (each line of a body as a
string, the bytes written, the bytes of each MIME part joined): for a 29 MB
message, about 85 MB, only to learn that it is above SpamAssassin's 500 KB and
will not be scored. :func:`serialised_size` runs the same generator (headers
folded by the message's policy, the same boundaries and line endings) into a
counter: bodies are counted, not copied.
"""

from __future__ import annotations

from email.generator import BytesGenerator
from email.message import Message
from typing import Any

__all__ = ["serialised_size"]


class _Written:
    """What a counted buffer holds: only its length (written on into its parent)."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


class _Counter:
    """A binary file that keeps how many bytes were written to it, not the bytes."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: Any) -> int:
        n = len(data)
        self.size += n
        return n

    def getvalue(self) -> _Written:
        return _Written(self.size)


class _CountingGenerator(BytesGenerator):
    """:class:`BytesGenerator` whose buffers count, and whose bodies are measured."""

    _fp: _Counter
    _NL: str
    _mangle_from_: bool

    def _new_buffer(self) -> _Counter:
        return _Counter()

    def _write_lines(self, lines: str) -> None:
        # The generator splits at \r\n, \r and \n and writes each line with its own
        # line separator; each character is one byte (ASCII or an escaped byte).
        if not lines:
            return
        crlf = lines.count("\r\n")
        cr = lines.count("\r") - crlf
        lf = lines.count("\n") - crlf
        self._fp.size += len(lines) - 2 * crlf - cr - lf + (crlf + cr + lf) * len(self._NL)

    def _handle_text(self, msg: Message) -> None:
        # An ASCII body is written as it is; the generator would first check it for
        # escaped bytes (encoding a copy of it, three times for a text part).
        payload = vars(msg).get("_payload")
        if isinstance(payload, str) and payload.isascii() and not self._mangle_from_:
            self._write_lines(payload)
        else:
            super()._handle_text(msg)  # type: ignore[misc]

    def _handle_multipart(self, msg: Message) -> None:
        # The generator picks a missing boundary by searching the joined parts (which
        # a counter does not have): one of the same form and length is set instead.
        if isinstance(msg.get_payload(), list) and not msg.get_boundary():
            msg.set_boundary(self._make_boundary())  # type: ignore[attr-defined]
        super()._handle_multipart(msg)  # type: ignore[misc]


def serialised_size(msg: Message) -> int:
    """``len(msg.as_bytes())``, counted without building the bytes.

    Like ``as_bytes`` it sets a boundary on a multipart that has none. A part the
    counter cannot follow (``message/delivery-status``) falls back to serialising.
    """
    counter = _Counter()
    try:
        _CountingGenerator(counter, mangle_from_=False, policy=msg.policy).flatten(msg)
    except (TypeError, AttributeError):
        return len(msg.as_bytes())
    return counter.size
