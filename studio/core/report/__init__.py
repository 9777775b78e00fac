"""Formatters for findings: text, json, junit, sarif and github annotations.

Every formatter takes the findings (suppressed ones included: the text report
shows them with their reason) and returns a string. :func:`exit_code` maps
findings to the CLI's exit code for ``--fail-on``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from ..catalogue import CATALOGUE, DNS_IDS
from ..findings import Finding, Location, Severity, summarize
from ..safe_text import printable, printable_json

FORMATS = ("text", "json", "junit", "sarif", "github")
EXPLAIN_HINT = "studio explain {id}"

_ANSI = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_RESET = "\x1b[0m"
_DIM = "\x1b[2m"


def _sorted(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            f.suppressed is not None,
            -int(f.severity),
            f.location.file if f.location else "",
            f.location.line or 0 if f.location else 0,
            f.id,
        ),
    )


def _line(f: Finding, color: bool) -> str:
    sev = str(f.severity)
    if color:
        sev = f"{_ANSI[f.severity]}{sev}{_RESET}"
    # A finding can quote a file or a message (a subject, a link): shown as text only.
    where = f"{printable(str(f.location), one_line=True)}: " if f.location else ""
    said = printable(f"{f.subject}: {f.message}", one_line=True)
    line = f"{where}{sev} [{f.id}] {said}"
    if f.suppressed is not None:
        line = f"(suppressed: {printable(f.suppressed, one_line=True)}) {line}"
        if color:
            line = f"{_DIM}{line}{_RESET}"
    else:
        hint = f"  → {EXPLAIN_HINT.format(id=f.id)}"
        line += f"{_DIM}{hint}{_RESET}" if color else hint
    return line


def _tail(findings: Sequence[Finding]) -> str:
    s = summarize(findings)
    suppressed = sum(1 for f in findings if f.suppressed is not None)
    tail = f"{s['error']} errors, {s['warning']} warnings, {s['info']} info"
    if suppressed:
        tail += f", {suppressed} suppressed"
    return tail


Section = tuple[str, Sequence[str], Sequence[Finding]]
"""A titled block of a grouped text report: its title, lines shown first (records),
then its findings."""


def format_sections(
    sections: Sequence[Section], findings: Sequence[Finding], *, color: bool = False
) -> str:
    """A text report in titled blocks, each block's findings worst first; then the
    counts of ``findings`` (all of them). Empty blocks are left out."""
    lines: list[str] = []
    for title, before, mine in sections:
        if not before and not mine:
            continue
        lines.append(printable(title, one_line=True))
        lines += ["  " + b for b in before]
        lines += ["  " + _line(f, color) for f in _sorted(mine)]
    lines.append(_tail(findings))
    return "\n".join(lines) + "\n"


def template_group(f: Finding) -> str:
    """The block of a lint/check report a finding belongs to: ``DNS`` for the sending
    domain's, else its template, else the file it points at, else its subject."""
    if f.id in DNS_IDS or f.id.startswith("drift."):
        return "DNS"
    if f.template:
        return f.template
    return f.location.file if f.location else f.subject


def format_text(
    findings: Sequence[Finding], *, color: bool = False, by_template: bool = False
) -> str:
    """Human report: one line per finding, with where, id and how to learn more.

    With ``by_template`` (lint, check) the findings are grouped under their template
    (DNS findings under one "DNS" block, lone files under their path), templates in
    name order, each worst first.
    """
    if not by_template:
        return "\n".join([*(_line(f, color) for f in _sorted(findings)), _tail(findings)]) + "\n"
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(template_group(f), []).append(f)
    order = sorted(groups, key=lambda k: (k == "DNS", k))
    return format_sections([(k, (), groups[k]) for k in order], findings, color=color)


