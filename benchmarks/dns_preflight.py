"""DNS benchmark against a real nsd on loopback with a simulated delay.

    python benchmarks/dns_preflight.py [--rounds N] [--delay-ms D]

Two figures, each a median over N rounds:

1. the preflight with concurrent checks against the same checks run one after
   another (the baseline);
2. ``studio dns`` (the full preflight: SPF tree and check_host, 2 DKIM selectors,
   DMARC, MX, MTA-STS, TLS-RPT, BIMI, PTR, marketing separation) against checkdmarc
   (the baseline) on the same domain through the same server: its DNS-only checks,
   SPF, DMARC, MX (without the STARTTLS probe) and TLS-RPT. Its MTA-STS and BIMI
   checks download over HTTPS, so they are left out (traffic stays on loopback);
   checkdmarc's DNS cache is cleared before each round.

nsd answers in microseconds on loopback, which hides what concurrency buys against
real nameservers; a small UDP proxy adds D ms to every answer (default 20 ms, a
typical recursive round trip) and counts the queries each tool sends.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import checkdmarc.dmarc  # noqa: E402
import checkdmarc.smtp  # noqa: E402
import checkdmarc.smtp_tls_reporting  # noqa: E402
import checkdmarc.spf  # noqa: E402
import checkdmarc.utils  # noqa: E402
import dns.nameserver  # noqa: E402

from studio.core.dns import preflight, resolver_for  # noqa: E402
from studio.core.dns.checks import CHECKS, DnsContext  # noqa: E402
from tests.dns.conftest import free_port, zones  # noqa: E402

KW = {
    "selectors": ["s1", "esp"],
    "ips": ["192.0.2.25"],
    "marketing_domain": "news.good.test",
    "marketing_selectors": ["m1"],
}


def start_nsd(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    for origin, text in zones().items():
        (tmp / f"{origin}.zone").write_text(text)
    port = free_port()
    zone_conf = "".join(
        f"zone:\n  name: {p.name.removesuffix('.zone')}\n  zonefile: {p}\n"
        for p in sorted(tmp.glob("*.zone"))
    )
    (tmp / "nsd.conf").write_text(
        f'server:\n  ip-address: 127.0.0.1\n  port: {port}\n  username: ""\n  chroot: ""\n'
        f'  zonesdir: "{tmp}"\n  pidfile: "{tmp}/nsd.pid"\n  database: ""\n'
        f'  xfrdfile: "{tmp}/x"\n  zonelistfile: "{tmp}/zl"\n  logfile: "{tmp}/log"\n'
        f"remote-control:\n  control-enable: no\n{zone_conf}"
    )
    proc = subprocess.Popen(["nsd", "-d", "-c", str(tmp / "nsd.conf")])
    time.sleep(1.0)
    return proc, port


class Proxy:
    """Counts the queries that went through the delay proxy."""

    queries = 0


def delay_proxy(upstream: int, delay: float) -> int:
    """A proxy on loopback (UDP and TCP, one port) that forwards queries to nsd and
    answers after ``delay``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    listener = socket.create_server(("127.0.0.1", port))

    def handle(data: bytes, client: tuple[str, int]) -> None:
        Proxy.queries += 1
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        up.sendto(data, ("127.0.0.1", upstream))
        try:
            answer = up.recv(65535)
        except OSError:
            return
        time.sleep(delay)
        sock.sendto(answer, client)

    def handle_tcp(conn: socket.socket) -> None:  # one length-prefixed message per query
        with conn, socket.create_connection(("127.0.0.1", upstream), timeout=2) as up:
            while (size := conn.recv(2)) and len(size) == 2:
                Proxy.queries += 1
                up.sendall(size + _read(conn, int.from_bytes(size, "big")))
                length = _read(up, 2)
                answer = length + _read(up, int.from_bytes(length, "big"))
                time.sleep(delay)
                conn.sendall(answer)

    def serve() -> None:
        while True:
            data, client = sock.recvfrom(65535)
            threading.Thread(target=handle, args=(data, client), daemon=True).start()

    def serve_tcp() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle_tcp, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    threading.Thread(target=serve_tcp, daemon=True).start()
    return port


def _read(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n and (chunk := conn.recv(n - len(data))):
        data += chunk
    return data


async def sequential(ns: str) -> None:
    ctx = DnsContext(
        domain="good.test",
        resolver=resolver_for(nameservers=[ns]),
        selectors=("s1", "esp"),
        ips=("192.0.2.25",),
        marketing_domain="news.good.test",
        marketing_selectors=("m1",),
    )
    for check in CHECKS:
        await check(ctx)


def with_checkdmarc(ns: str, domain: str) -> None:
    """checkdmarc's DNS-only checks of ``domain``, as its check_domains() runs them."""
    host, port = ns.split(":")
    kw = {"nameservers": [dns.nameserver.Do53Nameserver(host, int(port))], "timeout": 2.0}
    checkdmarc.utils.DNS_CACHE.clear()
    spf = checkdmarc.spf.check_spf(domain, **kw)  # type: ignore[arg-type]
    dmarc = checkdmarc.dmarc.check_dmarc(domain, **kw)  # type: ignore[arg-type]
    checkdmarc.smtp.check_mx(domain, check_mx_tls=False, **kw)  # type: ignore[arg-type]
    checkdmarc.smtp_tls_reporting.check_smtp_tls_reporting(domain, **kw)  # type: ignore[arg-type]
    assert spf["valid"] and dmarc["valid"], (spf, dmarc)


def timed(rounds: int, run: Callable[[], object]) -> tuple[float, int]:
    """The median wall time of ``run`` and the queries one run sent through the proxy."""
    times = []
    for _ in range(rounds):
        before = Proxy.queries
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
        queries = Proxy.queries - before
    return statistics.median(times), queries


def main() -> None:
    logging.getLogger("checkdmarc").setLevel(logging.ERROR)  # its notes on the fixtures
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    reports = []

    def concurrent() -> None:
        reports.append(
            asyncio.run(preflight("good.test", resolver=resolver_for(nameservers=[ns]), **KW))  # type: ignore[arg-type]
        )

    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_nsd(Path(tmp))
        try:
            ns = f"127.0.0.1:{delay_proxy(port, args.delay_ms / 1000)}"
            c, studio_queries = timed(args.rounds, concurrent)
            s, _ = timed(args.rounds, lambda: asyncio.run(sequential(ns)))
            cd, cd_queries = timed(args.rounds, lambda: with_checkdmarc(ns, "good.test"))
        finally:
            proc.terminate()
            proc.wait(10)  # before its directory goes
    report = reports[-1]
    print(
        f"DNS preflight of good.test, {args.delay_ms:.0f} ms per answer,"
        f" median of {args.rounds} runs"
    )
    print(f"  checks one after another (baseline): {s * 1000:7.1f} ms")
    print(f"  concurrent checks:                   {c * 1000:7.1f} ms  ({s / c:.1f}x faster)")
    print(f"  {report.queries} queries, {report.cache_hits} answered from the run's cache")
    print("studio dns against checkdmarc on good.test, same server and delay")
    print(
        f"  checkdmarc SPF+DMARC+MX+TLS-RPT (baseline): {cd * 1000:7.1f} ms, {cd_queries} queries"
    )
    print(
        f"  studio dns, every check:                   {c * 1000:7.1f} ms, {studio_queries} queries"
        f"  ({cd / c:.1f}x faster)"
    )


if __name__ == "__main__":
    main()
