"""SMS encoding and segmentation (GSM 03.38 7-bit or UCS-2), as carriers count it.

A message that fits the GSM 03.38 default alphabet is sent in 7-bit units
(septets): 160 in a single SMS, 153 per part once it needs a concatenation header.
Characters of the extension table (``€ [ ] { } \\ ^ ~ |`` and form feed) take an
escape plus the character: two septets, and the pair is never split across parts.
One character outside both tables (a curly apostrophe, ``ç``, an emoji) switches the
whole message to UCS-2: UTF-16 code units, 70 in a single SMS, 67 per part; a
character outside the Basic Multilingual Plane (most emoji) is a surrogate pair,
two units that are never split.
"""

from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 default alphabet (basic character set), in code order.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table, reached with an escape: two septets each.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class ForcingChar:
    """A character that forces UCS-2, with its first position and a readable name."""

    char: str
    index: int
    codepoint: str

    def __str__(self) -> str:
        return f"{self.char!r} ({self.codepoint}) at {self.index + 1}"


@dataclass(frozen=True)
class SmsInfo:
    """How an SMS text is encoded and split.

    Attributes:
        encoding: ``GSM-7`` or ``UCS-2``.
        units: septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text.
        segments: the text of each part, as it would be split.
        forcing: the characters that force UCS-2 (empty for GSM-7).
    """

    text: str
    encoding: str
    units: int
    segments: tuple[str, ...]
    forcing: tuple[ForcingChar, ...]

    @property
    def count(self) -> int:
        return len(self.segments)

    @property
    def per_segment(self) -> int:
        single, multi = LIMITS[self.encoding]
        return single if self.count <= 1 else multi

    @property
    def remaining(self) -> int:
        """Units left in the last part before another part is needed."""
        single, multi = LIMITS[self.encoding]
        if self.units <= single:
            return single - self.units
        return multi * self.count - self.units_in_parts()

    def units_in_parts(self) -> int:
        return sum(_units(s, self.encoding) for s in self.segments)


def char_units(ch: str, encoding: str) -> int:
    """Units one character costs in ``encoding``."""
    if encoding == GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def _units(text: str, encoding: str) -> int:
    return sum(char_units(c, encoding) for c in text)


def forcing_chars(text: str) -> tuple[ForcingChar, ...]:
    """Characters outside the GSM 03.38 tables, each once, in order of appearance."""
    seen: dict[str, ForcingChar] = {}
    for i, ch in enumerate(text):
        if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION and ch not in seen:
            seen[ch] = ForcingChar(ch, i, f"U+{ord(ch):04X}")
    return tuple(seen.values())


def split(text: str, encoding: str) -> tuple[str, ...]:
    """Split into parts as a sender would, never splitting an escape or surrogate pair."""
    single, multi = LIMITS[encoding]
    if _units(text, encoding) <= single:
        return (text,) if text else ()
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        cost = char_units(ch, encoding)
        if used + cost > multi:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    if current:
        parts.append("".join(current))
    return tuple(parts)


def analyze(text: str) -> SmsInfo:
    """Encoding, size and parts of an SMS text."""
    forcing = forcing_chars(text)
    encoding = UCS2 if forcing else GSM7
    return SmsInfo(
        text=text,
        encoding=encoding,
        units=_units(text, encoding),
        segments=split(text, encoding),
        forcing=forcing,
    )
