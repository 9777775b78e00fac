"""The nightly DNS drift workflow of docs/dns.md (docs/examples/dns-drift.yml) is valid."""

from __future__ import annotations

import yaml

from tests.ci.test_ci_adoption import (
    EXAMPLES,
    _actionlint,
    _assert_valid_studio_command,
    _studio_commands,
)

WORKFLOW = EXAMPLES / "dns-drift.yml"


def test_dns_drift_workflow_passes_actionlint() -> None:
    assert _actionlint(WORKFLOW) == []


def test_dns_drift_workflow_runs_valid_studio_commands() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    runs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
    commands = _studio_commands([line for run in runs for line in run.splitlines()])
    assert any("--baseline dns-baseline.json" in c for c in commands)
    for command in commands:
        _assert_valid_studio_command(command)
    # it runs nightly, and may open issues but not push
    assert "schedule" in workflow[True]  # YAML 1.1 reads the key "on" as True
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["drift"]["permissions"]["issues"] == "write"
