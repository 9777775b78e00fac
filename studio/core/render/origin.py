"""Where a line of a template's MJML came from: the template's own line, or a component's.

MRML compiles Jinja's *output*, so its errors (and the tolerant parse that places
them) point at lines of that output, which are not the template's: a component's
macro expands into the middle of it, blocks move, ``{% if %}`` lines vanish. Jinja
keeps no map from its output back to its sources, so one is made when it is needed
(an MJML error, rare): the template is rendered a second time in an environment
whose :class:`LineMarks` extension puts an invisible mark before each line of
template text (private-use characters around a number standing for a file and a
line). Text then carries the mark of the line it was written on, in whichever file:
a component's markup carries the component's. The marks are taken out again, and
the output line in question is matched with the marked one that has the same text
(filters such as ``trim`` may see the marks and shift whitespace, so lines are
matched by their text, in order, not by number).

Nothing here runs on a successful render.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

OPEN, CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{OPEN}(\\d+){CLOSE}")
Spot = tuple[int, str, int]  # (column in the output line, file, line) where text begins


@dataclass(frozen=True)
class Origin:
    """A place in a template or component file (1-based line; column when known)."""

    file: str
    line: int
    column: int | None = None


class LineMarks(Extension):
    """Marks each line of template text with its file and line (see the module doc)."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.places: list[tuple[str, int]] = []
        self._ids: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def mark(self, name: str, line: int) -> str:
        key = (name, line)
        with self._lock:
            found = self._ids.get(key)
            if found is None:
                found = self._ids[key] = len(self.places)
                self.places.append(key)
        return f"{OPEN}{found}{CLOSE}"

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        name = stream.name or "?"
        for token in stream:
            if token.type != "data":
                yield token
                continue
            pieces = token.value.split("\n")
            text = [self.mark(name, token.lineno), pieces[0]]
            for i, piece in enumerate(pieces[1:], 1):
                text += ["\n", self.mark(name, token.lineno + i), piece]
            yield Token(token.lineno, "data", "".join(text))


def _marked_lines(marked: str, places: list[tuple[str, int]]) -> list[tuple[str, list[Spot]]]:
    """Each output line without its marks, and the places (column, file, line) in it.

    A line's first entry is the place carried from the lines above (column 0).
    """
    out: list[tuple[str, list[Spot]]] = []
    current: tuple[str, int] | None = None
    for raw in marked.split("\n"):
        text: list[str] = []
        spots: list[Spot] = [(0, *current)] if current else []
        pos = 0
        width = 0
        for m in _MARK.finditer(raw):
            piece = raw[pos : m.start()]
            text.append(piece)
            width += len(piece)
            pos = m.end()
            index = int(m.group(1))
            if index >= len(places):  # not ours: a value that looks like a mark
                text.append(m.group())
                width += len(m.group())
                continue
            current = places[index]
            spots.append((width, *current))
        text.append(raw[pos:])
        out.append(("".join(text), spots))
    return out


def _same_line(lines: list[str], row: int, marked: list[tuple[str, list[Spot]]]) -> int | None:
    """The index in ``marked`` of output line ``row``: the same line when the marks
    moved no line (links may have been tagged since), else the same text, as many
    times over."""
    if len(marked) == len(lines):
        return row
    want = lines[row].strip()
    nth = sum(1 for line in lines[:row] if line.strip() == want)
    seen = 0
    for i, (text, _) in enumerate(marked):
        if text.strip() == want:
            if seen == nth:
                return i
            seen += 1
    return None


class OutputMap:
    """Where each line of one rendering of a template was written (see the module doc).

    Made once per rendering that needs it (:meth:`of`), then asked for as many
    places as there are errors or findings in it.
    """

    def __init__(
        self, output: str, table: list[tuple[str, list[Spot]]], read: Callable[[str], str]
    ) -> None:
        self.lines = output.split("\n")
        self.table = table
        self.read = read

    @classmethod
    def of(
        cls,
        env: jinja2.Environment,
        template: str,
        context: Mapping[str, Any],
        output: str,
        read: Callable[[str], str],
    ) -> OutputMap | None:
        """The map of ``output``, what ``env`` rendered from ``template`` with ``context``.

        Args:
            env: the environment that rendered ``output`` (an overlay with
                :class:`LineMarks` is made from it).
            read: reads a workspace-relative file (buffers first), for columns.

        Returns None when the marked render fails (the caller keeps its own place).
        """
        marked_env = env.overlay(extensions=[LineMarks], bytecode_cache=None)
        marks = next(e for e in marked_env.extensions.values() if isinstance(e, LineMarks))
        try:
            marked = marked_env.get_template(template).render(dict(context))
        except Exception:  # noqa: BLE001 - see above
            return None
        return cls(output, _marked_lines(marked, marks.places), read)

    def locate(self, line: int, column: int) -> Origin | None:
        """Where line ``line`` (1-based), ``column`` (1-based) of the output was
        written: in the template or in a component; None if it cannot be told."""
        lines = self.lines
        if not 0 < line <= len(lines):
            return None
        row = _same_line(lines, line - 1, self.table)
        if row is None:
            return None
        text, spots = self.table[row]
        real = lines[line - 1]
        col = max(0, column - 1)
        if text != real:  # whitespace moved (a filter saw the marks): align the content
            lead = len(real) - len(real.lstrip())
            col = max(0, col - lead + max(0, text.find(real.strip())))
        before = [s for s in spots if s[0] <= col]
        if not before:
            return None
        _, file, src_line = before[-1]
        return Origin(file, src_line, _column(self.read, file, src_line, text, col))


def _column(
    read: Callable[[str], str], file: str, line: int, text: str, col: int
) -> int | None:
    """The column in the source line that holds the output's text at ``col``, if found."""
    try:
        source = read(file).split("\n")[line - 1]
    except (OSError, IndexError, UnicodeDecodeError, jinja2.TemplateNotFound):
        return None
    for size in (24, 12, 6):
        snippet = text[col : col + size]
        if len(snippet.strip()) < 2:
            continue
        at = source.find(snippet)
        if at >= 0:
            return at + 1
    return None
