"""The registry of rules: each one an id from the catalogue and a function yielding findings.

Rules come in four kinds, by what they look at:

* ``message`` rules get a :class:`~studio.core.checks.context.MessageContext` (one
  rendered message, its parsed HTML and its source files);
* ``template`` rules get a :class:`~studio.core.checks.context.TemplateContext` (a
  template with all its samples, rendered or failed);
* ``sms`` rules get an :class:`~studio.core.checks.context.SmsContext`;
* ``workspace`` rules get a :class:`~studio.core.checks.context.WorkspaceContext`
  (several templates compared with each other).

Rules never print and never raise for bad content: they yield :class:`Hit` values,
which the engine turns into :class:`~studio.core.findings.Finding` values with the
rule's id and severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..catalogue import CATALOGUE
from ..findings import Finding, Location, Severity

KINDS = ("message", "template", "sms", "workspace")


@dataclass(frozen=True)
class Hit:
    """What a rule found: the engine adds the id and the severity."""

    subject: str
    message: str
    location: Location | Callable[[], Location] | None = None
    """Where to fix it; a function giving it is called only if the finding is listed
    (locating the hits a bounded report only counts read the sources for nothing)."""
    details: dict[str, object] | None = None
    severity: Severity | None = None
    sample: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    check: Callable[[Any], Iterable[Hit]]

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.id].severity

    def run(self, ctx: Any, limit: int | None = None) -> list[Finding]:
        """The rule's findings on ``ctx``: at most ``limit``, then one that counts the rest.

        ``limit`` defaults to the workspace's ``lint.max_findings_per_rule``; the rest
        are counted, never kept, so a huge message gives a short report in bounded memory.
        """
        if limit is None:
            limit = limit_of(ctx)
        found: list[Finding] = []
        more = 0
        for h in self.check(ctx):
            if len(found) >= limit:
                more += 1
                continue
            found.append(
                Finding(
                    id=self.id,
                    severity=h.severity or self.severity,
                    subject=h.subject,
                    message=h.message,
                    location=h.location() if callable(h.location) else h.location,
                    details=h.details or {},
                    sample=h.sample,
                )
            )
        if more:
            last = found[-1]
            found.append(
                Finding(
                    id=self.id,
                    severity=last.severity,
                    subject=last.subject,
                    message=f"{more:,} more like these not listed"
                    f" (at most {limit} per check and message: lint.max_findings_per_rule)",
                    location=None,
                    details={"not_listed": more, "limit": limit},
                    sample=last.sample,
                )
            )
        return found


def limit_of(ctx: Any) -> int:
    """The findings a rule reports on ``ctx`` (``lint.max_findings_per_rule``)."""
    workspace = getattr(ctx, "workspace", None)
    settings = getattr(workspace, "settings", None)
    lint = getattr(settings, "lint", None)
    return int(getattr(lint, "max_findings_per_rule", DEFAULT_LIMIT))


DEFAULT_LIMIT = 25
"""Findings one rule reports per message before it counts the rest (a setting)."""


RULES: dict[str, Rule] = {}


def rule(id: str, kind: str = "message") -> Callable[[Callable[..., Iterable[Hit]]], Rule]:
    """Register a rule under a catalogue id; the decorated function becomes the Rule."""
    if id not in CATALOGUE:
        raise KeyError(f"rule id {id!r} is not in the catalogue")
    if kind not in KINDS:
        raise ValueError(f"rule kind {kind!r}: expected one of {KINDS}")

    def register(fn: Callable[..., Iterable[Hit]]) -> Rule:
        if id in RULES:
            raise ValueError(f"rule {id!r} registered twice")
        r = Rule(id=id, kind=kind, check=fn)
        RULES[id] = r
        return r

    return register


def rules_of(kind: str) -> list[Rule]:
    from . import rules  # noqa: F401 - importing registers every rule

    return [r for r in RULES.values() if r.kind == kind]
