"""A real authoritative DNS server (Debian's nsd) on loopback, serving fixture zones.

The zones are written at session start (DKIM keys are generated then, so no key is
committed). Every scenario is a *healthy* sending name (MX, SPF, DMARC, MTA-STS,
TLS-RPT: see :func:`site`) with one thing changed, so a test can assert the exact ids
a case raises and that nothing else fires. The zones:

* ``good.test``, ``good2.test`` — pass every check (RSA and CNAMEd keys, IPv4; an
  ed25519 key, ``redirect=``, IPv6, ``p=quarantine``);
* ``provider.test`` — an ESP (SPF include, CNAMEd DKIM key); ``reports.test`` — an
  external DMARC report destination authorising some domains and not others;
* ``spf.test``, ``spflimits.test`` — one SPF problem per name (record problems;
  lookup limits, void lookups, loops);
* ``dkim.test`` — one DKIM problem per selector; ``dmarc.test`` — one DMARC problem
  per name; ``subpolicy.test`` — a weaker ``sp=``; ``nodmarc.test`` — no DMARC;
* ``nullmx.test`` — null MX and no MX; ``bimi.test`` — BIMI; ``transport.test`` —
  MTA-STS and TLS-RPT; ``market.test`` — a key shared with marketing;
* ``hostile.test`` — records that try to break a checker (include loop, 100 includes,
  10 KB TXT, non-ASCII bytes, a CNAME loop); ``fanout.test`` — include trees that
  fan out without loops (18 levels of two names each; more records than a tree fetches);
* ``test`` — the parent of them all (other names under it do not exist);
* ``relays.test`` and the relay providers' zones — a correct and a wrong setup per
  relay preset (``relay_zones.py``);
* ``hosts.test`` and the reverse zones ``2.0.192.in-addr.arpa`` and
  ``5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa`` — PTR scenarios.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from .relay_zones import relay_zones

HEADER = """$ORIGIN {origin}.
$TTL 300
@ IN SOA ns1.good.test. hostmaster.good.test. 1 3600 600 86400 300
@ IN NS ns1.good.test.
mx IN A 192.0.2.10
"""
SPF_OK = "v=spf1 ip4:192.0.2.0/24 -all"


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


def txt(value: str, chunk: int = 250) -> str:
    """A TXT value in zone-file syntax, as several character-strings of ``chunk`` bytes."""
    parts = (value[i : i + chunk] for i in range(0, len(value), chunk))
    return "( " + " ".join(f'"{p}"' for p in parts) + " )"


def site(
    zone: str,
    name: str = "@",
    *,
    spf: str | None = SPF_OK,
    mx: bool = True,
    sts: bool = True,
    rpt: bool = True,
    dmarc: str | None = None,
) -> str:
    """The records of a healthy sending name ``name`` (relative; ``@`` is the apex).

    Without ``dmarc`` a subdomain inherits the policy of its organisational domain.
    """
    sub = "" if name == "@" else f".{name}"
    lines = [f"{name} IN MX 10 mx.{zone}."] if mx else []
    lines += [f"{name} IN TXT {txt(spf)}"] if spf is not None else []
    lines += [f'_mta-sts{sub} IN TXT "v=STSv1; id=20260101"'] if sts else []
    lines += [f'_smtp._tls{sub} IN TXT "v=TLSRPTv1; rua=mailto:tls@{zone}"'] if rpt else []
    lines += [f"_dmarc{sub} IN TXT {txt(dmarc)}"] if dmarc else []
    return "\n".join(lines) + "\n"


def zone(origin: str, body: str, *, dmarc: str | None = None) -> str:
    """A zone whose apex is a healthy sending domain (``p=reject`` unless ``dmarc``)."""
    policy = dmarc or f"v=DMARC1; p=reject; rua=mailto:dmarc@{origin}"
    return HEADER.format(origin=origin) + site(origin, dmarc=policy) + body


def _good(k2048: str) -> str:
    return f"""ns1 IN A 127.0.0.1
