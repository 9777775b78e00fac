"""``scripts/tmux_tasks.py`` loaded as a module: its tmux ``Session`` (a server of its
own, keys sent, the pane polled with a deadline) for the tests that drive the studio in
a real terminal."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.conftest import REPO


def tasks_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tmux_tasks", REPO / "scripts" / "tmux_tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
