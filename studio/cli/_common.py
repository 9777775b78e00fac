"""Helpers shared by the CLI commands: opening the workspace, printing errors."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.workspace import Workspace


def console_err(message: str) -> None:
    """Print one line to stderr (red when it is a terminal)."""
    click.secho(message, err=True, fg="red" if sys.stderr.isatty() else None)


def open_workspace(ctx: click.Context) -> Workspace:
    """The workspace given by ``--workspace``, or the nearest one above the cwd."""
    root = ctx.find_root().obj.get("workspace") if ctx.find_root().obj else None
    return Workspace.open(Path(root) if root else Path.cwd())
