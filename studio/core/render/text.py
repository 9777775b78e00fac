"""The plain-text alternative, written from the MJML rather than from the HTML.

MRML's HTML is many times larger than the MJML it comes from (layout tables,
Outlook conditionals, inlined styles), and converting it with a general HTML-to-text
library was most of the pipeline's time. The MJML (after Jinja and link tagging)
says directly what is a heading, a paragraph, a button, an image or a table, so
one pass of the standard library's HTML tokenizer over it gives a better text part
for a fraction of the cost:

* every link is kept: ``label <url>`` (just the URL when the label is the URL);
  buttons and linked images alike, so reset and verification links survive;
* images become their alt text (decorative ``alt=""`` images disappear);
* table rows become lines, list items ``- item``; paragraphs are separated by a
  blank line and wrapped at 76 columns without breaking URLs;
* ``<mj-head>``, styles, comments (Outlook conditionals) and elements hidden with
  ``display:none`` are left out.
"""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

_SKIP = {
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
_BLOCK = {
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
_LINE = {"tr", "li", "br", "mj-social-element", "mj-navbar-link", "dt", "dd"}
_CELL = {"td", "th"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\n]+")

PARA = "\x00P"
LINE = "\x00L"


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip: list[str] = []
        self.links: list[tuple[str, int]] = []  # (href, index into out where its text starts)
        self.row_cells = 0

    # -- helpers -------------------------------------------------------------

    def _hidden(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if tag in _SKIP:
            return True
        style = attrs.get("style") or ""
        return bool(style and _HIDDEN.search(style)) or "hidden" in attrs and tag != "input"

    def _text_since(self, start: int) -> str:
        return _SPACES.sub(
            " ", "".join(p for p in self.out[start:] if not p.startswith("\x00"))
        ).strip()

    # -- parser events -------------------------------------------------------

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if self.skip:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if self._hidden(tag, attrs):
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _BLOCK:
            self.out.append(PARA)
        elif tag in _LINE:
            self.out.append(LINE)
            if tag == "li":
                self.out.append("- ")
        elif tag in _CELL:
            if self.row_cells:
                self.out.append("  ")
            self.row_cells += 1
        if tag == "tr":
            self.row_cells = 0
        elif tag == "hr" or tag == "mj-divider":
            self.out += [PARA, "—" * 20, PARA]

        href = attrs.get("href")
        if tag in ("img", "mj-image", "mj-carousel-image"):
            alt = (attrs.get("alt") or "").strip()
            if alt:
                self.out.append(f" {alt} ")
            if href and tag != "img":
                self._emit_link(href, alt)
        elif tag in ("a", "mj-button", "mj-social-element", "mj-navbar-link") and href is not None:
            self.links.append((href, len(self.out)))
        elif tag in ("a", "mj-button", "mj-social-element", "mj-navbar-link"):
            self.links.append(("", len(self.out)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            return
        if tag in ("a", "mj-button", "mj-social-element", "mj-navbar-link") and self.links:
            href, start = self.links.pop()
            if href:
                self._emit_link(href, self._text_since(start))
        if tag in _BLOCK:
            self.out.append(PARA)
        elif tag in ("tr", "li", "mj-social-element", "mj-navbar-link"):
            self.out.append(LINE)

    def _emit_link(self, href: str, label: str) -> None:
        href = href.strip()
        if not href or href.startswith("#") or href.lower().startswith("javascript:"):
            return
        shown = href
        for scheme in ("mailto:", "tel:", "sms:"):
            if href.lower().startswith(scheme):
                shown = href[len(scheme) :].split("?", 1)[0]
        if label and (label == shown or label == href):
            return
        self.out.append(f" <{href}>" if label else f" {href} ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def _assemble(parts: list[str], width: int) -> str:
    paragraphs: list[list[str]] = [[]]
    line: list[str] = []

    def end_line() -> None:
        text = _SPACES.sub(" ", "".join(line)).strip()
        line.clear()
        if text:
            paragraphs[-1].append(text)

    for part in parts:
        if part == PARA:
            end_line()
            if paragraphs[-1]:
                paragraphs.append([])
        elif part == LINE:
            end_line()
        else:
            line.append(part)
    end_line()
    blocks = []
    for para in paragraphs:
        if not para:
            continue
        wrapped = []
        for text in para:
            wrapped.extend(
                textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
                or [""]
            )
        blocks.append("\n".join(wrapped))
    return "\n\n".join(blocks) + "\n"


def mjml_to_text(mjml: str, *, width: int = 76) -> str:
    """The plain-text alternative of an MJML document (or of an HTML fragment)."""
    walker = _Walker()
    walker.feed(mjml)
    walker.close()
    return _assemble(walker.out, width)
