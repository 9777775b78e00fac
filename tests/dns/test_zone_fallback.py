"""Zone files together with a resolver (issue 25, item 2).

Names the zone files cover are answered from them; the others go to the resolver
(``--nameserver``, the settings' nameservers, or live DNS with ``--live`` /
``[dns] live``); without any resolver they are reported ``dns.not-checked`` (info),
never a server failure. The resolver here is the nsd fixture on loopback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from studio.core.dns import preflight_for, preflight_sync, resolver_for, workspace_resolver
from studio.core.dns.resolver import LiveResolver, ZoneResolver
from studio.core.findings import Severity
from studio.core.workspace import Workspace
from tests.conftest import REPO

# A domain checked before publishing: its zone is a file, while the relay's SPF include
# and the CNAMEd DKIM key live on the provider's servers (nsd's provider.test).
SHOP = """$ORIGIN shop.test.
$TTL 300
@ IN SOA ns1.shop.test. hostmaster.shop.test. 1 3600 600 86400 300
@ IN NS ns1.shop.test.
ns1 IN A 127.0.0.1
@ IN MX 10 mx.shop.test.
mx IN A 192.0.2.10
@ IN TXT "v=spf1 include:spf.provider.test ip4:192.0.2.25 -all"
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:d@shop.test"
_mta-sts IN TXT "v=STSv1; id=1"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:t@shop.test"
esp._domainkey IN CNAME key1.dkim.provider.test.
"""
KW = {"selectors": ["esp"], "ips": ["192.0.2.25", "203.0.113.7"]}


def _zone(tmp_path: Path) -> Path:
    path = tmp_path / "shop.test.zone"
    path.write_text(SHOP)
    return path


def _by_id(report) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, set[str]] = {}
    for f in report.findings:
        out.setdefault(f.id, set()).add(f.subject)
    return out


def test_names_outside_the_zone_files_go_to_the_nameserver(nameserver: str, tmp_path: Path) -> None:
    resolver = resolver_for(zone_files=[_zone(tmp_path)], nameservers=[nameserver], timeout=10)
    report = preflight_sync("shop.test", resolver=resolver, **KW)
    found = _by_id(report)
    # the include and the CNAMEd key were fetched from nsd: checked, and they pass
    assert report.spf_tree is not None and report.spf_tree.total == 1
    assert [c.record is not None for c in report.spf_tree.children] == [True]
    assert found["dkim.key-type"] == {"esp._domainkey.shop.test"}
    # 203.0.113.7 is authorised through the provider's include; its PTR is nowhere
    # (nsd refuses the reverse zone): a real failure of the resolver, not "not checked"
    assert "spf.ip-not-authorized" not in found
    assert "dns.not-checked" not in found
    assert set(found) == {"dkim.key-type", "dns.servfail"}
    assert found["dns.servfail"] == {"7.113.0.203.in-addr.arpa"}
    # 192.0.2.25's PTR (out.good.test) came from nsd too, forward-confirmed
    assert ("192.0.2.25", "out.good.test") in report.records["PTR"]


def test_without_a_resolver_they_are_not_checked(tmp_path: Path) -> None:
    report = preflight_sync("shop.test", resolver=resolver_for(zone_files=[_zone(tmp_path)]), **KW)
    found = _by_id(report)
    assert found["dns.not-checked"] == {
        "spf.provider.test",  # the include
        "192.0.2.25",  # check_host evaluates the include before ip4:
        "203.0.113.7",
        "esp._domainkey.shop.test",  # the CNAME leaves the zone
        "25.2.0.192.in-addr.arpa",
        "7.113.0.203.in-addr.arpa",
    }
    # info only: nothing is failed for want of a resolver
    assert not [f for f in report.findings if f.severity > Severity.INFO]
    assert "dns.servfail" not in found


def test_the_settings_nameservers_answer_what_the_settings_zone_files_do_not(
    nameserver: str, tmp_path: Path
) -> None:
    _zone(tmp_path)
    (tmp_path / "studio.toml").write_text(
        'transactional_domain = "shop.test"\ndkim_selectors = ["esp"]\n'
        'sending_ips = ["192.0.2.25"]\n'
        f'[dns]\nzone_files = ["shop.test.zone"]\nnameservers = ["{nameserver}"]\ntimeout = 10\n'
    )
    ws = Workspace.open(tmp_path)
    report = preflight_for(ws)
    assert {f.id for f in report.findings} == {"dkim.key-type"}


def test_live_sends_the_rest_to_the_system_resolver(tmp_path: Path) -> None:
    _zone(tmp_path)
    (tmp_path / "studio.toml").write_text(
        'transactional_domain = "shop.test"\n[dns]\nzone_files = ["shop.test.zone"]\nlive = true\n'
    )
    ws = Workspace.open(tmp_path)
    inner = workspace_resolver(ws).inner
    assert isinstance(inner, ZoneResolver) and isinstance(inner.fallback, LiveResolver)
    assert inner.fallback.nameservers == ()  # the system's resolver (not asked here)
    # without live (and no nameserver): no fallback at all
    (tmp_path / "studio.toml").write_text(
        'transactional_domain = "shop.test"\n[dns]\nzone_files = ["shop.test.zone"]\n'
    )
    inner = workspace_resolver(Workspace.open(tmp_path)).inner
    assert isinstance(inner, ZoneResolver) and inner.fallback is None
    # --live on the command line: the same, whatever the settings say
    inner = workspace_resolver(Workspace.open(tmp_path), live=True).inner
    assert isinstance(inner, ZoneResolver) and isinstance(inner.fallback, LiveResolver)


def test_cli_zone_file_with_nameserver(nameserver: str, tmp_path: Path) -> None:
    zone = _zone(tmp_path)
    base = [sys.executable, "-m", "studio", "dns", "shop.test", "-s", "esp", "--zone-file"]
    with_ns = subprocess.run(
        [*base, str(zone), "--nameserver", nameserver, "--timeout", "10", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert with_ns.returncode == 0, with_ns.stderr
    assert '"dns.' not in with_ns.stdout
    alone = subprocess.run([*base, str(zone)], capture_output=True, text=True, cwd=tmp_path)
    assert alone.returncode == 0, alone.stderr
    assert "[dns.not-checked] spf.provider.test" in alone.stdout


def test_the_example_zone_file_alone_exits_0_with_ptrs_not_checked() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "studio", "dns", "--zone-file", "brand/mapleandmoss.example.zone"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "dns.servfail" not in out.stdout
    lines = [line for line in out.stdout.splitlines() if "[dns.not-checked]" in line]
    assert len(lines) == 2 and all("reverse DNS of" in line for line in lines)
    assert "absent PTR" in out.stdout
