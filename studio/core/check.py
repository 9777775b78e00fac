"""``studio check``: the CI gate, the checks engine and the DNS preflight together.

It sits above both :mod:`studio.core.checks` (templates, messages, SMS) and
:mod:`studio.core.dns` (the sending domain), which know nothing of each other; both
read their ids from :mod:`studio.core.catalogue`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .checks import lint_targets, lint_workspace
from .dns import preflight_for
from .dns.drift import apply_baseline, missing_baseline, settings_baseline
from .findings import Finding, Location
from .shard import Shard
from .workspace import Workspace

__all__ = ["DNS_STEP", "check_steps", "dns_findings", "run_check"]


def dns_findings(workspace: Workspace) -> list[Finding]:
    """The DNS preflight of the workspace's transactional domain, as findings, with
    the drift against the settings' baseline (``[dns] baseline``) when there is one.

    Checked against zone files, a finding without a place points at the first one,
    so that reports (SARIF, GitHub annotations) have a file to show it on.
    """
    s = workspace.settings
    if not s.transactional_domain:
        return []
    report = preflight_for(workspace)
    baseline = settings_baseline(workspace, report.domain)
    if baseline is not None:  # [dns] baseline: its drift too, as studio dns reports it
        if not baseline.exists():
            raise missing_baseline(workspace, baseline)
        apply_baseline(report, baseline)
    findings = report.findings
    if s.dns.nameservers or not s.dns.zone_files:
        return findings
    where = Location(workspace.relpath(workspace.root / s.dns.zone_files[0]))
    return [f if f.location else replace(f, location=where) for f in findings]


DNS_STEP = "DNS preflight"
"""What :func:`run_check` reports to ``on_progress`` before the DNS preflight."""


def check_steps(workspace: Workspace, *, dns: bool = True, shard: Shard | None = None) -> int:
    """How many times :func:`run_check` calls ``on_progress``."""
    with_dns = dns and bool(workspace.settings.transactional_domain)
    return len(lint_targets(workspace, shard=shard)) + int(
        with_dns and (shard is None or shard.first)
    )


def run_check(
    workspace: Workspace,
    *,
    spam: bool = True,
    dns: bool = True,
    shard: Shard | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> list[Finding]:
    """Every template and SMS of the workspace, plus its DNS (unless ``dns`` is False).

    With ``shard``, that shard's templates; the DNS preflight runs on shard 1 only.
    ``on_progress`` is called with each template's name as it starts, then with
    :data:`DNS_STEP`.
    """
    findings = lint_workspace(workspace, spam=spam, shard=shard, on_progress=on_progress)
    if dns and (shard is None or shard.first) and workspace.settings.transactional_domain:
        if on_progress:
            on_progress(DNS_STEP)
        findings += dns_findings(workspace)
    return findings
