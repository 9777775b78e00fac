"""``studio init DIR``: create a new workspace that builds out of the box."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.scaffold import init_workspace
from . import cli


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY (brand, components, one template, a sample)."""
    written = init_workspace(directory)
    click.echo(f"created {len(written)} files in {directory}")
    click.echo(
        f"next: cd {directory} && studio build (DNS is checked against"
        " brand/shop.example.zone until you set your domain in studio.toml)"
    )
