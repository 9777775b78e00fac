"""The Pixel tab in a real terminal: the studio in tmux at 120x40 draws the message in
coloured half-blocks (the drive and the polling are those of ``scripts/tmux_tasks.py``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from studio.core.pixel import install_hint
from tests.tui.tmux import tasks_module

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(install_hint() is not None, reason="no Chromium or Playwright"),
]


def test_the_pixel_tab_draws_half_blocks_in_tmux_at_120x40() -> None:
    tasks = tasks_module()
    with tempfile.TemporaryDirectory(prefix="studio-pixel-") as tmp:
        ws = tasks.workspace_copy(Path(tmp) / "example")
        session = tasks.Session(f"studio-pixel-{Path(tmp).name[-6:]}", (120, 40), ws)
        try:
            session.wait(r"Studio — templates/\w+\.mjml", "a template opens")
            session.wait(r"f9 Inbox", "the studio fills the 120 columns")
            session.palette("Pixel preview", r"Chromium draws it")
            session.wait(r"600 px · light", "the picture is drawn at 600 px")
            # The status line can reach the terminal before the rest of the frame: read
            # the pane until the picture is all there (or the deadline passes).
            deadline = time.monotonic() + session.deadline
            while True:
                screen = session.tmux("capture-pane", "-p", "-e", "-t", session.name)
                blocks = [line for line in screen.splitlines() if line.count("▀") >= 20]
                colours = set(re.findall(r"\x1b\[[0-9;]*(?:38|48);[25];[0-9;]+m", screen))
                if (len(blocks) >= 25 and len(colours) > 10) or time.monotonic() > deadline:
                    break
                time.sleep(tasks.POLL)
            assert len(blocks) >= 25, screen
            assert len(colours) > 10, colours  # in colour, not one flat block
            session.keys("M-d")  # alt+d: the dark scheme
            session.wait(r"600 px · dark", "the dark picture is drawn")
            session.keys("M-w")  # alt+w: mobile width
            session.wait(r"375 px · dark", "the mobile picture is drawn")
        finally:
            session.close()
