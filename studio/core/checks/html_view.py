"""The message's HTML as the rules read it: links with their visible text, images,
``lang``, ``<title>`` and a word count, from one scan that stops only at the tags
the rules act on (``a``, ``img``, ``html``, ``title``, ``style``, ``script``, ``head``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str
    image_alt: str | None  # alt text of an image inside the link, if any


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str | None


_HTML_SKIP = re.compile(r"<!--.*?-->|<![^>]*>|<\?[^>]*>", re.S)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)([^>]*)>")
_HTML_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_RAW_TEXT = frozenset({"style", "script"})
# ``<a href="...">`` with nothing else and nothing to unescape: most links of a big message.
_HREF_ONLY = re.compile(r"""\s+href\s*=\s*"([^"'&]*)"\s*""", re.I)


def _any_case(word: str) -> str:
    """``word`` matching in any ASCII case (``re.I`` would also match ``ſ`` for ``s``)."""
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


# The tags the view acts on, the only ones the scan stops at; every other tag only
# separates text (``_HTML_TAG`` reads tags: a name ends at a space, ``/`` or ``>``).
_ACTED_ON = ("a", "img", "html", "title", "style", "script", "head")
_ACTED_TAG = re.compile(
    r"<(/?)(" + "|".join(_any_case(t) for t in _ACTED_ON) + r")(?=[\s/>])([^>]*)>"
)
_TAG_START = re.compile(r"</?[a-zA-Z]")
# ``<a href="...">text</a>``: ``_HREF_ONLY``'s attribute, text with no tag and no ``&``.
_SIMPLE_LINK = re.compile(
    r"""<[aA]\s+(?i:href)\s*=\s*"([^"'&]*)"\s*>([^<&]*)</[aA](?=[\s/>])[^>]*>"""
)
_WORD_CHUNK = 1 << 20
_SPACE_AT = re.compile(r"\s")


def blank(text: str) -> bool:
    """``not text.strip()`` without copying a long text."""
    return not text or text.isspace()


def _html_attrs(raw: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for m in _HTML_ATTR.finditer(raw):
        name, value = m.group(1).lower(), m.group(2)
        if name not in out:
            out[name] = None if value is None else html.unescape(value.strip("\"'"))
    return out


def _count_words(text: str) -> int:
    """``len(text.split())`` without a list of every word of a long text."""
    if len(text) <= _WORD_CHUNK:
        return len(text.split())
    count, start = 0, 0
    while start < len(text):
        space = _SPACE_AT.search(text, start + _WORD_CHUNK)
        stop = space.start() if space else len(text)
        count += len(text[start:stop].split())
        start = stop
    return count


def _segments(region: str, *, tail: bool) -> list[str]:
    """The text between the tags of ``region`` (unescaped, empty ones left out); the
    text after the last tag only with ``tail``."""
    out = []
    start = 0
    for m in _HTML_TAG.finditer(region):
        if m.start() > start:
            out.append(region[start : m.start()])
        start = m.end()
    if tail and start < len(region):
        out.append(region[start:])
    return [html.unescape(d) if "&" in d else d for d in out]


class _HtmlView:
    """One pass over the tags of a message's HTML (a regex scan: the standard
    library's HTMLParser was most of the message checks' time).

    The scan stops only at the tags it acts on (``_ACTED_ON``); the text and tags
    between two of them are read as one region: its words counted at once, its
    text split at tags only when it belongs to a link or the title. A region reads
    as the tag-by-tag scan read it: a tag runs from ``<`` and a letter to the next
    ``>``, so an acted-on name inside another tag (``<p title="<a ...>">``) is found
    to be covered by checking for a tag start since the last ``>``.
    """

    def __init__(self, text: str) -> None:
        self.links: list[Link] = []
        self.images: list[Image] = []
        self.lang: str | None = None
        self.title = ""
        self.words = 0
        self._in_title = False
        self._skip = 0
        self._opened: list[tuple[str, list[str], list[str]]] = []  # href, text parts, alts
        if "<!" in text or "<?" in text:
            text = _HTML_SKIP.sub("", text)
        pos = 0
        search, simple, region = _ACTED_TAG.search, _SIMPLE_LINK.match, self._region
        links, rfind, tag_start = self.links, text.rfind, _TAG_START.search
        while (m := search(text, pos)) is not None:
            at = m.start()
            gt = rfind(">", pos, at)
            if tag_start(text, gt + 1 if gt >= 0 else pos, at) is not None:
                # inside another tag, which ends where this match does: plain region
                region(text[pos : m.end()], False)
                pos = m.end()
                continue
            if at > pos:
                region(text[pos:at], False)
            if not self._opened and not self._in_title and (link := simple(text, at)):
                # ``<a href="...">text</a>``, nothing to unescape: most links of a big message
                words = [] if self._skip else link.group(2).split()
                self.words += len(words)
                links.append(Link(link.group(1), " ".join(words), None))
                pos = link.end()
                continue
            pos = self._tag(text, m)
        if pos < len(text):
            region(text[pos:], True)

    def _region(self, region: str, last: bool) -> None:
        """Text and other tags between two acted-on tags (``last``: up to the end)."""
        if self._in_title or (self._opened and not self._skip):
            for data in _segments(region, tail=not last):
                if self._in_title:
                    self.title += data
                if not self._skip:
                    for _, parts, _ in self._opened:
                        parts.append(data)
        if not self._skip:
            if "<" in region:
                region = _HTML_TAG.sub(" ", region)
            self.words += _count_words(html.unescape(region) if "&" in region else region)

    def _tag(self, text: str, m: re.Match[str]) -> int:
        """Act on one tag; the position the scan goes on from."""
        slash, tag, attrs = m.groups()
        tag = tag.lower()
        pos = m.end()
        if slash:
            if tag == "title":
                self._in_title = False
            elif tag in ("style", "script", "head") and self._skip:
                self._skip -= 1
            elif tag == "a" and self._opened:
                href, parts, alts = self._opened.pop()
                self.links.append(
                    Link(
                        href=href,
                        text=" ".join("".join(parts).split()),
                        image_alt=" ".join(alts) or None,
                    )
                )
            return pos
        if tag in _RAW_TEXT:  # not markup up to its end tag
            end = re.compile(rf"</{tag}\s*>", re.I).search(text, pos)
            pos = end.start() if end else len(text)
        if tag == "html":
            self.lang = _html_attrs(attrs).get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag in ("style", "script", "head"):
            self._skip += 1
        elif tag == "a":
            only = _HREF_ONLY.fullmatch(attrs)
            href = only.group(1) if only else _html_attrs(attrs).get("href") or ""
            self._opened.append((href, [], []))
        elif tag == "img":
            found = _html_attrs(attrs)
            self.images.append(Image(src=found.get("src") or "", alt=found.get("alt")))
            if self._opened and found.get("alt"):
                self._opened[-1][2].append(found["alt"] or "")
        return pos


@dataclass(frozen=True)
class HtmlView:
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    lang: str | None
    title: str
    words: int

    @classmethod
    def parse(cls, html: str) -> HtmlView:
        p = _HtmlView(html)
        return cls(tuple(p.links), tuple(p.images), p.lang, p.title.strip(), p.words)
