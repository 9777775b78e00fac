"""DNS drift watch (issue 22) against a real nsd on loopback whose zone changes.

Each test starts its own nsd serving ``drift.test`` (and the reverse zone of its two
sending IPs), saves a baseline, rewrites the zone, makes nsd re-read it (SIGHUP, then
waits until nsd answers with the new SOA serial) and asserts the exact drift ids.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import pytest

from studio.core.catalogue import CATALOGUE, DNS_IDS, Severity
from studio.core.dns import preflight_sync, resolver_for
from studio.core.dns.drift import compare, load_baseline, snapshot
from studio.errors import ConfigError

from .conftest import _rsa, start_nsd, stop_nsd, txt

IPS = ("192.0.2.25", "192.0.2.26")
SELECTORS = ("s1", "s2")
INCLUDES = [f"i{n}.drift.test" for n in range(1, 9)]
K2048, K2048_B, K1024 = _rsa(2048), _rsa(2048), _rsa(1024)

BASE: dict[str, Any] = {
    "spf": "v=spf1 ip4:192.0.2.25 ip4:192.0.2.26 include:relay.drift.test -all",
    "dmarc": "v=DMARC1; p=reject; rua=mailto:dmarc@drift.test",
    "s1": K2048,
    "s2": K2048,
    "mx": "10 mx.drift.test.",
    "sts": "v=STSv1; id=20260101",
    "rpt": "v=TLSRPTv1; rua=mailto:tls@drift.test",
    "bimi": "v=BIMI1; l=https://cdn.drift.test/logo.svg",
    "out2": "192.0.2.26",
    "news_key": _rsa(2048),
    "ext_auth": True,
}


def drift_zone(serial: int, **changes: Any) -> str:
    z = BASE | changes
    lines = [
        "$ORIGIN drift.test.",
        "$TTL 300",
        f"@ IN SOA ns1.drift.test. hostmaster.drift.test. {serial} 3600 600 86400 300",
        "@ IN NS ns1.drift.test.",
        "ns1 IN A 127.0.0.1",
        "mx IN A 192.0.2.10",
        "out1 IN A 192.0.2.25",
        f"out2 IN A {z['out2']}",
        'relay IN TXT "v=spf1 ip4:203.0.113.0/24 -all"',
        *(f'i{n} IN TXT "v=spf1 -all"' for n in range(1, 9)),
        'news IN TXT "v=spf1 ip4:198.51.100.80 -all"',
        f"m1._domainkey.news IN TXT {txt('v=DKIM1; k=rsa; p=' + z['news_key'])}",
    ]
    lines += [f"@ IN TXT {txt(z['spf'])}"] if z["spf"] else []
    lines += [f"_dmarc IN TXT {txt(z['dmarc'])}"] if z["dmarc"] else []
    lines += [f"@ IN MX {z['mx']}"] if z["mx"] else []
    lines += [f'_mta-sts IN TXT "{z["sts"]}"'] if z["sts"] else []
    lines += [f'_smtp._tls IN TXT "{z["rpt"]}"'] if z["rpt"] else []
    lines += [f'default._bimi IN TXT "{z["bimi"]}"'] if z["bimi"] else []
    for s in SELECTORS:
        if z[s]:
            lines.append(f"{s}._domainkey IN TXT {txt('v=DKIM1; k=rsa; p=' + z[s])}")
    return "\n".join(lines) + "\n"


REVERSE = """$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@ IN SOA ns1.drift.test. hostmaster.drift.test. 1 3600 600 86400 300
@ IN NS ns1.drift.test.
25 IN PTR out1.drift.test.
26 IN PTR out2.drift.test.
"""


def ext_zone(serial: int, auth: bool) -> str:
    """ext.test: an external DMARC report destination, authorising drift.test or not."""
    head = f"""$ORIGIN ext.test.
