"""Findings: what every check (template, message, DNS, SMS) reports, as data.

A check never raises for bad content and never prints: it yields :class:`Finding`
values, and a reporter in :mod:`studio.core.report` formats them. Ids are public
and stable (see DESIGN.md's catalogue); tests assert on ids, not on wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .catalogue import Severity

__all__ = ["Finding", "Location", "Severity", "summarize"]


@dataclass(frozen=True)
class Location:
    """Where a finding points: a workspace-relative file and a 1-based line."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    """One problem (or note) found by a check.

    Attributes:
        id: the stable check id, e.g. ``"spf.lookup-limit"``.
        severity: error, warning or info (after workspace overrides).
        subject: what it is about: a template name, a domain, a message id.
        message: one human sentence; not part of the contract.
        location: the file and line it points at, when there is one.
        details: extra structured data (a record, a URL, a variable name).
        suppressed: the reason given in front matter when a template suppresses it.
        template: the template it belongs to (None for a domain or a lone file).
        sample: the sample set it was seen with (None when not tied to one).
    """

    id: str
    severity: Severity
    subject: str
    message: str
    location: Location | None = None
    details: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    suppressed: str | None = None
    template: str | None = None
    sample: str | None = None

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "severity": str(self.severity),
            "subject": self.subject,
            "message": self.message,
        }
        if self.location is not None:
            loc: dict[str, object] = {"file": self.location.file}
            if self.location.line is not None:
                loc["line"] = self.location.line
            if self.location.column is not None:
                loc["column"] = self.location.column
            data["location"] = loc
        if self.details:
            data["details"] = self.details
        if self.suppressed is not None:
            data["suppressed"] = self.suppressed
        return data


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    """Count active (not suppressed) findings per severity name."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        if f.suppressed is None:
            counts[str(f.severity)] += 1
    return counts
