"""A real authoritative DNS server (Debian's nsd) on loopback, serving fixture zones.

The zones are written at session start (DKIM keys are generated then, so no key is
committed): ``good.test`` passes every check; ``broken.test`` has one subdomain per
problem; ``provider.test`` plays an ESP for CNAMEd DKIM keys; ``nodmarc.test`` has no
DMARC anywhere; ``2.0.192.in-addr.arpa`` holds PTRs.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

HEADER = """$ORIGIN {origin}.
$TTL 300
@ IN SOA ns1.good.test. hostmaster.good.test. 1 3600 600 86400 300
@ IN NS ns1.good.test.
"""


def _rsa(bits: int) -> str:
    if bits >= 1024:
        public = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    else:  # too weak to generate: a public key of that size is all the check reads
        n = (1 << (bits - 1)) | (secrets.randbits(bits - 2) << 1) | 1
        public = rsa.RSAPublicNumbers(65537, n).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def _ed25519() -> str:
    raw = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()


def txt(value: str) -> str:
    return "( " + " ".join(f'"{value[i : i + 250]}"' for i in range(0, len(value), 250)) + " )"


def zones() -> dict[str, str]:
    k2048 = _rsa(2048)
    long_spf = "v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(1, 40)) + " -all"
    good = (
        HEADER.format(origin="good.test")
        + f"""
ns1 IN A 127.0.0.1
@ IN MX 10 mx.good.test.
mx IN A 192.0.2.10
@ IN TXT "v=spf1 ip4:192.0.2.25 include:spf.provider.test -all"
out IN A 192.0.2.25
s1._domainkey IN TXT {txt("v=DKIM1; k=rsa; p=" + k2048)}
esp._domainkey IN CNAME key1.dkim.provider.test.
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test,mailto:agg@reports.provider.test"
_mta-sts IN TXT "v=STSv1; id=2026112401"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@good.test"
default._bimi IN TXT "v=BIMI1; l=https://cdn.good.test/logo.svg; a=https://cdn.good.test/vmc.pem"
news IN TXT "v=spf1 ip4:198.51.100.80 -all"
m1._domainkey.news IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(2048))}
"""
    )
    provider = (
        HEADER.format(origin="provider.test")
        + f"""
spf IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
key1.dkim IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(2048))}
good.test._report._dmarc.reports IN TXT "v=DMARC1"
"""
    )
    b = "broken.test"
    broken = (
        HEADER.format(origin=b)
        + f"""
