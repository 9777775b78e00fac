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

The tokenizer is a single ``re.split`` on tags (comments removed first); the
attributes of the few tags that need them are parsed on demand.
"""

from __future__ import annotations

import html
import re
import textwrap

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

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SPLIT = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"</?\s*([a-zA-Z][\w:.-]*)")
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


def _attrs(tag: str, start: int) -> dict[str, str]:
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
                    label = " ".join(
                        "".join(p for p in out[start:] if not p.startswith("\x00")).split()
                    )
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
        if name in _SKIP or ("style=" in tok and _HIDDEN.search(tok)):
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
        attrs = _attrs(tok, m.end())
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


def _assemble(parts: list[str], width: int) -> str:
    blocks: list[str] = []
    for para in "".join(parts).split(PARA):
        lines: list[str] = []
        for raw in para.split(LINE):
            words = raw.split()
            if not words:
                continue
            text = " ".join(words)
            if CELL in text:
                text = " ".join(text.replace(CELL, " " + CELL + " ").split()).replace(
                    f" {CELL} ", "  "
                ).replace(CELL, "")
            if len(text) > width:
                lines += textwrap.wrap(
                    text, width=width, break_long_words=False, break_on_hyphens=False
                )
            else:
                lines.append(text)
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def mjml_to_text(mjml: str, *, width: int = 76) -> str:
    """The plain-text alternative of an MJML document (or of an HTML fragment)."""
    return _assemble(_walk(mjml), width)
