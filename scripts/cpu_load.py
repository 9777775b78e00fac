"""Keep the CPUs busy until killed: to prove the tests do not depend on timing.

    python scripts/cpu_load.py            # one busy loop per CPU
    python scripts/cpu_load.py -n 4       # four busy processes
    python scripts/cpu_load.py & .venv/bin/python -m pytest -q; kill %1

Each worker spins in a tight loop; Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sys


def spin() -> None:
    n = 0
    while True:
        n = (n * 1103515245 + 12345) & 0x7FFFFFFF


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=os.cpu_count() or 2, help="busy processes")
    args = parser.parse_args(argv)
    workers = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.n)]
    for w in workers:
        w.start()

    def stop(*_: object) -> None:
        for w in workers:
            w.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"cpu_load: {args.n} busy processes (pid {os.getpid()}); kill to stop", flush=True)
    for w in workers:
        w.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
