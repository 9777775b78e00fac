"""The studio paints its first screen without DNS, the sink, the inbox, sending or the
renderer: each is imported on first use (issue 18, lazy start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the example workspace: no [[sink.faults]]
LATER = (
    "dns",
    "aiosmtpd",
    "studio.core.dns",
    "studio.core.inbox",
    "studio.core.send",
    "studio.core.sink",
    "studio.core.render.pipeline",
    "studio.core.checks",
    "studio.tui.screens.deliverability",
    "studio.tui.screens.inbox",
    "studio.tui.screens.send",
)


def test_importing_the_studio_loads_none_of_the_tools() -> None:
    code = (
        f"import sys, studio.tui.app\nprint(','.join(m for m in {LATER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_opening_a_workspace_without_sink_faults_loads_none_of_them() -> None:
    # settings used to import the sink (and aiosmtpd) to read [[sink.faults]], even when
    # the workspace has none, on the studio's way to its first paint
    code = (
        "import sys\nfrom studio.core.workspace import Workspace\n"
        f"Workspace.open({str(ROOT)!r})\n"
        f"print(','.join(m for m in {LATER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_screens_resolve_on_first_use() -> None:
    from studio.tui import screens
    from studio.tui.screens.inbox import InboxScreen, MessageScreen

    assert screens.InboxScreen is InboxScreen
    assert screens.MessageScreen is MessageScreen
    for name in screens.__all__:
        assert getattr(screens, name).__name__ == name
    with pytest.raises(AttributeError):
        screens.NoSuchScreen  # noqa: B018
