"""A spamd kept between runs (STUDIO_SPAMD_KEEP, issue 18): real keeper, spamd and spamc.

Every test runs under :func:`kept`, which fails the test (after stopping them) if
a keeper or spamd it started is still running at the end: none may be orphaned.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli
from studio.core.checks import lint_file, spamd
from studio.core.checks.rules import spam
from studio.core.checks.spamd_keeper import alive, read_state
from studio.core.workspace import Workspace
from tests.checks.test_spamd import SPAMMY, needs_spamd
from tests.conftest import copy_example

DEADLINE = 60.0


def _processes_under(tmp: Path) -> set[int]:
    """Keepers whose state file is under ``tmp``, and the spamd each started."""
    keepers = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"spamd_keeper" in cmdline and str(tmp).encode() in cmdline:
                keepers.add(int(entry.name))
    found = set(keepers)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) in keepers:
                found.add(int(entry.name))
    return found


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Kept-spamd tests' guard: yields a list the test adds the pids it saw to.

    At the end every such pid, and every keeper (with its spamd) whose state file
    is under the test's folder, must have exited; any left is killed and fails the test.
    """
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    spam._MEMORY.clear()
    seen: list[int] = []
    yield seen
    left = {p for p in [*seen, *_processes_under(tmp_path)] if alive(p, "spamd")}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    # Keepers this process started are its children: reap them (they have exited,
    # or were just killed), else each is a zombie and a ResourceWarning at exit.
    while spamd._KEEPERS:
        spamd._KEEPERS.pop().wait(timeout=DEADLINE)
    assert not left, f"processes left running: {sorted(left)}"


def _gone(*pids: int) -> bool:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if not any(alive(p, "spamd") for p in pids):
            return True
        time.sleep(0.1)
    return False


def _lint(path: Path, body: bytes, ws: Workspace | None) -> float:
    path.write_bytes(body)
    hits = [f for f in lint_file(path, ws, spam=True) if f.id == "message.spam-score"]
    assert hits, "no spam verdict"
    return float(hits[0].details["score"])


@needs_spamd
def test_a_kept_spamd_serves_the_next_run_and_stops_on_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: list[int]
) -> None:
    monkeypatch.setenv(spamd.KEEP_VARIABLE, "300")
    ws = Workspace.open(copy_example(tmp_path / "ws"))
    state = ws.root / ".studio" / "spamd.json"
    score = _lint(ws.root / "a.eml", SPAMMY, ws)
    first = read_state(state)
    assert first is not None and first["ready"]
    kept += [first["keeper"], first["spamd"]]
    assert alive(first["spamd"], "spamd") and alive(first["keeper"], "spamd_keeper")
    batch = spam._run_batch(shutil.which("spamassassin") or "", [SPAMMY])[0]
    assert batch is not None and score == batch.score  # the same verdict as spamassassin

    spam._MEMORY.clear()  # a new run
    _lint(ws.root / "b.eml", SPAMMY.replace(b"Viagra", b"Cialis"), ws)
    assert read_state(state) == first  # the same daemon served it

    out = CliRunner().invoke(cli, ["--workspace", str(ws.root), "spamd", "stop"])
    assert out.exit_code == 0, out.output
    assert f"{state}: stopped" in out.output
    assert _gone(first["keeper"], first["spamd"])
    assert not state.exists()


@needs_spamd
def test_the_kept_spamd_stops_by_itself_when_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: list[int]
) -> None:
    monkeypatch.setenv(spamd.KEEP_VARIABLE, "1")
    _lint(tmp_path / "a.eml", SPAMMY, None)  # outside any workspace: the user's cache
    state = tmp_path / "xdg" / "studio" / "spamd.json"
    data = read_state(state)
    assert data is not None
    kept += [data["keeper"], data["spamd"]]
    assert _gone(data["keeper"], data["spamd"])
    assert not state.exists()


@needs_spamd
def test_a_keeper_killed_outright_leaves_no_spamd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: list[int]
) -> None:
    monkeypatch.setenv(spamd.KEEP_VARIABLE, "300")
    ws = Workspace.open(copy_example(tmp_path / "ws"))
    _lint(ws.root / "a.eml", SPAMMY, ws)
    state = ws.root / ".studio" / "spamd.json"
    data = read_state(state)
    assert data is not None
    kept += [data["keeper"], data["spamd"]]
    os.kill(data["keeper"], signal.SIGKILL)
    assert _gone(data["keeper"])
    assert alive(data["spamd"], "spamd")  # spamd cannot know (it runs as nobody)
    spam._MEMORY.clear()  # the next run finds the dead keeper's spamd and stops it
    _lint(ws.root / "b.eml", SPAMMY.replace(b"Viagra", b"Cialis"), ws)
    assert _gone(data["spamd"])
    again = read_state(state)
    assert again is not None and again["keeper"] != data["keeper"]
    kept += [again["keeper"], again["spamd"]]
    assert spamd.stop_kept(state)
    assert _gone(again["keeper"], again["spamd"])


def test_a_bad_keep_value_is_one_line_and_exit_2(tmp_path: Path) -> None:
    eml = tmp_path / "a.eml"
    eml.write_bytes(SPAMMY)
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "lint", str(eml)],
        env={**os.environ, spamd.KEEP_VARIABLE: "ten minutes"},
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard, not a timing assertion
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "STUDIO_SPAMD_KEEP='ten minutes'" in lines[0]


def test_the_engine_is_kept_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spamd, "spamd_paths", lambda: ("/usr/sbin/spamd", "/usr/bin/spamc"))
    for value, engine in (("", "batch"), ("0", "batch"), ("600", "kept"), ("2.5", "kept")):
        monkeypatch.setenv(spamd.KEEP_VARIABLE, value)
        assert spamd.engine() == engine, value
    monkeypatch.setattr(spamd, "spamd_paths", lambda: None)
    assert spamd.engine() == "batch"  # spamd not installed: the batch, never no score
