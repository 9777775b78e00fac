"""The plain-text alternative, written from the MJML rather than from the HTML.

MRML's HTML is many times larger than the MJML it comes from (layout tables,
Outlook conditionals, inlined styles), and converting it with a general
HTML-to-text library was most of the pipeline's time (inscriptis on the HTML took
93 % of it). The MJML (after Jinja and link tagging) says directly what is a
heading, a paragraph, a button, an image or a table, so one pass over its tags
gives a better text part for a fraction of the cost:

* every link is kept: ``label <url>`` (just the URL when the label is the URL);
  buttons, linked images, social and navbar links alike (with the share URLs and
  ``base-url`` MJML builds), so reset and verification links always survive;
* images become their alt text (decorative ``alt=""`` images disappear);
* table rows become lines, list items ``- item``; paragraphs are separated by a
  blank line and wrapped at 76 columns without breaking URLs;
* ``<mj-head>``, styles, comments (Outlook conditionals) and elements hidden with
  ``display:none`` are left out.

The tokenizer is a single ``re.split`` on tags (comments removed first). What a
tag means (its name, whether it closes, hides or is void, the attributes of the
few that need them) is worked out once per distinct tag text and kept (see
``_TAGS``), so the walk is one dictionary lookup and a few comparisons per tag.
Lines are collapsed and wrapped with ``str`` methods rather than patterns: the
regex engine's cost per match was most of the assembly's time. The version before
these changes is kept in ``tests/core/render_reference.py``; both give the same
text for every example, corpus file and the edge cases of the parity test.
"""

from __future__ import annotations

import html
import re

_SKIP = frozenset(
    {
        "mj-head",
        "head",
        "style",
        "script",
        "title",
        "mj-style",
        "mj-attributes",
        "mj-breakpoint",
        "mj-font",
        "mj-html-attributes",
        "mj-preview",
        "mj-title",
        "template",
        "noscript",
    }
)
_BLOCK = frozenset(
    {
        "mj-section",
        "mj-wrapper",
        "mj-column",
        "mj-group",
        "mj-hero",
        "mj-text",
        "mj-button",
        "mj-image",
        "mj-table",
        "mj-social",
        "mj-navbar",
        "mj-accordion",
        "mj-accordion-element",
        "mj-accordion-title",
        "mj-accordion-text",
        "mj-carousel",
        "mj-raw",
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "blockquote",
        "section",
        "header",
        "footer",
        "article",
        "center",
        "pre",
        "address",
    }
)
_LINE_START = frozenset({"tr", "li", "br", "mj-social-element", "mj-navbar-link", "dt", "dd"})
_LINE_END = frozenset({"tr", "li", "mj-social-element", "mj-navbar-link"})
_CELL = frozenset({"td", "th"})
_VOID = frozenset(
    {
        "br",
        "img",
        "hr",
        "meta",
        "link",
        "input",
        "col",
        "area",
        "base",
        "wbr",
        "source",
    }
)
_LINKS = frozenset({"a", "mj-button", "mj-social-element", "mj-navbar-link"})
_IMAGES = frozenset({"img", "mj-image", "mj-carousel-image"})
_NEEDS_ATTRS = _LINKS | _IMAGES | {"mj-navbar"}

# Collapsing only ASCII whitespace keeps no-break spaces (``12,50\xa0€``) where they are.
_WS = " \t\n\r\f\v"
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)

# mj-social-element names that MJML turns into share links around their href.
SOCIAL_SHARE = {
    "facebook": "https://www.facebook.com/sharer/sharer.php?u=[[URL]]",
    "twitter": "https://twitter.com/intent/tweet?url=[[URL]]",
    "linkedin": "https://www.linkedin.com/shareArticle?mini=true&url=[[URL]]&title=&summary=&source=",
    "pinterest": "https://pinterest.com/pin/create/button/?url=[[URL]]&media=&description=",
    "tumblr": "https://www.tumblr.com/widgets/share/tool?canonicalUrl=[[URL]]",
    "xing": "https://www.xing.com/app/user?op=share&url=[[URL]]",
    "google": "https://plus.google.com/share?url=[[URL]]",
}

