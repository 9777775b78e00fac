"""Relay presets against nsd: a correct and a wrong setup of every provider.

The zones are ``relay_zones.py``'s (built from the presets); the expected ids are
written out here, per provider family (fixed selectors delegated by CNAME, fixed
selectors copied as TXT, generated selectors), so a preset or a check that drifts
fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.dns import preflight_sync, relay_checks, resolver_for
from studio.core.dns.relays import RelayCheck, detect, preset, presets
from studio.core.dns.summary import Status, summarize
from studio.core.findings import Severity

from .relay_zones import configured

SPF, MISSING, CNAME = (
    "spf.relay-not-authorized",
    "dkim.relay-selector-missing",
    "dkim.relay-cname-mismatch",
)
RELAY_IDS = {SPF, MISSING, CNAME}

# What the wrong setup of each provider raises, (id, subject's first label) pairs.
BAD = {
    # fixed selectors, CNAME required: s1 is a copied TXT key, s2 is missing
    "sendgrid": {(SPF, "bad-sendgrid"), (CNAME, "s1"), (MISSING, "s2")},
    # fixed selectors, CNAME optional: the first points into another zone
    "mailgun": {(SPF, "bad-mailgun"), (CNAME, "pdk1"), (MISSING, "pdk2")},
    "brevo": {(SPF, "bad-brevo"), (CNAME, "brevo1"), (MISSING, "brevo2")},
    # a fixed selector published as TXT: missing
    "mailjet": {(SPF, "bad-mailjet"), (MISSING, "mailjet")},
    # generated selectors: the workspace names none of the provider's
    "postmark": {(SPF, "bad-postmark"), (MISSING, "bad-postmark")},
    "sparkpost": {(SPF, "bad-sparkpost"), (MISSING, "bad-sparkpost")},
    # a generated selector that must be a CNAME into SES's zone is a TXT key
    "ses": {(SPF, "bad-ses"), (CNAME, "4f3kq2xj7bz6hx3xj5v2d6m7k2zq4wxa")},
}


def run(ns: str, domain: str, provider: str, selectors: tuple[str, ...]):  # type: ignore[no-untyped-def]
    p = preset(provider)
    return preflight_sync(
        domain,
        resolver=resolver_for(nameservers=[ns], timeout=2),
        selectors=selectors,
        relays=[RelayCheck(f"out-{provider}", p)],
    )


def test_every_provider_the_issue_names_has_a_preset_with_sources() -> None:
    assert set(BAD) == set(presets())
    for p in presets().values():
        assert p.sources and all(s.startswith("https://") for s in p.sources)
        assert p.spf_includes and (p.selectors or p.selector_pattern)


@pytest.mark.parametrize("provider", sorted(BAD))
def test_a_correct_setup_raises_nothing(nameserver: str, provider: str) -> None:
    p = preset(provider)
    report = run(nameserver, f"ok-{provider}.relays.test", provider, configured(p))
    problems = [f for f in report.findings if f.severity > Severity.INFO]
    assert problems == []
    row = next(r for r in summarize(report) if r.protocol == "Relay")
    assert row.status is Status.PASS and p.name in row.summary


@pytest.mark.parametrize("provider", sorted(BAD))
def test_a_wrong_setup_says_what_is_wrong(nameserver: str, provider: str) -> None:
    p = preset(provider)
    domain = f"bad-{provider}.relays.test"
    selectors = ("4f3kq2xj7bz6hx3xj5v2d6m7k2zq4wxa",) if provider == "ses" else ()
    report = run(nameserver, domain, provider, selectors)
    got = {(f.id, f.subject.split(".")[0]) for f in report.findings if f.id in RELAY_IDS}
    assert got == BAD[provider]
    assert all(
        f.details["relay"] == f"out-{provider}" for f in report.findings if f.id in RELAY_IDS
    )
    spf = next(f for f in report.findings if f.id == SPF)
    assert f"include:{p.spf_includes[0]}" in spf.message and p.name in spf.message
    # nothing else is wrong with these names: the relay ids are the whole story
    others = {f.id for f in report.findings if f.severity > Severity.INFO} - RELAY_IDS
    assert others == set()
    row = next(r for r in summarize(report) if r.protocol == "Relay")
    assert row.status is Status.FAIL and set(row.ids) == {i for i, _ in BAD[provider]}


def test_a_legacy_include_still_authorises() -> None:
    assert preset("brevo").authorises("spf.sendinblue.com")
    assert not preset("brevo").authorises("sendinblue.com.evil.test")


def test_providers_are_detected_from_the_relay_host() -> None:
    expected = {
        "smtp.sendgrid.net": "sendgrid",
        "smtp.eu.mailgun.org": "mailgun",
        "smtp.postmarkapp.com": "postmark",
        "email-smtp.eu-west-1.amazonaws.com": "ses",
        "in-v3.mailjet.com": "mailjet",
        "smtp-relay.brevo.com": "brevo",
        "smtp.sparkpostmail.com": "sparkpost",
    }
    assert {h: getattr(detect(h), "key", None) for h in expected} == expected
    assert detect("smtp.relay.example") is None
    assert detect("ec2-1-2-3-4.compute.amazonaws.com") is None


def _workspace(tmp_path: Path, relays: str) -> Path:
    (tmp_path / "studio.toml").write_text(
        'transactional_domain = "bad-mailjet.relays.test"\n' + relays
    )
    return tmp_path


def _studio(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=cwd
    )


def test_the_settings_provider_and_the_cli_option(nameserver: str, tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        '[relays.transactional]\nhost = "smtp.relay.example"\nprovider = "Mailjet"\n'
        '[relays.detected]\nhost = "smtp.sendgrid.net"\n'
        '[relays.plain]\nhost = "smtp.relay.example"\n',
    )
    from studio.core.workspace import Workspace

    checks = relay_checks(Workspace.open(ws))
    assert [(c.relay, c.preset.key) for c in checks] == [
        ("transactional", "mailjet"),
        ("detected", "sendgrid"),
    ]
    out = _studio(ws, "dns", "--nameserver", nameserver, "--format", "json")
    assert out.returncode == 1, out.stderr
    found = {(f["id"], f["subject"]) for f in json.loads(out.stdout)["findings"]}
    assert (SPF, "bad-mailjet.relays.test") in found
    assert (MISSING, "mailjet._domainkey.bad-mailjet.relays.test") in found
    assert (MISSING, "s1._domainkey.bad-mailjet.relays.test") in found
    # --provider replaces the settings' relays
    only = _studio(
        ws, "dns", "--nameserver", nameserver, "--provider", "postmark", "--format", "json"
    )
    ids = {
        (f["id"], f["details"]["provider"])
        for f in json.loads(only.stdout)["findings"]
        if f["id"] in RELAY_IDS
    }
    assert ids == {(SPF, "postmark"), (MISSING, "postmark")}
    text = _studio(ws, "dns", "--nameserver", nameserver, "--provider", "mailjet")
    assert "Relay" in text.stdout and "add include:spf.mailjet.com" in text.stdout
    ok = _studio(
        ws, "dns", "ok-mailjet.relays.test", "--nameserver", nameserver, "--provider", "mailjet"
    )
    assert ok.returncode == 0, ok.stdout


def test_an_unknown_provider_is_one_line_naming_the_valid_ones(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, '[relays.out]\nhost = "smtp.relay.example"\nprovider = "mailchimp"\n')
    bad = _studio(ws, "dns")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    line = bad.stderr.strip()
    assert "\n" not in line and "relays.out.provider" in line and "'mailchimp'" in line
    assert "mailjet" in line and "sendgrid" in line and "studio.toml" in line
    cli = _studio(ws.parent, "dns", "x.test", "--provider", "nope", "--nameserver", "127.0.0.1:9")
    assert cli.returncode == 2 and "--provider" in cli.stderr and "sparkpost" in cli.stderr
