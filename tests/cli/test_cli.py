"""The CLI contract: help everywhere, exit codes, one-line errors, render/build/init."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio import __version__
from studio.cli import cli
from studio.core.workspace import Workspace


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=cwd
    )


def test_every_command_has_help() -> None:
    runner = CliRunner()
    assert cli.help
    for name, command in cli.commands.items():
        assert command.help, f"studio {name} has no help text"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_render_formats(scratch: Workspace) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(scratch.root)]
    html = runner.invoke(cli, [*ws, "render", "password_reset", "--sample", "en_basic"])
    assert html.exit_code == 0 and html.output.lower().startswith("<!doctype html>")
    text = runner.invoke(cli, [*ws, "render", "password_reset", "-s", "en_basic", "-f", "text"])
    assert "Hello Ada," in text.output and "<mj-" not in text.output
    data = json.loads(
        runner.invoke(cli, [*ws, "render", "password_reset", "-s", "en_basic", "-f", "json"]).output
    )
    assert data["subject"] == "Reset your Shop password" and data["sample"] == "en_basic"
    mjml = runner.invoke(cli, [*ws, "render", "password_reset", "-s", "en_basic", "-f", "mjml"])
    assert mjml.output.lstrip().startswith("<mjml")


def test_render_eml_to_file(scratch: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "m.eml"
    result = run(
        "--workspace",
        str(scratch.root),
        "render",
        "password_reset",
        "-s",
        "en_basic",
        "-f",
        "eml",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "Reset your Shop password"


def test_render_vars_file_and_locale(scratch: Workspace, tmp_path: Path) -> None:
    vars_file = tmp_path / "v.json"
    vars_file.write_text(json.dumps({"customer": {"first_name": "Zoé"}}))
    result = CliRunner().invoke(
        cli,
        [
            "--workspace",
            str(scratch.root),
            "render",
            "password_reset",
            "-s",
            "en_basic",
            "--vars",
            str(vars_file),
            "-f",
            "text",
        ],
    )
    assert "Hello Zoé," in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["render", "nope"],
        ["render", "password_reset", "--sample", "nope"],
        ["render", "missing.mjml"],
        ["render", "password_reset", "--locale", "xx-YY"],
    ],
)
def test_bad_input_is_one_line_exit_2(scratch: Workspace, args: list[str]) -> None:
    result = run("--workspace", str(scratch.root), *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["render"],  # a missing argument
        ["lint", "--no-such-option"],
        ["nosuchcommand"],
        ["render", "password_reset", "--format", "pdf"],  # a bad choice
    ],
)
def test_a_usage_error_is_one_line_with_a_hint_exit_2(scratch: Workspace, args: list[str]) -> None:
    result = run("--workspace", str(scratch.root), *args)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "--help" in line


def test_tui_takes_workspace_after_the_command(tmp_path: Path) -> None:
    # No workspace there: the error is about that directory, not an unknown option.
    for args in (["tui", "--workspace", str(tmp_path)], ["-w", str(tmp_path), "tui"]):
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "No such option" not in result.stderr and str(tmp_path) in result.stderr


def test_render_without_sample_uses_the_default_one_and_says_so(scratch: Workspace) -> None:
    result = run("--workspace", str(scratch.root), "render", "password_reset", "-f", "text")
    assert result.returncode == 0, result.stderr
    assert "'en_basic'" in result.stderr and "Hello" in result.stdout


def test_one_default_sample_rule(example_copy: Workspace) -> None:
    # edge cases last: the first look at a message is a plain sample
    assert example_copy.default_sample("order_confirmation") == "en_basic"
    path = example_copy.template_path("order_confirmation")
    text = path.read_text()
    path.write_text(text.replace("---\n", "---\nsample: fr_fr\n", 1))
    assert example_copy.default_sample("order_confirmation") == "fr_fr"


def test_a_payload_is_laid_deeply_over_the_sample(example_copy: Workspace, tmp_path: Path) -> None:
    payload = tmp_path / "trigger.json"
    payload.write_text(
        json.dumps(
            {
                "template": "password_reset",
                "to": "ada@inbox.example",
                "variables": {"reset": {"url": "https://www.mapleandmoss.example/r/NEW"}},
            }
        )
    )
    ws = ["--workspace", str(example_copy.root)]
    args = ["--vars", str(payload), "--sample", "fr_fr", "--dry-run"]
    result = run(*ws, "send", *args)
    assert result.returncode == 0, result.stderr
    rendered = example_copy.render(
        "password_reset", sample="fr_fr", variables={"reset": {"url": "https://x.example/NEW"}}
    )
    assert "https://x.example/NEW" in rendered.text
    assert "60" in rendered.text  # the sample's reset.expires_in_minutes is kept


def test_the_readme_says_send_needs_a_recipient(scratch: Workspace) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    [synopsis] = [line for line in readme.splitlines() if line.startswith("| `studio send")]
    assert "--to ADDR" in synopsis and "[--to" not in synopsis
    result = run("--workspace", str(scratch.root), "send", "password_reset", "-s", "en_basic")
    assert result.returncode == 2 and "--to" in result.stderr


def test_a_fresh_workspace_passes_check_offline(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    made = run("init", str(ws))
    assert made.returncode == 0 and "shop.example.zone" in made.stdout
    # the DNS comes from the zone file init wrote: no network, no failing placeholder
    result = run("check", "--no-spam", "-f", "json", cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    ids = {f["id"] for f in json.loads(result.stdout)["findings"]}
    assert any(i.startswith("dkim.") for i in ids)  # the DNS preflight did run


def test_the_license_is_an_spdx_expression() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"  # the table form is deprecated by setuptools


def test_malformed_settings_exit_2(tmp_path: Path) -> None:
    (tmp_path / "studio.toml").write_text("transactional_domain = 3\n")
    result = run("render", "x", cwd=tmp_path)
    assert result.returncode == 2
    assert "transactional_domain" in result.stderr and "studio.toml" in result.stderr
    (tmp_path / "studio.toml").write_text("transactional_domain = \n")
    result = run("render", "x", cwd=tmp_path)
    assert result.returncode == 2 and "invalid TOML" in result.stderr


def test_lone_mjml_file_renders_without_workspace(tmp_path: Path) -> None:
    path = tmp_path / "plain.mjml"
    path.write_text(
        "<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{FirstName}}"
        '</mj-text><mj-button href="https://x.example/go">Go</mj-button>'
        "</mj-column></mj-section></mj-body></mjml>"
    )
    result = run("render", str(path), "-f", "text", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Hello {{FirstName}}" in result.stdout
    assert "Go <https://x.example/go>" in result.stdout


def test_init_then_build(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = run("init", str(target))
    assert result.returncode == 0, result.stderr
    result = run("build", "--out", str(tmp_path / "out"), cwd=target)
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'href="password_reset/en_basic.html"' in index
    for ext in ("html", "txt", "eml"):
        assert (tmp_path / "out" / "password_reset" / f"en_basic.{ext}").stat().st_size > 0
    again = run("init", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_build_reports_broken_template_and_keeps_going(scratch: Workspace, tmp_path: Path) -> None:
    path = scratch.template_path("broken")
    path.write_text("---\nsubject: x\n---\n{{ oops }")
    (scratch.samples_dir / "broken").mkdir()
    (scratch.samples_dir / "broken" / "a.json").write_text("{}")
    result = run("--workspace", str(scratch.root), "build", "--out", str(tmp_path / "o"), "-j", "2")
    assert result.returncode == 2
    assert "templates/broken.mjml:4" in result.stderr
    assert (tmp_path / "o" / "password_reset" / "en_basic.html").is_file()


def test_commands_load_on_use_and_the_table_is_complete() -> None:
    code = (
        "import sys, importlib, studio.cli as c\n"
        "assert 'studio.core.dns' not in sys.modules and 'studio.core.checks' not in sys.modules\n"
        "for m in c.COMMAND_MODULES: importlib.import_module('studio.cli.' + m)\n"
        "print(sorted(c.cli.commands) == sorted(c.COMMANDS))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_help_imports_no_command_module() -> None:
    """``studio --help`` lists the commands from the table: no command module, no DNS."""
    code = (
        "import sys\n"
        "from studio.cli import main, COMMAND_MODULES\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in COMMAND_MODULES if 'studio.cli.' + m in sys.modules]\n"
        "heavy = [m for m in ('dns', 'studio.core.checks', 'textual') if m in sys.modules]\n"
        "print('LOADED', loaded, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Commands:" in out.stdout and "sink" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "LOADED [] []"


@pytest.mark.parametrize("target", ["m.eml", "workspace"])
def test_lint_imports_no_dns(tmp_path: Path, target: str) -> None:
    """``studio lint`` (a pre-commit hook runs it often) leaves the DNS stack and DKIM,
    which only ``check``, ``dns`` and sending use, unimported."""
    from tests.conftest import copy_example

    ws = copy_example(tmp_path / "ws")
    (ws / "m.eml").write_text("From: a@b.example\nSubject: s\n\nhello\n")
    code = (
        "import sys\n"
        "from studio.cli import main\n"
        "try:\n"
        "    main(['lint', '--no-spam', *sys.argv[1:]])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = ('dns', 'dkim', 'studio.core.dns', 'studio.core.send')\n"
        "print('LOADED', code in (0, 1), [m for m in heavy if m in sys.modules])\n"
    )
    args = [target] if target.endswith(".eml") else []
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ws
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "LOADED True []"


def test_help_lines_are_the_commands_own() -> None:
    """The table's one-line help of each command is its docstring's (they cannot drift)."""
    import click

    from studio.cli import COMMANDS, cli

    ctx = click.Context(cli)
    for name, (_, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        own = command.short_help or (command.help or "").split("\n\n")[0]
        assert summary == " ".join(own.split()), name
