"""``[[sink.faults]]`` in the settings: the sink's fault rules, parsed and checked.

Apart from :mod:`.settings` so that its table of keys per rule stays beside the code
that reads it; the sink itself (aiosmtpd) is imported only when a rule is given.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .settings_reader import Reader, at_least

if TYPE_CHECKING:
    from .sink.faults import FaultRule

_FAULT_KEYS = {
    "rate-limit": {"per_minute"},
    "greylist": {"seconds"},
    "size": {"size"},
    "slow": {"seconds", "at"},
}
_MATCH_KEYS = {"rule", "recipients", "senders", "every", "every_connection"}


def _patterns(r: Reader, key: str) -> tuple[str, ...]:
    if isinstance(r.table.get(key), str):
        return (r.text(key),)
    return r.strings(key)


def parse_faults(s: Reader) -> tuple[FaultRule, ...]:
    """``[[sink.faults]]``: one table per rule, ``rule`` naming it."""
    entries = s.get("faults", list, "a list of tables ([[tool.studio.sink.faults]])", [])
    if not entries:
        return ()  # without importing the sink (aiosmtpd): the studio's start-up needs none
    from .sink.faults import KINDS, FaultRule

    rules: list[FaultRule] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise s.fail("faults", "a list of tables ([[tool.studio.sink.faults]])")
        f = Reader(s.source, entry, f"{s.key('faults')}[{i}]")
        kind = f.text("rule")
        if kind not in KINDS:
            raise f.fail("rule", "one of " + ", ".join(KINDS))
        for key in sorted(set(entry) - _MATCH_KEYS - _FAULT_KEYS.get(kind, set())):
            if any(key in keys for keys in _FAULT_KEYS.values()):
                raise f.fail(key, f"no {key} for rule {kind!r} (remove it)")
        rule = FaultRule(
            kind,
            recipients=_patterns(f, "recipients"),
            senders=_patterns(f, "senders"),
            every=at_least(f, "every", 1, 1) if "every" in entry else None,
            every_connection=(
                at_least(f, "every_connection", 1, 1) if "every_connection" in entry else None
            ),
            per_minute=at_least(f, "per_minute", 10, 1),
            seconds=f.number("seconds", 30.0 if kind == "slow" else 300.0),
            size=at_least(f, "size", 1, 1) if kind == "size" else 0,
            at=f.text("at", "data"),
        )
        if not (math.isfinite(rule.seconds) and rule.seconds >= 0):
            raise f.fail("seconds", "a number of seconds from 0 up")
        if rule.at not in ("greeting", "data"):
            raise f.fail("at", '"greeting" or "data"')
        if kind == "size" and "size" not in entry:
            raise f.fail("size", "a size in bytes, such as 100000")
        if kind == "unknown-user" and not rule.recipients:
            raise f.fail("recipients", 'recipient patterns, such as ["*@nobody.example"]')
        f.check_unknown()
        rules.append(rule)
    return tuple(rules)
