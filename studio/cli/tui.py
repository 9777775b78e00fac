"""``studio`` / ``studio tui``: open the Textual studio on the workspace."""

from __future__ import annotations

import click

from ..core.workspace import Workspace
from . import cli
from ._common import workspace_option


def run_tui(workspace: str | None) -> None:
    from ..tui.app import StudioApp

    StudioApp(Workspace.open(workspace or ".")).run()


@cli.command("tui")
@workspace_option(
    "Workspace directory (as `studio -w DIR tui`; this one wins when both are given)."
)
@click.pass_context
def tui(ctx: click.Context, workspace: str | None) -> None:
    """Open the studio (the terminal UI) on the workspace."""
    run_tui(workspace or ctx.obj.get("workspace"))
