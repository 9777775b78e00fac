"""Reports as their consumers read them: SARIF against the OASIS 2.1.0 schema (vendored in
data/, see its NOTICE), JUnit XML by structure, and the CI gate on a broken copy of the example.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

from studio.core.findings import Finding, Location, Severity
from studio.core.report import format_junit, format_sarif
from studio.core.workspace import Workspace
from tests.conftest import REPO, copy_example

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "broken_example"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,  # hang guard only
    )


@cache
def sarif_validator() -> Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


def assert_valid_sarif(text: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(text)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(doc)]
    assert errors == [], errors[:10]
    run_ = doc["runs"][0]
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    return doc


def assert_junit(text: str) -> ET.Element:
    """testsuites > testsuite > testcase (> failure | skipped | system-out), counts agreeing."""
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    [suite] = list(root)
    assert suite.tag == "testsuite" and suite.get("name")
    cases = list(suite)
    assert all(c.tag == "testcase" and c.get("name") and c.get("classname") for c in cases)
    failures = [f for c in cases for f in c if f.tag == "failure"]
    skipped = [s for c in cases for s in c if s.tag == "skipped"]
    assert all(len([x for x in c if x.tag in ("failure", "skipped")]) <= 1 for c in cases)
    assert all(f.get("type") in ("error", "warning") and f.get("message") for f in failures)
    for element in (root, suite):
        assert int(element.get("tests", "-1")) == len(cases)
        assert int(element.get("failures", "-1")) == len(failures)
        assert int(element.get("skipped", "-1")) == len(skipped)
        assert int(element.get("errors", "-1")) == 0
    return root


def broken_example(dest: Path) -> Path:
    """A copy of the example workspace with the broken templates and samples of data/."""
    copy_example(dest)
    shutil.copytree(BROKEN, dest, dirs_exist_ok=True)
    return dest


# Error-level ids the broken copy must produce, and where (file, line or None).
BROKEN_ERRORS = {
    ("template.syntax", "templates/broken_syntax.mjml", 16),
    ("template.undefined-variable", "templates/shipping_notification.sms.j2", 12),
    ("template.undefined-variable", "components/button.mjml", 15),
    ("link.empty", "templates/broken_links.mjml", 17),
    ("link.mismatch", "templates/broken_links.mjml", 18),
    ("link.unrendered", "templates/broken_links.mjml", 19),
    ("message.text-parity", "templates/broken_links.mjml", 20),
    ("message.headers", None, None),  # an empty subject: no Subject header
    ("message.size-clipped", None, None),
}


def where(f: dict[str, Any]) -> tuple[str, str | None, int | None]:
    loc = f.get("location") or {}
    return (f["id"], loc.get("file"), loc.get("line"))


def test_check_gates_the_broken_copy(tmp_path: Path) -> None:
    ws = broken_example(tmp_path / "broken")
    result = run("--workspace", str(ws), "check", "--no-spam", "--format", "json")
    assert result.returncode == 1, result.stderr[-2000:]
    findings = json.loads(result.stdout)["findings"]
    errors = {where(f) for f in findings if f["severity"] == "error" and "suppressed" not in f}
    assert errors == BROKEN_ERRORS
    [undefined] = [
        f
        for f in findings
        if where(f) == ("template.undefined-variable", "templates/shipping_notification.sms.j2", 12)
    ]
    assert undefined["details"] == {
        "variable": "shipment.tracking_url",
        "template": "shipping_notification",
        "sample": "en_basic",
    }
    # The DNS half (from the example's zone files) has nothing at error level.
    assert "dkim.key-type" in {f["id"] for f in findings}  # the DNS checks did run


def test_check_reports_on_the_broken_copy_validate(tmp_path: Path) -> None:
    ws = broken_example(tmp_path / "broken")
    args = ("--workspace", str(ws), "check", "--no-spam", "--format")
    sarif = run(*args, "sarif")
    assert sarif.returncode == 1
    doc = assert_valid_sarif(sarif.stdout)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results if r["level"] == "error"} == {
        i for i, _, _ in BROKEN_ERRORS
    }
    assert any("suppressions" in r for r in results)  # the example's notrack links
    junit = run(*args, "junit")
    assert junit.returncode == 1
    root = assert_junit(junit.stdout)
    failed = {
        c.get("name", "").split()[0] for c in root.iter("testcase") if c.find("failure") is not None
    }
    assert {i for i, _, _ in BROKEN_ERRORS} <= failed


def test_check_sarif_on_the_example_validates() -> None:
    result = run("--workspace", str(REPO), "check", "--no-spam", "--format", "sarif")
    assert result.returncode == 0
    doc = assert_valid_sarif(result.stdout)
    assert not [r for r in doc["runs"][0]["results"] if r["level"] == "error"]


def test_lint_sarif_and_junit_on_lone_files_with_awkward_names(tmp_path: Path) -> None:
    html = tmp_path / "ménu d'été.html"
    html.write_text(
        '<html><head><title>t</title></head><body><img src="http://a.example/i.png">'
        '<a href="https://bit.ly/x">x</a></body></html>'
    )
    eml = tmp_path / "no headers.eml"
    eml.write_text("just text\n")
    for fmt, check in (("sarif", assert_valid_sarif), ("junit", assert_junit)):
        result = run("lint", html.name, eml.name, "--no-spam", "--format", fmt, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        check(result.stdout)
    doc = json.loads(run("lint", html.name, "--no-spam", "-f", "sarif", cwd=tmp_path).stdout)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
        for loc in r.get("locations", [])
    }
    assert uris == {"m%C3%A9nu%20d%27%C3%A9t%C3%A9.html"}


ALL_SHAPES = [
    Finding("link.insecure", Severity.WARNING, "t (a)", "m", Location("templates/t.mjml", 3)),
    Finding("css.unsupported", Severity.WARNING, "t", "m", Location("t.mjml", 2, 7)),
    Finding("message.headers", Severity.ERROR, "t", 'm <&> "quoted"', None),
    Finding("template.unused-variable", Severity.INFO, "t", "m", Location("samples/t/a.json")),
    Finding("link.shortener", Severity.WARNING, "t", "m", None, suppressed="approved"),
    Finding("dns.unavailable", Severity.INFO, "d", "not in the catalogue", None),
]


@pytest.mark.parametrize("findings", [[], ALL_SHAPES], ids=["none", "every-shape"])
def test_formatters_on_every_shape_of_finding(findings: list[Finding]) -> None:
    doc = assert_valid_sarif(format_sarif(findings))
    if findings:
        [column] = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "css.unsupported"]
        region = column["locations"][0]["physicalLocation"]["region"]
        assert region == {"startLine": 2, "startColumn": 7}
        rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
        assert rules["link.insecure"]["defaultConfiguration"] == {"level": "warning"}
    root = assert_junit(format_junit(findings))
    assert len(list(root.iter("failure"))) == (3 if findings else 0)
    assert len(list(root.iter("skipped"))) == (1 if findings else 0)


def test_the_vendored_schema_rejects_a_broken_log() -> None:
    doc = json.loads(format_sarif(ALL_SHAPES))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    del doc["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_validator().iter_errors(doc))) >= 2


def test_workspace_fixture_is_a_copy_of_the_example(tmp_path: Path) -> None:
    ws = Workspace.open(broken_example(tmp_path / "b"))
    assert set(Workspace.open(REPO).template_names()) < set(ws.template_names())