_dmarc IN TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@broken.test"
; -- SPF
nospf IN TXT "hello"
multi IN TXT "v=spf1 -all"
multi IN TXT "v=spf1 ip4:192.0.2.1 -all"
syntax IN TXT "v=spf1 ip4:300.1.1.1 foo:bar -all"
deep IN TXT "v=spf1 include:d1.{b} include:d2.{b} include:d3.{b} -all"
d1 IN TXT "v=spf1 a mx include:d4.{b} -all"
d1 IN A 192.0.2.1
d1 IN MX 10 x1.{b}.
d2 IN TXT "v=spf1 a:x1.{b} a:x2.{b} a:x3.{b} -all"
d3 IN TXT "v=spf1 exists:%{{i}}.e.{b} include:d4.{b} -all"
d4 IN TXT "v=spf1 a:x1.{b} a:x2.{b} -all"
x1 IN A 192.0.2.11
x2 IN A 192.0.2.12
x3 IN A 192.0.2.13
void IN TXT "v=spf1 include:nope1.{b} a:nope2.{b} a:nope3.{b} -all"
loop IN TXT "v=spf1 include:loop.{b} -all"
plusall IN TXT "v=spf1 +all"
noall IN TXT "v=spf1 ip4:192.0.2.1"
ptr IN TXT "v=spf1 ptr -all"
ipfail IN TXT "v=spf1 ip4:192.0.2.1 mx -all"
long IN TXT {txt(long_spf)}
macro IN TXT "v=spf1 exists:%{{ir}}.allow.{b} -all"
25.2.0.192.allow IN A 127.0.0.2
; -- DKIM (selectors under dk.broken.test)
bad._domainkey.dk IN TXT "v=DKIM1; k=rsa; p=!!!notbase64"
revoked._domainkey.dk IN TXT "v=DKIM1; k=rsa; p="
short._domainkey.dk IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(1024))}
tiny._domainkey.dk IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(512))}
testing._domainkey.dk IN TXT {txt("v=DKIM1; k=rsa; t=y; p=" + k2048)}
sha1._domainkey.dk IN TXT {txt("v=DKIM1; k=rsa; h=sha1; p=" + k2048)}
ed._domainkey.dk IN TXT "v=DKIM1; k=ed25519; p={_ed25519()}"
; -- DMARC
_dmarc.dm-none IN TXT "v=DMARC1; p=none; rua=mailto:d@broken.test"
_dmarc.dm-pct IN TXT "v=DMARC1; p=reject; pct=50; rua=mailto:d@broken.test"
_dmarc.dm-norua IN TXT "v=DMARC1; p=reject"
_dmarc.dm-multi IN TXT "v=DMARC1; p=reject; rua=mailto:d@broken.test"
_dmarc.dm-multi IN TXT "v=DMARC1; p=none; rua=mailto:d@broken.test"
_dmarc.dm-syntax IN TXT "v=DMARC1; p=maybe; rua=mailto:d@broken.test"
_dmarc.dm-ext IN TXT "v=DMARC1; p=reject; rua=mailto:r@reports.provider.test"
sub IN A 192.0.2.9
; -- MX, MTA-STS, TLS-RPT, BIMI
nullmx IN MX 0 .
_mta-sts.sts-bad IN TXT "v=STSv1; id=bad-id!"
_smtp._tls.rpt-bad IN TXT "v=TLSRPTv1; rua=ftp://x.broken.test"
default._bimi.bimi-bad IN TXT "v=BIMI1; l=http://cdn.broken.test/logo.png"
_dmarc.bimi-bad IN TXT "v=DMARC1; p=none; rua=mailto:d@broken.test"
; -- PTR targets
fcrdns IN A 192.0.2.25
wrongptr IN A 192.0.2.51
"""
    )
    nodmarc = HEADER.format(origin="nodmarc.test") + '@ IN TXT "v=spf1 -all"\n'
    reverse = (
        HEADER.format(origin="2.0.192.in-addr.arpa")
        + f"""
25 IN PTR fcrdns.{b}.
50 IN PTR wrongptr.{b}.
"""
    )
    return {
        "good.test": good,
        "provider.test": provider,
        b: broken,
        "nodmarc.test": nodmarc,
        "2.0.192.in-addr.arpa": reverse,
    }


def free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


@pytest.fixture(scope="session")
def zone_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("zones")
    for origin, text in zones().items():
        (d / f"{origin}.zone").write_text(text)
    return d


@pytest.fixture(scope="session")
def nameserver(zone_dir: Path) -> Iterator[str]:
    """``127.0.0.1:PORT`` of a running nsd serving the fixture zones."""
    nsd = shutil.which("nsd") or ("/usr/sbin/nsd" if Path("/usr/sbin/nsd").exists() else None)
    if nsd is None:
        pytest.skip("nsd is not installed (apt-get install nsd; .ci/run does)")
    port = free_port()
    conf = zone_dir / "nsd.conf"
    zone_conf = "".join(
        f"zone:\n  name: {p.name.removesuffix('.zone')}\n  zonefile: {p}\n"
        for p in sorted(zone_dir.glob("*.zone"))
    )
    conf.write_text(
        f"""server:
  ip-address: 127.0.0.1
  port: {port}
  username: ""
  chroot: ""
  zonesdir: "{zone_dir}"
  pidfile: "{zone_dir}/nsd.pid"
  database: ""
  xfrdfile: "{zone_dir}/xfrd.state"
  zonelistfile: "{zone_dir}/zone.list"
  logfile: "{zone_dir}/nsd.log"
  verbosity: 1
remote-control:
  control-enable: no
{zone_conf}"""
    )
    proc = subprocess.Popen(
        [nsd, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    import dns.message
    import dns.query

    deadline = time.monotonic() + 15
    while True:
        try:
            q = dns.message.make_query("good.test.", "SOA")
            if dns.query.udp(q, "127.0.0.1", port=port, timeout=0.5).answer:
                break
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log = (zone_dir / "nsd.log").read_text() if (zone_dir / "nsd.log").exists() else ""
            proc.kill()
            pytest.fail(f"nsd did not start: {log[-2000:]}")
        time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def silent_nameserver() -> Iterator[str]:
    """A UDP socket on loopback that never answers (for dns.timeout)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
