"""The preview text of any HTML message, and the line an inbox shows for it.

Mail clients show, next to the subject, the first ~100 characters of a message's text.
Senders steer that line with a *preheader*: an element hidden from the opened message
(``display:none``, ``max-height:0``, ``opacity:0``, ``mso-hide:all``) placed before the
first visible text, often followed by padding (``&zwnj;&nbsp;``, ``&#847;`` ...) that
fills the rest of the line so that the body's first words do not show after it.

This module reads that from the HTML alone, so it works for a template's render, a
lone ``.html`` file, a saved ``.eml`` and a captured message alike (the lint rule
``message.no-preheader``, ``studio lint`` and ``studio inbox``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

INBOX_LINE_CHARS = 100
"""About what Gmail and Apple Mail show of the text after the subject."""

# Invisible characters senders pad the preheader with: they take room on the inbox
# line but show nothing.
PADDING = frozenset("\u034f\u200b\u200c\u200d\u2060\ufeff\u00ad")
_PADDING_RE = re.compile("[" + "".join(sorted(PADDING)) + "]")
_SKIP = re.compile(r"<!--.*?-->|<![^>]*>|<\?[^>]*>", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)([^>]*)>")
_STYLE = re.compile(r"""\bstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_HIDDEN = re.compile(
    r"display\s*:\s*none|max-height\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])"
    r"|mso-hide\s*:\s*all|visibility\s*:\s*hidden",
    re.I,
)
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_RAW = frozenset({"style", "script", "title", "head"})


@dataclass(frozen=True)
class PreviewText:
    """What an inbox shows of a message next to its subject."""

    preheader: str | None
    """The hidden preview text before the first visible text, or None if there is none."""
    inbox_line: str
    """The first ~100 characters as the inbox line shows them (padding left out)."""


def _hidden(attrs: str) -> bool:
    m = _STYLE.search(attrs)
    if m is not None and _HIDDEN.search(html.unescape(m.group(1).strip("\"'"))):
        return True
    return re.search(r"(?:^|\s)hidden(?:\s|=|$)", attrs, re.I) is not None


def _visible(text: str) -> str:
    """Text as shown: padding removed, whitespace (``&nbsp;`` included) collapsed."""
    return " ".join(_PADDING_RE.sub("", text).split())


def preview_text(source: str, *, limit: int = INBOX_LINE_CHARS) -> PreviewText:
    """The preheader of an HTML message and the inbox line it makes."""
    text = _SKIP.sub("", source)
    body = re.search(r"<body\b[^>]*>", text, re.I)
    pos = body.end() if body else 0
    stack: list[tuple[str, bool]] = []  # open elements and whether each hides its content
    preheader: list[str] | None = None
    seen_visible = False
    stream: list[str] = []  # the text in order, as the inbox reads it (hidden included)
    streamed = 0  # characters in ``stream``
    check_at = limit  # when to see whether the inbox line is complete
    while True:
        if seen_visible and streamed > check_at:
            # The preheader is complete once visible text was seen; the inbox line once
            # the stream holds more than ``limit`` characters after squeezing: the rest
            # of a big message changes neither (a 28 MB message is not read to its end).
            if len(_squeeze("".join(stream))) > limit + 1:
                break
            check_at = streamed * 2
        m = _TAG.search(text, pos)
        data = html.unescape(text[pos : m.start() if m else len(text)])
        if data:
            hidden = any(h for _, h in stack)
            stream.append(data)
            streamed += len(data)
            if hidden and not seen_visible and _visible(data):
                if preheader is None:
                    preheader = []
                preheader.append(data)
            elif not hidden and _visible(data):
                seen_visible = True
        if m is None:
            break
        pos = m.end()
        closing, tag = m.group(1) == "/", m.group(2).lower()
        if closing:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == tag:
                    del stack[i:]
                    break
            continue
        if tag in _RAW:  # not text up to its end tag
            end = re.compile(rf"</{tag}\s*>", re.I).search(text, pos)
            pos = end.end() if end else len(text)
            continue
        if tag in ("br", "p", "div", "td", "tr", "li", "h1", "h2", "h3"):
            stream.append(" ")
        if tag in _VOID or m.group(3).rstrip().endswith("/"):
            continue
        stack.append((tag, _hidden(m.group(3))))
    return PreviewText(
        preheader=_visible("".join(preheader)) if preheader else None,
        inbox_line=_inbox_line("".join(stream), limit),
    )


def _inbox_line(stream: str, limit: int) -> str:
    # Whitespace runs become one space; padding characters take their room but show nothing.
    return _visible(_squeeze(stream)[:limit])


def _squeeze(stream: str) -> str:
    return re.sub(r"[ \t\r\n\f\u00a0]+", " ", stream).lstrip()
