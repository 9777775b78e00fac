"""Keys typed while the studio starts, in a real terminal (tmux): the terminal keeps
them until the studio reads it, and they reach the editor in order once the first
file is open there, instead of going to a screen with nothing focused."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.tui.tmux import tasks_module

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_keys_typed_at_start_reach_the_editor_in_order() -> None:
    tasks = tasks_module()
    with tempfile.TemporaryDirectory(prefix="studio-keys-") as tmp:
        ws = tasks.workspace_copy(Path(tmp) / "example")
        session = tasks.Session(f"studio-keys-{Path(tmp).name[-6:]}", (100, 30), ws)
        try:
            session.type("Qz")  # at once: the studio is not running yet
            session.type("Rw")
            session.wait(r"1\s+QzRw---", "the keys are in the editor, in order")
            assert "[?" not in session.pane()  # no terminal answer typed into the editor
        finally:
            session.close()
