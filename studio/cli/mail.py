"""``studio inbox`` and ``studio send``: read captured mail, send test mail."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..core.inbox import Inbox, inspect
from ..core.report import render_report
from ..core.send import RelayTransport, SendResult, SinkTransport, Transport
from . import cli
from ._common import open_workspace
from .sink import maildir_option, maildir_path, workspace_or_none


@cli.group("inbox", invoke_without_command=True)
@maildir_option
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def inbox_cmd(ctx: click.Context, maildir: Path | None, fmt: str) -> None:
    """Messages captured by the sink: list (default), show ID, delete ID, clear."""
    ws = workspace_or_none(ctx)
    ctx.obj["inbox"] = Inbox(maildir_path(ws, maildir))
    ctx.obj["ws"] = ws
    ctx.obj["fmt"] = fmt
    if ctx.invoked_subcommand is None:
        ctx.invoke(inbox_list)


@inbox_cmd.command("list")
@click.pass_context
def inbox_list(ctx: click.Context) -> None:
    """List captured messages, oldest first."""
    inbox: Inbox = ctx.obj["inbox"]
    items = inbox.list()
    if ctx.obj["fmt"] == "json":
        click.echo(
            json.dumps(
                [{**s.__dict__, "from": s.from_} for s in items], indent=2, ensure_ascii=False
            )
        )
        return
    if not items:
        click.echo(f"no messages in {inbox.store.root}")
    for s in items:
        click.echo(
            f"{s.id}  {s.date[:19]:<19}  {s.from_[:30]:<30}  {s.to[:28]:<28}  "
            f"{s.subject[:50]}  ({s.size:,} B)"
        )


@inbox_cmd.command("show")
@click.argument("message_id")
@click.pass_context
def inbox_show(ctx: click.Context, message_id: str) -> None:
    """Show one message: envelope, headers, verdict (DKIM, SPF, DMARC), text part, checks."""
    inbox: Inbox = ctx.obj["inbox"]
    msg = inspect(inbox.get(message_id), ctx.obj["ws"])
    if ctx.obj["fmt"] == "json":
        click.echo(json.dumps(msg.to_dict(), indent=2, ensure_ascii=False))
        return
    s, v = msg.summary, msg.verdict
    click.echo(f"id:       {s.id}\nenvelope: {s.sender or '<>'} → {', '.join(s.recipients)}")
    click.echo(
        f"from:     {s.from_}\nto:       {s.to}\nsubject:  {s.subject}\nsize:     {s.size:,} bytes"
    )
    if v is not None:
        click.echo(
            f"verdict:  {v.line()}  (dkim d={v.dkim_domain or '-'}"
            f"{', ' + v.dkim_reason if v.dkim_reason else ''}; spf ip={v.spf_ip or '-'}"
            f"{'; ' + v.spf_note if v.spf_note else ''})"
        )
    click.echo("\n" + (msg.text or "(no text part)").rstrip() + "\n")
    click.echo(render_report(msg.findings, "text"), nl=False)


@inbox_cmd.command("delete")
@click.argument("message_id")
@click.pass_context
def inbox_delete(ctx: click.Context, message_id: str) -> None:
    """Delete one message."""
    ctx.obj["inbox"].delete(message_id)
    click.echo(f"deleted {message_id}")


@inbox_cmd.command("clear")
@click.pass_context
def inbox_clear(ctx: click.Context) -> None:
    """Delete every captured message."""
    click.echo(f"deleted {ctx.obj['inbox'].clear()} messages")


@cli.command("send")
@click.argument("target")
@click.option("--sample", "-s", help="Sample set name.")
@click.option("--locale", "-l", help="Locale (default: the sample's).")
@click.option("--to", "recipients", multiple=True, required=True, help="Recipient (repeatable).")
@click.option("--relay", help="A relay from the settings; without it, the local sink.")
@click.option("--host", default=None, help="Sink host (default: [sink] host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Sink port.")
@click.pass_context
def send_cmd(
    ctx: click.Context,
    target: str,
    sample: str | None,
    locale: str | None,
    recipients: tuple[str, ...],
    relay: str | None,
    host: str | None,
    port: int | None,
) -> None:
    """Render TARGET with a sample and send it: to the local sink, or through --relay."""
    ws = open_workspace(ctx)
    msg = ws.render(target, sample=sample, locale=locale)
    email = msg.email
    transport: Transport
    if relay:
        transport = RelayTransport(ws.settings.relay(relay), workspace_root=ws.root)
    else:
        s = ws.settings.sink
        transport = SinkTransport(host or s.host, port or s.port)
    from ..core.send import validate_recipient

    email["To"] = ", ".join(validate_recipient(r) for r in recipients)
    result: SendResult = transport.send(email, recipients)
    click.echo(
        f"sent {target} to {', '.join(result.recipients)} via {result.transport}:"
        f" {result.reply} {result.message_id}"
    )
