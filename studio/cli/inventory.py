"""``studio inventory``: every message of every journey, with its metadata."""

from __future__ import annotations

import click

from ..core.inventory import INVENTORY_FORMATS, build_inventory, format_inventory
from . import cli
from ._common import open_workspace


@cli.command("inventory")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(INVENTORY_FORMATS),
    default="text",
    show_default=True,
)
@click.pass_context
def inventory(ctx: click.Context, fmt: str) -> None:
    """List every message: journey, channels, trigger, owner, variables, samples, review."""
    ws = open_workspace(ctx)
    click.echo(format_inventory(build_inventory(ws), fmt), nl=False)
