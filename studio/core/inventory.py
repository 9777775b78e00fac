"""The journey inventory: every message of every journey, in one table.

One row per message name: its channels (an e-mail template ``templates/<name>.mjml``
and/or an SMS template ``templates/<name>.sms.j2``), the metadata from front matter
(journey, trigger, timing, sending application, owner, last review), the variables
it uses (read from the templates' syntax), its sample coverage (sets and locales)
and, when a lint function is given, its open findings. Missing metadata is itself
listed, so the inventory shows what nobody owns.

With the router's trigger log (``triggers``), each row also says when the message
was last triggered and by which applications, so a journey's message that nothing
triggers stands out ("never"), and :func:`untemplated_triggers` lists what
applications triggered that no template has (the roadmap's duplicate or missing
messages).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from .findings import Finding
from .render.pipeline import renderer_for
from .router.store import TriggerRecord
from .templates import Template
from .variables import template_variables
from .workspace import Workspace

REQUIRED_METADATA = ("journey", "trigger", "owner", "reviewed", "timing", "application")
INVENTORY_FORMATS = ("text", "markdown", "csv", "json")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class InventoryRow:
    name: str
    journey: str | None
    channels: tuple[str, ...]
    trigger: str | None
    timing: str | None
    application: str | None
    owner: str | None
    reviewed: str | None
    review_age_days: int | None
    variables: tuple[str, ...]
    samples: tuple[str, ...]
    locales: tuple[str, ...]
    findings: int | None
    missing_metadata: tuple[str, ...]
    files: tuple[str, ...]
    last_triggered: str | None = None
    """When the router last received a trigger for it (ISO 8601, UTC); None: never."""
    triggered_by: tuple[str, ...] = ()
    """The applications that triggered it (``X-Studio-Application`` or the key's name)."""


def _merge_meta(templates: Sequence[Template], key: str) -> object:
    for tpl in templates:
        value = getattr(tpl.meta, key)
        if value:
            return value
    return None


def build_inventory(
    workspace: Workspace,
    *,
    today: dt.date | None = None,
    lint: Callable[[Workspace, str], list[Finding]] | None = None,
    triggers: Iterable[TriggerRecord] = (),
) -> list[InventoryRow]:
    """One :class:`InventoryRow` per message name, sorted by journey then name."""
    last: dict[str, str] = {}
    apps: dict[str, set[str]] = {}
    for t in triggers:
        if t.template and t.status != "unknown-template":
            last[t.template] = max(last.get(t.template, ""), t.received)
            if t.application:
                apps.setdefault(t.template, set()).add(t.application)
    today = today or dt.date.today()
    env = renderer_for(workspace).env
    names = sorted(set(workspace.template_names()) | set(workspace.sms_template_names()))
    rows = []
    for name in names:
        templates: list[Template] = []
        channels = []
        if workspace.template_path(name).is_file():
            templates.append(workspace.template(name))
            channels.append("email")
        if workspace.sms_template_path(name).is_file():
            templates.append(workspace.sms_template(name))
            channels.append("sms")
        variables: set[str] = set()
        for tpl in templates:
            variables |= template_variables(
                env, tpl.relname, extra_sources=(tpl.meta.subject, tpl.meta.preheader)
            )
        samples = workspace.samples(name)
        locales = sorted({s.locale or workspace.settings.default_locale for s in samples})
        reviewed = _merge_meta(templates, "reviewed")
        review_date = reviewed if isinstance(reviewed, dt.date) else None
        missing = tuple(k for k in REQUIRED_METADATA if not _merge_meta(templates, k))
        findings = None
        if lint is not None:
            findings = sum(1 for f in lint(workspace, name) if f.suppressed is None)
        rows.append(
            InventoryRow(
                name=name,
                journey=_str(_merge_meta(templates, "journey")),
                channels=tuple(channels),
                trigger=_str(_merge_meta(templates, "trigger")),
                timing=_str(_merge_meta(templates, "timing")),
                application=_str(_merge_meta(templates, "application")),
                owner=_str(_merge_meta(templates, "owner")),
                reviewed=review_date.isoformat() if review_date else None,
                review_age_days=(today - review_date).days if review_date else None,
                variables=tuple(sorted(variables)),
                samples=tuple(s.name for s in samples),
                locales=tuple(locales),
                findings=findings,
                missing_metadata=missing,
                files=tuple(t.relname for t in templates),
                last_triggered=last.get(name),
                triggered_by=tuple(sorted(apps.get(name, ()))),
            )
        )
    rows.sort(key=lambda r: (r.journey or "\uffff", r.name))
    return rows


def untemplated_triggers(triggers: Iterable[TriggerRecord]) -> dict[str, list[str]]:
    """Template names applications triggered that the workspace has no template for,
    with the applications that did ("(unnamed)" for an unnamed key)."""
    found: dict[str, set[str]] = {}
    for t in triggers:
        if t.status == "unknown-template" and t.template:
            found.setdefault(t.template, set()).add(t.application or "(unnamed)")
    return {name: sorted(found[name]) for name in sorted(found)}


def _str(value: object) -> str | None:
    return None if value is None else str(value)


COLUMNS = (
    ("journey", "Journey"),
    ("name", "Message"),
    ("channels", "Channels"),
    ("trigger", "Trigger"),
    ("timing", "Timing"),
    ("application", "Application"),
    ("owner", "Owner"),
    ("reviewed", "Last review"),
    ("samples", "Samples"),
    ("locales", "Locales"),
    ("variables", "Variables"),
    ("findings", "Open findings"),
    ("missing_metadata", "Missing metadata"),
    ("last_triggered", "Last triggered"),
    ("triggered_by", "Triggered by"),
)


def _cell(row: InventoryRow, key: str, sep: str = ", ") -> str:
    value = getattr(row, key)
    if value is None:
        return {"findings": "not checked", "last_triggered": "never"}.get(key, "—")
    if isinstance(value, tuple):
        return sep.join(value) if value else "—"
    return str(value)


def format_inventory(
    rows: Sequence[InventoryRow], fmt: str, untemplated: dict[str, list[str]] | None = None
) -> str:
    """The inventory as text, markdown, csv or json (schema version 1).

    ``untemplated`` (from :func:`untemplated_triggers`) is listed after the rows in
    text and markdown, and as ``triggered_without_template`` in JSON.
    """
    untemplated = untemplated or {}
    if fmt == "json":
        doc: dict[str, object] = {
            "version": SCHEMA_VERSION,
            "messages": [asdict(r) for r in rows],
        }
        if untemplated:
            doc["triggered_without_template"] = untemplated
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([title for _, title in COLUMNS])
        for r in rows:
            writer.writerow([_cell(r, key, sep="; ") for key, _ in COLUMNS])
        return buf.getvalue()
    if fmt == "markdown":
        lines = [
            "| " + " | ".join(title for _, title in COLUMNS) + " |",
            "|" + " --- |" * len(COLUMNS),
        ]
        for r in rows:
            cells = [_cell(r, key).replace("|", "\\|") for key, _ in COLUMNS]
            lines.append("| " + " | ".join(cells) + " |")
        lines += _untemplated_lines(untemplated)
        return "\n".join(lines) + "\n"
    if fmt == "text":
        out = []
        for r in rows:
            out.append(f"{r.journey or '(no journey)'} / {r.name}  [{', '.join(r.channels)}]")
            for key, title in COLUMNS[3:]:
                out.append(f"    {title + ':':<18}{_cell(r, key)}")
            out.append("")
        out += _untemplated_lines(untemplated)
        return "\n".join(out)
    raise ValueError(f"unknown format {fmt!r}: expected {', '.join(INVENTORY_FORMATS)}")


def _untemplated_lines(untemplated: dict[str, list[str]]) -> list[str]:
    if not untemplated:
        return []
    lines = ["", "Triggered without a template:"]
    for name, apps in untemplated.items():
        lines.append(f"    {name}  (by {', '.join(apps)})")
    return lines + [""]
