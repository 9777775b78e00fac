"""Sink benchmark: messages/s and peak memory of the studio sink against two baselines,
all measured in this run with one load client.

    python benchmarks/sink.py [--messages 2000] [--concurrency 1,8,32] [--size 20000] [--rounds 3]
                              [--no-maildev] [--baseline REF] [--only-studio]

Each server runs as its own process, started afresh on an empty store for each
concurrency level; the load client (asyncio, in this process) opens N connections and
sends messages of ``--size`` bytes back to back (MAIL, RCPT, DATA, wait for the reply),
each with a unique Message-ID and random body. Servers:

- ``studio sink``: ``python -m studio sink`` (durable: write, fsync, rename, dir fsync);
- ``aiosmtpd Maildir``: ``python -m aiosmtpd -c aiosmtpd.handlers.Mailbox`` (the
  stock handler: parses each message and adds it to ``mailbox.Maildir``, no fsync);
- ``studio sink @REF`` with ``--baseline REF``: the sink of that git revision (``git
  archive`` into a temporary directory, run from there), so a change to the sink is
  measured against the code before it in the same run (the fault rules: with no rule
  configured, the sink must stay within 5 % of it);
- ``MailDev`` (node): parses each message into memory and writes its raw file (no
  fsync); installed with npm into ``~/.cache/studio-bench`` on first use. Without
  node/npm, the figures the issue measured on this machine are shown instead.

Afterwards the store is read back: "stored" counts the expected Message-IDs whose body
arrived intact (SHA-256, line endings normalised), duplicates are reported. Peak RSS is
the server's ``VmHWM`` from ``/proc/PID/status``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path.home() / ".cache" / "studio-bench"
MAILDEV_JS = CACHE / "node_modules" / "maildev" / "dist" / "bin" / "maildev.js"
# What the issue measured on this machine (msg/s at 1, 8, 32 connections; RSS in MB).
MAILDEV_REFERENCE = ({1: 265.0, 8: 271.0, 32: 350.0}, 300.0)
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_messages(count: int, size: int, tag: str) -> tuple[list[bytes], dict[str, str]]:
    """``count`` messages of about ``size`` bytes; returns them and Message-ID -> body hash."""
    messages, expected = [], {}
    for i in range(count):
        mid = f"{tag}.{i}@bench.example"
        body = base64.encodebytes(os.urandom(size * 3 // 4 - 200)).replace(b"\n", b"\r\n")
        head = (
            f"From: load@bench.example\r\nTo: sink@bench.example\r\n"
            f"Subject: bench {i}\r\nMessage-ID: <{mid}>\r\n\r\n"
        ).encode()
        messages.append(head + body)
        expected[mid] = hashlib.sha256(body.replace(b"\r\n", b"\n")).hexdigest()
    return messages, expected


# -- the load client ---------------------------------------------------------------------


async def _reply(reader: asyncio.StreamReader) -> int:
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        if line[3:4] != b"-":
            return int(line[:3])


async def _expect(reader: asyncio.StreamReader, code: int) -> None:
    got = await _reply(reader)
    if got != code:
        raise ConnectionError(f"expected {code}, got {got}")


async def _send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, msg: bytes) -> bool:
    """One transaction, as smtplib does it (no pipelining); True on a 250 after DATA."""
    for command, code in (
        (b"MAIL FROM:<load@bench.example>\r\n", 250),
        (b"RCPT TO:<sink@bench.example>\r\n", 250),
        (b"DATA\r\n", 354),
    ):
        writer.write(command)
        if await _reply(reader) != code:
            writer.write(b"RSET\r\n")
            await _reply(reader)
            return False
    writer.write(msg + b".\r\n")
    return await _reply(reader) == 250


async def _connection(port: int, todo: deque[bytes], acked: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _expect(reader, 220)
    writer.write(b"EHLO load.bench.example\r\n")
    await _expect(reader, 250)
    while todo:
        ok = await _send(reader, writer, todo.popleft())  # not `+= await`: it would race
        acked[0] += ok
    writer.write(b"QUIT\r\n")
    await _reply(reader)
    writer.close()
    await writer.wait_closed()


async def _load(port: int, messages: list[bytes], connections: int) -> tuple[float, int]:
    todo, acked = deque(messages), [0]
    t0 = time.perf_counter()
    await asyncio.gather(*(_connection(port, todo, acked) for _ in range(connections)))
    return time.perf_counter() - t0, acked[0]


def load(port: int, messages: list[bytes], connections: int) -> tuple[float, int]:
    """Send ``messages`` over ``connections`` connections; return (seconds, replies 250)."""
    return asyncio.run(_load(port, messages, connections))


# -- the servers -------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    command: Callable[[int, int, Path], list[str]]  # (smtp port, web port, store dir)
    stored: Callable[[int, Path, dict[str, str]], tuple[int, int]]  # -> (intact, duplicates)
    source: Path = ROOT
    """The checkout ``python -m studio`` runs from (``PYTHONPATH``)."""


def _count(files: list[Path], expected: dict[str, str]) -> tuple[int, int]:
    """(expected messages stored intact, duplicates) among ``files``."""
    found: dict[str, int] = {}
    for path in files:
        data = path.read_bytes()
        match = MESSAGE_ID.search(data)
        body = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[-1]
        if match and expected.get(match.group(1).decode()) == hashlib.sha256(body).hexdigest():
            found[match.group(1).decode()] = found.get(match.group(1).decode(), 0) + 1
    return len(found), sum(n - 1 for n in found.values())


def maildir_stored(web_port: int, store: Path, expected: dict[str, str]) -> tuple[int, int]:
    return _count([*(store / "new").iterdir(), *(store / "cur").iterdir()], expected)


def maildev_stored(web_port: int, store: Path, expected: dict[str, str]) -> tuple[int, int]:
    """MailDev lists what it holds over its API, each with the raw message's file."""
    with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/api/email", timeout=60) as r:
        return _count([Path(email["source"]) for email in json.load(r)], expected)


