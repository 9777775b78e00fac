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
from studio.core.render.text import (
    _BLOCK,
    _CELL,
    _COMMENT,
    _HIDDEN,
    _IMAGES,
    _LINE_END,
    _LINE_START,
    _LINKS,
    _NEEDS_ATTRS,
    _SKIP,
    _VOID,
    CELL,
    LINE,
    PARA,
    SOCIAL_SHARE,
)
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


_ASCII_WS = re.compile(r"[ \t\n\r\f\v]+")
_SPLIT = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"</?\s*([a-zA-Z][\w:.-]*)")
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _text_attrs(tag: str, start: int) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(tag, start, len(tag) - 1):
        value = m.group(2) if m.group(2) is not None else m.group(3) or m.group(4) or ""
        out[m.group(1).lower()] = html.unescape(value) if "&" in value else value
    return out


def _link_text(href: str, label: str) -> str | None:
    """What the text part shows after a link's label (None: nothing to add)."""
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith("javascript:"):
        return None
    shown = href
    for scheme in ("mailto:", "tel:", "sms:"):
        if href.lower().startswith(scheme):
            shown = href[len(scheme) :].split("?", 1)[0]
    if label and (label == shown or label == href):
        return None
    return f" <{href}>" if label else f" {href} "


def _walk(source: str) -> list[str]:
    out: list[str] = []
    skip: list[str] = []
    links: list[tuple[str, int]] = []
    row_cells = 0
    navbar_base = ""
    append = out.append
    for i, tok in enumerate(_SPLIT.split(_COMMENT.sub("", source))):
        if not tok:
            continue
        if not i % 2:  # text between tags
            if not skip:
                append(html.unescape(tok) if "&" in tok else tok)
            continue
        m = _NAME.match(tok)
        if m is None:  # "<" not starting a tag, "<!doctype>", "<?xml>"
            if not skip and not tok.startswith(("<!", "<?")):
                append(tok)
            continue
        name = m.group(1).lower()
        closing = tok[1] == "/"
        self_closing = tok.endswith("/>")
        if closing:
            if skip:
                if name in skip:
                    while skip and skip.pop() != name:
                        pass
                continue
            if name == "mj-navbar":
                navbar_base = ""
            if name in _LINKS and links:
                link_href, start = links.pop()
                if link_href:
                    label = _ASCII_WS.sub(
                        " ", "".join(p for p in out[start:] if not p.startswith("\x00"))
                    ).strip(" ")
                    shown = _link_text(link_href, label)
                    if shown:
                        append(shown)
            if name in _BLOCK:
                append(PARA)
            elif name in _LINE_END:
                append(LINE)
            continue
        void = name in _VOID or self_closing
        if skip:
            if not void:
                skip.append(name)
            continue
        if name in _SKIP or (("none" in tok or "hidden" in tok) and _HIDDEN.search(tok)):
            if not void:
                skip.append(name)
            continue
        if name in _BLOCK:
            append(PARA)
        elif name in _LINE_START:
            append(LINE)
            if name == "li":
                append("- ")
        elif name in _CELL:
            if row_cells:
                append(CELL)
            row_cells += 1
        if name == "tr":
            row_cells = 0
        elif name == "hr" or name == "mj-divider":
            out += [PARA, "—" * 20, PARA]
        if name not in _NEEDS_ATTRS:
            continue
        attrs = _text_attrs(tok, m.end())
        href = attrs.get("href")
        if name == "mj-navbar":
            navbar_base = attrs.get("base-url", "")
            continue
        if name == "mj-navbar-link" and href is not None:
            href = navbar_base + href
        elif name == "mj-social-element" and href is not None:
            share = SOCIAL_SHARE.get(attrs.get("name", "").strip())
            if share:
                href = share.replace("[[URL]]", href)
        if name in _IMAGES:
            alt = attrs.get("alt", "").strip()
            if alt:
                append(f" {alt} ")
            if href and name != "img":
                shown = _link_text(href, alt)
                if shown:
                    append(shown)
        elif not void:
            links.append((href or "", len(out)))
        elif href:  # <mj-button href=... /> with no label
            shown = _link_text(href, "")
            if shown:
                append(shown)
        if self_closing and name in _BLOCK:
            append(PARA)
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces; a word longer than the width (a URL) stays whole."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if not word:
            continue
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _assemble(parts: list[str], width: int) -> str:
    blocks: list[str] = []
    for para in _ASCII_WS.sub(" ", "".join(parts)).split(PARA):
        lines: list[str] = []
        for raw in para.split(LINE):
            text = raw.strip(" ")
            if not text:
                continue
            if CELL in text:
                cells = (c.strip(" ") for c in text.split(CELL))
                text = "  ".join(c for c in cells if c)
            if len(text) > width:
                lines += _wrap(text, width)
            else:
                lines.append(text)
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def mjml_to_text(mjml: str, *, width: int = 76) -> str:
    """The text part through ``re.split`` on tags, ``_NAME`` per tag and the word loop."""
    return _assemble(_walk(mjml), width)
