"""``studio serve`` (the local router) and ``studio stats`` (what it was asked for)."""

from __future__ import annotations

import threading

import click

from ..core.router import compute_stats, format_stats, trigger_log
from ..core.router.stats import STATS_FORMATS
from ..core.router.store import TriggerRecord
from ..core.safe_text import printable
from . import cli
from ._common import console_err, open_workspace


@cli.command("serve")
@click.option(
    "--host", default=None, help="Address to listen on (default [router] host, 127.0.0.1)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port (default [router] port, 8026).",
)
@click.option("--no-auth", is_flag=True, help="Accept requests without an API key (loopback only).")
@click.option("--relay", help="Deliver e-mail through this relay (its allow-list applies).")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Listen on a non-loopback address (the key stays required).",
)
@click.pass_context
def serve_cmd(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    no_auth: bool,
    relay: str | None,
    allow_remote: bool,
) -> None:
    """Run the local router: the trigger API (Studio's, Mailjet v3.1, Brevo) on loopback."""
    from ..core.router.service import RouterService

    ws = open_workspace(ctx)
    lock = threading.Lock()

    def printed(r: TriggerRecord) -> None:
        last = r.events[-1].detail if r.events else ""
        line = (
            f"{r.id[:8]}  {r.status:<16} {r.template or '-'} ({r.channel}, {r.api})"
            f" → {', '.join(r.recipients) or '-'}  [{r.application or '-'}]"
        )
        if r.status not in ("delivered", "relayed"):
            line += f"  {last}"
        with lock:
            click.echo(printable(line, one_line=True))

    def error(line: str) -> None:
        console_err(f"router: {line}")

    service = RouterService(
        ws,
        host=host,
        port=port,
        auth=not no_auth,
        relay=relay,
        allow_remote=allow_remote,
        on_trigger=printed,
        on_error=error,
    )
    with service:
        if allow_remote:
            console_err(
                f"warning: the router listens on {service.server.host}, reachable from the network"
            )
        auth = "no API key required" if no_auth else "API key required"
        click.echo(
            f"router listening on {service.server.url} ({auth}); e-mail to {service.sink_note};"
            f" SMS to {service.router.outbox.root} (Ctrl-C to stop)"
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")


@cli.command("stats")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(STATS_FORMATS), default="text", show_default=True
)
@click.pass_context
def stats_cmd(ctx: click.Context, fmt: str) -> None:
    """What applications triggered through the router: volumes, failures, missing variables."""
    ws = open_workspace(ctx)
    click.echo(format_stats(compute_stats(trigger_log(ws).records()), fmt), nl=False)
