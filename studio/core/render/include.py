"""``<mj-include>``: partials spliced into the MJML before MRML sees it.

MRML's own include loader is disabled (it resolves paths its own way and would
read anything); this module does what mjml 5's parser does, with a stricter fence:

- ``type="mjml"`` (the default): a whole document's ``mj-body`` children take the
  include's place and its ``mj-head`` children join the document's head; a bare
  fragment takes the include's place as it is;
- ``type="css"``: an ``<mj-style>`` in the document's head (``inline="inline"`` when
  the include says ``css-inline="inline"``);
- ``type="html"``: an ``<mj-raw>`` with the file's text, in place.

Paths are relative to the including file and must stay inside ``root`` (the
workspace, or a lone file's folder): ``..`` out of it, absolute paths, symlinks
that lead outside and URLs are errors naming the file and line, as are cycles and
missing files. Partials are plain MJML: Jinja runs on the template before this
stage, never on a partial.

The result keeps a map from each stretch of the spliced text to the file and
offset it came from, so an MJML error or a validation finding points into the
partial it is in (:meth:`Expanded.locate`).
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ...errors import RenderError

_INCLUDE = re.compile(r"<mj-include\b([^>]*?)/?>(?:\s*</mj-include\s*>)?", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))""")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ENDING = re.compile(
    r"<(mj-raw|mj-text|mj-button|mj-table|mj-navbar-link|mj-accordion-title|"
    r"mj-accordion-text|mj-social-element|mj-style)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*(?<!/)>"
    r".*?</\1\s*>",
    re.DOTALL | re.IGNORECASE,
)
_BODY = re.compile(r"<mj-body\b[^>]*>(.*)</mj-body\s*>", re.DOTALL | re.IGNORECASE)
_HEAD = re.compile(r"<mj-head\b[^>]*>(.*)</mj-head\s*>", re.DOTALL | re.IGNORECASE)
_HEAD_END = re.compile(r"</mj-head\s*>", re.IGNORECASE)
_MJML_OPEN = re.compile(r"<mjml\b[^>]*>", re.IGNORECASE)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//|^\\\\")

Reader = Callable[[str], str]  # workspace-relative path -> text (raises OSError)


def mask(text: str, pattern: re.Pattern[str] = _COMMENT) -> str:
    """``text`` with every match of ``pattern`` blanked (newlines kept): same offsets."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


class Source:
    """A file's text, for turning offsets into lines and columns (indexed when first asked)."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._newlines: list[int] | None = None

    @classmethod
    def of(cls, name: str, text: str) -> Source:
        return cls(name, text)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        i = bisect_right(self._newlines, offset - 1)
        start = self._newlines[i - 1] + 1 if i else 0
        return i + 1, offset - start + 1


@dataclass(frozen=True)
class Piece:
    start: int  # offset in the spliced text
    length: int
    source: Source
    offset: int  # offset in ``source`` of the piece's first character
    synthetic: bool = False  # made here (wrappers): positions point at the include


@dataclass(frozen=True)
class Expanded:
    """The spliced MJML and where each part of it came from."""

    text: str
    pieces: tuple[Piece, ...]
    files: tuple[str, ...]  # every partial read, workspace-relative
    name: str = ""  # the including (top) file

    def locate(self, offset: int) -> tuple[str, int, int]:
        """File, line and column of ``offset`` in :attr:`text`."""
        if not self.pieces:
            return "", 1, 1
        starts = [p.start for p in self.pieces]
        i = max(0, bisect_right(starts, offset) - 1)
        piece = self.pieces[i]
        delta = 0 if piece.synthetic else min(max(0, offset - piece.start), piece.length)
        line, col = piece.source.position(piece.offset + delta)
        return piece.source.name, line, col


def _attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in _ATTR.finditer(text)
    }


def _decode(path: str) -> str:
    for _ in range(10):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    return path


