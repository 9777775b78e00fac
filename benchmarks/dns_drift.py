"""DNS drift benchmark: the baseline comparison adds no DNS query (issue 22).

    python benchmarks/dns_drift.py [--rounds N] [--delay-ms D]

Against the nsd fixture zones on loopback, behind the counting proxy of
``dns_preflight.py`` (D ms added to each answer, default 20), ``studio dns good.test``
(2 selectors, a sending IP) is run as a command three ways: plain, with
``--save-baseline`` and with ``--baseline``; the proxy counts the queries each run
sends. Then, in process, the median over N rounds of the preflight itself against
building the snapshot and comparing it with the baseline. Exits 1 when a run with
a baseline sends more queries than one without.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dns_preflight import Proxy, delay_proxy, start_nsd  # noqa: E402

from studio.core.dns import preflight_sync, resolver_for  # noqa: E402
from studio.core.dns.drift import compare, load_baseline, save_baseline, snapshot  # noqa: E402

DOMAIN = "good.test"
ARGS = ["-s", "s1", "-s", "esp", "--ip", "192.0.2.25"]


def cli_queries(ns: str, *extra: str) -> int:
    before = Proxy.queries
    out = subprocess.run(
        [sys.executable, "-m", "studio", "dns", DOMAIN, *ARGS, "--nameserver", ns, "-f", "json"]
        + list(extra),
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1):
        raise SystemExit(f"studio dns failed: {out.stderr.strip()}")
    return Proxy.queries - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_nsd(Path(tmp))
        try:
            ns = f"127.0.0.1:{delay_proxy(port, args.delay_ms / 1000)}"
            base = Path(tmp) / "baseline.json"
            plain = cli_queries(ns)
            saving = cli_queries(ns, "--save-baseline", str(base))
            comparing = cli_queries(ns, "--baseline", str(base))
            preflights, drifts = [], []
            for _ in range(args.rounds):
                started = time.perf_counter()
                report = preflight_sync(
                    DOMAIN,
                    resolver=resolver_for(nameservers=[ns]),
                    selectors=["s1", "esp"],
                    ips=["192.0.2.25"],
                )
                preflights.append(time.perf_counter() - started)
                started = time.perf_counter()
                found = compare(load_baseline(base, DOMAIN), snapshot(report))
                drifts.append(time.perf_counter() - started)
                assert found == [], found
            save_baseline(report, Path(tmp) / "again.json")
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"studio dns {DOMAIN}, {args.delay_ms:.0f} ms per answer (queries counted at the proxy)")
    print(f"  plain:            {plain} queries")
    print(f"  --save-baseline:  {saving} queries")
    print(f"  --baseline:       {comparing} queries")
    print(f"In process, median of {args.rounds} rounds:")
    print(f"  preflight:                  {statistics.median(preflights) * 1000:8.1f} ms")
    print(f"  snapshot + compare (drift): {statistics.median(drifts) * 1000:8.3f} ms")
    if not plain == saving == comparing:
        raise SystemExit("the baseline changed the number of DNS queries")


if __name__ == "__main__":
    main()