out IN A 192.0.2.25
s1._domainkey IN TXT {txt("v=DKIM1; k=rsa; p=" + k2048)}
esp._domainkey IN CNAME key1.dkim.provider.test.
default._bimi IN TXT "v=BIMI1; l=https://cdn.good.test/logo.svg; a=https://cdn.good.test/vmc.pem"
news IN TXT "v=spf1 ip4:198.51.100.80 -all"
m1._domainkey.news IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(2048))}
"""


def _good2() -> str:
    return f"""@ IN AAAA 2001:db8:25::25
out IN A 192.0.2.26
out IN AAAA 2001:db8:25::25
ed._domainkey IN TXT "v=DKIM1; k=ed25519; p={_ed25519()}"
rsa._domainkey IN TXT {txt("v=DKIM1; k=rsa; h=sha256; p=" + _rsa(2048))}
default._bimi IN TXT "v=BIMI1; l=https://cdn.good2.test/logo.svg"
news IN TXT "v=spf1 ip4:198.51.100.81 -all"
n1._domainkey.news IN TXT {txt("v=DKIM1; k=ed25519; p=" + _ed25519())}
"""


def _spf(k: str) -> str:
    long_spf = "v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(1, 40)) + " -all"
    return (
        'nospf IN TXT "hello"\n'
        + site(k, "nospf", spf=None)
        + 'multi IN TXT "v=spf1 ip4:192.0.2.1 -all"\n'
        + site(k, "multi", spf="v=spf1 -all")
        + site(k, "syntax", spf="v=spf1 ip4:300.1.1.1 foo:bar -all")
        + site(k, "plusall", spf="v=spf1 +all")
        + site(k, "neutral", spf="v=spf1 ip4:192.0.2.0/24 ?all")
        + site(k, "noall", spf="v=spf1 ip4:192.0.2.1")
        + site(k, "ptr", spf="v=spf1 ptr -all")
        + site(k, "ipfail", spf="v=spf1 ip4:192.0.2.1 mx -all")
        + site(k, "long", spf=long_spf)
        + site(k, "macro", spf="v=spf1 exists:%{ir}.allow.spf.test -all")
        + "25.2.0.192.allow IN A 127.0.0.2\n"
    )


def _spflimits(k: str) -> str:
    mx11 = "".join(f"mxmany IN MX {i} x1.{k}.\n".replace("x1", f"h{i}") for i in range(11))
    return (
        site(k, "deep", spf=f"v=spf1 include:d1.{k} include:d2.{k} include:d3.{k} -all")
        + f"""d1 IN TXT "v=spf1 a mx include:d4.{k} -all"
d1 IN A 192.0.2.1
d1 IN MX 10 x1.{k}.
d2 IN TXT "v=spf1 a:x1.{k} a:x2.{k} a:x3.{k} -all"
d3 IN TXT "v=spf1 exists:%{{i}}.e.{k} include:d4.{k} -all"
d4 IN TXT "v=spf1 a:x1.{k} a:x2.{k} -all"
x1 IN A 192.0.2.11
x2 IN A 192.0.2.12
x3 IN A 192.0.2.13
"""
        + site(k, "void", spf=f"v=spf1 include:nope1.{k} a:nope2.{k} a:nope3.{k} -all")
        + site(k, "loop", spf=f"v=spf1 include:loop.{k} -all")
        + site(k, "mxmany", spf="v=spf1 mx -all", mx=False)
        + mx11
        + "".join(f"h{i} IN A 192.0.2.{100 + i}\n" for i in range(11))
    )


def _dkim(k2048: str) -> str:
    rsa_ok = "v=DKIM1; k=rsa; p=" + k2048
    return f"""good._domainkey IN TXT {txt(rsa_ok)}
