"""Router benchmark: triggers/s through ``POST /v1/messages`` to the sink, against posting
the already-rendered message straight to the sink over SMTP, both measured in this run.

    python benchmarks/router.py [--messages 300] [--concurrency 1,8,32]

For each concurrency level N, on a fresh copy of the example workspace with an empty
Maildir:

- **router**: ``studio serve`` runs as its own process (its embedded sink in it, as a
  user runs it); N client threads, each with one keep-alive HTTP/1.1 connection, post
  ``order_confirmation`` triggers (the ``en_basic`` sample, a unique order number
  each) back to back. Each trigger is validated, rendered, and delivered over SMTP to
  the sink before its 202.
- **baseline**: ``studio sink`` runs as its own process; N threads post the message
  rendered once beforehand (a unique Message-ID each) over SMTP, one connection per
  message, as the router and ``studio send`` do.

Afterwards the Maildir is read back: "stored" counts the expected Message-IDs found
exactly once (the router's: the Message-ID its trigger log recorded for each 202),
and every trigger's file must carry its ``X-Studio-Trigger`` id.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.send import SinkTransport  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402

KEY = "bench-key-0123456789"
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.IGNORECASE | re.MULTILINE)
TRIGGER_ID = re.compile(rb"^X-Studio-Trigger:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def workspace(tmp: Path) -> tuple[Path, int, int]:
    dest = tmp / "ws"
    dest.mkdir(parents=True)
    for sub in ("brand", "components", "templates", "samples"):
        shutil.copytree(ROOT / sub, dest / sub)
    sink_port, router_port = free_port(), free_port()
    text = (
        (ROOT / "pyproject.toml")
        .read_text()
        .replace(
            '[tool.studio.sink]\nmaildir = ".studio/maildir"',
            f'[tool.studio.sink]\nmaildir = ".studio/maildir"\nport = {sink_port}',
        )
    )
    text += (
        f"\n[tool.studio.router]\nport = {router_port}\nrate_limit = 1000000.0\n"
        "rate_burst = 1000000\n"
    )
    (dest / "pyproject.toml").write_text(text)
    return dest, sink_port, router_port


def wait_port(port: int, proc: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"port {port} never opened")


def start(ws: Path, *args: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", "--workspace", str(ws), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "STUDIO_ROUTER_KEY": KEY},
    )
    wait_port(port, proc)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def stored(maildir: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Message-ID → files carrying it; trigger id → its file's Message-ID."""
    by_mid: dict[str, int] = {}
    by_trigger: dict[str, str] = {}
    for sub in ("new", "cur"):
        folder = maildir / sub
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            data = path.read_bytes()
            head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
            head = re.sub(rb"\r?\n[ \t]+", b" ", head)  # unfold
            m = MESSAGE_ID.search(head)
            mid = m.group(1).decode() if m else ""
            by_mid[mid] = by_mid.get(mid, 0) + 1
            t = TRIGGER_ID.search(head)
            if t:
                by_trigger[t.group(1).decode()] = mid
    return by_mid, by_trigger


def split(total: int, n: int) -> list[int]:
    return [total // n + (1 if i < total % n else 0) for i in range(n)]


def run_router(tmp: Path, messages: int, n: int) -> tuple[float, int, str]:
    ws, _, port = workspace(tmp)
    base = json.loads((ws / "samples/order_confirmation/en_basic.json").read_text())
    base.pop("locale", None)
    proc = start(ws, "serve", port=port)
    accepted: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(count: int, offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        for i in range(count):
            variables = json.loads(json.dumps(base))
            variables["order"]["number"] = f"B-{offset + i:06d}"
            body = json.dumps(
                {
                    "template": "order_confirmation",
                    "to": "bench@example.com",
                    "variables": variables,
                }
            )
            conn.request("POST", "/v1/messages", body=body, headers=headers)
            resp = conn.getresponse()
            answer = json.loads(resp.read())
            with lock:
                if resp.status == 202 and answer.get("status") == "delivered":
                    accepted.append(answer["id"])
                else:
                    errors.append(f"{resp.status} {answer}")
        conn.close()

    threads, offset = [], 0
    for count in split(messages, n):
        threads.append(threading.Thread(target=client, args=(count, offset)))
        offset += count
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    stop(proc)
    by_mid, by_trigger = stored(ws / ".studio/maildir")
    log = {}
    for line in (ws / ".studio/router/triggers.jsonl").read_text().splitlines():
        record = json.loads(line)
        log[record["id"]] = (record.get("message_id") or "").strip("<>")
    ok = sum(
        1
        for tid in accepted
        if tid in by_trigger and by_trigger[tid] == log.get(tid) and by_mid.get(log[tid]) == 1
    )
    note = f"{len(errors)} errors: {errors[0][:120]}" if errors else ""
    return len(accepted) / elapsed, ok, note


def run_baseline(tmp: Path, messages: int, n: int) -> tuple[float, int, str]:
    ws, sink_port, _ = workspace(tmp)
    workspace_ = Workspace.open(ws)
    rendered: EmailMessage = workspace_.render("order_confirmation", sample="en_basic").email
    rendered["To"] = "bench@example.com"
    maildir = ws / ".studio/maildir"
    proc = start(ws, "sink", "--port", str(sink_port), "--maildir", str(maildir), port=sink_port)
    sent: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(count: int, offset: int) -> None:
        transport = SinkTransport("127.0.0.1", sink_port, timeout=60)
        for i in range(count):
            msg = EmailMessage()
            for k, v in rendered.items():  # same headers, a unique Message-ID
                if k.lower() != "message-id":
                    msg[k] = v
            mid = f"baseline-{offset + i}@bench.example"
            msg.set_payload(rendered.get_payload())
            del msg["Message-ID"]
            msg["Message-ID"] = f"<{mid}>"
            try:
                transport.send(msg, ["bench@example.com"])
            except Exception as exc:  # noqa: BLE001 - counted, not fatal
                with lock:
                    errors.append(str(exc))
                continue
            with lock:
                sent.append(mid)

    threads, offset = [], 0
    for count in split(messages, n):
        threads.append(threading.Thread(target=client, args=(count, offset)))
        offset += count
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    stop(proc)
    by_mid, _ = stored(maildir)
    ok = sum(1 for mid in sent if by_mid.get(mid) == 1)
    note = f"{len(errors)} errors: {errors[0][:120]}" if errors else ""
    return len(sent) / elapsed, ok, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", default="1,8,32")
    args = parser.parse_args()
    levels = [int(x) for x in args.concurrency.split(",")]
    print(f"{args.messages} messages per run; order_confirmation (en_basic)")
    print(f"{'clients':>7}  {'router /s':>10}  {'stored':>9}  {'SMTP /s':>9}  {'stored':>9}  ratio")
    for n in levels:
        with tempfile.TemporaryDirectory(prefix="studio-bench-router-") as tmp:
            r_rate, r_ok, r_note = run_router(Path(tmp) / "r", args.messages, n)
            b_rate, b_ok, b_note = run_baseline(Path(tmp) / "b", args.messages, n)
        print(
            f"{n:>7}  {r_rate:>10.1f}  {r_ok:>4}/{args.messages:<4}  {b_rate:>9.1f}"
            f"  {b_ok:>4}/{args.messages:<4}  {r_rate / b_rate:.2f}x"
        )
        for note in (r_note, b_note):
            if note:
                print(f"         {note}")


if __name__ == "__main__":
    main()
