"""The MJML stage: MJML → HTML with MRML (the Rust port of MJML).

Why ``mrml`` rather than ``mjml-python``: both bind MRML, but only ``mrml``
applies ``<mj-style inline="inline">`` (the corpus's austin, referral-email,
ticketshop, ugg-royale and worldly rely on it; mjml-python inlined 0 of 49
declarations), so no separate CSS-inlining pass is needed. MRML's include loader
is disabled: ``<mj-include>`` is spliced by :mod:`studio.core.render.include`,
which keeps partials inside the workspace and never fetches over HTTP.

Two things are mended before compiling, keeping a map back to the source offsets:

- a multi-line attribute value (a ``style="..."`` spread over lines) would reach
  the HTML with literal newlines that browsers ignore, so whitespace inside
  attribute values is collapsed;
- an unquoted attribute value (``<a href=https://...>``, what ``href={{ url }}``
  becomes), which mjml accepts and MRML refuses, is quoted;
- ``mj-image`` and ``mj-social-element`` images without an alt get ``alt=""``, as
  mjml writes them (without it, a client that blocks images draws a broken-image
  icon and screen readers read the file name). ``image.missing-alt`` still reads
  the source, so the warning stays.

When MRML fails (mostly without a position), :mod:`studio.core.render.mjml_tree`
finds the place, so every MJML error names a file, line and column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mrml

from ...errors import RenderError
from .include import Expanded, Reader, expand, mask, plain
from .mjml_tree import parse

_EQUALS = re.compile(r"""=\s*(?:"([^"<>]*\n[^"<>]*)"|[^\s"'<>`])""")
_IMAGE = re.compile(r"<(mj-(?:image|social-element|carousel-image))\b[^>]*")
_ALT = re.compile(r"\salt\s*=")
_TAG_NAME = re.compile(r"<[A-Za-z][\w:-]*")
_NEXT_ATTR = re.compile(
    r"""\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|([^\s"'<>`]+)))?"""
)
_POSITION = re.compile(r"at position (\d+):(\d+)")
_WS = re.compile(r"\s+")

_PARSER = mrml.ParserOptions(include_loader=mrml.noop_loader())
_RENDER = mrml.RenderOptions(disable_comments=False)

Edit = tuple[int, int, str]  # replace source[start:end] with the text


@dataclass(frozen=True)
class MjmlOutput:
    html: str
    title: str | None
    preview: str | None
    warnings: tuple[str, ...]
    source: Expanded | None = None  # the spliced MJML and its map, for the validator


def _attribute_edits(source: str) -> list[Edit]:
    """Collapse multi-line quoted values and quote unquoted ones, in one pass over ``=``.

    A multi-line value's whitespace becomes single spaces. An unquoted value
    (``href=https://x`` → ``href="https://x"``) is looked at only where a ``=`` is
    followed by something other than a quote: then the tag around it is read
    attribute by attribute. Tags in comments (Outlook's conditional
    ``<!--[if mso]>`` HTML) are quoted too, which is harmless.
    """
    edits: list[Edit] = []
    done = -1  # the end of the last tag read for unquoted values
    for m in _EQUALS.finditer(source):
        if m.group(1) is not None:
            edits.append((m.start(1), m.end(1), _WS.sub(" ", m.group(1)).strip()))
            continue
        at = m.start()
        if at < done:
            continue
        lt = source.rfind("<", 0, at)
        tag = _TAG_NAME.match(source, lt) if lt >= 0 else None
        if tag is None or ">" in source[tag.end() : at]:
            continue
        pos = tag.end()
        while (attr := _NEXT_ATTR.match(source, pos)) is not None:
            if attr.group(1) is not None:
                edits.append((attr.start(1), attr.end(1), f'"{attr.group(1)}"'))
            pos = attr.end()
        done = pos
    return edits


def _alt_edits(source: str) -> list[Edit]:
    """``alt=""`` on component images without one, as mjml writes it (MRML leaves it out).

    Only where no ``mj-attributes`` default could give an alt (then MRML's own
    resolution is kept): the common case is exact and the rare one unchanged.
    """
    if "<mj-image" not in source and "<mj-social" not in source and "<mj-carousel" not in source:
        return []
    start = source.find("<mj-attributes")
    if start >= 0 and _ALT.search(source, start, source.find("</mj-attributes", start)):
        return []
    images = _IMAGE.finditer(source)
    return [(m.end(1), m.end(1), ' alt=""') for m in images if not _ALT.search(m[0])]


def _apply(source: str, edits: list[Edit]) -> tuple[str, Callable[[int], int]]:
    """The edited text and a function from its offsets back to ``source``'s."""
    if not edits:
        return source, lambda offset: offset
    edits.sort()
    parts = []
    starts: list[int] = []  # new offset where each edit begins
    origins: list[tuple[int, int, int]] = []  # (old start, old end, new length)
    pos = 0
    new = 0
    for start, end, text in edits:
        if start < pos:
            continue  # overlapping (never expected): keep the first
        parts.append(source[pos:start])
        new += start - pos
        starts.append(new)
        origins.append((start, end, len(text)))
        parts.append(text)
        new += len(text)
        pos = end
    parts.append(source[pos:])

    def back(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        old_start, old_end, length = origins[i]
        inside = offset - starts[i]
        if inside < length:
            return old_start + min(inside, old_end - old_start)
        return old_end + inside - length

    return "".join(parts), back


def collapse_attribute_whitespace(source: str) -> str:
    """Collapse runs of whitespace inside quoted attribute values that span lines."""
    return _apply(source, [e for e in _attribute_edits(source) if not e[2].startswith('"')])[0]


def line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, max(0, offset)) + 1


def compile_mjml(
    source: str,
    *,
    name: str = "<mjml>",
    file: str | None = None,
    root: Path | None = None,
    read: Reader | None = None,
) -> MjmlOutput:
    """Compile MJML to HTML, splicing ``mj-include``s when ``root`` and ``read`` are given.

    Args:
        source: the MJML (for a template, Jinja's output).
        name: how messages name the source (may carry the sample being rendered).
        file: the source's path relative to ``root``: includes resolve from its folder.
        root: the folder includes must stay in; without it includes are refused.
        read: reads a ``root``-relative path (buffers stand in for files here).

    Raises:
        RenderError: naming the file, line and column of the problem.
    """
    file = file or name
    if root is not None and read is not None:
        expanded = expand(source, file, root, read)
    else:
        expanded = plain(source, file)
        if _has_include(source):
            _, line, col = expanded.locate(source.find("<mj-include"))
            raise _error(
                name, file, file, line, col, "mj-include needs a file in a workspace or folder"
            )
    text = expanded.text
    edits = _attribute_edits(text) + _alt_edits(text)
    fixed, back = _apply(text, edits)
    try:
        out = mrml.to_html(fixed, parser_options=_PARSER, render_options=_RENDER)
    except OSError as exc:
        message = str(exc)
        m = _POSITION.search(message)
        if m:
            offset = back(int(m.group(1)))
            message = _POSITION.sub("", message).strip()
        else:
            _, problems = parse(text)
            offset = problems[0].offset if problems else max(0, text.find("<mjml"))
            if problems:
                message = f"{problems[0].message} ({message})"
        where, line, col = expanded.locate(offset)
        raise _error(name, file, where, line, col, message) from None
    warnings = []
    for w in out.warnings:
        where, line, _ = expanded.locate(back(w.start))
        warnings.append(f"{w.kind} at line {line}" + (f" of {where}" if where != file else ""))
    return MjmlOutput(
        html=out.content,
        title=out.title,
        preview=out.preview,
        warnings=tuple(warnings),
        source=expanded,
    )


def _has_include(source: str) -> bool:
    return "mj-include" in source and "<mj-include" in mask(source)


def _error(name: str, top: str, file: str, line: int, col: int, message: str) -> RenderError:
    """``name`` is how the top file is shown (with the template and sample being rendered)."""
    head, _, rest = name.partition(" (")
    if file == top:
        label, tail = head, f" ({rest}" if rest else ""
    else:
        label, tail = file, f" (included from {name})"
    return RenderError(
        f"{label}:{line}:{col}: MJML: {message}{tail}",
        file=file,
        line=line,
        kind="mjml",
    )