SERVERS = [
    Server(
        "studio sink",
        lambda port, web, d: (
            [sys.executable, "-m", "studio", "sink", "--port", str(port)] + ["--maildir", str(d)]
        ),
        maildir_stored,
    ),
    Server(
        "aiosmtpd Maildir",
        lambda port, web, d: (
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
            + ["-c", "aiosmtpd.handlers.Mailbox", str(d)]
        ),
        maildir_stored,
    ),
    Server(
        "MailDev",
        lambda port, web, d: (
            ["node", str(MAILDEV_JS), "--smtp", str(port), "--web", str(web)]
            + ["--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent"]
        ),
        maildev_stored,
    ),
]


def wait_ready(port: int, process: subprocess.Popen[bytes], web_port: int | None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                if s.recv(512).startswith(b"220"):
                    if web_port is not None:
                        urllib.request.urlopen(f"http://127.0.0.1:{web_port}/api/email").close()
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (``/proc/PID/stat``, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    rate: float
    rss: float
    stored: int
    expected: int
    acked: int
    duplicates: int
    cpu_ms: float = float("nan")
    """The server's CPU time per message (ms): steadier than msg/s on a busy machine."""


def run(server: Server, messages: int, size: int, connections: int) -> Result:
    warmup, _ = make_messages(min(200, messages), size, f"warm{connections}")
    timed, expected = make_messages(messages, size, f"load{connections}")
    port, web = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="sink-bench-") as tmp:
        store = Path(tmp) / "maildir"
        for made in CERTIFICATE:  # the sink's certificate as a second start finds it
            shutil.copy2(made, Path(tmp) / made.name)
        process = subprocess.Popen(
            server.command(port, web, store),
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(server.source), "TMPDIR": tmp},
        )
        try:
            wait_ready(port, process, web if server.name == "MailDev" else None)
            load(port, warmup, connections)
            cpu = cpu_seconds(process.pid)
            seconds, acked = load(port, timed, connections)
            cpu = cpu_seconds(process.pid) - cpu
            rss = peak_rss_mb(process.pid)
            stored, duplicates = server.stored(web, store, expected)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return Result(
        messages / seconds, rss, stored, messages, acked, duplicates, cpu * 1000 / messages
    )


CERTIFICATE: list[Path] = []
"""The sink's self-signed certificate and key, made once for the whole run: the sink
makes them on its first start (importing ``cryptography``, 12 MB) and reuses them after,
and each run here starts in a fresh directory."""


def install_maildev() -> bool:
    if MAILDEV_JS.exists():
        return True
    if shutil.which("npm") is None or shutil.which("node") is None:
        return False
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), "maildev"],
        capture_output=True,
    )
    return done.returncode == 0 and MAILDEV_JS.exists()


