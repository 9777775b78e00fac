"""Rules on the MJML as mjml validates it: tags, attributes, values, children.

The MJML checked is what MRML compiled (Jinja's output with the ``mj-include``
partials spliced), validated in one pass for the five rules. A finding in a partial
points into the partial; one in a template's own text is pointed at the template
or component line that wrote it (:mod:`studio.core.render.origin`), since Jinja's
output lines need not be the file's; failing that, at the line that holds the same
tag or attribute.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Iterator

from ...findings import Location
from ...render.include import Expanded
from ...render.origin import OutputMap
from ...render.pipeline import renderer_for
from ...render.validate import Issue, validate
from ..context import MessageContext
from ..registry import Hit, rule

_lock = threading.Lock()
_last: list[tuple[Expanded, list[Issue]]] = []  # the last message's issues
_maps: list[tuple[Expanded, OutputMap | None]] = []  # the last message's output map


def _issues(ctx: MessageContext) -> tuple[Expanded | None, list[Issue]]:
    expanded = ctx.msg.mjml_source
    if expanded is None:
        return None, []
    with _lock:
        if _last and _last[0][0] is expanded:
            return expanded, _last[0][1]
    found = validate(expanded.text)
    with _lock:
        _last[:] = [(expanded, found)]
    return expanded, found


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _where(ctx: MessageContext, expanded: Expanded, issue: Issue) -> Location:
    file, line, col = expanded.locate(issue.offset)
    primary = ctx.sources.primary
    if file != expanded.name:  # in a partial, spliced as it is
        if ctx.msg.template is None:  # a lone file: partials are relative to its folder
            file = posixpath.normpath(posixpath.join(posixpath.dirname(primary), file))
        return Location(file, line, col)
    if ctx.msg.template is None:
        return Location(primary, line, col)
    placed = _map(ctx, expanded)
    origin = placed.locate(line, col) if placed is not None else None
    if origin is not None:
        return Location(origin.file, origin.line, origin.column)
    text = _line(ctx.sources.files.get(primary, ""), line)
    if issue.snippet in text:
        return Location(primary, line, text.find(issue.snippet) + 1)
    found = ctx.sources.locate(issue.snippet)
    if found.line is not None:
        text = _line(ctx.sources.files.get(found.file, ""), found.line)
        return Location(found.file, found.line, text.find(issue.snippet) + 1 or None)
    return Location(primary, line, col)


def _map(ctx: MessageContext, expanded: Expanded) -> OutputMap | None:
    """Where the lines of the template's output were written (made once per message)."""
    with _lock:
        if _maps and _maps[0][0] is expanded:
            return _maps[0][1]
    msg, tpl = ctx.msg, ctx.msg.meta_source
    found = None
    if ctx.workspace is not None and tpl is not None:
        renderer = renderer_for(ctx.workspace, {tpl.relname: tpl.source})
        found = renderer.output_map(
            tpl, msg.variables, msg.locale, msg.subject, msg.preheader, msg.mjml
        )
    with _lock:
        _maps[:] = [(expanded, found)]
    return found


def _hits(ctx: MessageContext, check_id: str) -> Iterator[Hit]:
    expanded, issues = _issues(ctx)
    if expanded is None:
        return
    for issue in issues:
        if issue.id == check_id:
            yield Hit(ctx.subject, issue.message, _where(ctx, expanded, issue), {"tag": issue.tag})


@rule("mjml.unknown-tag")
def unknown_tag(ctx: MessageContext) -> Iterator[Hit]:
    return _hits(ctx, "mjml.unknown-tag")


@rule("mjml.invalid-attribute")
def invalid_attribute(ctx: MessageContext) -> Iterator[Hit]:
    return _hits(ctx, "mjml.invalid-attribute")


@rule("mjml.invalid-value")
def invalid_value(ctx: MessageContext) -> Iterator[Hit]:
    return _hits(ctx, "mjml.invalid-value")


@rule("mjml.invalid-child")
def invalid_child(ctx: MessageContext) -> Iterator[Hit]:
    return _hits(ctx, "mjml.invalid-child")


@rule("mjml.image-percent-width")
def image_percent_width(ctx: MessageContext) -> Iterator[Hit]:
    return _hits(ctx, "mjml.image-percent-width")
