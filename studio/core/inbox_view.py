"""What a reader of a captured message needs said in words: parts and the DKIM verdict.

The inbox screen (and any other face) shows each part under a head line naming it,
so the text and the HTML views cannot be mistaken for one another, and explains
``dkim=none``, which is what every message sent to the local sink shows.
"""

from __future__ import annotations

from email.message import EmailMessage

from .inbox import Verdict

PART_LABEL = {"plain": "Text", "html": "HTML"}

DKIM_NONE = (
    "unsigned: nothing signed this message. Mail sent to the local sink is not signed;"
    " in production the relay or ESP signs it, or Studio signs before a relay when that"
    " relay sets dkim_selector and dkim_key_env (docs/settings.md)"
)


def dkim_note(verdict: Verdict | None) -> str:
    """A short explanation of the DKIM result, or "" when it needs none."""
    if verdict is None or verdict.dkim != "none":
        return ""
    return DKIM_NONE


def part_head(message: EmailMessage, subtype: str) -> str:
    """One line naming a body part: ``HTML part · text/html; charset=utf-8 · 4,312 bytes``.

    Args:
        subtype: ``plain`` or ``html``.
    """
    label = PART_LABEL.get(subtype, subtype)
    try:
        body = message.get_body((subtype,))
        if body is None:
            return f"{label} part · none in this message"
        payload = body.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        charset = body.get_content_charset()
        kind = body.get_content_type() + (f"; charset={charset}" if charset else "")
        encoding = str(body.get("Content-Transfer-Encoding", "")).strip().lower()
    except Exception as exc:  # noqa: BLE001 - a hostile message: say so, keep the view
        return f"{label} part · cannot be read ({type(exc).__name__})"
    extra = f" · {encoding}" if encoding else ""
    return f"{label} part · {kind} · {size:,} bytes{extra}"
