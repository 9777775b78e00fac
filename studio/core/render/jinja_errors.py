"""Jinja's exceptions as one-line :class:`~studio.errors.RenderError`\ s naming the file
and line (a component's, when the error is in one), what went wrong and what was being
rendered; an undefined variable is named by its dotted path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2.exceptions import SecurityError

from ...errors import ConfigError, RenderError, TemplateNotFound
from ..templates import Template


def _template_frame(tb: TracebackType | None, root: Path) -> tuple[str, int] | None:
    """The innermost traceback frame that is in a workspace template file."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and filename.startswith(str(root)):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


class JinjaErrors:
    """Turns Jinja's exceptions into one-line RenderErrors with file and line."""

    def __init__(
        self, buffers: Mapping[str, str], tpl: Template, where: str, field: str | None = None
    ):
        self.buffers = buffers  # the text of a file with an error may be a buffer
        self.tpl = tpl
        self.where = where
        self.field = field  # a front-matter key being rendered (subject, preheader)

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, ConfigError):
            return
        if isinstance(exc, RenderError) and exc.file is not None:
            return
        root = self.tpl.path.parent.parent.resolve()
        rel = self.tpl.relname
        if isinstance(exc, jinja2.TemplateSyntaxError):
            file = _rel(exc.filename, root) if exc.filename else rel
            line = exc.lineno
            raise RenderError(
                f"{file}:{line}: Jinja syntax error: {exc.message} ({self.where})",
                file=file,
                line=line,
                kind="syntax",
            ) from None
        if isinstance(exc, jinja2.TemplateNotFound):
            frame = _template_frame(tb, root)
            file, line = (_rel(frame[0], root), frame[1]) if frame else (rel, 0)
            what = f"no such component or template {exc.name!r}"
            if exc.message != exc.name:  # a reason: a name outside the template folders
                what = str(exc.message)
            raise TemplateNotFound(
                f"{file}:{line}: {what} ({self.where})",
                file=file,
                line=line,
                kind="missing",
            ) from None
        frame = _template_frame(tb, root)
        file, line = (_rel(frame[0], root), frame[1]) if frame else (rel, 0)
        if frame is None and self.field:
            line = self.tpl.meta.lines.get(self.field, 0)
        loc = f"{file}:{line}" if line else file
        variable = None
        if isinstance(exc, SecurityError) or "unsafe" in str(exc):
            category, what = "sandbox", f"sandbox refused: {exc}"
        elif isinstance(exc, jinja2.UndefinedError):
            text = frame_line_text(root, file, line, self.buffers)
            variable = _undefined_name(str(exc), text)
            category, what = "undefined", f"undefined variable {variable}: {exc}"
        elif isinstance(exc, RenderError):
            category, what = exc.kind, str(exc)
        else:
            category, what = "error", f"{type(exc).__name__}: {exc}"
        raise RenderError(
            f"{loc}: {what} ({self.where})",
            file=file,
            line=line,
            kind=category,
            variable=variable,
        ) from None


_UNDEFINED = re.compile(r"^'([^']+)' is undefined")
_NO_ATTR = re.compile(r"has no attribute '([^']+)'")


def frame_line_text(
    root: Path, file: str, line: int | None, buffers: Mapping[str, str] | None = None
) -> str:
    """The text of ``file``'s line ``line`` (for naming an undefined attribute)."""
    if not line:
        return ""
    try:
        text = buffers[file] if buffers and file in buffers else (root / file).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _undefined_name(message: str, line_text: str) -> str:
    """``'order' is undefined`` → ``order``; a missing attribute → its dotted path."""
    m = _UNDEFINED.match(message)
    if m:
        return m.group(1)
    m = _NO_ATTR.search(message)
    if m:
        attr = m.group(1)
        path = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(attr)}\b", line_text)
        return f"{path.group(1)}.{attr}" if path else attr
    return message


def _rel(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root).as_posix()
    except ValueError:
        return filename
