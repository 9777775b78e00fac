"""How one message differs between two renders: the parts a reviewer reads.

Subject and preheader, a unified diff of the text part, HTML size against Gmail's
clipping limit, links (UTM parameters included) and images added or removed,
findings that appeared or disappeared (by check id, file and line), and for an SMS
its encoding and segment count.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..checks.html_view import HtmlView
from ..findings import Finding, Severity
from ..render.result import RenderedMessage, RenderedSms

GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail shows "[Message clipped]" past 102 KB of HTML."""


@dataclass(frozen=True)
class Side:
    """One render of a message: its output, or the error that stopped it."""

    subject: str = ""
    preheader: str = ""
    text: str = ""
    html: str = ""
    error: str | None = None
    missing: bool = False  # the message does not exist on this side
    sms_encoding: str | None = None
    sms_segments: int | None = None
    sms_units: int | None = None

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8"))

    @property
    def clipped(self) -> bool:
        return self.size > GMAIL_CLIP_BYTES

    def same_output(self, other: Side) -> bool:
        return (
            self.subject,
            self.preheader,
            self.text,
            self.html,
            self.error,
            self.missing,
        ) == (other.subject, other.preheader, other.text, other.html, other.error, other.missing)

    @classmethod
    def of_message(cls, msg: RenderedMessage) -> Side:
        return cls(subject=msg.subject, preheader=msg.preheader, text=msg.text, html=msg.html)

    @classmethod
    def of_sms(cls, sms: RenderedSms) -> Side:
        return cls(
            text=sms.text,
            sms_encoding=sms.info.encoding,
            sms_segments=sms.info.count,
            sms_units=sms.info.units,
        )


@dataclass(frozen=True)
class FindingKey:
    id: str
    severity: str
    file: str | None
    line: int | None
    message: str

    @classmethod
    def of(cls, f: Finding) -> FindingKey:
        loc = f.location
        return cls(
            f.id, str(f.severity), loc.file if loc else None, loc.line if loc else None, f.message
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }


def active(findings: Sequence[Finding]) -> list[FindingKey]:
    return [FindingKey.of(f) for f in findings if f.suppressed is None]


@dataclass
class Changes:
    """What differs between the two renders of one message (empty parts left out)."""

    subject: tuple[str, str] | None = None
    preheader: tuple[str, str] | None = None
    text_diff: str = ""
    size: tuple[int, int] | None = None
    clipping: tuple[bool, bool] | None = None
    links_added: list[str] = field(default_factory=list)
    links_removed: list[str] = field(default_factory=list)
    images_added: list[str] = field(default_factory=list)
    images_removed: list[str] = field(default_factory=list)
    findings_new: list[FindingKey] = field(default_factory=list)
    findings_gone: list[FindingKey] = field(default_factory=list)
    sms: dict[str, Any] | None = None
    error: tuple[str | None, str | None] | None = None

    @property
    def new_errors(self) -> list[FindingKey]:
        return [f for f in self.findings_new if f.severity == str(Severity.ERROR)]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.subject:
            out["subject"] = {"before": self.subject[0], "after": self.subject[1]}
        if self.preheader:
            out["preheader"] = {"before": self.preheader[0], "after": self.preheader[1]}
        if self.text_diff:
            out["text_diff"] = self.text_diff
        if self.size:
            out["html_size"] = {"before": self.size[0], "after": self.size[1]}
        if self.clipping:
            out["gmail_clipped"] = {"before": self.clipping[0], "after": self.clipping[1]}
        if self.links_added or self.links_removed:
            out["links"] = {"added": self.links_added, "removed": self.links_removed}
        if self.images_added or self.images_removed:
            out["images"] = {"added": self.images_added, "removed": self.images_removed}
        if self.findings_new or self.findings_gone:
            out["findings"] = {
                "new": [f.to_dict() for f in self.findings_new],
                "gone": [f.to_dict() for f in self.findings_gone],
            }
        if self.sms:
            out["sms"] = self.sms
        if self.error:
            out["render_error"] = {"before": self.error[0], "after": self.error[1]}
        return out


def text_diff(before: str, after: str, name: str) -> str:
    """A unified diff of two texts (``a/NAME``, ``b/NAME``), empty when equal."""
    if before == after:
        return ""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"a/{name}", f"b/{name}", lineterm="", n=2
    )
    return "\n".join(lines)


def _multiset_diff(before: Sequence[str], after: Sequence[str]) -> tuple[list[str], list[str]]:
    """Items added and removed, counting repeats (a link that now appears twice is added)."""
    left = list(before)
    added = []
    for item in after:
        if item in left:
            left.remove(item)
        else:
            added.append(item)
    return added, left


def compare(
    base: Side,
    head: Side,
    name: str,
    base_findings: Sequence[Finding] = (),
    head_findings: Sequence[Finding] = (),
) -> Changes:
    """The differences a reviewer reads between ``base`` and ``head``."""
    ch = Changes()
    if base.subject != head.subject:
        ch.subject = (base.subject, head.subject)
    if base.preheader != head.preheader:
        ch.preheader = (base.preheader, head.preheader)
    ch.text_diff = text_diff(base.text, head.text, name)
    if base.error != head.error:
        ch.error = (base.error, head.error)
    if base.html != head.html:
        ch.size = (base.size, head.size)
        if base.clipped or head.clipped:
            ch.clipping = (base.clipped, head.clipped)
        a, b = HtmlView.parse(base.html), HtmlView.parse(head.html)
        ch.links_added, ch.links_removed = _multiset_diff(
            [link.href for link in a.links], [link.href for link in b.links]
        )
        ch.images_added, ch.images_removed = _multiset_diff(
            [i.src for i in a.images], [i.src for i in b.images]
        )
    if base.sms_encoding is not None or head.sms_encoding is not None:
        if (base.sms_encoding, base.sms_segments, base.sms_units) != (
            head.sms_encoding,
            head.sms_segments,
            head.sms_units,
        ):
            ch.sms = {
                "encoding": {"before": base.sms_encoding, "after": head.sms_encoding},
                "segments": {"before": base.sms_segments, "after": head.sms_segments},
                "units": {"before": base.sms_units, "after": head.sms_units},
            }
    before, after = active(base_findings), active(head_findings)
    ch.findings_new = [f for f in dict.fromkeys(after) if f not in before]
    ch.findings_gone = [f for f in dict.fromkeys(before) if f not in after]
    return ch
