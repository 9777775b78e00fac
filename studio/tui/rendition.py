"""A terminal rendition of a rendered message, read from its MJML.

The MJML (after Jinja and link tagging) says what each block is, where the HTML
MRML writes is layout tables: so headings come out bold, paragraphs wrapped,
buttons as labelled links (``[ Reset password ]`` with their address), images as
their alt text, ``<table>`` rows (the order lines) as a real table, dividers as
rules. Links carry their URL as a terminal hyperlink.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rich import box
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w:-]*)")
_ATTR = re.compile(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
_SPACE = re.compile(r"\s+")

_SKIP = frozenset({"mj-head", "head", "style", "script", "title", "mj-style", "mj-raw", "template"})
_BREAK = frozenset(
    {
        "mj-section",
        "mj-wrapper",
        "mj-column",
        "mj-group",
        "mj-hero",
        "mj-text",
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "br",
        "tr",
        "blockquote",
    }
)
_HEADING = {"h1": "bold underline", "h2": "bold", "h3": "bold", "h4": "bold"}
_INLINE = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "small": "dim"}
BUTTON = Style(bold=True, reverse=True)
LINK = Style(underline=True, color="blue")


def _attrs(tag: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v.strip("\"'")) for k, v in _ATTR.findall(tag)}


def short_url(url: str) -> str:
    """``https://shop.example/account/orders/1?utm_...`` → ``shop.example/account/orders/1``."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return parts.netloc + parts.path.rstrip("/")


@dataclass
class _Cell:
    text: Text
    th: bool
    align: str
    colspan: int


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)

    def _grid(self) -> list[list[_Cell | None]]:
        """Rows with a column per grid position (a colspan cell, then Nones)."""
        grid: list[list[_Cell | None]] = []
        for row in self.rows:
            out: list[_Cell | None] = []
            for cell in row:
                out.append(cell)
                out.extend([None] * (cell.colspan - 1))
            grid.append(out)
        return grid

    def renderable(self) -> RenderableType:
        rows = [r for r in self.rows if r]
        header = bool(rows) and len(rows) > 1 and all(c.th for c in rows[0])
        self.rows = rows
        grid = self._grid()
        width = max(len(r) for r in grid)
        body = grid[1:] if header else grid

        def filled(i: int) -> bool:
            return any(i < len(r) and r[i] is not None and r[i].text.plain.strip() for r in body)  # type: ignore[union-attr]

        keep = [i for i in range(width) if filled(i)]
        table = Table(box=box.SIMPLE_HEAD if header else None, show_header=header, pad_edge=False)
        for n, i in enumerate(keep):
            title: Text | str = ""
            if header:
                # a header spanning dropped (empty) columns names the next kept one
                start = keep[n - 1] + 1 if n else 0
                for j in range(start, i + 1):
                    cell = grid[0][j] if j < len(grid[0]) else None
                    if cell is not None and cell.text.plain.strip():
                        title = cell.text
            aligns = [r[i].align for r in body if i < len(r) and r[i] is not None]  # type: ignore[union-attr]
            justify = "right" if aligns and aligns.count("right") * 2 > len(aligns) else "left"
            table.add_column(title, justify=justify)  # type: ignore[arg-type]
        for r in body:
            cells = [r[i] if i < len(r) else None for i in keep]
            table.add_row(*[c.text if c is not None else "" for c in cells])
        return table


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[RenderableType] = []
        self.line = Text()
        self.styles: list[str | Style] = []
        self.tables: list[_Table] = []
        self.cell: Text | None = None

    @property
    def target(self) -> Text:
        return self.cell if self.cell is not None else self.line

    def text(self, raw: str) -> None:
        words = _SPACE.sub(" ", html.unescape(raw))
        if not words.strip() and not self.target.plain.strip():
            return
        style = (
            Style.combine([Style.parse(s) if isinstance(s, str) else s for s in self.styles])
            if self.styles
            else ""
        )
        if self.target.plain.endswith(" ") or not self.target.plain:
            words = words.lstrip()
        self.target.append(words, style=style)

    def flush(self) -> None:
        if self.cell is not None:
            return
        self.line.rstrip()
        if self.line.plain.strip():
            self.blocks.append(self.line)
        self.line = Text()

    def push_style(self, style: str | Style) -> None:
        self.styles.append(style)

    def pop_style(self) -> None:
        if self.styles:
            self.styles.pop()

    # -- blocks --------------------------------------------------------------

    def button(self, label: str, href: str | None) -> None:
        self.flush()
        out = Text()
        out.append(f" {label.strip() or 'Button'} ", style=BUTTON + Style(link=href or None))
        if href:
            out.append("  " + short_url(href), style="dim")
        self.blocks.append(out)

    def image(self, attrs: dict[str, str]) -> None:
        alt = attrs.get("alt", "").strip()
        if not alt:
            return  # decorative
        self.flush()
        style = Style(dim=True, italic=True, link=attrs.get("href") or None)
        self.blocks.append(Text(f"[image: {alt}]", style=style))

    def rule(self) -> None:
        self.flush()
        self.blocks.append(Rule(style="dim"))

    def open_table(self) -> None:
        self.flush()
        self.tables.append(_Table())

    def close_table(self) -> None:
        if not self.tables:
            return
        table = self.tables.pop()
        self.cell = None
        if table.rows:
            self.blocks.append(table.renderable())

    def open_cell(self, th: bool, attrs: dict[str, str]) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if not table.rows:
            table.rows.append([])
        self.cell = Text()
        span = attrs.get("colspan", "1")
        colspan = int(span) if span.isdigit() and 0 < int(span) < 20 else 1
        table.rows[-1].append(_Cell(self.cell, th, attrs.get("align", "left"), colspan))