def format_json(findings: Sequence[Finding]) -> str:
    """Findings JSON, version 1 (DESIGN.md)."""
    doc = {
        "version": 1,
        "findings": [f.to_dict() for f in _sorted(findings)],
        "summary": summarize(findings),
    }
    return printable_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def format_junit(findings: Sequence[Finding]) -> str:
    """JUnit XML: one test case per finding; errors and warnings fail, info passes."""
    active = _sorted(findings)
    failures = sum(1 for f in active if f.suppressed is None and f.severity >= Severity.WARNING)
    skipped = sum(1 for f in active if f.suppressed is not None)
    counts = f'tests="{len(active)}" failures="{failures}" errors="0" skipped="{skipped}"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="studio" {counts}>',
        f'<testsuite name="studio" {counts}>',
    ]
    for f in active:
        name = quoteattr(f"{f.id} {f.subject}")
        classname = quoteattr(f.location.file if f.location else f.id)
        out.append(f"<testcase classname={classname} name={name}>")
        if f.suppressed is not None:
            out.append(f"<skipped message={quoteattr(f.suppressed)}/>")
        elif f.severity >= Severity.WARNING:
            where = f" at {f.location}" if f.location else ""
            out.append(
                f"<failure type={quoteattr(str(f.severity))} message={quoteattr(f.message)}>"
                f"{escape(f.id + where + ': ' + f.message)}</failure>"
            )
        else:
            out.append(f"<system-out>{escape(f.message)}</system-out>")
        out.append("</testcase>")
    out += ["</testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _sarif_rule(check_id: str) -> dict[str, object]:
    """A reportingDescriptor: the id with its catalogue title, why and fix."""
    e = CATALOGUE.get(check_id)
    if e is None:
        return {"id": check_id, "shortDescription": {"text": check_id}}
    return {
        "id": check_id,
        "shortDescription": {"text": e.title},
        "fullDescription": {"text": e.why},
        "help": {"text": e.fix},
        "defaultConfiguration": {"level": _SARIF_LEVEL[e.severity]},
    }


def _sarif_location(location: Location) -> dict[str, object]:
    # A URI reference: spaces and non-ASCII characters of file names percent-encoded.
    physical: dict[str, object] = {"artifactLocation": {"uri": quote(location.file)}}
    if location.line:
        region = {"startLine": location.line}
        if location.column:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def format_sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0 (valid against the OASIS schema), for code-scanning dashboards."""
    ids = sorted({f.id for f in findings})
    index = {check_id: i for i, check_id in enumerate(ids)}
    results = []
    for f in _sorted(findings):
        result: dict[str, object] = {
            "ruleId": f.id,
            "ruleIndex": index[f.id],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.subject}: {f.message}"},
        }
        if f.location is not None:
            result["locations"] = [_sarif_location(f.location)]
        if f.suppressed is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "studio", "rules": [_sarif_rule(i) for i in ids]}},
                "results": results,
            }
        ],
    }
    return printable_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def _gh_escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``)."""
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in _sorted(findings):
        if f.suppressed is not None:
            continue
        props = [f"title={_gh_escape(f.id, prop=True)}"]
        if f.location is not None:
            props.insert(0, f"file={_gh_escape(f.location.file, prop=True)}")
            if f.location.line:
                props.insert(1, f"line={f.location.line}")
        lines.append(
            f"::{kind[f.severity]} {','.join(props)}::{_gh_escape(f.subject + ': ' + f.message)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


FORMATTERS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": format_text,
    "json": format_json,
    "junit": format_junit,
    "sarif": format_sarif,
    "github": format_github,
}


def render_report(
    findings: Sequence[Finding], fmt: str, *, color: bool = False, by_template: bool = False
) -> str:
    """Format findings in one of :data:`FORMATS` (``by_template``: see :func:`format_text`)."""
    if fmt == "text":
        return format_text(findings, color=color, by_template=by_template)
    try:
        return FORMATTERS[fmt](findings)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}: expected {', '.join(FORMATS)}") from None


def exit_code(findings: Sequence[Finding], fail_on: Severity = Severity.ERROR) -> int:
    """0 when no active finding is at or above ``fail_on``, else 1."""
    return int(any(f.suppressed is None and f.severity >= fail_on for f in findings))
