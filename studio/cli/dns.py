"""``studio dns``: the DNS preflight of a sending domain (live, or from zone files)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.dns import DnsReport, preflight_for
from ..core.dns.drift import (
    apply_baseline,
    load_baseline,
    missing_baseline,
    save_baseline,
    settings_baseline,
)
from ..core.dns.summary import by_protocol, summarize
from ..core.report import format_sections
from ..core.workspace import Workspace
from ..errors import ConfigError
from . import cli
from ._common import (
    fail_on_option,
    format_option,
    open_workspace,
    report_findings,
    typed,
    workspace_or_none,
)


def _report_text(report: DnsReport, color: bool) -> str:
    lines = [f"DNS preflight of {report.domain}"]
    lines += ["  " + row.line() for row in summarize(report)]
    lines.append(
        f"  ({report.queries} queries, {report.cache_hits} answered from the run's cache,"
        f" {report.seconds * 1000:.0f} ms)"
    )
    if report.baseline is not None:
        changes = [f for f in report.findings if f.id.startswith("drift.")]
        lines.append(
            f"Drift against {report.baseline}: "
            + (f"{len(changes)} change(s), listed below" if changes else "no change")
        )
    # records and findings by protocol: each finding under its protocol's records
    grouped = format_sections(by_protocol(report), report.findings, color=color)
    return "\n".join(lines) + "\n\n" + grouped


def _check_drift_files(
    ws: Workspace | None, domain: str | None, baseline: Path | None, save: Path | None
) -> None:
    """Refuse a bad baseline, or a baseline to save where none can be, before any DNS
    query: a wrong file name costs no preflight. (The report's domain is checked
    against the baseline again once known.)"""
    target = domain or (ws.settings.transactional_domain if ws is not None else None)
    if baseline is None and ws is not None and target:
        configured = settings_baseline(ws, target)
        if configured is not None and not configured.exists() and save is None:
            raise missing_baseline(ws, configured)
    if baseline is not None and target:
        load_baseline(baseline, target.rstrip("."))
    if save is not None and not save.parent.is_dir():
        raise ConfigError(f"{save}: cannot write the baseline: {save.parent} is not a folder")


def _drift(
    ws: Workspace | None, report: DnsReport, baseline: Path | None, save: Path | None
) -> None:
    """Compare with the baseline (given, else the settings' for the workspace's own
    domain), adding the drift findings to the report; then save the new one if asked."""
    if baseline is None and ws is not None:
        baseline = settings_baseline(ws, report.domain)
        if baseline is not None and not baseline.exists():
            if save is None:
                raise missing_baseline(ws, baseline)
            baseline = None  # the first one is being saved
    if baseline is not None:
        apply_baseline(report, baseline)
    if save is not None:
        save_baseline(report, save)
        click.echo(f"baseline of {report.domain} saved to {save}", err=True)


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
    help="Answer from these zone files (repeatable); other names go to --nameserver"
    " or, with --live, live DNS, else are not checked.",
)
@click.option("--ip", "ips", multiple=True, help="Dedicated sending IP (repeatable).")
@click.option(
    "--provider",
    "providers",
    multiple=True,
    metavar="NAME",
    help="Check SPF and DKIM for this relay provider's preset (repeatable; replaces the"
    " relays' providers of the settings): sendgrid, mailgun, postmark, ses, mailjet,"
    " brevo, sparkpost.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=3.0,
    show_default=True,
    help="Seconds per DNS query.",
)
@click.option(
    "--live",
    is_flag=True,
    default=False,
    help="With zone files: ask live DNS for the names they do not cover.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Report drift (drift.* ids) against this baseline [default: [dns] baseline].",
)
@click.option(
    "--save-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write what this run saw to FILE (a JSON baseline for --baseline).",
)
@format_option
@fail_on_option
@click.pass_context
def dns_cmd(
    ctx: click.Context,
    domain: str | None,
    selectors: tuple[str, ...],
    nameservers: tuple[str, ...],
    zone_files: tuple[Path, ...],
    ips: tuple[str, ...],
    providers: tuple[str, ...],
    timeout: float,
    live: bool,
    baseline: Path | None,
    save_baseline: Path | None,
    fmt: str,
    fail_on: str,
) -> None:
    """Check SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT, BIMI and PTR of the sending domain.

    Without DOMAIN, the workspace's transactional domain with its selectors, IPs and
    zone files; options typed on the command line override the settings.
    """
    ws = open_workspace(ctx) if domain is None else workspace_or_none(ctx)
    _check_drift_files(ws, domain, baseline, save_baseline)
    report = preflight_for(
        ws,
        domain,
        selectors=selectors,
        ips=ips,
        nameservers=nameservers,
        zone_files=zone_files,
        timeout=timeout if ws is None or typed(ctx, "timeout") else None,
        providers=providers,
        live=True if live else None,
    )
    _drift(ws, report, baseline, save_baseline)
    report_findings(report.findings, fmt, fail_on, text=_report_text(report, sys.stdout.isatty()))