CELL = "\x01"  # between table cells: two spaces once whitespace is collapsed
PARA = "\x00P"
LINE = "\x00L"


def _attrs(rest: str) -> dict[str, str]:
    """The attributes in what follows a tag's name."""
    out = {}
    for key, double, single, bare in _ATTR.findall(rest):
        value = double or single or bare  # (an unmatched group is "" here)
        out[key.lower()] = html.unescape(value) if "&" in value else value
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


_TAG = re.compile(r"<([^>]*)>")  # split on it: text, a tag's inside, text, ...
_NAME = re.compile(r"/?\s*([a-zA-Z][\w:.-]*)")  # at the start of a tag's inside

# What an opening tag adds to the text.
_O_NONE, _O_SKIP, _O_PARA, _O_LINE, _O_ITEM, _O_ROW, _O_CELL, _O_RULE = range(8)
# What a closing tag adds.
_C_NONE, _C_PARA, _C_LINE = range(3)

# Per spelling of a tag name: (name in lower case, opening: an _O_*, closes: a _C_*,
# void element, link-like, attributes read, block).
_Name = tuple[str, int, int, bool, bool, bool, bool]
_NAMES: dict[str, _Name] = {}
_NAMES_MAX = 1024  # spellings kept (any HTML may reach the walk)

# What the walk needs of one tag, worked out from its text alone: (name in lower case,
# or "" for a "<...>" that is no tag; closing; opening: an _O_*, _O_SKIP also for a
# hidden element; closes: a _C_*; void: a void element or written self-closing; link:
# a link-like element; attrs: of the few opening tags that read them; para_after: a
# self-closing block whose attributes are read, <mj-image ... />; literal: a "<...>"
# that is no tag, as in "a < b > c", kept as text, "" for <!x> and <?x>).
_Tag = tuple[str, bool, int, int, bool, bool, "dict[str, str] | None", bool, str]

# Tags by their text, kept between calls: the same few hundred tags make up every
# render of a workspace's templates (a section, a column, a text with its classes,
# a button), so a render mostly finds its tags here; so does a re-render after an
# edit, or another sample of the same template. Bounded in number and in the length
# of a tag kept (any HTML, the inbox's messages too, reaches the walk); emptied when
# full. An entry is a pure function of its key and is never changed, so threads may
# share the table. ``clear_cache()`` empties it (the benchmark's cold runs).
_TAGS: dict[str, _Tag] = {}
_TAGS_MAX = 4096
_TAG_KEPT_MAX = 512  # characters of a tag's text


def clear_cache() -> None:
    """Forget the tags seen so far (for measuring a first render)."""
    _TAGS.clear()


def _name_info(raw: str) -> _Name:
    name = raw.lower()
    if name in _SKIP:
        opening = _O_SKIP
    elif name in _BLOCK:
        opening = _O_PARA
    elif name == "li":
        opening = _O_ITEM
    elif name == "tr":
        opening = _O_ROW
    elif name in _LINE_START:
        opening = _O_LINE
    elif name in _CELL:
        opening = _O_CELL
    elif name == "hr" or name == "mj-divider":
        opening = _O_RULE
    else:
        opening = _O_NONE
    block = name in _BLOCK
    closes = _C_PARA if block else _C_LINE if name in _LINE_END else _C_NONE
    info = (name, opening, closes, name in _VOID, name in _LINKS, name in _NEEDS_ATTRS, block)
    if len(_NAMES) < _NAMES_MAX:
        _NAMES[raw] = info
    return info


def _tag(inside: str) -> _Tag:
    """What the walk needs of the tag ``<inside>``."""
    m = _NAME.match(inside)
    if m is None:
        literal = "" if inside.startswith(("!", "?")) else f"<{inside}>"
        return ("", False, _O_NONE, _C_NONE, False, False, None, False, literal)
    raw = m.group(1)
    name, opening, closes, void, link, needs, block = _NAMES.get(raw) or _name_info(raw)
    if inside[0] == "/":
        return (name, True, opening, closes, void, link, None, False, "")
    rest = inside[m.end() :]
    self_closing = rest.endswith("/")
    # The element is left out when its tag hides it (only where "none" or "hidden" is
    # in the tag: a bare mso-hide:all does not hide, as before).
    if ("none" in inside or "hidden" in inside) and _HIDDEN.search(inside) is not None:
        opening = _O_SKIP
    attrs = _attrs(rest) if needs else None
    para_after = needs and self_closing and block
    return (name, False, opening, closes, void or self_closing, link, attrs, para_after, "")


