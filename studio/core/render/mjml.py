"""The MJML stage: MJML → HTML with MRML (the Rust port of MJML).

Why ``mrml`` rather than ``mjml-python``: both bind MRML, but only ``mrml``
applies ``<mj-style inline="inline">`` (the corpus's austin, referral-email,
ticketshop, ugg-royale and worldly rely on it; mjml-python inlined 0 of 49
declarations), so no separate CSS-inlining pass is needed. Includes are disabled
(Jinja does composition, and MJML must never fetch over HTTP).

One MRML quirk is mended before compiling: a multi-line attribute value (a
``style="..."`` spread over lines) would reach the HTML with literal newlines
that browsers ignore, so whitespace inside attribute values is collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import mrml

from ...errors import RenderError

_MULTILINE_ATTR = re.compile(r'(=\s*)"([^"<>]*\n[^"<>]*)"')
_POSITION = re.compile(r"at position (\d+):(\d+)")
_WS = re.compile(r"\s+")

_PARSER = mrml.ParserOptions(include_loader=mrml.noop_loader())
_RENDER = mrml.RenderOptions(disable_comments=False)


@dataclass(frozen=True)
class MjmlOutput:
    html: str
    title: str | None
    preview: str | None
    warnings: tuple[str, ...]


def collapse_attribute_whitespace(source: str) -> str:
    """Collapse runs of whitespace inside quoted attribute values that span lines."""
    if "\n" not in source:
        return source
    return _MULTILINE_ATTR.sub(
        lambda m: f'{m.group(1)}"{_WS.sub(" ", m.group(2)).strip()}"', source
    )


def line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, max(0, offset)) + 1


def compile_mjml(source: str, *, name: str = "<mjml>", line_offset: int = 0) -> MjmlOutput:
    """Compile MJML to HTML.

    Raises:
        RenderError: naming ``name`` and, when MRML gives a position, the line.
    """
    fixed = collapse_attribute_whitespace(source)
    try:
        out = mrml.to_html(fixed, parser_options=_PARSER, render_options=_RENDER)
    except OSError as exc:
        text = str(exc)
        line = None
        m = _POSITION.search(text)
        if m:
            line = line_of(fixed, int(m.group(1))) + line_offset
            text = _POSITION.sub("", text).strip()
        where = f"{name}:{line}" if line else name
        raise RenderError(f"{where}: MJML: {text}", file=name, line=line, kind="mjml") from None
    warnings = tuple(f"{w.kind} at line {line_of(fixed, w.start)}" for w in out.warnings)
    return MjmlOutput(html=out.content, title=out.title, preview=out.preview, warnings=warnings)
