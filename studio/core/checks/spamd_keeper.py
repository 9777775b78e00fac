"""A ``spamd`` kept running between ``studio`` runs (opt-in: ``STUDIO_SPAMD_KEEP``).

SpamAssassin spends about a second loading and compiling its rules before it scores
anything; a daemon kept between runs pays that once, so ``studio lint`` of one
message waits only for the scoring itself. It is off unless the developer asks
for it (``STUDIO_SPAMD_KEEP=SECONDS``, the idle time after which it stops), since
it leaves a process of about 120 MB behind the command.

The pieces, all on this machine:

* a **keeper** (``python -m studio.core.checks.spamd_keeper STATE IDLE``), started
  detached by the first run that needs it, starts ``spamd`` on 127.0.0.1 (a free
  port, ``--allowed-ips=127.0.0.1``, local tests only, no user configuration),
  writes the **state file** (``.studio/spamd.json`` in the workspace, or
  ``studio/spamd.json`` in the user's cache directory for a file outside any
  workspace) with its pid, spamd's pid and the port, and stops spamd and removes
  the file when the file has not been touched for IDLE seconds, when the file is
  removed (``studio spamd stop``), on SIGTERM, SIGINT or SIGHUP, or when spamd exits;
* each run reads the state file, touches it (the keeper's idle clock) and sends its
  messages with ``spamc`` (:mod:`studio.core.checks.spamd`).

A keeper killed with SIGKILL cannot stop spamd (spamd drops to ``nobody``, which
clears any parent-death signal): the next run, or ``studio spamd stop``, finds the
state file of a dead keeper and stops the spamd it names.

This module imports nothing of Studio's, so the keeper starts quickly.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

START_TIMEOUT = 90.0
"""Seconds spamd may take to load its rules and answer (a loaded machine is slow)."""
POLL = 0.25
"""Seconds between the keeper's looks at spamd and the state file."""
CHILDREN = 2


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (spamd listens there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_state(path: Path) -> dict[str, Any] | None:
    """The state file's content, or None (missing, half-written or damaged)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def alive(pid: object, name: str) -> bool:
    """Whether ``pid`` is a running process whose command line mentions ``name``."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # A zombie (state Z after the command's closing parenthesis) has finished.
    return name.encode() in cmdline and stat.rpartition(")")[2].split()[0] != "Z"


def stop_spamd(pid: object) -> None:
    """SIGTERM the spamd ``pid`` (it stops its children), if it is one."""
    if alive(pid, "spamd") and isinstance(pid, int):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """Stop spamd (it stops its children), killing it if it has not within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spamd_args(spamd: str, port: int) -> list[str]:
    """spamd on 127.0.0.1:``port``, local tests only, no user configuration."""
    args = [
        spamd,
        "--local",
        "--nouser-config",
        f"--listen=127.0.0.1:{port}",
        "--allowed-ips=127.0.0.1",
        f"--max-children={CHILDREN}",
        f"--min-children={CHILDREN}",
        "--syslog=stderr",
    ]
    if os.geteuid() == 0:
        args.append("--username=nobody")  # spamd will not scan as root
    return args


def answers(spamc: str, port: int) -> bool:
    """Whether spamd on ``port`` answers a ping (its rules are loaded)."""
    ping = subprocess.run(
        [spamc, "-d", "127.0.0.1", "-p", str(port), "-K"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    return ping.returncode == 0


def keep(state: Path, idle: float, spamd: str, spamc: str) -> int:
    """Run spamd until idle, stopped or gone (the keeper's main loop); the exit status."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    port = free_port()
    me = os.getpid()
    proc = subprocess.Popen(
        spamd_args(spamd, port),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    data: dict[str, Any] = {"keeper": me, "spamd": proc.pid, "port": port, "ready": False}
    try:
        _write(state, data)
        deadline = time.monotonic() + START_TIMEOUT
        while not stop.is_set() and proc.poll() is None:
            if answers(spamc, port):
                break
            if time.monotonic() > deadline:
                return 1
            stop.wait(0.05)
        else:
            return 1
        data["ready"] = True
        _write(state, data)
        while not stop.wait(POLL):
            if proc.poll() is not None:
                return 1
            current = read_state(state)
            if current is None or current.get("keeper") != me:
                return 0  # removed (``studio spamd stop``) or taken over
            try:
                if time.time() - state.stat().st_mtime > idle:
                    return 0
            except OSError:
                return 0
        return 0
    finally:
        terminate(proc)
        current = read_state(state)
        if current is not None and current.get("keeper") == me:
            try:
                state.unlink()
            except OSError:
                pass


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: python -m studio.core.checks.spamd_keeper STATE IDLE SPAMD SPAMC")
        return 2
    return keep(Path(argv[0]), float(argv[1]), argv[2], argv[3])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