def rendition_blocks(mjml: str) -> list[RenderableType]:
    """The message's blocks as Rich renderables, in reading order."""
    b = _Builder()
    skip = 0
    button: tuple[str | None, list[str]] | None = None
    for part in _TAG.split(_COMMENT.sub("", mjml)):
        if not part:
            continue
        if not part.startswith("<"):
            if skip:
                continue
            if button is not None:
                button[1].append(part)
            else:
                b.text(part)
            continue
        m = _NAME.match(part)
        if m is None:
            continue
        closing, name = m.group(1) == "/", m.group(2).lower()
        if name in _SKIP:
            skip += -1 if closing else (0 if part.endswith("/>") else 1)
            skip = max(skip, 0)
            continue
        if skip:
            continue
        if name == "mj-button":
            if closing and button is not None:
                b.button(html.unescape(_SPACE.sub(" ", "".join(button[1]))), button[0])
                button = None
            elif not closing:
                button = (_attrs(part).get("href"), [])
            continue
        if button is not None:
            continue  # markup inside a button's label
        if name == "mj-image" and not closing:
            b.image(_attrs(part))
        elif name == "img" and not closing:
            b.image(_attrs(part))
        elif name == "mj-divider" and not closing:
            b.rule()
        elif name in ("table", "mj-table") and closing:
            b.close_table()
        elif name in ("table", "mj-table"):
            b.open_table()
        elif name == "tr" and not closing and b.tables:
            b.tables[-1].rows.append([])
        elif name in ("td", "th"):
            if closing:
                b.cell = None
            else:
                b.open_cell(name == "th", _attrs(part))
        elif name == "a" or name in ("mj-social-element", "mj-navbar-link"):
            if closing:
                b.pop_style()
            else:
                href = _attrs(part).get("href")
                b.push_style(LINK + Style(link=href) if href else LINK)
        elif name in _HEADING:
            if closing:
                b.pop_style()
                b.flush()
            else:
                b.flush()
                b.push_style(_HEADING[name])
        elif name in _INLINE:
            if closing:
                b.pop_style()
            elif not part.endswith("/>"):
                b.push_style(_INLINE[name])
        elif name in _BREAK:
            if name == "li" and not closing:
                b.flush()
                b.text("• ")
            elif b.cell is not None and name == "br":
                b.cell.append("\n")
            else:
                b.flush()
    b.flush()
    return b.blocks


def rendition(mjml: str) -> Group:
    """The blocks with a blank line between paragraphs."""
    out: list[RenderableType] = []
    for block in rendition_blocks(mjml):
        if out:
            out.append(Text(""))
        out.append(block)
    return Group(*out)
