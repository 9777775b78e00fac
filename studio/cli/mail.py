"""``studio inbox`` and ``studio send``: read captured mail, send test mail."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..core.inbox import Inbox, inspect, release
from ..core.render.pipeline import load_vars_file
from ..core.report import render_report
from ..core.safe_text import printable, printable_json
from ..core.send import SendResult, transport_for, validate_recipient
from ..core.sink import SinkConfig
from ..core.sink.faults import Refusal
from ..core.trigger import Trigger, parse_trigger
from ..errors import ConfigError
from . import cli
from ._common import open_workspace, workspace_or_none
from .sink import maildir_option


@cli.group("inbox", invoke_without_command=True)
@maildir_option
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def inbox_cmd(ctx: click.Context, maildir: Path | None, fmt: str) -> None:
    """Messages captured by the sink: list (default), show ID, delete ID, clear.

    `studio inbox sms` lists the SMS the router stored in its outbox.
    """
    ws = workspace_or_none(ctx)
    ctx.obj["inbox"] = Inbox(SinkConfig.from_settings(ws, maildir=maildir).maildir)
    ctx.obj["ws"] = ws
    ctx.obj["fmt"] = fmt
    if ctx.invoked_subcommand is None:
        ctx.invoke(inbox_list)


def _fmt(ctx: click.Context, fmt: str | None) -> str:
    """The format given after the subcommand, else the one given before it (or text)."""
    return fmt or str(ctx.obj["fmt"])


sub_format_option = click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Output format (also accepted before the subcommand).",
)


def _line(text: str) -> str:
    """Untrusted text (a header, an address) for one line of output: controls escaped."""
    return printable(text, one_line=True)


def _json(data: object) -> str:
    return printable_json(json.dumps(data, indent=2, ensure_ascii=False))


@inbox_cmd.command("list")
@sub_format_option
@click.pass_context
def inbox_list(ctx: click.Context, fmt: str | None = None) -> None:
    """List captured messages, oldest first."""
    inbox: Inbox = ctx.obj["inbox"]
    items = inbox.timeline()
    if _fmt(ctx, fmt) == "json":
        click.echo(
            _json(
                [
                    {"kind": "refused", **s.to_dict()} if isinstance(s, Refusal) else s.to_dict()
                    for s in items
                ]
            )
        )
        return
    if not inbox.exists and not items:
        click.echo(
            f"no messages: {_line(str(inbox.store.root))} does not exist yet"
            " (`studio sink` creates it)"
        )
    elif not items:
        click.echo(f"no messages in {_line(str(inbox.store.root))}")
    for s in items:
        if isinstance(s, Refusal):
            # an attempt a fault rule refused: when, who, the envelope, the rule, the reply
            envelope = f"{s.sender or '<>'} → {', '.join(s.recipients) or '(no recipient yet)'}"
            click.echo(
                f"refused  {_line(s.time[:19]):<19}  {_line(s.client)}  {_line(envelope)}"
                f"  [{_line(s.rule)}] {_line(s.reply)}"
            )
            continue
        if s.unreadable:
            click.echo(f"{s.id}  {_line(s.unreadable)}  ({s.size:,} B)")
            continue
        click.echo(
            f"{s.id}  {_line(s.date[:19]):<19}  {_line(s.from_[:30]):<30}  {_line(s.to[:28]):<28}"
            f"  {_line(s.subject[:50])}  ({s.size:,} B)"
            + ("  bounce" if s.kind == "bounce" else "")
        )


@inbox_cmd.command("show")
@click.argument("message_id")
@sub_format_option
@click.pass_context
def inbox_show(ctx: click.Context, message_id: str, fmt: str | None) -> None:
    """Show one message: envelope, verdict (DKIM, SPF, DMARC), inbox line, text part, checks."""
    inbox: Inbox = ctx.obj["inbox"]
    msg = inspect(inbox.get(message_id), ctx.obj["ws"])
    if _fmt(ctx, fmt) == "json":
        click.echo(_json(msg.to_dict()))
        return
    s, v = msg.summary, msg.verdict
    envelope = f"{s.sender or '<>'} → {', '.join(s.recipients)}"
    click.echo(f"id:       {s.id}\nenvelope: {_line(envelope)}")
    if s.unreadable:
        click.echo(f"unreadable: {_line(s.unreadable)}")
    click.echo(
        f"from:     {_line(s.from_)}\nto:       {_line(s.to)}\nsubject:  {_line(s.subject)}"
        f"\nsize:     {s.size:,} bytes"
    )
    if v is not None:
        click.echo(
            f"verdict:  {v.line()}  (dkim d={_line(v.dkim_domain or '-')}"
            f"{', ' + _line(v.dkim_reason) if v.dkim_reason else ''}; spf ip={v.spf_ip or '-'}"
            f"{'; ' + v.spf_note if v.spf_note else ''})"
        )
    shown = msg.preview
    preheader = _line(shown.preheader) if shown.preheader is not None else "(none)"
    click.echo(f"preheader: {preheader}\ninbox line: {_line(shown.inbox_line)}")
    click.echo("\n" + printable(msg.text or "(no text part)").rstrip() + "\n")
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


@inbox_cmd.command("sms")
@sub_format_option
@click.pass_context
def inbox_sms(ctx: click.Context, fmt: str | None) -> None:
    """SMS the router stored (`studio serve`): recipient, encoding, segments, cost, text."""
    from ..core.router import SmsOutbox, outbox_for

    ws = ctx.obj["ws"]
    outbox = outbox_for(ws) if ws is not None else SmsOutbox(Path(".studio/sms"))
    items = outbox.list()
    if _fmt(ctx, fmt) == "json":
        click.echo(_json([s.to_dict() for s in items]))
        return
    if not items:
        click.echo(f"no SMS in {_line(str(outbox.root))}")
    for s in items:
        cost = f"  {s.cost:.2f} {s.currency}" if s.cost else ""
        click.echo(
            f"{s.id[:8]}  {s.received[:19]}  {_line(', '.join(s.to)):<16}  {s.template:<24}"
            f"  {s.encoding}, {len(s.segments)} segment{'s' if len(s.segments) != 1 else ''}"
            f"{cost}  [{_line(s.application or '-')}]\n    {_line(s.text[:120])}"
        )


@inbox_cmd.command("release")
@click.argument("message_id")
@click.option("--relay", required=True, help="A relay from the settings.")
@click.pass_context
def inbox_release(ctx: click.Context, message_id: str, relay: str) -> None:
    """Send a captured message on through a relay, to its envelope recipients."""
    ws = ctx.obj["ws"]
    if ws is None:
        raise ConfigError("release needs a workspace (its relays are in the settings)")
    result = release(ctx.obj["inbox"].get(message_id), ws, relay)
    click.echo(
        f"released {message_id} to {_line(', '.join(result.recipients))} via {result.transport}:"
        f" {_line(result.reply)}"
    )


@cli.command("send")
@click.argument("target", required=False)
@click.option("--sample", "-s", help="Sample set name.")
@click.option(
    "--vars",
    "vars_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A trigger payload (template, to, locale, variables) or plain variables, as JSON.",
)
@click.option("--locale", "-l", help="Locale (default: the payload's, then the sample's).")
@click.option(
    "--to", "recipients", multiple=True, help="Recipient (repeatable; default: the payload's)."
)
@click.option("--relay", help="A relay from the settings; without it, the local sink.")
@click.option("--host", default=None, help="Sink host (default: [sink] host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Sink port.")
@click.option("--dry-run", is_flag=True, help="Render and check the recipients; send nothing.")
@click.pass_context
def send_cmd(
    ctx: click.Context,
    target: str | None,
    sample: str | None,
    vars_file: Path | None,
    locale: str | None,
    recipients: tuple[str, ...],
    relay: str | None,
    host: str | None,
    port: int | None,
    dry_run: bool,
) -> None:
    """Render TARGET and send it: to the local sink, or through --relay.

    With --vars, the JSON an application posts to trigger the message is replayed:
    its template, recipients, locale and variables (options given here win).
    """
    ws = open_workspace(ctx)
    trigger = parse_trigger(load_vars_file(vars_file), str(vars_file)) if vars_file else Trigger()
    if target and trigger.template and target != trigger.template:
        raise ConfigError(f"{vars_file}: template {trigger.template!r} but TARGET is {target!r}")
    name = target or trigger.template
    if not name:
        raise ConfigError("send: give TARGET, or a --vars payload with a template")
    rcpts = [validate_recipient(r) for r in (recipients or trigger.recipients)]
    if not rcpts:
        raise ConfigError("send: give --to ADDRESS, or a --vars payload with to")
    msg = ws.render(
        name,
        sample=sample,
        variables=trigger.variables or None,
        locale=locale or trigger.locale,
    )
    email = msg.email
    email["To"] = ", ".join(rcpts)
    transport = transport_for(ws, relay, host, port)
    transport.check_recipients(rcpts)  # before anything is sent, dry run or not
    if dry_run:
        click.echo(
            f"would send {name} ({msg.subject!r}, {len(bytes(email)):,} bytes) to"
            f" {', '.join(rcpts)} via {transport.name}; sent nothing"
        )
        return
    result: SendResult = transport.send(email, rcpts)
    click.echo(
        f"sent {name} to {', '.join(result.recipients)} via {result.transport}:"
        f" {_line(result.reply)} {result.message_id}"
    )
