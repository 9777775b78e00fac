"""DNS benchmark: the preflight with concurrent checks against the same checks run one
after another (the baseline), against a real nsd on loopback with a simulated delay.

    python benchmarks/dns_preflight.py [--rounds N] [--delay-ms D]

nsd answers in microseconds on loopback, which hides what concurrency buys against
real nameservers; a small UDP proxy adds D ms to every answer (default 20 ms, a
typical recursive round trip). Prints the median wall time of each mode, their
ratio, and the queries made and answered from the run's cache.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def delay_proxy(upstream: int, delay: float) -> int:
    """A UDP proxy on loopback that forwards queries to nsd and answers after ``delay``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def handle(data: bytes, client: tuple[str, int]) -> None:
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        up.sendto(data, ("127.0.0.1", upstream))
        try:
            answer = up.recv(65535)
        except OSError:
            return
        time.sleep(delay)
        sock.sendto(answer, client)

    def serve() -> None:
        while True:
            data, client = sock.recvfrom(65535)
            threading.Thread(target=handle, args=(data, client), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return int(sock.getsockname()[1])


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_nsd(Path(tmp))
        try:
            ns = f"127.0.0.1:{delay_proxy(port, args.delay_ms / 1000)}"
            conc, seq = [], []
            report = None
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                report = asyncio.run(
                    preflight("good.test", resolver=resolver_for(nameservers=[ns]), **KW)
                )  # type: ignore[arg-type]
                conc.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                asyncio.run(sequential(ns))
                seq.append(time.perf_counter() - t0)
        finally:
            proc.terminate()
    assert report is not None
    c, s = statistics.median(conc), statistics.median(seq)
    print(
        f"DNS preflight of good.test, {args.delay_ms:.0f} ms per answer,"
        f" median of {args.rounds} runs"
    )
    print(f"  checks one after another (baseline): {s * 1000:7.1f} ms")
    print(f"  concurrent checks:                   {c * 1000:7.1f} ms  ({s / c:.1f}x faster)")
    print(f"  {report.queries} queries, {report.cache_hits} answered from the run's cache")


if __name__ == "__main__":
    main()
