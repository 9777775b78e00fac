"""Helpers shared by the CLI commands: opening the workspace, printing errors and reports."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..core.findings import Finding, Severity
from ..core.report import FORMATS, exit_code, render_report
from ..core.safe_text import printable
from ..core.workspace import Workspace, find_root
from ..errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


def console_err(message: str) -> None:
    """Print one line to stderr (red when it is a terminal)."""
    # An error can quote what a server, a file or a message said: shown as text only.
    click.secho(printable(message), err=True, fg="red" if sys.stderr.isatty() else None)


def workspace_option(help: str) -> Callable[[F], F]:
    """``--workspace/-w DIR``: on the group, and again on ``studio tui``."""
    return click.option(
        "--workspace",
        "-w",
        "workspace",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help=help,
    )


def open_workspace(ctx: click.Context) -> Workspace:
    """The workspace given by ``--workspace``, or the nearest one above the cwd."""
    root = ctx.find_root().obj.get("workspace") if ctx.find_root().obj else None
    return Workspace.open(Path(root) if root else Path.cwd())


def workspace_or_none(ctx: click.Context) -> Workspace | None:
    """:func:`open_workspace`, or None where there is none (commands that work without).

    Broken settings are still an error: a sink that ignored ``port = 99999999`` would
    listen on the default port instead.
    """
    try:
        return open_workspace(ctx)
    except ConfigError:
        root = ctx.find_root().obj.get("workspace") if ctx.find_root().obj else None
        start = Path(root) if root else Path.cwd()
        if start.is_dir() and find_root(start) is not None:
            raise
        return None


def typed(ctx: click.Context, name: str) -> bool:
    """Whether the user typed this option (a flag overrides settings only then)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


format_option = click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format: text (coloured on a terminal), json, junit, sarif or github.",
)
fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)


def report_findings(
    findings: Sequence[Finding],
    fmt: str,
    fail_on: str,
    *,
    text: str | None = None,
    by_template: bool = False,
) -> None:
    """Print the report, then exit 1 when a finding is at or above ``--fail-on``.

    Args:
        text: the report to print for the text format, when the command has its own.
        by_template: group the text report by template (lint, check).
    """
    if fmt == "text" and text is not None:
        click.echo(text, nl=False)
    else:
        color = sys.stdout.isatty()
        click.echo(render_report(findings, fmt, color=color, by_template=by_template), nl=False)
    code = exit_code(findings, Severity.parse(fail_on))
    if code:
        raise SystemExit(code)