esp._domainkey IN CNAME key1.dkim.provider.test.
bad._domainkey IN TXT "v=DKIM1; k=rsa; p=!!!notbase64"
revoked._domainkey IN TXT "v=DKIM1; k=rsa; p="
short._domainkey IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(1024))}
tiny._domainkey IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(512))}
testing._domainkey IN TXT {txt("v=DKIM1; k=rsa; t=y; p=" + k2048)}
sha1._domainkey IN TXT {txt("v=DKIM1; k=rsa; h=sha1; p=" + k2048)}
ed._domainkey IN TXT "v=DKIM1; k=ed25519; p={_ed25519()}"
dangling._domainkey IN CNAME gone.dkim.provider.test.
"""


def _dmarc(k: str) -> str:
    own = f"rua=mailto:d@{k}"
    return (
        site(k, "none", dmarc=f"v=DMARC1; p=none; {own}")
        + site(k, "pct", dmarc=f"v=DMARC1; p=reject; pct=50; {own}")
        + site(k, "norua", dmarc="v=DMARC1; p=reject")
        + site(k, "multi", dmarc=f"v=DMARC1; p=reject; {own}")
        + f'_dmarc.multi IN TXT "v=DMARC1; p=reject; rua=mailto:other@{k}"\n'
        + site(k, "syntax", dmarc=f"v=DMARC1; p=maybe; {own}")
        + site(k, "ext", dmarc="v=DMARC1; p=reject; rua=mailto:r@reports.test")
    )


def _bimi(k: str) -> str:
    logo = f'"v=BIMI1; l=https://cdn.{k}/logo.svg"'
    return (
        f"default._bimi IN TXT {logo}\n"
        + site(k, "bad")
        + f'default._bimi.bad IN TXT "v=BIMI1; l=http://cdn.{k}/logo.png"\n'
        + site(k, "weak", dmarc=f"v=DMARC1; p=none; rua=mailto:d@{k}")
        + f"default._bimi.weak IN TXT {logo}\n"
        + site(k, "weakpct", dmarc=f"v=DMARC1; p=quarantine; pct=50; rua=mailto:d@{k}")
        + f"default._bimi.weakpct IN TXT {logo}\n"
    )


def _transport(k: str) -> str:
    return (
        site(k, "sts-bad", sts=False)
        + '_mta-sts.sts-bad IN TXT "v=STSv1; id=bad-id!"\n'
        + site(k, "rpt-bad", rpt=False)
        + '_smtp._tls.rpt-bad IN TXT "v=TLSRPTv1; rua=ftp://x.transport.test"\n'
        + site(k, "bare", sts=False, rpt=False)
    )


def _market(key: str) -> str:
    return (
        site("market.test", "tx")
        + site("market.test", "news")
        + f"s1._domainkey.tx IN TXT {txt('v=DKIM1; k=rsa; p=' + key)}\n"
        + f"m1._domainkey.news IN TXT {txt('v=DKIM1; k=rsa; p=' + key)}\n"
    )


def _hostile(k: str) -> str:
    big = "v=spf1 " + " ".join(f"ip4:198.51.{i // 250}.{i % 250}" for i in range(600)) + " -all"
    blob = "verification=" + secrets.token_hex(5000)  # 10 KB that is not SPF
    chain = (
        "".join(f'c{i} IN TXT "v=spf1 include:c{i + 1}.{k} -all"\n' for i in range(1, 100))
        + 'c100 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n'
    )
    leaves = "v=spf1 " + " ".join(f"include:l{j}.{k}" for j in range(10)) + " -all"
    fan = "".join(f"f{i} IN TXT {txt(leaves)}\n" for i in range(10)) + "".join(
        f'l{j} IN TXT "v=spf1 ip4:192.0.2.{j} -all"\n' for j in range(10)
    )
    return (
        # the apex is healthy, with noise next to its SPF record: non-ASCII bytes and a
        # 10 KB record (the answer needs TCP)
        '@ IN TXT "note: caf\\195\\169 \\255\\254 \\000 end"\n'
        + f"@ IN TXT {txt(blob, 255)}\n"
        + site(k, "mutual", spf=f"v=spf1 include:other.{k} -all")
        + f'other IN TXT "v=spf1 include:mutual.{k} -all"\n'
        + site(k, "chain", spf=f"v=spf1 include:c1.{k} -all")
        + chain
        + site(k, "fan", spf="v=spf1 " + " ".join(f"include:f{i}.{k}" for i in range(10)) + " -all")
        + fan
        + site(k, "big", spf=None)
        + f"big IN TXT {txt(big, 255)}\n"
        + site(k, "utf8", spf=None)
        + f'utf8 IN TXT "v=spf1 ip4:192.0.2.1 include:caf\\195\\169.{k} \\255 -all"\n'
        + "loop1._domainkey IN CNAME loop2._domainkey\n"
        + "loop2._domainkey IN CNAME loop1._domainkey\n"
    )


FANOUT_DEPTH = 18
WIDE = 15  # wide.fanout.test: 15 names of 15 names each, 241 records in all


def _fanout(k: str) -> str:
    """``deep``: each level includes two names of the next level, FANOUT_DEPTH levels
    (2**19 - 2 lookups along every path, 37 records); ``wide``: more distinct records
    than a tree may fetch."""
    level = [f"a{{}}.{k}", f"b{{}}.{k}"]

    def includes(i: int) -> str:
        return "v=spf1 " + " ".join(f"include:{n.format(i)}" for n in level) + " -all"

    deep = site(k, "deep", spf=includes(1))
    for i in range(1, FANOUT_DEPTH):
        deep += "".join(f"{n.format(i)}. IN TXT {txt(includes(i + 1))}\n" for n in level)
    deep += "".join(
        f'{n.format(FANOUT_DEPTH)}. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' for n in level
    )
    wide = site(
        k, "wide", spf="v=spf1 " + " ".join(f"include:w{i}.{k}" for i in range(WIDE)) + " -all"
    )
    for i in range(WIDE):
        inner = " ".join(f"include:w{i}x{j}.{k}" for j in range(WIDE))
        wide += f"w{i} IN TXT {txt('v=spf1 ' + inner + ' -all')}\n"
        wide += "".join(f'w{i}x{j} IN TXT "v=spf1 ip4:192.0.2.{j} -all"\n' for j in range(WIDE))
    return deep + wide


def zones() -> dict[str, str]:
    k2048 = _rsa(2048)
    provider = (
        HEADER.format(origin="provider.test")
        + f"""spf IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
