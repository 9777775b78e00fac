"""What applications triggered: volumes and failures, from the trigger log.

The same figures for ``studio stats``, ``GET /v1/stats`` and the studio's inbox:

* ``triggered``: every request that named a template (whatever became of it);
* ``delivered``: stored in the sink or the SMS outbox, or relayed;
* ``invalid``: refused with 422 (missing or mistyped variables, bad recipient,
  unknown locale); ``missing_variables`` / ``mistyped_variables`` count each path;
* ``render_failures``: the template itself did not render (a broken template);
* ``refused``: the sink (a fault rule) or the relay's allow-list said no;
* ``failed``: the sink or relay could not be reached;
* ``unknown_templates``: names applications trigger that no template has (the
  inventory's "trigger without a template").

Counted per template, per journey, per channel and per application.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .store import TriggerRecord

OUTCOMES = ("delivered", "invalid", "render_failures", "refused", "failed")
_STATUS = {
    "delivered": "delivered",
    "relayed": "delivered",
    "invalid": "invalid",
    "unknown-template": "invalid",
    "render-failed": "render_failures",
    "refused": "refused",
    "failed": "failed",
}
STATS_FORMATS = ("text", "json")


@dataclass
class Volume:
    triggered: int = 0
    delivered: int = 0
    invalid: int = 0
    render_failures: int = 0
    refused: int = 0
    failed: int = 0

    def count(self, record: TriggerRecord) -> None:
        self.triggered += 1
        outcome = _STATUS.get(record.status)
        if outcome is not None:
            setattr(self, outcome, getattr(self, outcome) + 1)

    def to_dict(self) -> dict[str, int]:
        return {"triggered": self.triggered, **{k: getattr(self, k) for k in OUTCOMES}}


@dataclass
class Stats:
    total: Volume = field(default_factory=Volume)
    by_template: dict[str, Volume] = field(default_factory=dict)
    by_journey: dict[str, Volume] = field(default_factory=dict)
    by_channel: dict[str, Volume] = field(default_factory=dict)
    by_application: dict[str, Volume] = field(default_factory=dict)
    missing_variables: Counter[str] = field(default_factory=Counter)
    mistyped_variables: Counter[str] = field(default_factory=Counter)
    unknown_templates: Counter[str] = field(default_factory=Counter)
    last_triggered: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def table(t: dict[str, Volume]) -> dict[str, dict[str, int]]:
            return {k: v.to_dict() for k, v in sorted(t.items())}

        return {
            "version": 1,
            "total": self.total.to_dict(),
            "by_template": table(self.by_template),
            "by_journey": table(self.by_journey),
            "by_channel": table(self.by_channel),
            "by_application": table(self.by_application),
            "missing_variables": dict(self.missing_variables.most_common()),
            "mistyped_variables": dict(self.mistyped_variables.most_common()),
            "unknown_templates": dict(self.unknown_templates.most_common()),
            "last_triggered": dict(sorted(self.last_triggered.items())),
        }


NO_APPLICATION = "(unnamed)"
NO_JOURNEY = "(no journey)"


def compute_stats(records: Iterable[TriggerRecord]) -> Stats:
    stats = Stats()
    for r in records:
        stats.total.count(r)
        template = r.template or "(none)"
        if r.status == "unknown-template":
            stats.unknown_templates[template] += 1
        else:
            stats.by_template.setdefault(template, Volume()).count(r)
            stats.by_journey.setdefault(r.journey or NO_JOURNEY, Volume()).count(r)
            stats.last_triggered[template] = max(stats.last_triggered.get(template, ""), r.received)
        stats.by_channel.setdefault(r.channel, Volume()).count(r)
        stats.by_application.setdefault(r.application or NO_APPLICATION, Volume()).count(r)
        for p in r.problems:
            counter = (
                stats.missing_variables
                if p.get("check") == "template.undefined-variable"
                else stats.mistyped_variables
            )
            counter[f"{template}: {p.get('variable', '?')}"] += 1
    return stats


def _rows(title: str, table: dict[str, Volume]) -> list[str]:
    if not table:
        return []
    width = max(len(k) for k in table)
    out = [f"{title}:"]
    for name, v in sorted(table.items()):
        extras = ", ".join(
            f"{v.to_dict()[k]} {k.replace('_', ' ')}" for k in OUTCOMES[1:] if v.to_dict()[k]
        )
        out.append(
            f"  {name:<{width}}  {v.triggered:>6} triggered  {v.delivered:>6} delivered"
            + (f"  ({extras})" if extras else "")
        )
    return out


def summary_line(stats: Stats) -> str:
    """One line for the studio's inbox ("" when nothing was triggered)."""
    t = stats.total
    if not t.triggered:
        return ""
    parts = [f"{t.triggered} triggered", f"{t.delivered} delivered"]
    parts += [f"{getattr(t, k)} {k.replace('_', ' ')}" for k in OUTCOMES[1:] if getattr(t, k)]
    if stats.unknown_templates:
        parts.append(f"{sum(stats.unknown_templates.values())} without a template")
    return "router: " + ", ".join(parts)


def format_stats(stats: Stats, fmt: str) -> str:
    """The stats as text (a table per dimension) or JSON (version 1)."""
    if fmt == "json":
        return json.dumps(stats.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}: expected text or json")
    t = stats.total
    if not t.triggered:
        return "nothing triggered yet (`studio serve` records each trigger)\n"
    lines = [
        f"{t.triggered} triggered: {t.delivered} delivered, {t.invalid} invalid,"
        f" {t.render_failures} render failures, {t.refused} refused, {t.failed} failed",
        "",
    ]
    for title, table in (
        ("by template", stats.by_template),
        ("by journey", stats.by_journey),
        ("by channel", stats.by_channel),
        ("by application", stats.by_application),
    ):
        rows = _rows(title, table)
        if rows:
            lines += rows + [""]
    for title, counter in (
        ("missing variables", stats.missing_variables),
        ("mistyped variables", stats.mistyped_variables),
        ("triggered without a template", stats.unknown_templates),
    ):
        if counter:
            lines.append(f"{title}:")
            lines += [f"  {n:>6}  {name}" for name, n in counter.most_common()]
            lines.append("")
    return "\n".join(lines)