$TTL 300
@ IN SOA ns1.drift.test. hostmaster.drift.test. {serial} 3600 600 86400 300
@ IN NS ns1.drift.test.
"""
    return head + ('drift.test._report._dmarc IN TXT "v=DMARC1"\n' if auth else "")


class DriftServer:
    """nsd serving drift.test; :meth:`publish` changes the zone and reloads it."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.serial = 1
        (directory / "drift.test.zone").write_text(drift_zone(self.serial))
        (directory / "2.0.192.in-addr.arpa.zone").write_text(REVERSE)
        (directory / "ext.test.zone").write_text(ext_zone(self.serial, True))
        self.proc, self.port = start_nsd(directory)
        self.address = f"127.0.0.1:{self.port}"

    def publish(self, **changes: Any) -> None:
        self.serial += 1
        auth = changes.get("ext_auth", True)
        (self.dir / "ext.test.zone").write_text(ext_zone(self.serial, auth))
        (self.dir / "drift.test.zone").write_text(drift_zone(self.serial, **changes))
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        # gate on nsd serving both new zones (it may load them one after the other)
        while (self.soa_serial("drift.test."), self.soa_serial("ext.test.")) != (
            self.serial,
            self.serial,
        ):
            assert time.monotonic() < deadline, "nsd did not load the changed zones"
            time.sleep(0.05)

    def soa_serial(self, zone: str = "drift.test.") -> int | None:
        try:
            q = dns.message.make_query(zone, "SOA")
            answer = dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.5).answer
        except Exception:  # noqa: BLE001 - reloading
            return None
        return int(answer[0][0].serial) if answer else None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DriftServer]:
    d = tmp_path / "zones"
    d.mkdir()
    srv = DriftServer(d)
    yield srv
    stop_nsd(srv.proc)