key1.dkim IN TXT {txt("v=DKIM1; k=rsa; p=" + _rsa(2048))}
"""
    )
    reports = HEADER.format(origin="reports.test") + "".join(
        f'{d}._report._dmarc IN TXT "v=DMARC1"\n' for d in ("good.test", "good2.test")
    )
    hosts = HEADER.format(origin="hosts.test") + "wrongptr IN A 192.0.2.51\n"
    reverse4 = HEADER.format(origin="2.0.192.in-addr.arpa") + (
        "10 IN PTR mx.spf.test.\n25 IN PTR out.good.test.\n26 IN PTR out.good2.test.\n"
        "50 IN PTR wrongptr.hosts.test.\n"
    )
    reverse6 = HEADER.format(origin="5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa") + (
        "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR out.good2.test.\n"
    )
    good_dmarc = "v=DMARC1; p=reject; rua=mailto:dmarc@good.test,mailto:agg@reports.test"
    good2_dmarc = (
        "v=DMARC1; p=quarantine; sp=reject; adkim=s; rua=mailto:dmarc@good2.test;"
        " ruf=mailto:forensic@reports.test"
    )
    good2_spf = "v=spf1 a:out.good2.test ip6:2001:db8:25::/64 redirect=spf.provider.test"
    return {
        # the parent of every fixture zone: names outside them are NXDOMAIN, as on the
        # Internet (a DMARC tree walk up to _dmarc.test gets an answer, not REFUSED)
        "test": HEADER.format(origin="test"),
        "good.test": zone("good.test", _good(k2048), dmarc=good_dmarc).replace(
            SPF_OK, "v=spf1 ip4:192.0.2.25 include:spf.provider.test -all", 1
        ),
        "good2.test": zone("good2.test", _good2(), dmarc=good2_dmarc).replace(SPF_OK, good2_spf, 1),
        "provider.test": provider,
        "reports.test": reports,
        "spf.test": zone("spf.test", _spf("spf.test")),
        "spflimits.test": zone("spflimits.test", _spflimits("spflimits.test")),
        "dkim.test": zone("dkim.test", _dkim(k2048)),
        "dmarc.test": zone("dmarc.test", _dmarc("dmarc.test")),
        "subpolicy.test": zone(
            "subpolicy.test",
            site("subpolicy.test", "mail")
            + site(
                "subpolicy.test",
                "tangle",
                spf="v=spf1 include:deep.spflimits.test -all",
                mx=False,
                sts=False,
                rpt=False,
            ),
            dmarc="v=DMARC1; p=reject; sp=none; rua=mailto:d@subpolicy.test",
        ),
        "nodmarc.test": HEADER.format(origin="nodmarc.test")
        + site("nodmarc.test")
        + site("nodmarc.test", "mail"),
        "nullmx.test": zone("nullmx.test", site("nullmx.test", "nomx", mx=False)).replace(
            "@ IN MX 10 mx.nullmx.test.", "@ IN MX 0 .", 1
        ),
        "bimi.test": zone("bimi.test", _bimi("bimi.test")),
        "transport.test": zone("transport.test", _transport("transport.test")),
        "market.test": zone("market.test", _market(_rsa(2048))),
        "hostile.test": zone("hostile.test", _hostile("hostile.test")),
        "fanout.test": zone("fanout.test", _fanout("fanout.test")),
        "hosts.test": hosts,
        "2.0.192.in-addr.arpa": reverse4,
        "5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa": reverse6,
        **relay_zones(txt("v=DKIM1; k=rsa; p=" + k2048), site, zone),
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
        return int(port)


@pytest.fixture(scope="session")
def zone_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("zones")
    for origin, text in zones().items():
        (d / f"{origin}.zone").write_text(text)
    return d


def start_nsd(zone_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start nsd serving every ``*.zone`` in ``zone_dir``; wait until it answers.

    ``SIGHUP`` makes it re-read the zone files that changed (tests/dns/test_drift.py).
    """
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

    first = sorted(zone_dir.glob("*.zone"))[0].name.removesuffix(".zone")
    deadline = time.monotonic() + 15
    while True:
        try:
            q = dns.message.make_query(first + ".", "SOA")
            if dns.query.udp(q, "127.0.0.1", port=port, timeout=0.5).answer:
                break
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log = (zone_dir / "nsd.log").read_text() if (zone_dir / "nsd.log").exists() else ""
            proc.kill()
            pytest.fail(f"nsd did not start: {log[-2000:]}")
        time.sleep(0.1)
    return proc, port


