"""Text reports in blocks: by template (then severity) for lint and check, by
protocol for ``studio dns`` (each finding under its protocol's records)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from studio.core.findings import Finding, Location, Severity
from studio.core.report import format_text

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


def _blocks(text: str) -> dict[str, list[str]]:
    """{block title: its lines} of a grouped report (titles are not indented)."""
    out: dict[str, list[str]] = {}
    title = None
    for line in text.splitlines()[:-1]:  # the last line counts
        if line.startswith("  "):
            assert title is not None, line
            out[title].append(line.strip())
        else:
            title = line
            out[title] = []
    return out


def test_lint_findings_are_grouped_by_template_then_severity() -> None:
    def f(id_: str, sev: Severity, template: str | None, **kw: object) -> Finding:
        return Finding(id_, sev, template or "x", f"{id_} says", template=template, **kw)  # type: ignore[arg-type]

    findings = [
        f("link.untracked", I, "welcome", location=Location("templates/welcome.mjml", 3)),
        f("image.alt", W, "order"),
        f("spf.missing", E, None),
        f("template.syntax", E, "welcome", location=Location("templates/welcome.mjml", 9)),
        f("image.alt", W, None, location=Location("mail/saved.eml")),
        f("link.broken", E, "order"),
    ]
    text = format_text(findings, by_template=True)
    blocks = _blocks(text)
    assert list(blocks) == ["mail/saved.eml", "order", "welcome", "DNS"]
    assert [line.split(" [")[1].split("]")[0] for line in blocks["welcome"]] == [
        "template.syntax",
        "link.untracked",
    ]
    assert blocks["order"][0].startswith("error [link.broken]")
    assert blocks["welcome"][0].startswith("templates/welcome.mjml:9: error")
    assert "spf.missing" in blocks["DNS"][0]
    assert text.endswith("3 errors, 2 warnings, 1 info\n")
    # without grouping (the inbox, a message's checks): one flat list, as before
    flat = format_text(findings)
    assert not any(line.startswith("  ") for line in flat.splitlines())


ROOT = Path(__file__).resolve().parents[2]


def test_studio_lint_prints_a_block_per_template() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "studio", "lint", "--no-spam"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    blocks = _blocks(out.stdout)
    assert "account_verification" in blocks and "order_confirmation" in blocks
    assert list(blocks) == sorted(blocks)
    for title, lines in blocks.items():
        assert lines and all(f"] {title} (" in line for line in lines), title
