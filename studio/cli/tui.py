"""``studio tui``: the Textual studio (until it lands: a workspace summary)."""

from __future__ import annotations

import click

from ..core.workspace import Workspace
from . import cli


def run_tui(workspace: str | None) -> None:
    ws = Workspace.open(workspace or ".")
    click.echo(f"Studio workspace {ws.root}")
    for name in ws.template_names():
        click.echo(f"  {name}: {len(ws.sample_names(name))} samples")


@cli.command("tui")
@click.pass_context
def tui(ctx: click.Context) -> None:
    """Open the studio (the terminal UI) on the workspace."""
    run_tui(ctx.obj.get("workspace"))
