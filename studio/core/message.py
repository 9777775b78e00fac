"""Building the MIME message: ``multipart/alternative`` (text, then HTML), UTF-8.

Header values are checked for CR/LF before they reach the message: a variable
holding ``"x\\r\\nBcc: ..."`` must never become a header (no header injection).
"""

from __future__ import annotations

import binascii
import datetime as dt
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from ..errors import RenderError

DEFAULT_FROM = "Studio <studio@localhost>"
_ALTERNATIVE = SMTP.header_factory("Content-Type", "multipart/alternative")
"""The header ``make_alternative()`` stores, parsed once (the registry's parse of it
cost a tenth of the MIME stage on every message)."""
GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail clips a message whose HTML is larger (here, beside the build: the studio's
preview shows it without loading the checks)."""


def check_header(name: str, value: str) -> str:
    """Refuse a header value with CR or LF (header injection)."""
    if "\r" in value or "\n" in value:
        raise RenderError(f"header {name} contains CR/LF, refused (header injection)")
    return value


def build_message(
    *,
    subject: str,
    html: str,
    text: str,
    from_address: str | None,
    reply_to: str | None = None,
    to: str | None = None,
    domain: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A ready-to-send message with Message-ID, Date, From, Reply-To and both parts."""
    msg = EmailMessage(policy=SMTP)
    _set(msg, "Subject", subject)
    _set(msg, "From", from_address or DEFAULT_FROM)
    if to:
        _set(msg, "To", to)
    if reply_to:
        _set(msg, "Reply-To", reply_to)
    msg.set_raw("Date", format_datetime(dt.datetime.now(dt.timezone.utc)))
    msg.set_raw("Message-ID", make_msgid(domain=domain or "studio.invalid"))
    for name, value in (extra_headers or {}).items():
        _set(msg, name, value)
    msg.set_raw("MIME-Version", "1.0")
    if any(name.lower().startswith("content-") for name in (extra_headers or {})):
        msg.make_alternative()  # moves those headers to a first part, as it always did
        msg.attach(_qp_part(text, "plain"))
        msg.attach(_qp_part(html, "html"))
        return msg
    # What make_alternative() and two attach() calls leave, without their cost: the
    # same Content-Type header object they store (parsed once, for every message: a
    # header object is never changed, set_boundary() replaces it) and the two parts.
    msg.set_raw("Content-Type", _ALTERNATIVE)
    msg.set_payload([_qp_part(text, "plain"), _qp_part(html, "html")])
    return msg


def _set(msg: EmailMessage, name: str, value: str) -> None:
    """Set a header, refusing CR/LF.

    ASCII values are stored raw: the policy parses them when the message is read or
    serialised, and parsing each one here through the header registry cost more than
    compiling the MJML. Other values go through the registry, which RFC 2047-encodes
    them. (Addresses were validated with the settings.)
    """
    check_header(name, value)
    if value.isascii():
        msg.set_raw(name, value)
    else:
        msg[name] = value


def _qp_part(content: str, subtype: str) -> EmailMessage:
    """A UTF-8 text part, quoted-printable encoded by the C codec in ``binascii``.

    ``EmailMessage.set_content`` weighs quoted-printable against base64 in pure
    Python for every long-lined body, which cost more than compiling the MJML;
    ``binascii.b2a_qp`` gives the same encoding (soft breaks at 76 columns).
    """
    part = EmailMessage(policy=SMTP)
    part.set_raw("Content-Type", f'text/{subtype}; charset="utf-8"')
    part.set_raw("Content-Transfer-Encoding", "quoted-printable")
    if "\r" in content:
        content = content.replace("\r\n", "\n")
    body = content.replace("\n", "\r\n").encode("utf-8")
    part.set_payload(binascii.b2a_qp(body, istext=True).decode("ascii"))
    return part
