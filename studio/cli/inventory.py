"""``studio inventory``: every message of every journey, with its metadata."""

from __future__ import annotations

from collections.abc import Callable

import click

from ..core.checks import lint_workspace
from ..core.findings import Finding
from ..core.inventory import (
    INVENTORY_FORMATS,
    build_inventory,
    format_inventory,
    untemplated_triggers,
)
from ..core.router import trigger_log
from ..core.workspace import Workspace
from . import cli
from ._common import open_workspace


def _findings_by_message(ws: Workspace) -> Callable[[Workspace, str], list[Finding]]:
    """Lint the workspace once; each message's findings are those naming it."""
    by_name: dict[str, list[Finding]] = {}
    for f in lint_workspace(ws, spam=False):
        if f.template is not None:
            by_name.setdefault(f.template, []).append(f)
    return lambda _ws, name: by_name.get(name, [])


@cli.command("inventory")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(INVENTORY_FORMATS),
    default="text",
    show_default=True,
)
@click.option(
    "--findings/--no-findings",
    default=True,
    show_default=True,
    help="Count each message's open findings (lint without SpamAssassin).",
)
@click.pass_context
def inventory(ctx: click.Context, fmt: str, findings: bool) -> None:
    """List every message: journey, channels, trigger, owner, variables, samples, review."""
    ws = open_workspace(ctx)
    triggers = trigger_log(ws).records()
    rows = build_inventory(
        ws, lint=_findings_by_message(ws) if findings else None, triggers=triggers
    )
    click.echo(format_inventory(rows, fmt, untemplated_triggers(triggers)), nl=False)
