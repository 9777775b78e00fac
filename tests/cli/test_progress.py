"""The progress bar of ``studio check`` and ``studio lint`` (and ``build``'s, the same
code): drawn on a terminal, absent when the output is piped or a machine format.

"On a terminal" is a real pseudo-terminal: the command's stdout and stderr are the
slave side of a pty, and the test reads everything it wrote from the master side.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from studio.core.check import check_steps
from studio.core.checks import lint_targets
from studio.core.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]  # the example workspace
BAR = "━"  # what rich draws the bar with


def on_tty(*args: str) -> tuple[int, str]:
    """Run ``studio ARGS`` with stdout and stderr on a pty: (exit code, all it wrote)."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 300  # a hang guard, not a timing assertion
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the pty
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(60), b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def piped(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_check_draws_a_bar_on_a_terminal() -> None:
    total = check_steps(Workspace.open(ROOT))
    code, out = on_tty("check", "--no-spam")
    assert code in (0, 1), out
    assert "checking" in out and BAR in out
    assert f"{total}/{total}" in out  # every template and the DNS preflight counted
    assert "DNS preflight" in out
    assert "errors," in out  # the report follows the bar


def test_lint_of_the_workspace_draws_a_bar_on_a_terminal() -> None:
    total = len(lint_targets(Workspace.open(ROOT)))
    code, out = on_tty("lint", "--no-spam")
    assert code in (0, 1), out
    assert "linting" in out and BAR in out and f"{total}/{total}" in out


def test_no_bar_when_piped() -> None:
    for args in (("check", "--no-spam"), ("lint", "--no-spam")):
        out = piped(*args)
        assert out.returncode in (0, 1), out.stderr
        assert BAR not in out.stderr + out.stdout
        assert "checking" not in out.stderr and "linting" not in out.stderr
        assert "\x1b[" not in out.stderr + out.stdout
        assert "errors," in out.stdout


def test_no_bar_with_a_machine_format_even_on_a_terminal() -> None:
    code, out = on_tty("check", "--no-spam", "--format", "json")
    assert code in (0, 1), out
    assert BAR not in out and "checking" not in out and "\x1b[" not in out
    assert json.loads(out)["version"] == 1
    code, out = on_tty("lint", "--no-spam", "--format", "sarif")
    assert BAR not in out and json.loads(out)["version"] == "2.1.0"
