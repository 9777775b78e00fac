"""lint/check/explain from the command line, report formats, and the generated reference."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from studio.core.catalogue import all_ids
from studio.core.workspace import Workspace
from tests.conftest import REPO


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=cwd
    )


BAD = (
    "---\nsubject: s\npreheader: p\nreviewed: 2026-11-01\n---\n"
    '<mjml lang="en"><mj-head><mj-title>t</mj-title></mj-head><mj-body><mj-section><mj-column>'
    '<mj-text><a href="https://bit.ly/x">offer</a> and <a href="http://www.shop.example/">home'
    "</a></mj-text></mj-column></mj-section></mj-body></mjml>\n"
)


@pytest.fixture
def bad_ws(scratch: Workspace) -> Workspace:
    scratch.template_path("bad").write_text(BAD)
    (scratch.samples_dir / "bad").mkdir()
    (scratch.samples_dir / "bad" / "a.json").write_text("{}")
    return scratch


def test_lint_exit_codes_and_fail_on(bad_ws: Workspace) -> None:
    ws = ["--workspace", str(bad_ws.root)]
    assert run(*ws, "lint", "password_reset", "--no-spam").returncode == 0
    assert run(*ws, "lint", "bad", "--no-spam").returncode == 0  # warnings only
    assert run(*ws, "lint", "bad", "--no-spam", "--fail-on", "warning").returncode == 1
    missing = run(*ws, "lint", "nope", "--no-spam")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_report_formats_parse(bad_ws: Workspace) -> None:
    ws = ["--workspace", str(bad_ws.root), "lint", "bad", "--no-spam", "--format"]
    doc = json.loads(run(*ws, "json").stdout)
    assert doc["version"] == 1
    assert {"link.shortener", "link.insecure"} <= {f["id"] for f in doc["findings"]}
    assert set(doc["summary"]) == {"error", "warning", "info"}
    assert all({"id", "severity", "subject", "message"} <= set(f) for f in doc["findings"])
    junit = ET.fromstring(run(*ws, "junit").stdout)
    assert junit.tag == "testsuites" and int(junit.get("failures", "0")) >= 2
    sarif = json.loads(run(*ws, "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {"link.shortener", "link.insecure"} <= {r["ruleId"] for r in results}
    gh = run(*ws, "github").stdout.splitlines()
    assert any(line.startswith("::warning file=templates/bad.mjml,line=") for line in gh)


def test_check_on_the_example_passes() -> None:
    result = run("--workspace", str(REPO), "check", "--no-spam", "--format", "json")
    assert result.returncode == 0, result.stdout[-2000:]
    assert json.loads(result.stdout)["summary"]["error"] == 0


def test_explain() -> None:
    listing = run("explain").stdout
    for check_id in all_ids():
        assert check_id in listing
    one = run("explain", "link.mismatch")
    assert one.returncode == 0 and "link.mismatch" in one.stdout
    bad = run("explain", "link.mismach")
    assert bad.returncode == 2 and "link.mismatch" in bad.stderr


def test_checks_reference_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_checks_doc.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