def studio_dns(srv: DriftServer, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    sel = [a for s in SELECTORS for a in ("-s", s)]
    ips = [a for ip in IPS for a in ("--ip", ip)]
    return subprocess.run(
        [sys.executable, "-m", "studio", "dns", "drift.test", *sel, *ips]
        + ["--nameserver", srv.address, "--timeout", "10", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def drift_ids(out: str) -> Counter[str]:
    return Counter(f["id"] for f in json.loads(out)["findings"] if f["id"].startswith("drift."))


def test_the_issues_changes_give_exactly_their_ids(server: DriftServer, tmp_path: Path) -> None:
    base = tmp_path / "dns-baseline.json"
    saved = studio_dns(server, "--save-baseline", str(base), "-f", "json", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    data = json.loads(base.read_text())
    assert (data["format"], data["version"], data["domain"]) == (
        "studio-dns-baseline",
        1,
        "drift.test",
    )
    assert data["spf"]["lookups"] == 1 and data["spf"]["ips"] == dict.fromkeys(IPS, "pass")
    assert data["dkim"]["s1"] | {"key": ""} == {
        "status": "ok",
        "type": "rsa",
        "bits": 2048,
        "key": "",
    }
    assert (data["dmarc"]["p"], data["dmarc"]["pct"]) == ("reject", 100)

    # unchanged zone: no drift at all, exit 0
    same = studio_dns(server, "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr
    assert drift_ids(same.stdout) == Counter()

    server.publish(
        dmarc="v=DMARC1; p=none; rua=mailto:dmarc@drift.test",  # weaken DMARC
        s2=None,  # remove a selector
        s1=K1024,  # rotate a key to 1024 bits
        # drop 192.0.2.26, and add includes up to 9 lookups
        spf="v=spf1 ip4:192.0.2.25 include:relay.drift.test "
        + " ".join(f"include:{i}" for i in INCLUDES)
        + " -all",
    )
    changed = studio_dns(server, "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert changed.returncode == 1
    assert drift_ids(changed.stdout) == Counter(
        {
            "drift.dmarc-weakened": 1,
            "drift.dkim-selector-gone": 1,
            "drift.dkim-key-shorter": 1,
            "drift.spf-lookups-near-limit": 1,
            "drift.spf-ip-dropped": 1,
            "drift.spf-include-added": 8,
        }
    )
    by_id = {f["id"]: f for f in json.loads(changed.stdout)["findings"] if "drift." in f["id"]}
    assert by_id["drift.spf-ip-dropped"]["subject"] == "192.0.2.26"
    assert by_id["drift.dkim-selector-gone"]["subject"] == "s2._domainkey.drift.test"
    assert by_id["drift.dkim-key-shorter"]["subject"] == "s1._domainkey.drift.test"
    assert "1024" in by_id["drift.dkim-key-shorter"]["message"]
    assert all(by_id[i]["severity"] == "error" for i in by_id if i != "drift.spf-include-added")
    assert by_id["drift.spf-include-added"]["severity"] == "info"

    # the other formats carry them too; the text report says what it compared with
    sarif = studio_dns(server, "--baseline", str(base), "-f", "sarif", cwd=tmp_path)
    assert sarif.returncode == 1 and "drift.dmarc-weakened" in sarif.stdout
    text = studio_dns(server, "--baseline", str(base), cwd=tmp_path)
    assert f"Drift against {base}: 13 change(s)" in text.stdout
    assert "[drift.spf-lookups-near-limit]" in text.stdout

    # accepting the change: a new baseline, and then nothing drifts
    studio_dns(server, "--save-baseline", str(base), "-f", "json", cwd=tmp_path)
    again = studio_dns(server, "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert drift_ids(again.stdout) == Counter()


def test_only_info_drift_passes_fail_on_error(server: DriftServer, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    studio_dns(server, "--save-baseline", str(base), "-f", "json", cwd=tmp_path)
    server.publish(
        s1=K2048_B,  # rotated to a key of the same size
        dmarc="v=DMARC1; p=reject; rua=mailto:dmarc@drift.test,mailto:more@drift.test",
        spf=BASE["spf"].replace(" -all", " include:i1.drift.test -all"),
    )
    out = studio_dns(server, "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    assert drift_ids(out.stdout) == Counter(
        {
            "drift.dkim-key-rotated": 1,
            "drift.dmarc-reports-changed": 1,
            "drift.spf-include-added": 1,
            "drift.spf-lookups-changed": 1,
        }
    )
    assert (
        studio_dns(server, "--baseline", str(base), "--fail-on", "warning", cwd=tmp_path).returncode
        == 0
    )


def test_more_regressions(server: DriftServer, tmp_path: Path) -> None:
    kw: dict[str, Any] = {
        "selectors": SELECTORS,
        "ips": IPS,
        "marketing_domain": "news.drift.test",
        "marketing_selectors": ("m1",),
    }

    def run() -> dict[str, Any]:
        resolver = resolver_for(nameservers=[server.address], timeout=10)
        return snapshot(preflight_sync("drift.test", resolver=resolver, **kw))

    before = run()
    assert before["separation"] == {"status": "separate", "marketing_domain": "news.drift.test"}
    assert before["ptr"]["192.0.2.26"] == {"status": "ok", "names": ["out2.drift.test"]}
    server.publish(
        spf="v=spf1 ip4:192.0.2.25 ip4:192.0.2.26 include:relay.drift.test a:gone.drift.test ~all",
        dmarc="v=DMARC1; p=reject; rua=mailto:dmarc@drift.test; adkim=r",
        mx=None,
        sts=None,
        rpt="v=TLSRPTv1; rua=mailto:tls2@drift.test",
        bimi=None,
        out2="192.0.2.99",  # the PTR name no longer resolves back to 192.0.2.26
        news_key=K2048,  # the marketing domain publishes the transactional key
    )
    found = Counter(f.id for f in compare(before, run()))
    assert found == Counter(
        {
            "drift.spf-all-weakened": 1,
            "drift.spf-voids-up": 1,
            "drift.spf-lookups-changed": 1,
            "drift.mx-gone": 1,
            "drift.mta-sts-gone": 1,
            "drift.tlsrpt-changed": 1,
            "drift.bimi-gone": 1,
            "drift.ptr-mismatch": 1,
            "drift.domain-shared": 1,
        }
    )
    # adkim= was r by default: writing it out is no drift; the same for the dmarc record
    server.publish()
    assert compare(before, run()) == []


def _snapshot(server: DriftServer, selectors: tuple[str, ...] = SELECTORS) -> dict[str, Any]:
    resolver = resolver_for(nameservers=[server.address], timeout=10)
    return snapshot(preflight_sync("drift.test", resolver=resolver, selectors=selectors, ips=IPS))


def test_repairs_are_info(server: DriftServer) -> None:
    server.publish(
        spf="v=spf1 ip4:192.0.2.25 " + " ".join(f"include:{i}" for i in INCLUDES) + " -all",
        s2=None,
        dmarc="v=DMARC1; p=none; rua=mailto:dmarc@drift.test",
        mx=None,
        sts=None,
        bimi=None,
        out2="192.0.2.99",
    )
    broken = _snapshot(server)
    server.publish()  # everything as it should be again
    found = compare(broken, _snapshot(server))
    assert Counter(f.id for f in found) == Counter(
        {
            "drift.spf-include-removed": 8,
            "drift.spf-include-added": 1,  # relay.drift.test is back
            "drift.spf-lookups-changed": 1,
            "drift.spf-ip-added": 1,
            "drift.dkim-selector-added": 1,
            "drift.dmarc-strengthened": 1,
            "drift.mx-changed": 1,
            "drift.mta-sts-changed": 1,
            "drift.bimi-changed": 1,
            "drift.ptr-changed": 1,
        }
    )
    assert {f.severity for f in found} == {Severity.INFO}


def test_records_gone_and_a_report_address_unauthorised(server: DriftServer) -> None:
    server.publish(dmarc="v=DMARC1; p=reject; rua=mailto:agg@ext.test")
    before = _snapshot(server)
    assert before["dmarc"]["authorised"] == ["mailto:agg@ext.test"]
    server.publish(
        dmarc="v=DMARC1; p=reject; rua=mailto:agg@ext.test",
        ext_auth=False,
        rpt=None,
        sts="v=STSv1; id=20260202",  # a new policy file (its mode is not fetched)
    )
    after = _snapshot(server, selectors=("s1",))  # s2 no longer in the settings
    assert after["mta_sts"]["mode"] is None and "not fetched" in after["mta_sts"]["policy"]
    assert Counter(f.id for f in compare(before, after)) == Counter(
        {
            "drift.dmarc-report-unauthorised": 1,
            "drift.tlsrpt-gone": 1,
            "drift.mta-sts-changed": 1,
            "drift.scope-changed": 1,
        }
    )
    server.publish(spf=None, dmarc=None)
    gone = _snapshot(server)
    assert gone["spf"]["ips"] == dict.fromkeys(IPS, "none")
    assert Counter(f.id for f in compare(before, gone)) == Counter(
        {"drift.spf-gone": 1, "drift.dmarc-gone": 1}
    )
    # and back: the IPs are authorised again
    assert Counter(f.id for f in compare(gone, before)) == Counter(
        {"drift.spf-ip-added": 2, "drift.dmarc-strengthened": 1}
    )


def test_every_drift_id_has_a_case() -> None:
    import ast

    tree = ast.parse(Path(__file__).read_text())
    used = {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("drift.")
    }
    assert {i for i in DNS_IDS if i.startswith("drift.")} <= used


def test_a_baseline_of_another_domain_or_version_is_one_line_exit_2(
    server: DriftServer, tmp_path: Path
) -> None:
    base = tmp_path / "b.json"
    studio_dns(server, "--save-baseline", str(base), "-f", "json", cwd=tmp_path)
    data = json.loads(base.read_text())
    cases = {
        "other.json": data | {"domain": "mail.other.test"},
        "future.json": data | {"version": 99},
        "notbaseline.json": {"hello": 1},
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(json.dumps(content))
    (tmp_path / "broken.json").write_text("{not json")
    for name in [*cases, "broken.json", "missing.json"]:
        out = studio_dns(server, "--baseline", str(tmp_path / name), cwd=tmp_path)
        assert out.returncode == 2, (name, out.stdout, out.stderr)
        assert out.stdout == "" and "Traceback" not in out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0], lines
    assert (
        "mail.other.test"
        in studio_dns(server, "--baseline", str(tmp_path / "other.json"), cwd=tmp_path).stderr
    )
    assert (
        "version 99"
        in studio_dns(server, "--baseline", str(tmp_path / "future.json"), cwd=tmp_path).stderr
    )
    nowhere = studio_dns(server, "--save-baseline", str(tmp_path / "no" / "b.json"), cwd=tmp_path)
    assert nowhere.returncode == 2 and nowhere.stdout == ""
    assert len(nowhere.stderr.strip().splitlines()) == 1 and "b.json" in nowhere.stderr


def test_the_settings_baseline_is_compared_by_default(server: DriftServer, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "studio.toml").write_text(
        'transactional_domain = "drift.test"\ndkim_selectors = ["s1", "s2"]\n'
        'sending_ips = ["192.0.2.25", "192.0.2.26"]\n'
        f'[dns]\nnameservers = ["{server.address}"]\ntimeout = 10\nbaseline = "dns-baseline.json"\n'
    )
    run = [sys.executable, "-m", "studio", "dns", "-f", "json"]
    # configured but not saved yet: one line naming the setting and the file
    early = subprocess.run(run, cwd=ws, capture_output=True, text=True)
    assert early.returncode == 2 and early.stdout == ""
    assert "dns.baseline" in early.stderr and "dns-baseline.json" in early.stderr
    # --save-baseline writes the first one
    first = subprocess.run(
        [*run, "--save-baseline", "dns-baseline.json"], cwd=ws, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert drift_ids(first.stdout) == Counter()
    server.publish(dmarc="v=DMARC1; p=quarantine; rua=mailto:dmarc@drift.test")
    out = subprocess.run(run, cwd=ws, capture_output=True, text=True)
    assert out.returncode == 1
    assert drift_ids(out.stdout) == Counter({"drift.dmarc-weakened": 1})
    # studio check reports the same drift (its DNS part, in process)
    from studio.core.check import dns_findings
    from studio.core.workspace import Workspace

    assert {f.id for f in dns_findings(Workspace.open(ws))} >= {"drift.dmarc-weakened"}


def test_load_baseline_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a DNS baseline"):
        (tmp_path / "x.json").write_text("[]")
        load_baseline(tmp_path / "x.json", "drift.test")


def test_every_drift_id_is_in_the_catalogue_with_regressions_as_errors() -> None:
    drift = {i for i in DNS_IDS if i.startswith("drift.")}
    info = {i for i in drift if CATALOGUE[i].severity == Severity.INFO}
    assert drift - info == {
        i
        for i in drift
        if i.endswith(("-gone", "-weakened", "-dropped", "-near-limit", "-up", "-shorter"))
        or i in ("drift.ptr-mismatch", "drift.domain-shared", "drift.dmarc-report-unauthorised")
    }
    assert all(CATALOGUE[i].severity == Severity.ERROR for i in drift - info)


def test_docs_list_every_drift_id_in_its_severity_column() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "dns.md").read_text()
    rows = [line for line in docs.splitlines() if line.startswith("| `drift.")]
    for i in (i for i in DNS_IDS if i.startswith("drift.")):
        [row] = [r for r in rows if f"`{i}`" in r]
        error_column = row.split("|")[1]
        assert (f"`{i}`" in error_column) == (CATALOGUE[i].severity == Severity.ERROR), i


def test_a_bad_baseline_is_refused_before_any_dns_query(tmp_path: Path) -> None:
    """A broken or foreign baseline, or nowhere to save one, is a one-line exit 2 before
    the preflight: a nameserver that never answers sees no query (the old order
    queried first and would wait out the timeout)."""
    (tmp_path / "broken.json").write_text("{not json")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.setblocking(False)
        port = silent.getsockname()[1]
        for args in (
            ["--baseline", str(tmp_path / "broken.json")],
            ["--baseline", str(tmp_path / "missing.json")],
            ["--save-baseline", str(tmp_path / "no" / "b.json")],
        ):
            out = subprocess.run(
                [sys.executable, "-m", "studio", "dns", "drift.test", "-s", "s1"]
                + ["--nameserver", f"127.0.0.1:{port}", "--timeout", "600", *args],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                timeout=300,
            )
            assert out.returncode == 2, (args, out.stderr)
            assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        with pytest.raises(BlockingIOError):
            silent.recv(512)  # no query was sent
