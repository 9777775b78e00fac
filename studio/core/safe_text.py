"""Text from untrusted sources, made safe to show.

A captured message, a sample, a locale file or a DNS answer can carry control
characters: terminal escapes (``ESC]0;...BEL`` retitles the window, ``ESC[2K``
erases a row, OSC 52 writes the clipboard), bidi overrides that reorder what the
reader sees, NUL bytes. Everything Studio prints or shows from such a source goes
through :func:`printable` first, so the terminal only ever receives text.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidi embedding,
# override and isolate characters (Trojan Source, CVE-2021-42574).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\n]+")
# What json.dumps(..., ensure_ascii=False) leaves raw that a terminal may act on.
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """Return *text* with every control character shown as an escape.

    Args:
        text: untrusted text (a header, a body, a file's content).
        one_line: also fold tabs and line breaks into single spaces, for list cells
            and one-line summaries.
    """
    if one_line:
        text = _BREAKS.sub(" ", text)
    return _UNSAFE.sub(_escape, text)


def printable_json(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 and bidi
    controls written as ``\\uXXXX`` escapes: the same JSON, safe to print.

    ``json.dumps`` already escapes C0 controls; these can only occur inside strings.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
