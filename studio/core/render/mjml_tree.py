"""A tolerant parse of MJML: the element tree with offsets, and what is malformed.

MRML reports most syntax errors without a position ("unexpected end of stream");
this parse finds the place (an element never closed, a closing tag that does not
match, an attribute that is not ``name="value"``), and gives the validator
(:mod:`studio.core.render.validate`) the tree it walks. It never raises.

The content of mjml's "ending tags" (``mj-text``, ``mj-button``, ``mj-raw``, ...) is
HTML and is skipped whole, as mjml does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ENDING_TAGS = frozenset(  # mjml 5's components with ``endingTag`` (a test compares)
    {
        "mj-accordion-text",
        "mj-accordion-title",
        "mj-breakpoint",
        "mj-button",
        "mj-carousel-image",
        "mj-navbar-link",
        "mj-preview",
        "mj-raw",
        "mj-social-element",
        "mj-style",
        "mj-table",
        "mj-text",
        "mj-title",
    }
)

_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)")
_ATTR = re.compile(
    r"""\s*(?:([^\s"'<>/=]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+))?)?|(/?>))"""
)


@dataclass
class Attr:
    name: str
    value: str
    offset: int  # of the name
    value_offset: int


@dataclass
class Node:
    tag: str
    offset: int  # of the ``<``
    attrs: list[Attr] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None


@dataclass(frozen=True)
class Problem:
    offset: int
    message: str


def _tag_end(text: str, pos: int, attrs: list[Attr], problems: list[Problem]) -> tuple[int, bool]:
    """Read attributes from ``pos``; return the offset after ``>`` and whether it self-closes."""
    n = len(text)
    while pos < n:
        m = _ATTR.match(text, pos)
        if m is None or m.end() == pos:
            ws = len(text[pos:]) - len(text[pos:].lstrip())
            bad = pos + ws
            if bad >= n:
                break
            problems.append(Problem(bad, f"bad attribute syntax near {text[bad : bad + 12]!r}"))
            close = text.find(">", bad)
            return (n, False) if close < 0 else (close + 1, text[close - 1] == "/")
        if m.group(5):
            return m.end(), m.group(5) == "/>"
        name = m.group(1)
        value = next((g for g in m.group(2, 3, 4) if g is not None), None)
        if value is None and "=" in text[m.start(1) : m.end()]:
            problems.append(Problem(m.start(1), f"attribute {name!r} has no value"))
        if name.startswith(("'", '"')) or '"' in name or "'" in name:
            problems.append(Problem(m.start(1), f"bad attribute syntax near {name[:12]!r}"))
        start = m.start(2) if m.group(2) is not None else m.start(3) if m.group(3) else m.start(4)
        attrs.append(Attr(name, value or "", m.start(1), max(start, m.start(1))))
        pos = m.end()
    problems.append(Problem(pos if pos < n else n - 1, "a tag is never closed with '>'"))
    return n, False


def parse(text: str) -> tuple[Node, list[Problem]]:
    """The tree under a synthetic root, and the problems met on the way."""
    root = Node("#root", 0)
    cur = root
    problems: list[Problem] = []
    pos = 0
    n = len(text)
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            if end < 0:
                problems.append(Problem(lt, "a comment is never closed"))
                break
            pos = end + 3
            continue
        if text.startswith("<![CDATA[", lt):
            end = text.find("]]>", lt)
            pos = n if end < 0 else end + 3
            continue
        m = _TAG.match(text, lt)
        if m is None:
            pos = lt + 1
            continue
        closing, tag = m.group(1) == "/", m.group(2).lower()
        if closing:
            gt = text.find(">", m.end())
            pos = n if gt < 0 else gt + 1
            if cur.tag == tag:
                cur = cur.parent or root
                continue
            open_tags = []
            walk: Node | None = cur
            while walk is not None and walk is not root:
                open_tags.append(walk.tag)
                walk = walk.parent
            if tag in open_tags:
                problems.append(Problem(cur.offset, f"<{cur.tag}> is never closed"))
                while cur.tag != tag and cur.parent is not None:
                    cur = cur.parent
                cur = cur.parent or root
            else:
                problems.append(Problem(lt, f"</{tag}> closes nothing open"))
            continue
        node = Node(tag, lt, parent=cur)
        pos, selfclosing = _tag_end(text, m.end(), node.attrs, problems)
        cur.children.append(node)
        if selfclosing or not tag.startswith("mj") or tag in ("mj-include",):
            if not tag.startswith("mj") and not selfclosing:
                # stray HTML outside an ending tag: skip to its end if it has one
                close = text.find(f"</{tag}", pos)
                if close >= 0:
                    gt = text.find(">", close)
                    pos = n if gt < 0 else gt + 1
            continue
        if tag in ENDING_TAGS:
            ending = re.compile(rf"</{re.escape(tag)}\s*>", re.IGNORECASE).search(text, pos)
            if ending is None:
                problems.append(Problem(lt, f"<{tag}> is never closed"))
                pos = n
                break
            pos = ending.end()
            continue
        cur = node
    while cur is not root:
        problems.append(Problem(cur.offset, f"<{cur.tag}> is never closed"))
        cur = cur.parent or root
    return root, problems
