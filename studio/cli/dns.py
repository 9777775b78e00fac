"""``studio dns``: the DNS preflight of a sending domain (live, or from zone files)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.dns import DnsReport, preflight_sync, resolver_for
from ..core.findings import Severity
from ..core.report import FORMATS, exit_code, render_report
from ..core.workspace import Workspace
from ..errors import ConfigError
from . import cli
from ._common import open_workspace


def _typed(ctx: click.Context, name: str) -> bool:
    """Whether the user typed this option (a flag overrides settings only then)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def _report_text(report: DnsReport, color: bool) -> str:
    lines = [f"DNS preflight of {report.domain}"]
    for protocol, records in report.records.items():
        for name, text in records:
            lines.append(
                f"  {protocol:<8} {name}: {text if len(text) < 110 else text[:107] + '...'}"
            )
    if report.spf_tree is not None and report.spf_tree.record is not None:
        lines.append(f"  SPF include tree ({report.spf_tree.total} of 10 lookups):")
        lines += ["    " + line for line in report.spf_tree.render()]
    lines.append(
        f"  ({report.queries} queries, {report.cache_hits} answered from the run's cache,"
        f" {report.seconds * 1000:.0f} ms)"
    )
    return "\n".join(lines) + "\n\n" + render_report(report.findings, "text", color=color)


@cli.command("dns")
@click.argument("domain", required=False)
@click.option("--selector", "-s", "selectors", multiple=True, help="DKIM selector (repeatable).")
@click.option(
    "--nameserver",
    "-n",
    "nameservers",
    multiple=True,
    help="Ask this nameserver: HOST or HOST:PORT (repeatable).",
)
@click.option(
    "--zone-file",
    "zone_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check these zone files instead of live DNS (repeatable).",
)
@click.option("--ip", "ips", multiple=True, help="Dedicated sending IP (repeatable).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=3.0,
    show_default=True,
    help="Seconds per DNS query.",
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option(
    "--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True
)
@click.pass_context
def dns_cmd(
    ctx: click.Context,
    domain: str | None,
    selectors: tuple[str, ...],
    nameservers: tuple[str, ...],
    zone_files: tuple[Path, ...],
    ips: tuple[str, ...],
    timeout: float,
    fmt: str,
    fail_on: str,
) -> None:
    """Check SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT, BIMI and PTR of the sending domain.

    Without DOMAIN, the workspace's transactional domain with its selectors, IPs and
    zone files; options typed on the command line override the settings.
    """
    ws: Workspace | None
    try:
        ws = open_workspace(ctx)
    except ConfigError:
        if domain is None:
            raise
        ws = None
    s = ws.settings if ws else None
    domain = domain or (s.transactional_domain if s else None)
    if not domain:
        raise ConfigError("no domain: give DOMAIN or set transactional_domain in the settings")
    use_settings = s is not None and domain == s.transactional_domain
    if not selectors and use_settings and s:
        selectors = s.dkim_selectors
    if not ips and use_settings and s:
        ips = s.sending_ips
    if not nameservers and not zone_files and s and ws and use_settings:
        nameservers = s.dns.nameservers
        if not nameservers:
            zone_files = tuple(ws.root / z for z in s.dns.zone_files)
    if s and not _typed(ctx, "timeout"):
        timeout = s.dns.timeout
    resolver = resolver_for(
        zone_files=zone_files,
        nameservers=nameservers,
        timeout=timeout,
        retries=s.dns.retries if s else 1,
    )
    report = preflight_sync(
        domain,
        resolver=resolver,
        selectors=selectors,
        ips=ips,
        marketing_domain=s.marketing_domain if s and use_settings else None,
        marketing_selectors=s.marketing_dkim_selectors if s and use_settings else (),
    )
    if fmt == "text":
        click.echo(_report_text(report, sys.stdout.isatty()), nl=False)
    else:
        click.echo(render_report(report.findings, fmt), nl=False)
    code = exit_code(report.findings, Severity.parse(fail_on))
    if code:
        raise SystemExit(code)
