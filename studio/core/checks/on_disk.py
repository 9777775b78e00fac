"""Finding a string in a file read in chunks: where a big lone file's findings point.

``studio lint`` of a big ``.eml`` points each finding at the first line of the file
that holds its URL (a few dozen per rule, most near the start). Holding the file's
text for that was one more copy of the message beside its HTML and its links;
:class:`~studio.core.checks.context.Sources` reads such a file from disk instead,
a chunk at a time, and stops where the string is found. Only for an ASCII file,
whose characters are its bytes: positions and line numbers are the text's.
"""

from __future__ import annotations

import re
from pathlib import Path

CHUNK = 1 << 18
"""Bytes read at a time."""

BIG = 1 << 20
"""Bytes of a lone ``.eml`` above which it is read from disk where findings are located."""


def find_in_file(path: Path, needle: str) -> int:
    """The first position of ``needle`` in the file, or -1: ``text.find(needle)`` on
    the file's text (ASCII), read a chunk at a time up to where it is found."""
    want = needle.encode("utf-8")
    if not want:
        return 0
    keep = len(want) - 1  # a match may straddle two chunks
    tail, start = b"", 0  # start: the position in the file of the chunk
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                if tail:  # a match that starts in the last chunk's tail
                    i = (tail + chunk[:keep]).find(want)
                    if i >= 0:
                        return start - len(tail) + i
                i = chunk.find(want)
                if i >= 0:
                    return start + i
                if keep:  # the last bytes read (of more than one chunk, if that short)
                    tail = chunk[-keep:] if len(chunk) >= keep else (tail + chunk)[-keep:]
                start += len(chunk)
    except OSError:
        pass
    return -1


class FileLines:
    """Line numbers of positions in a file, its newlines counted a chunk at a time
    (each chunk once, as far as the positions asked about)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._before: list[int] = [0]  # newlines before each chunk read so far

    def line(self, pos: int) -> int:
        """The line number (from 1) of position ``pos``."""
        n = pos // CHUNK
        try:
            with self.path.open("rb") as f:
                while len(self._before) <= n:
                    f.seek((len(self._before) - 1) * CHUNK)
                    chunk = f.read(CHUNK)
                    self._before.append(self._before[-1] + chunk.count(b"\n"))
                    if len(chunk) < CHUNK:
                        break
                if n >= len(self._before):
                    return self._before[-1] + 1
                f.seek(n * CHUNK)
                return self._before[n] + f.read(pos - n * CHUNK).count(b"\n") + 1
        except OSError:
            return 1


def search_file(
    path: Path, pattern: re.Pattern[str], blank: re.Pattern[str] | None = None
) -> list[tuple[int, re.Match[str]]] | None:
    """Each match of ``pattern`` in the file with its line, found in its bytes (a big
    file searched without its text beside them); None when that cannot be done as
    on the text (``blank`` matches, a pattern not ASCII, a match read otherwise)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    if not raw.isascii():
        return None
    try:
        if blank is not None and _as_bytes(blank).search(raw):
            return None
        wanted = _as_bytes(pattern)
    except UnicodeEncodeError:
        return None
    found, line, pos = [], 1, 0
    for m in wanted.finditer(raw):
        again = pattern.fullmatch(raw[m.start() : m.end()].decode("ascii"))
        if again is None:
            return None
        line += raw.count(b"\n", pos, m.start())
        pos = m.start()
        found.append((line, again))
    return found


def _as_bytes(pattern: re.Pattern[str]) -> re.Pattern[bytes]:
    """``pattern`` on ASCII bytes: the same matches as on the same text."""
    return re.compile(pattern.pattern.encode("ascii"), pattern.flags & ~re.UNICODE)


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_text(path: Path) -> str:
    """The file's text as :func:`studio.core.checks.lint_file` reads it."""
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""
