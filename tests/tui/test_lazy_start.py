"""The studio paints its first screen without DNS, the sink, the inbox, sending or the
renderer: each is imported on first use (issue 18, lazy start-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_screens_resolve_on_first_use() -> None:
    from studio.tui import screens
    from studio.tui.screens.inbox import InboxScreen, MessageScreen

    assert screens.InboxScreen is InboxScreen
    assert screens.MessageScreen is MessageScreen
    for name in screens.__all__:
        assert getattr(screens, name).__name__ == name
    with pytest.raises(AttributeError):
        screens.NoSuchScreen  # noqa: B018