def _walk(source: str) -> list[str]:
    out: list[str] = []
    skip: list[str] = []
    links: list[tuple[str, int]] = []
    row_cells = 0
    navbar_base = ""
    append = out.append
    unescape = html.unescape
    tags = _TAGS
    tokens = _TAG.split(_COMMENT.sub("", source) if "<!--" in source else source)
    last = tokens[-1]
    it = iter(tokens)
    for text, inside in zip(it, it, strict=False):  # the last text is `last`
        if text and not skip:
            append(unescape(text) if "&" in text else text)
        tag = tags.get(inside)
        if tag is None:
            tag = _tag(inside)
            if len(inside) <= _TAG_KEPT_MAX:
                if len(tags) >= _TAGS_MAX:
                    tags.clear()
                tags[inside] = tag
        name, closing, opening, closes, void, link, attrs, para_after, literal = tag
        if not name:  # "<" not starting a tag, "<!doctype>", "<?xml>"
            if literal and not skip:
                append(literal)
            continue
        if closing:
            if skip:
                if name in skip:
                    while skip and skip.pop() != name:
                        pass
                continue
            if link and links:
                link_href, start = links.pop()
                if link_href:
                    label = _collapse(
                        "".join(p for p in out[start:] if not p.startswith("\x00"))
                    ).strip(" ")
                    shown = _link_text(link_href, label)
                    if shown:
                        append(shown)
            elif name == "mj-navbar":
                navbar_base = ""
            if closes == _C_PARA:
                append(PARA)
            elif closes == _C_LINE:
                append(LINE)
            continue
        if skip or opening == _O_SKIP:
            if not void:
                skip.append(name)
            continue
        if opening == _O_PARA:
            append(PARA)
        elif opening == _O_LINE:
            append(LINE)
        elif opening == _O_CELL:
            if row_cells:
                append(CELL)
            row_cells += 1
        elif opening == _O_ROW:
            append(LINE)
            row_cells = 0
        elif opening == _O_ITEM:
            append(LINE)
            append("- ")
        elif opening == _O_RULE:
            out += [PARA, "—" * 20, PARA]
        if attrs is None:
            continue
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
        if para_after:
            append(PARA)
    if last and not skip:
        append(unescape(last) if "&" in last else last)
    return out


def _wrap_loop(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces, words joined by one space (runs of spaces are one)."""
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


def _wrap(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces; a word longer than the width (a URL) stays whole.

    ``text`` has no space at either end. Where its words are one space apart (all
    but table rows) each line is cut at the last space that leaves it at most
    ``width`` long (``str.rfind``, no Python step per word); a first word longer
    than that is a line of its own.
    """
    if "  " in text or width < 1:
        return _wrap_loop(text, width)
    lines: list[str] = []
    start = 0
    end = len(text)
    while end - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut < 0:  # the first word is longer than a line
            cut = text.find(" ", start + width + 1)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return lines


def _collapse(text: str) -> str:
    """Each run of ASCII white space as one space (no-break spaces stay).

    ``str.replace`` (a few passes over the text in C) rather than a pattern: the
    regex engine's per-match cost made the substitution most of this stage's time.
    """
    for char in "\n\t\r\f\v":
        if char in text:
            text = text.replace(char, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _assemble(parts: list[str], width: int) -> str:
    # A run of white space never spans a PARA or LINE mark, so each line is collapsed
    # on its own once stripped: most are white space alone (between sections, columns
    # and texts), and the indentation around a text is gone before the collapse.
    blocks: list[str] = []
    for para in "".join(parts).split(PARA):
        lines: list[str] = []
        for raw in para.split(LINE) if LINE in para else (para,):
            text = raw.strip(_WS)
            if not text:
                continue
            text = _collapse(text)
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
    """The plain-text alternative of an MJML document (or of an HTML fragment)."""
    return _assemble(_walk(mjml), width)