def baseline(ref: str, into: Path) -> Server:
    """The studio sink of git revision ``ref``, extracted into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "studio"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return Server(f"studio sink @{ref}", SERVERS[0].command, maildir_stored, into)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="per server, level, round")
    parser.add_argument("--concurrency", default="1,8,32", help="connection counts")
    parser.add_argument("--size", type=int, default=20_000, help="message size in bytes")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    parser.add_argument("--no-maildev", action="store_true", help="use the reference figures")
    parser.add_argument("--baseline", metavar="REF", help="also run the sink of this git revision")
    parser.add_argument(
        "--only-studio", action="store_true", help="only the studio sink (and --baseline)"
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.concurrency.split(",")]
    if args.only_studio:
        servers = SERVERS[:1]
    else:
        servers = SERVERS if not args.no_maildev and install_maildev() else SERVERS[:2]
    with (
        tempfile.TemporaryDirectory(prefix="sink-baseline-") as source,
        tempfile.TemporaryDirectory(prefix="sink-cert-") as cert_dir,
    ):
        sys.path.insert(0, str(ROOT))
        try:
            from studio.core.sink.tls import ensure_certificate
        except ImportError:  # a checkout before the sink had TLS
            pass
        else:
            CERTIFICATE.extend(ensure_certificate(Path(cert_dir)))
        if args.baseline:
            servers = [servers[0], baseline(args.baseline, Path(source)), *servers[1:]]
        measure(args, levels, servers)


def measure(args: argparse.Namespace, levels: list[int], servers: list[Server]) -> None:

    # Servers take turns within each round, so load from elsewhere hits them alike.
    results: dict[str, dict[int, list[Result]]] = {s.name: {n: [] for n in levels} for s in servers}
    for _ in range(args.rounds):
        for n in levels:
            for server in list(servers):
                try:
                    r = run(server, args.messages, args.size, n)
                except RuntimeError as exc:  # MailDev would not start: use the reference
                    print(f"  {server.name}: {exc}", file=sys.stderr)
                    servers.remove(server)
                    del results[server.name]
                    continue
                results[server.name][n].append(r)
                print(
                    f"  {server.name:<18} {n:>3} conn: {r.rate:6.0f} msg/s, {r.rss:5.0f} MB,"
                    f" {r.cpu_ms:5.2f} CPU ms/msg,"
                    f" {r.stored}/{r.expected} stored, {r.acked} acknowledged",
                    file=sys.stderr,
                )

    best = {
        name: {n: max(r.rate for r in runs) for n, runs in by.items()}
        for name, by in results.items()
    }
    print(
        f"\n{args.messages} messages of {args.size // 1000} KB per server, level and round;"
        f" msg/s best of {args.rounds} rounds\n"
    )
    head = " | ".join(f"{f'{n} conn':>7}" for n in levels)
    print(f"| server | {head} | peak RSS | stored/expected |")
    print("| --- | " + " | ".join("---:" for _ in levels) + " | ---: | ---: |")
    for name, by_level in results.items():
        runs = [r for rs in by_level.values() for r in rs]
        rates = " | ".join(f"{best[name][n]:7.0f}" for n in levels)
        stored = f"{sum(r.stored for r in runs)}/{sum(r.expected for r in runs)}"
        dupes = sum(r.duplicates for r in runs)
        stored += f" ({dupes} duplicates)" if dupes else ""
        print(f"| {name} | {rates} | {max(r.rss for r in runs):5.0f} MB | {stored} |")
    if args.only_studio:
        pass
    elif "MailDev" not in results:
        ref, ref_rss = MAILDEV_REFERENCE
        best["MailDev"] = {n: ref.get(n, float("nan")) for n in levels}
        rates = " | ".join(f"{best['MailDev'][n]:7.0f}" for n in levels)
        print(f"| MailDev (issue's figures) | {rates} | {ref_rss:5.0f} MB | — |")
        print("\nMailDev could not be run here: its row is the issue's reference figures.")
    print()
    others = [name for name in results if name.startswith("studio sink @")]
    others += [] if args.only_studio else ["MailDev", "aiosmtpd Maildir"]
    for other in others:
        ratios = "  ".join(f"{best['studio sink'][n] / best[other][n]:.2f}x" for n in levels)
        print(f"studio sink / {other + ':':<17} {ratios}")
    for other in others:
        if other in results:  # the servers' own CPU per message, least of the rounds
            cpu = {
                name: {n: min(r.cpu_ms for r in results[name][n]) for n in levels}
                for name in ("studio sink", other)
            }
            shown = "  ".join(f"{cpu['studio sink'][n]:.2f}/{cpu[other][n]:.2f} ms" for n in levels)
            print(f"CPU per message, studio sink / {other}: {shown}")


if __name__ == "__main__":
    main()
