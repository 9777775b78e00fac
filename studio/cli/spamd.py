"""``studio spamd``: the spamd kept between runs (``STUDIO_SPAMD_KEEP``), shown or stopped."""

from __future__ import annotations

import click

from ..core.checks.spamd import KEEP_VARIABLE, state_path, stop_kept
from ..core.checks.spamd_keeper import alive, read_state
from . import cli
from ._common import workspace_or_none


@cli.command("spamd")
@click.argument("action", type=click.Choice(["status", "stop"]), default="status")
@click.pass_context
def spamd_cmd(ctx: click.Context, action: str) -> None:
    """The spamd kept between runs (STUDIO_SPAMD_KEEP=SECONDS): status (default) or stop.

    It serves the workspace (its state in .studio/spamd.json), or files outside any
    workspace (the user's cache); both are shown or stopped.
    """
    ws = workspace_or_none(ctx)
    states = dict.fromkeys([state_path(ws.root if ws else None), state_path(None)])
    for state in states:
        data = read_state(state)
        if action == "stop":
            stopped = stop_kept(state)
            click.echo(f"{state}: {'stopped' if stopped else 'no spamd running'}")
        elif data is not None and alive(data.get("keeper"), "spamd_keeper"):
            status = "listening" if data.get("ready") else "loading its rules"
            click.echo(f"{state}: spamd {status} on 127.0.0.1:{data.get('port')}")
        else:
            click.echo(f"{state}: no spamd running (set {KEEP_VARIABLE}=SECONDS to keep one)")
