"""Parsing a big message without the ``email`` package's copies of its bodies.

The package's parser reads a body line by line and joins the lines at the end: a
29 MB body is held as 400,000 line strings (1.7 times its size) beside the joined
payload, and the memory the lines took is not all given back. Here each long run
of body lines is cut out of the text first and a short placeholder line put in
its place; the package parses that skeleton (headers, MIME structure, defects, all
its own rules), and each placeholder is then replaced, in the payload of the part
it landed in, by the run it stands for: one copy of each body, as a payload.

A run is cut only where no rule of the parser can apply inside it: it starts after
the first blank line following a line that begins with ``--`` (a boundary or not)
or the start of the text, so after the header block of the part it belongs to;
it ends before the next line beginning with ``--``, one line short (the line break
before a boundary belongs to the boundary), so no boundary can be in it. When a
placeholder does not come back exactly once in a leaf part's payload (it fell in a
preamble or an epilogue), or the message holds a ``message/*`` part (whose header
block a run may hold), :func:`parse_with_runs_cut` gives None and the caller
parses the whole text as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage

MIN_RUN = 1 << 16
"""Characters of body lines worth cutting out (shorter runs are parsed as they are)."""

_DASHES = re.compile(r"(?:\r\n|\r|\n)--")  # a line starting with "--"
_BLANK = re.compile(r"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)")  # a line break, then an empty line
_MARK = "\x00studio-run-%d\x00\n"
_MARKS = re.compile("\x00studio-run-([0-9]+)\x00\n")


def _runs(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each run of at least :data:`MIN_RUN` body characters."""
    dashes = [m.end() - 2 for m in _DASHES.finditer(text)]
    starts = [0, *dashes]  # each segment starts at the text's start or a "--" line
    stops = [*dashes, len(text)]
    runs = []
    for start, stop in zip(starts, stops, strict=True):
        if stop - start < MIN_RUN:
            continue
        blank = _BLANK.search(text, start, stop)
        if blank is None:
            continue
        first = blank.end()
        # the segment's last line stays: the parser trims its line break at a boundary
        end = stop - (2 if text.startswith("\r\n", stop - 2) else 1)
        last = max(text.rfind("\n", first, end), text.rfind("\r", first, end)) + 1
        if last - first >= MIN_RUN:
            runs.append((first, last))
    return runs


def parse_with_runs_cut(text: str, parse: Callable[[str], EmailMessage]) -> EmailMessage | None:
    """``parse(text)`` with the long body runs cut out and put back (see the module);
    None when there is nothing to cut or a run could not be put back."""
    runs = _runs(text)
    if not runs or "\x00studio-run-" in text:
        return None
    pieces, pos = [], 0
    for n, (start, end) in enumerate(runs):
        pieces += [text[pos:start], _MARK % n]
        pos = end
    pieces.append(text[pos:])
    msg = parse("".join(pieces))
    del pieces
    placed: list[tuple[EmailMessage, list[re.Match[str]]]] = []
    for part in msg.walk():
        if part.get_content_maintype() == "message":
            return None  # a message inside: its header block may be in a run
        payload = vars(part).get("_payload")  # as parsed (get_payload may decode it)
        if part.is_multipart():
            if any("\x00studio-run-" in t for t in (part.preamble or "", part.epilogue or "")):
                return None
            continue
        if isinstance(payload, str) and "\x00studio-run-" in payload:
            placed.append((part, list(_MARKS.finditer(payload))))
    found = sorted(int(m.group(1)) for _, marks in placed for m in marks)
    if found != list(range(len(runs))):
        return None
    for part, marks in placed:
        part.set_payload(_put_back(text, vars(part)["_payload"], marks, runs))
    return msg


def _put_back(
    text: str, payload: str, marks: list[re.Match[str]], runs: list[tuple[int, int]]
) -> str:
    """``payload`` with each placeholder replaced by its run of ``text``."""
    if len(marks) == 1 and marks[0].start() == 0:
        start, end = runs[int(marks[0].group(1))]
        body = text[start:end]
        body += payload[marks[0].end() :]  # grown in place: one copy of the run
        return body
    out, pos = [], 0
    for m in marks:
        start, end = runs[int(m.group(1))]
        out += [payload[pos : m.start()], text[start:end]]
        pos = m.end()
    out.append(payload[pos:])
    return "".join(out)
