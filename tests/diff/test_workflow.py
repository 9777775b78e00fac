"""docs/examples/studio-diff.yml: valid for actionlint, and its studio commands parse."""

from __future__ import annotations

import yaml

from tests.ci.test_ci_adoption import (
    EXAMPLES,
    _actionlint,
    _assert_valid_studio_command,
    _studio_commands,
)

WORKFLOW = EXAMPLES / "studio-diff.yml"


def test_the_diff_workflow_passes_actionlint() -> None:
    assert _actionlint(WORKFLOW) == []


def test_the_diff_workflow_runs_valid_studio_diff_commands() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    lines = [
        line
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
        for line in step["run"].splitlines()
    ]
    commands = _studio_commands(lines)
    assert len(commands) == 3 and all(c.startswith("studio diff ") for c in commands)
    for command in commands:
        _assert_valid_studio_command(command)
    assert any("--fail-on new-error" in c for c in commands)
    assert any("--format markdown" in c for c in commands)
