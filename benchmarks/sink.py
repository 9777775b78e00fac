"""Sink benchmark: messages per second stored durably by the sink, against a baseline of
the same clients talking to an aiosmtpd server that discards every message.

    python benchmarks/sink.py [--clients N] [--messages M]

The ratio is the cost of storing first and acknowledging after (write, fsync,
rename into new/, fsync of the directory) on this machine's disk.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.handlers import Sink as Discard  # noqa: E402

from studio.core.sink import Sink, SinkConfig  # noqa: E402

MSG = (
    b"From: a@shop.example\r\nTo: b@x.example\r\nSubject: bench\r\n\r\n"
    + (b"x" * 76 + b"\r\n") * 260
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(port: int, clients: int, messages: int) -> float:
    def client() -> None:
        with smtplib.SMTP("127.0.0.1", port) as c:
            for _ in range(messages):
                c.sendmail("a@shop.example", ["b@x.example"], MSG)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients * messages / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--messages", type=int, default=25)
    args = parser.parse_args()
    port = free_port()
    discard = Controller(Discard(), hostname="127.0.0.1", port=port)
    discard.start()
    try:
        base = load(port, args.clients, args.messages)
    finally:
        discard.stop()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        with Sink(SinkConfig(port=port, maildir=Path(tmp) / "m", max_connections=1000)):
            ours = load(port, args.clients, args.messages)
        stored = len(list((Path(tmp) / "m" / "new").iterdir()))
    total = args.clients * args.messages
    print(f"{args.clients} clients x {args.messages} messages of 20 KB")
    print(f"  aiosmtpd discarding (baseline): {base:8.0f} messages/s")
    print(f"  studio sink, durable Maildir:   {ours:8.0f} messages/s  ({ours / base:.2f}x)")
    print(f"  stored {stored} of {total}")


if __name__ == "__main__":
    main()
