"""Change review: every message a change affects, and how (``studio diff``).

See :mod:`.engine` for the steps; :mod:`.report` formats a :class:`DiffReport` as
terminal text, Markdown, JSON or an HTML page.
"""

from __future__ import annotations

from .engine import SCHEMA_VERSION, DiffReport, MessageDiff, MessageId, run_diff

__all__ = ["SCHEMA_VERSION", "DiffReport", "MessageDiff", "MessageId", "run_diff"]