class _Splicer:
    def __init__(self, root: Path, read: Reader):
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        self.read = read
        self.out: list[tuple[str, Source, int, bool]] = []
        self.head: list[tuple[str, Source, int, bool]] = []
        self.styles: list[tuple[str, Source, int, bool]] = []
        self.files: list[str] = []

    def error(self, src: Source, offset: int, what: str) -> RenderError:
        line, col = src.position(offset)
        return RenderError(
            f"{src.name}:{line}:{col}: mj-include: {what}", file=src.name, line=line, kind="mjml"
        )

    def resolve(self, src: Source, offset: int, raw: str) -> str:
        """The workspace-relative path of an include, or an error if it is not allowed."""
        path = _decode(raw.strip())
        if not path:
            raise self.error(src, offset, "no path")
        if _URL.match(path):
            raise self.error(src, offset, f"{raw!r}: only local files can be included, not URLs")
        if "\0" in path or path.startswith(("/", "\\")) or os.path.isabs(path):
            raise self.error(
                src, offset, f"{raw!r}: an absolute path; give it relative to the including file"
            )
        base = (self.root / src.name).parent
        target = Path(os.path.normpath(base / path))
        try:
            rel = target.relative_to(self.root)
        except ValueError:
            raise self.error(src, offset, f"{raw!r} leads outside {self.root}") from None
        real = Path(os.path.realpath(target))
        if real != self.real_root and self.real_root not in real.parents:
            raise self.error(src, offset, f"{raw!r} is a link to a file outside {self.root}")
        return rel.as_posix()

    def load(self, src: Source, offset: int, raw: str, stack: tuple[str, ...]) -> Source:
        rel = self.resolve(src, offset, raw)
        if rel in stack:
            chain = " -> ".join((*stack, rel))
            raise self.error(src, offset, f"include cycle: {chain}")
        try:
            text = self.read(rel)
        except (OSError, UnicodeDecodeError) as exc:
            why = "no such file" if isinstance(exc, FileNotFoundError) else f"cannot read: {exc}"
            raise self.error(src, offset, f"{raw!r}: {why}") from None
        if rel not in self.files:
            self.files.append(rel)
        return Source.of(rel, text)

    def splice(
        self,
        src: Source,
        start: int,
        end: int,
        into: list[tuple[str, Source, int, bool]],
        stack: tuple[str, ...],
        split_at: int | None = None,
    ) -> int | None:
        """Copy ``src.text[start:end]`` into ``into`` with its includes spliced.

        Returns the index in ``into`` where text at ``split_at`` begins (for the head).
        """
        text = src.text
        masked = mask(mask(text[:end]), _ENDING)
        pos = start
        mark = None
        for m in _INCLUDE.finditer(masked, start, end):
            if split_at is not None and mark is None and pos <= split_at <= m.start():
                into.append((text[pos:split_at], src, pos, False))
                pos = split_at
                mark = len(into)
            into.append((text[pos : m.start()], src, pos, False))
            pos = m.end()
            self.include(src, m.start(), _attributes(m.group(1)), into, stack)
        if split_at is not None and mark is None and pos <= split_at <= end:
            into.append((text[pos:split_at], src, pos, False))
            pos = split_at
            mark = len(into)
        into.append((text[pos:end], src, pos, False))
        return mark

    def include(
        self,
        src: Source,
        offset: int,
        attrs: dict[str, str],
        into: list[tuple[str, Source, int, bool]],
        stack: tuple[str, ...],
    ) -> None:
        kind = attrs.get("type", "mjml").lower()
        if kind not in ("mjml", "css", "html"):
            raise self.error(src, offset, f"type {kind!r}: expected mjml, css or html")
        part = self.load(src, offset, attrs.get("path", ""), (*stack, src.name))
        if kind == "html":
            into.append(("<mj-raw>", src, offset, True))
            into.append((part.text, part, 0, False))
            into.append(("</mj-raw>", src, offset, True))
            return
        if kind == "css":
            inline = ' inline="inline"' if attrs.get("css-inline") == "inline" else ""
            self.styles.append((f"<mj-style{inline}>", src, offset, True))
            self.styles.append((part.text, part, 0, False))
            self.styles.append(("</mj-style>", src, offset, True))
            return
        inner_stack = (*stack, src.name)
        if "<mjml>" not in part.text:  # a fragment, as mjml decides it
            self.splice(part, 0, len(part.text), into, inner_stack)
            return
        masked = mask(part.text)
        body = _BODY.search(masked)
        if body:
            self.splice(part, body.start(1), body.end(1), into, inner_stack)
        head = _HEAD.search(masked)
        if head:
            self.splice(part, head.start(1), head.end(1), self.head, inner_stack)


def expand(source: str, name: str, root: Path, read: Reader) -> Expanded:
    """Splice the ``mj-include``s of ``source`` (the text of ``name``, relative to ``root``)."""
    src = Source.of(name, source)
    if "mj-include" not in source:
        return Expanded(source, (Piece(0, len(source), src, 0),), (), name)
    splicer = _Splicer(root, read)
    masked = mask(source)
    head_end = _HEAD_END.search(masked)
    opening = _MJML_OPEN.search(masked)
    split = head_end.start() if head_end else opening.end() if opening else 0
    mark = splicer.splice(src, 0, len(source), splicer.out, (), split_at=split)
    added = splicer.head + splicer.styles
    parts = splicer.out
    if added:
        if head_end is None:
            added = [("<mj-head>", src, split, True), *added, ("</mj-head>", src, split, True)]
        at = mark if mark is not None else 0
        parts = [*parts[:at], *added, *parts[at:]]
    pieces = []
    chunks = []
    pos = 0
    for text, origin, offset, synthetic in parts:
        if not text:
            continue
        pieces.append(Piece(pos, len(text), origin, offset, synthetic))
        chunks.append(text)
        pos += len(text)
    return Expanded("".join(chunks), tuple(pieces), tuple(splicer.files), name)


def plain(source: str, name: str) -> Expanded:
    """``source`` as it is (no includes to splice), with its position map."""
    return Expanded(source, (Piece(0, len(source), Source.of(name, source), 0),), (), name)


def included_paths(source: str, name: str, root: Path) -> list[str]:
    """The workspace-relative paths ``source`` (the text of ``name``) includes directly.

    Includes that are not allowed are left out (rendering reports them); for the
    preview's watcher, which reloads a template when a partial it uses changes.
    """
    if "mj-include" not in source:
        return []
    splicer = _Splicer(root, lambda rel: "")
    src = Source.of(name, source)
    found = []
    for m in _INCLUDE.finditer(mask(source)):
        try:
            found.append(splicer.resolve(src, m.start(), _attributes(m.group(1)).get("path", "")))
        except RenderError:
            continue
    return found
