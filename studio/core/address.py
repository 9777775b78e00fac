"""One e-mail address, parsed strictly: the single place recipients are read.

``--to``, a trigger payload's ``to``, the TUI's send form and the relay allow-list
all go through :func:`parse_address`. It accepts exactly one mailbox, either a bare
``local@domain`` or ``Display Name <local@domain>``, and returns the bare address.
Anything else is refused rather than guessed at: ``email.utils.parseaddr`` kept the
first of ``"x@shop.example, victim@evil.example"`` and silently dropped the second,
and took ``a@[1.2.3.4`` (an unclosed literal) as an address.

Syntax (RFC 5321 4.1.2, with RFC 6531's UTF-8): the local part is a dot-string or
a quoted string; the domain is dot-separated labels (letters, digits, hyphens, or
non-ASCII for IDN) or an address literal ``[192.0.2.1]`` / ``[IPv6:2001:db8::1]``.
"""

from __future__ import annotations

import ipaddress
import re

from ..errors import SendError
from .safe_text import printable

# atext of RFC 5322, plus any non-ASCII character that is not a control or a space.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u00a1-\U0010ffff]"
_DOT_STRING = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_QUOTED = r'"(?:[^"\\\x00-\x1f\x7f]|\\[^\x00-\x08\x0a-\x1f\x7f])*"'
_LETTER = r"A-Za-z0-9\u00a1-\U0010ffff"
_LABEL = rf"[{_LETTER}](?:[{_LETTER}\-]*[{_LETTER}])?"
_ADDR_SPEC = re.compile(
    rf"(?P<local>{_DOT_STRING}|{_QUOTED})@(?P<domain>{_LABEL}(?:\.{_LABEL})*|\[[^\[\]\\\s]*\])"
)
# A display name: a quoted string, or words without the characters that separate
# addresses or start one (a comma here would be a second address).
_MAILBOX = re.compile(rf'\s*(?:{_QUOTED}|[^"<>@,;:\\\[\]\x00-\x1f\x7f]*?)\s*<(?P<spec>[^<>]*)>\s*')

MAX_LOCAL = 64  # RFC 5321 4.5.3.1.1
MAX_DOMAIN = 255  # RFC 5321 4.5.3.1.2
MAX_PATH = 254  # RFC 5321 4.5.3.1.3: 256 octets with the angle brackets


def _literal_ok(domain: str) -> bool:
    inside = domain[1:-1]
    try:
        if inside[:5].lower() == "ipv6:":
            return ipaddress.ip_address(inside[5:]).version == 6
        return ipaddress.ip_address(inside).version == 4
    except ValueError:
        return False


def address_error(text: str) -> str | None:
    """Why ``text`` is not exactly one address, or None if it is one."""
    if printable(text) != text:
        return "it contains a control character (CR, LF, NUL, escape, bidi...)"
    candidate = text.strip()
    mailbox = _MAILBOX.fullmatch(candidate)
    if mailbox is not None:
        candidate = mailbox.group("spec").strip()
    spec = _ADDR_SPEC.fullmatch(candidate)
    if spec is None:
        if "," in text or ";" in text:
            return "one address expected, found a list (give each recipient separately)"
        return "expected one address such as a@b.example"
    local, domain = spec.group("local"), spec.group("domain")
    if domain.startswith("[") and not _literal_ok(domain):
        return f"{domain} is not an IPv4 or [IPv6:...] address literal"
    encoded = len(candidate.encode("utf-8"))
    if len(local.encode("utf-8")) > MAX_LOCAL or len(domain) > MAX_DOMAIN or encoded > MAX_PATH:
        return "too long for SMTP (64 characters before the @, 254 in all)"
    return None


def parse_address(text: str, *, what: str = "recipient") -> str:
    """The bare address of one mailbox (``a@b`` or ``Name <a@b>``), or a SendError.

    Args:
        text: what the user, a payload or a setting gave.
        what: how the error names it (``recipient``, ``--to``...).
    """
    why = address_error(text)
    if why is not None:
        raise SendError(f"invalid {what} {text!r}: {why}")
    candidate = text.strip()
    mailbox = _MAILBOX.fullmatch(candidate)
    return mailbox.group("spec").strip() if mailbox is not None else candidate
