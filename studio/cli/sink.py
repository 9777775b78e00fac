"""``studio sink``: the local SMTP sink (``studio inbox`` and ``studio send`` are in mail.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from ..core.safe_text import printable
from ..core.sink import Captured, Sink, SinkConfig
from ..core.sink.faults import FaultRule, parse_fault
from ..errors import ConfigError
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
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME[:ARG]",
    help="Refuse, defer, delay or bounce like a real provider (repeatable): rate-limit:PER_MINUTE,"
    " greylist:SECONDS, unknown-user:PATTERN, dmarc-reject, size:BYTES, slow:SECONDS,"
    " slow:greeting:SECONDS, drop[:PATTERN], bounce-later[:PATTERN]; adds to [[sink.faults]].",
)
@click.option(
    "--tls-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Also listen for implicit TLS (as port 465 does) on this port.",
)
@click.option("--no-starttls", is_flag=True, help="Do not offer STARTTLS.")
@click.pass_context
def sink_cmd(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    maildir: Path | None,
    allow_remote: bool,
    no_auth: bool,
    faults: tuple[str, ...],
    tls_port: int | None,
    no_starttls: bool,
) -> None:
    """Run the local SMTP sink: accept any message, store it in a Maildir, deliver nowhere."""
    rules: list[FaultRule] = []
    for spec in faults:
        try:
            rules.append(parse_fault(spec))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    config = SinkConfig.from_settings(
        workspace_or_none(ctx),
        host=host,
        port=port,
        maildir=maildir,
        auth=not no_auth,
        allow_remote=allow_remote,
        faults=tuple(rules),
        tls_port=tls_port,
        starttls=False if no_starttls else None,
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
        if config.starttls or config.tls_port:
            cert, _ = config.certificate()
            tls = "STARTTLS" if config.starttls else ""
            if config.tls_port:
                tls += (" and " if tls else "") + f"implicit TLS on port {config.tls_port}"
            click.echo(f"{tls} with the certificate {cert}")
        for rule in config.faults:
            click.echo(f"fault rule: {printable(rule.label(), one_line=True)}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")
