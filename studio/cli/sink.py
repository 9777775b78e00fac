"""``studio sink``: the local SMTP sink (``studio inbox`` and ``studio send`` are in mail.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from ..core.safe_text import printable
from ..core.sink import Captured, Sink, SinkConfig
from . import cli
from ._common import console_err, workspace_or_none

maildir_option = click.option(
    "--maildir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Maildir of captured messages (default: [sink] maildir, .studio/maildir).",
)


@cli.command("sink")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 1025).")
@maildir_option
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow listening on a non-loopback address (the sink still relays nothing).",
)
@click.option(
    "--no-auth", is_flag=True, help="Do not offer AUTH (by default any login is accepted)."
)
@click.pass_context
def sink_cmd(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    maildir: Path | None,
    allow_remote: bool,
    no_auth: bool,
) -> None:
    """Run the local SMTP sink: accept any message, store it in a Maildir, deliver nowhere."""
    config = SinkConfig.from_settings(
        workspace_or_none(ctx),
        host=host,
        port=port,
        maildir=maildir,
        auth=not no_auth,
        allow_remote=allow_remote,
    )

    def printed(c: Captured) -> None:
        envelope = printable(f"from {c.sender or '<>'} to {', '.join(c.recipients)}", one_line=True)
        click.echo(f"{c.id}  {envelope}  {c.size:,} bytes")

    sink = Sink(config, on_message=printed)
    if allow_remote:
        console_err(f"warning: the sink listens on {config.host}, reachable from the network")
    with sink:
        click.echo(
            f"sink listening on {config.host}:{config.port}, storing in {config.maildir}"
            " (delivers nowhere; Ctrl-C to stop)"
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")
