"""The ten everyday tasks replayed in a real terminal (tmux) at 80x24 and 140x45.

Runs ``scripts/tmux_tasks.py``, which drives ``studio`` with ``tmux send-keys`` and
polls ``tmux capture-pane`` with a deadline for what each task must show.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
@pytest.mark.parametrize("size", ["80x24", "140x45"])
def test_ten_tasks_in_tmux(size: str) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "tmux_tasks.py"), "--size", size],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(" ok ") == 10
