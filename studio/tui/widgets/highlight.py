"""Syntax highlighting in the editor: MJML and HTML with Jinja, SMS templates, settings.

Textual's ``TextArea`` highlights with tree-sitter (``textual[syntax]`` ships the
grammars used here): ``.mjml`` and ``.html`` files are parsed as HTML (an MJML
document is well-formed HTML as far as the grammar cares), samples as YAML (JSON is
YAML), TOML as TOML. Jinja is not a tree-sitter language Textual ships, and a
combined grammar would have to be compiled; instead :class:`TemplateEditor` lays
Jinja spans over the grammar's after each parse. A short regular-expression scan
finds ``{{ expressions }}``, ``{% statements %}`` and ``{# comments #}`` (over
several lines too), with their keywords, strings, filters and delimiters. The scan
costs a fraction of the tree-sitter query Textual runs on every edit anyway
(``benchmarks/highlight.py``).

Jinja spans are drawn after the grammar's, so ``href="{{ url }}"`` shows the
expression inside the string. Their names (``jinja.*``) are styled from the editor
theme's own colours for keywords, strings, comments and functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.style import Style
from textual.widgets import TextArea

JINJA_SUFFIXES = frozenset({".mjml", ".html", ".j2", ".txt"})
"""Files that are Jinja templates: templates, components, SMS templates."""

# The names the overlay gives its spans, and the theme name each takes its colour from.
JINJA_STYLES: dict[str, tuple[str, Style]] = {
    "jinja.delimiter": ("keyword", Style(bold=True)),
    "jinja.expression": ("function", Style()),
    "jinja.statement": ("function", Style()),
    "jinja.keyword": ("keyword", Style(bold=True)),
    "jinja.string": ("string", Style()),
    "jinja.number": ("number", Style()),
    "jinja.filter": ("function", Style(italic=True)),
    "jinja.comment": ("comment", Style(italic=True)),
}
_FALLBACK = Style(color="#c586c0")

KEYWORDS = frozenset(
    "if elif else endif for in endfor set endset macro endmacro call endcall import from"
    " include as with without context endwith block endblock extends not and or is"
    " true false none True False None filter endfilter raw endraw recursive loop"
    " autoescape endautoescape trans endtrans pluralize do break continue ignore missing"
    " scoped required".split()
)

_OPEN = re.compile(r"\{(?:\{|%|#)[-+]?")
_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_KIND = {"{{": "jinja.expression", "{%": "jinja.statement"}
_TOKEN = re.compile(
    r"""(?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)"""
    r"|(?P<filter>\|\s*[A-Za-z_]\w*)"
    r"|(?P<number>\b\d+(?:\.\d+)?\b)"
    r"|(?P<word>[A-Za-z_]\w*)"
)

Highlight = tuple[int, "int | None", str]
"""As ``TextArea`` keeps them: start byte, end byte (None: the line's end), name."""
LineScan = tuple[list[Highlight], "str | None"]
"""A line's spans, and the tag still open at its end (``{{``, ``{%``, ``{#``) or None."""


def language_of(path: Path) -> str | None:
    """The tree-sitter language the editor parses ``path`` with (None: plain text)."""
    # JSON is highlighted with the YAML grammar (JSON is YAML): tree-sitter-json 0.24.8
    # crashes the process (SIGSEGV) when a JSON buffer is edited under Textual 8.2.
    return {".json": "yaml", ".toml": "toml", ".mjml": "html", ".html": "html"}.get(path.suffix)


def is_jinja(path: Path) -> bool:
    """Whether ``path`` is a Jinja template (Jinja spans are highlighted in it)."""
    return path.suffix in JINJA_SUFFIXES


def scan_line(line: str, open_tag: str | None = None) -> LineScan:
    """The Jinja spans of one line, given the tag left open by the lines above.

    A tag's spans come first, then the tokens inside it (keywords, strings,
    numbers, filters): later spans are drawn over earlier ones. A tag not closed on
    the line runs to its end and stays open for the next line (an unclosed tag runs
    to the end of the text, as Jinja would complain it does). Offsets are in bytes.
    """
    out: list[tuple[int, int, str]] = []
    pos = 0
    n = len(line)
    while pos < n or open_tag is not None:
        if open_tag is None:
            m = _OPEN.search(line, pos)
            if m is None:
                break
            opener, tag_start, body_start = m.group()[:2], m.start(), m.end()
            if opener != "{#":
                out.append((tag_start, body_start, "jinja.delimiter"))
        else:  # continued from the line above
            opener, tag_start, body_start = open_tag, 0, 0
        close_at = line.find(_CLOSE[opener], body_start)
        if close_at < 0:
            body_end = tag_end = n
            open_tag = opener
        else:
            body_end, tag_end = close_at, close_at + 2
            if body_end > body_start and line[body_end - 1] in "-+":
                body_end -= 1
            open_tag = None
        if opener == "{#":
            out.append((tag_start, tag_end, "jinja.comment"))
        else:
            out.append((body_start, body_end, _KIND[opener]))
            if close_at >= 0:
                out.append((body_end, tag_end, "jinja.delimiter"))
            for t in _TOKEN.finditer(line, body_start, body_end):
                kind = t.lastgroup
                if kind == "word":
                    if t.group() not in KEYWORDS:
                        continue
                    kind = "keyword"
                out.append((t.start(), t.end(), f"jinja.{kind}"))
        if open_tag is not None:
            break
        pos = tag_end
    if out and not line.isascii():
        at = [0]
        for ch in line:
            at.append(at[-1] + len(ch.encode("utf-8")))
        out = [(at[a], at[b], name) for a, b, name in out]
    spans: list[Highlight] = list(out)
    return spans, open_tag


def line_spans(
    text: str | Sequence[str], cache: dict[tuple[str | None, str], LineScan] | None = None
) -> dict[int, list[Highlight]]:
    """The Jinja spans of ``text`` (or of its lines) by line (only lines that have some).

    ``cache`` (kept by the caller between edits) maps a line and the tag open before
    it to its scan, so that a keystroke scans the edited line again and looks the
    others up.
    """
    out: dict[int, list[Highlight]] = {}
    lines = text.split("\n") if isinstance(text, str) else text
    open_tag: str | None = None
    for row, line in enumerate(lines):
        if open_tag is None and "{" not in line:
            continue
        key = (open_tag, line)
        found = cache.get(key) if cache is not None else None
        if found is None:
            found = scan_line(line, open_tag)
            if cache is not None:
                if len(cache) > 20_000:
                    cache.clear()
                cache[key] = found
        spans, open_tag = found
        if spans:
            out[row] = spans
    return out


class TemplateEditor(TextArea):
    """A ``TextArea`` that also highlights Jinja, in the files :func:`is_jinja` names.

    Set :attr:`jinja` before loading a file; the overlay follows every edit.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.jinja = False
        self._jinja_lines: dict[tuple[str | None, str], LineScan] = {}
        super().__init__(*args, **kwargs)

    def _build_highlight_map(self) -> None:
        super()._build_highlight_map()
        if not self.jinja:
            return
        highlights = self._highlights
        for row, spans in line_spans(self.document.lines, self._jinja_lines).items():
            highlights[row].extend(spans)

    def rehighlight(self) -> None:
        """Build the highlights again (after :attr:`jinja` changed) and repaint."""
        self._build_highlight_map()
        self.refresh()

    def _set_theme(self, theme: str) -> None:
        super()._set_theme(theme)
        # the theme object is a shallow copy: give it a dictionary of its own
        styles = dict(self._theme.syntax_styles)
        for name, (base, extra) in JINJA_STYLES.items():
            styles[name] = (styles.get(base) or _FALLBACK) + extra
        self._theme.syntax_styles = styles
        self._line_cache.clear()
