"""The render pipeline's stages as they were before they were made faster (issue 18).

Each fast path of the pipeline must give byte-identical output; these are the
straightforward versions they are compared with (``test_render_parity``) on every
example template × sample, the corpus and the edge cases of the stage's tests.
"""

from __future__ import annotations

import binascii
import datetime as dt
import html
import re
import types
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from studio.core.message import DEFAULT_FROM, check_header
from studio.core.render.sandbox import _BUDGET, StudioSandbox, _built, _str_method_size
from studio.core.render.tracking import NOTRACK_MARK, UtmPolicy, tag_url


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
    """The MIME message through ``make_alternative()`` and ``attach()``."""
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
    msg.make_alternative()
    msg.attach(_qp_part(text, "plain"))
    msg.attach(_qp_part(html, "html"))
    return msg


def _set(msg: EmailMessage, name: str, value: str) -> None:
    check_header(name, value)
    if value.isascii():
        msg.set_raw(name, value)
    else:
        msg[name] = value


def _qp_part(content: str, subtype: str) -> EmailMessage:
    part = EmailMessage(policy=SMTP)
    part.set_raw("Content-Type", f'text/{subtype}; charset="utf-8"')
    part.set_raw("Content-Transfer-Encoding", "quoted-printable")
    body = content.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    part.set_payload(binascii.b2a_qp(body, istext=True).decode("ascii"))
    return part


class ReferenceSandbox(StudioSandbox):
    """Studio's sandbox with Jinja's own ``getattr`` and the plain ``call`` path."""

    getattr = ImmutableSandboxedEnvironment.getattr  # type: ignore[assignment]

    def call(
        __self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any
    ) -> Any:
        budget = _BUDGET.get()
        if budget is not None:
            budget.tick()
        if type(__obj) is types.BuiltinMethodType and isinstance(__obj.__self__, str):
            _built(_str_method_size(__obj.__self__, __obj.__name__, args), "a string method")
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        return __context.call(__obj, *args, **kwargs)


_HREF = re.compile(r"""(\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def tag_links(markup: str, policy: UtmPolicy | None) -> str:
    """UTM tagging through the one case-insensitive pattern."""
    if policy is None and NOTRACK_MARK not in markup:
        return markup

    def repl(m: re.Match[str]) -> str:
        raw = html.unescape(m.group(3))
        tagged = tag_url(raw, policy)
        if tagged == raw:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{html.escape(tagged, quote=True)}{m.group(2)}"

    return _HREF.sub(repl, markup)
