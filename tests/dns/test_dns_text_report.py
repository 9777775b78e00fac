"""``studio dns``'s text report: each finding under its protocol's records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.checks.test_grouped_text_report import _blocks


def _dns(tmp_path: Path, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "studio", "dns", *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode in (0, 1), out.stderr
    return out.stdout.split("\n\n", 1)[1]  # after the summary rows


def test_findings_sit_under_their_protocols_records(nameserver: str, tmp_path: Path) -> None:
    blocks = _blocks(_dns(tmp_path, "none.dmarc.test", "--nameserver", nameserver))
    assert list(blocks)[:2] == ["SPF", "DMARC"]
    dmarc = blocks["DMARC"]
    assert dmarc[0].startswith("_dmarc.none.dmarc.test: v=DMARC1; p=none")
    assert any("[dmarc.policy-none]" in line for line in dmarc[1:])
    assert not any(
        "[dmarc." in line for t, lines in blocks.items() if t != "DMARC" for line in lines
    )
    assert blocks["SPF"][0].startswith("none.dmarc.test: v=spf1")


def test_relay_findings_go_under_spf_and_dkim(nameserver: str, tmp_path: Path) -> None:
    text = _dns(tmp_path, "bad-sendgrid.relays.test", "-n", nameserver, "--provider", "sendgrid")
    blocks = _blocks(text)
    assert any("[spf.relay-not-authorized]" in line for line in blocks["SPF"])
    dkim = blocks["DKIM"]
    assert any("[dkim.relay-cname-mismatch]" in line for line in dkim)
    assert any("[dkim.relay-selector-missing]" in line for line in dkim)
    assert text.splitlines()[-1] == "2 errors, 1 warnings, 0 info"


def test_a_failed_lookup_sits_under_the_check_that_met_it(
    silent_nameserver: str, tmp_path: Path
) -> None:
    text = _dns(tmp_path, "good.test", "-n", silent_nameserver, "--timeout", "0.2")
    blocks = _blocks(text)
    assert any("[dns.timeout]" in line for line in blocks["SPF"])
    assert any("[dns.timeout]" in line for line in blocks["MX"])
