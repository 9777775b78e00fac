"""Formatters for findings: text, json, junit, sarif and github annotations.

Every formatter takes the findings (suppressed ones included: the text report
shows them with their reason) and returns a string. :func:`exit_code` maps
findings to the CLI's exit code for ``--fail-on``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from ..findings import Finding, Severity, summarize

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


def format_text(findings: Sequence[Finding], *, color: bool = False) -> str:
    """Human report: one line per finding, with where, id and how to learn more."""
    lines: list[str] = []
    for f in _sorted(findings):
        sev = str(f.severity)
        if color:
            sev = f"{_ANSI[f.severity]}{sev}{_RESET}"
        where = f"{f.location}: " if f.location else ""
        line = f"{where}{sev} [{f.id}] {f.subject}: {f.message}"
        if f.suppressed is not None:
            line = f"(suppressed: {f.suppressed}) {line}"
            if color:
                line = f"{_DIM}{line}{_RESET}"
        else:
            hint = f"  → {EXPLAIN_HINT.format(id=f.id)}"
            line += f"{_DIM}{hint}{_RESET}" if color else hint
        lines.append(line)
    s = summarize(findings)
    suppressed = sum(1 for f in findings if f.suppressed is not None)
    tail = f"{s['error']} errors, {s['warning']} warnings, {s['info']} info"
    if suppressed:
        tail += f", {suppressed} suppressed"
    lines.append(tail)
    return "\n".join(lines) + "\n"


def format_json(findings: Sequence[Finding]) -> str:
    """Findings JSON, version 1 (DESIGN.md)."""
    doc = {
        "version": 1,
        "findings": [f.to_dict() for f in _sorted(findings)],
        "summary": summarize(findings),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def format_junit(findings: Sequence[Finding]) -> str:
    """JUnit XML: one test case per finding; errors and warnings fail, info passes."""
    active = [f for f in _sorted(findings)]
    failures = sum(1 for f in active if f.suppressed is None and f.severity >= Severity.WARNING)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="studio" tests="{len(active)}" failures="{failures}">',
        f'<testsuite name="studio" tests="{len(active)}" failures="{failures}">',
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


def format_sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0, for code-scanning dashboards."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    ids = sorted({f.id for f in findings})
    results = []
    for f in _sorted(findings):
        result: dict[str, object] = {
            "ruleId": f.id,
            "level": level[f.severity],
            "message": {"text": f"{f.subject}: {f.message}"},
        }
        if f.location is not None:
            region: dict[str, int] = {}
            if f.location.line:
                region["startLine"] = f.location.line
            physical: dict[str, object] = {"artifactLocation": {"uri": f.location.file}}
            if region:
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        if f.suppressed is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "studio",
                        "rules": [{"id": i, "shortDescription": {"text": i}} for i in ids],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


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


def render_report(findings: Sequence[Finding], fmt: str, *, color: bool = False) -> str:
    """Format findings in one of :data:`FORMATS`."""
    if fmt == "text":
        return format_text(findings, color=color)
    try:
        return FORMATTERS[fmt](findings)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}: expected {', '.join(FORMATS)}") from None


def exit_code(findings: Sequence[Finding], fail_on: Severity = Severity.ERROR) -> int:
    """0 when no active finding is at or above ``fail_on``, else 1."""
    return int(any(f.suppressed is None and f.severity >= fail_on for f in findings))
