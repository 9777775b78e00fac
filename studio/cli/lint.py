"""``studio lint``, ``studio check`` and ``studio explain``: the checks from the command line."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from ..core.catalogue import CATALOGUE, all_ids
from ..core.checks import lint_file, lint_targets, lint_workspace
from ..core.findings import Finding
from ..core.shard import Shard
from ..errors import ConfigError
from . import cli
from ._common import (
    fail_on_option,
    format_option,
    open_workspace,
    report_findings,
    workspace_or_none,
)
from ._memory import map_big_blocks
from ._progress import progress_bar


def _shard(value: str | None) -> Shard | None:
    return Shard.parse(value) if value is not None else None


shard_option = click.option(
    "--shard",
    metavar="K/N",
    help="Check only shard K of N: a stable share of the templates (for a CI matrix).",
)


@cli.command("lint")
@click.argument("targets", nargs=-1)
@format_option
@fail_on_option
@click.option("--no-spam", is_flag=True, help="Skip SpamAssassin (about a second per template).")
@shard_option
@click.pass_context
def lint(
    ctx: click.Context,
    targets: tuple[str, ...],
    fmt: str,
    fail_on: str,
    no_spam: bool,
    shard: str | None,
) -> None:
    """Check templates and messages: variables, links, images, size, CSS, spam score.

    TARGETS are template names, or .mjml, .html or .eml files; none means every
    template of the workspace. Exit 0: nothing at or above --fail-on; 1: findings;
    2: bad input.
    """
    part = _shard(shard)
    files = [t for t in targets if Path(t).suffix.lower() in (".mjml", ".html", ".htm", ".eml")]
    if files:
        map_big_blocks()  # a big message's copies, freed in turn, do not add up
    if part is not None:
        files = [f for f in files if part.holds(f)]
    names = [t for t in targets if t not in files]
    ws = open_workspace(ctx) if names or not targets else workspace_or_none(ctx)
    findings: list[Finding] = []
    for f in files:
        path = Path(f)
        if not path.is_file():
            raise ConfigError(f"{f}: no such file")
        if ws is not None and path.resolve().parent == ws.templates_dir.resolve():
            names.append(path.name.removesuffix(".mjml"))
            continue
        inside = ws is not None and ws.root in path.resolve().parents
        findings += lint_file(path, ws if inside else None, spam=not no_spam)
    if ws is not None and (names or not targets):
        todo = lint_targets(ws, names or None, _shard(shard))
        with progress_bar("linting", len(todo), show=fmt == "text") as steps:
            findings += lint_workspace(
                ws, names or None, spam=not no_spam, shard=_shard(shard), on_progress=steps.start
            )
    report_findings(findings, fmt, fail_on, by_template=True)


@cli.command("check")
@format_option
@fail_on_option
@click.option("--no-spam", is_flag=True, help="Skip SpamAssassin.")
@click.option("--no-dns", is_flag=True, help="Skip the DNS preflight.")
@shard_option
@click.pass_context
def check(
    ctx: click.Context, fmt: str, fail_on: str, no_spam: bool, no_dns: bool, shard: str | None
) -> None:
    """The CI gate: lint every template and SMS, and preflight the sending domain's DNS."""
    from ..core.check import check_steps, run_check  # DNS: not loaded for lint (40 MB)

    ws = open_workspace(ctx)
    part = _shard(shard)
    total = check_steps(ws, dns=not no_dns, shard=part)
    with progress_bar("checking", total, show=fmt == "text") as steps:
        findings = run_check(
            ws, spam=not no_spam, dns=not no_dns, shard=part, on_progress=steps.start
        )
    report_findings(findings, fmt, fail_on, by_template=True)


@cli.command("explain")
@click.argument("check_id", required=False)
def explain_cmd(check_id: str | None) -> None:
    """What a check id means, why it matters and how to fix it (all ids when none given)."""
    ids = all_ids()
    if check_id is None:
        width = max(len(i) for i in ids)
        for i in ids:
            e = CATALOGUE[i]
            click.echo(f"{i:<{width}}  {str(e.severity):<7}  {e.title}")
        return
    if check_id not in CATALOGUE:
        close = difflib.get_close_matches(check_id, ids, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (`studio explain` lists them)"
        raise ConfigError(f"unknown check id {check_id!r}{hint}")
    e = CATALOGUE[check_id]
    click.echo(f"{e.id} — {e.title} (default severity: {e.severity})\n")
    click.echo(f"Why it matters: {e.why}\n")
    click.echo(f"How to fix it: {e.fix}")
