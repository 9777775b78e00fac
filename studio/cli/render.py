"""``studio render``: one template (or a lone MJML file) to html, text, mjml, eml or json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..core.render.pipeline import (
    RenderedMessage,
    RenderedSms,
    load_vars_file,
    render_mjml_file,
)
from ..errors import ConfigError
from . import cli
from ._common import open_workspace, workspace_or_none

RENDER_FORMATS = ("html", "text", "mjml", "eml", "json", "sms")


def render_target(
    ctx: click.Context,
    target: str,
    *,
    sample: str | None,
    vars_file: Path | None,
    locale: str | None,
) -> RenderedMessage:
    """Render TARGET: a template name, or a path to an ``.mjml`` file."""
    path = Path(target)
    if target.endswith(".mjml") and path.exists():
        workspace = workspace_or_none(ctx)
        templates_dir = workspace.templates_dir.resolve() if workspace else None
        if workspace and templates_dir and path.resolve().parent == templates_dir:
            target = path.name[: -len(".mjml")]
        else:
            if sample or vars_file:
                raise ConfigError(
                    f"{target}: --sample and --vars apply to workspace templates;"
                    " a lone MJML file is compiled as it is"
                )
            return render_mjml_file(path)
    elif target.endswith(".mjml"):
        raise ConfigError(f"{target}: no such file")
    workspace = open_workspace(ctx)
    variables = load_vars_file(vars_file) if vars_file else None
    chosen = workspace.default_sample(target) if sample is None and vars_file is None else None
    msg = workspace.render(target, sample=sample or chosen, variables=variables, locale=locale)
    said_default(chosen)
    return msg


def said_default(sample: str | None) -> None:
    """Say which default sample a render used, on stderr (the output stays the message)."""
    if sample is not None:
        click.echo(f"using sample {sample!r} (the default; --sample to choose)", err=True)


def sms_report(sms: RenderedSms) -> str:
    """Encoding and segments of a rendered SMS, for humans."""
    info = sms.info
    lines = []
    if info.forcing:
        chars = ", ".join(str(f) for f in info.forcing)
        lines.append(f"encoding: {info.encoding} (forced by {chars})")
    else:
        lines.append(f"encoding: {info.encoding}")
    unit = "septets" if info.encoding == "GSM-7" else "UTF-16 units"
    lines.append(f"segments: {info.count} ({info.units} {unit}; {info.per_segment} per segment)")
    for i, seg in enumerate(info.segments, 1):
        lines.append(f"  [{i}] {seg!r}")
    return "\n".join(lines)


def message_as(msg: RenderedMessage, fmt: str) -> str | bytes:
    if fmt == "html":
        return msg.html
    if fmt == "text":
        return msg.text
    if fmt == "mjml":
        return msg.mjml
    if fmt == "eml":
        return msg.email.as_bytes()
    return json.dumps(msg.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _write(output: Path, data: bytes) -> None:
    """Write ``-o``'s file, or a one-line error naming it."""
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"{output}: cannot write: {exc.strerror or exc}") from None


@cli.command("render")
@click.argument("target")
@click.option(
    "--sample",
    "-s",
    help="Sample set name (samples/<template>/<NAME>.json; default: the template's default"
    " sample, front matter `sample:` or the first by name).",
)
@click.option(
    "--vars",
    "vars_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON file of variables (laid over the sample's, if any).",
)
@click.option("--locale", "-l", help="Locale such as en-GB or fr-FR (default: the sample's).")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(RENDER_FORMATS), default="html", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.pass_context
def render(
    ctx: click.Context,
    target: str,
    sample: str | None,
    vars_file: Path | None,
    locale: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Render TARGET (a template name or an .mjml file) with a sample's variables.

    With --format sms, TARGET names an SMS template (templates/TARGET.sms.j2): the text
    is printed with its encoding (GSM-7 or UCS-2, and the characters forcing UCS-2)
    and its segments.
    """
    if fmt == "sms":
        ws = open_workspace(ctx)
        variables = load_vars_file(vars_file) if vars_file else None
        chosen = ws.default_sample(target) if sample is None and vars_file is None else None
        sms = ws.render_sms(target, sample=sample or chosen, variables=variables, locale=locale)
        said_default(chosen)
        report = sms_report(sms)
        if output is not None:
            _write(output, sms.text.encode("utf-8"))
            click.echo(report, err=True)
        else:
            click.echo(sms.text)
            click.echo("")
            click.echo(report)
        return
    msg = render_target(ctx, target, sample=sample, vars_file=vars_file, locale=locale)
    data = message_as(msg, fmt)
    if output is not None:
        _write(output, data if isinstance(data, bytes) else data.encode("utf-8"))
        click.echo(f"wrote {output} ({msg.size:,} bytes of HTML)", err=True)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        click.echo(data, nl=not data.endswith("\n"))