def stop_nsd(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def nameserver(zone_dir: Path) -> Iterator[str]:
    """``127.0.0.1:PORT`` of a running nsd serving the fixture zones."""
    proc, port = start_nsd(zone_dir)
    yield f"127.0.0.1:{port}"
    stop_nsd(proc)


@pytest.fixture
def silent_nameserver() -> Iterator[str]:
    """A UDP socket on loopback that never answers (for dns.timeout)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


class Listener:
    """A nameserver on loopback that never answers, and records what it was asked."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.asked: list[tuple[str, str]] = []
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        import dns.message

        while True:
            try:
                data = self.sock.recv(65535)
            except OSError:
                return
            q = dns.message.from_wire(data).question[0]
            self.asked.append((q.name.to_text(), dns.rdatatype.to_text(q.rdtype)))


@pytest.fixture
def listening_silent_nameserver() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.sock.close()


class GatedNameserver:
    """A nameserver on loopback that holds every query until the test releases it.

    Until :meth:`release` nothing is answered (the lookups wait, as on a slow
    network); after it, each held and later query is forwarded to ``upstream`` (the
    nsd fixture) and its answer relayed back. :attr:`asked` is set on the first query.
    """

    def __init__(self, upstream: str) -> None:
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.asked = threading.Event()
        self._open = threading.Event()
        self._held: list[tuple[bytes, tuple[str, int]]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                data, client = self.sock.recvfrom(65535)
            except OSError:
                return
            self.asked.set()
            with self._lock:
                if not self._open.is_set():
                    self._held.append((data, client))
                    continue
            self._forward(data, client)

    def _forward(self, data: bytes, client: tuple[str, int]) -> None:
        def run() -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                up.settimeout(60)  # a hang guard: nsd answers loopback queries at once
                up.sendto(data, self.upstream)
                try:
                    answer = up.recv(65535)
                    self.sock.sendto(answer, client)
                except OSError:
                    return

        threading.Thread(target=run, daemon=True).start()

    def release(self) -> None:
        with self._lock:
            self._open.set()
            held, self._held = self._held, []
        for data, client in held:
            self._forward(data, client)


@pytest.fixture
def gated_nameserver(nameserver: str) -> Iterator[GatedNameserver]:
    gate = GatedNameserver(nameserver)
    yield gate
    gate.sock.close()
