"""``studio`` / ``studio tui``: open the Textual studio on the workspace."""

from __future__ import annotations

import click

from ..core.workspace import Workspace
from . import cli


def run_tui(workspace: str | None) -> None:
    from ..tui.app import StudioApp

    StudioApp(Workspace.open(workspace or ".")).run()


@cli.command("tui")
@click.pass_context
def tui(ctx: click.Context) -> None:
    """Open the studio (the terminal UI) on the workspace."""
    run_tui(ctx.obj.get("workspace"))
