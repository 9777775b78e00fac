"""The Textual studio: browse, edit and preview templates (``studio`` / ``studio tui``).

Provides :class:`~studio.tui.app.StudioApp`. Everything it does with templates goes
through ``studio.core``; this package only composes widgets and reacts to events.
"""

from __future__ import annotations

import os

# Repaint up to 120 times a second (Textual's default is 60): a new preview then
# waits at most ~8 ms for the next frame. Read by Textual when it is first imported.
os.environ.setdefault("TEXTUAL_FPS", "120")

__all__ = ["StudioApp"]


def __getattr__(name: str) -> object:
    if name == "StudioApp":
        from .app import StudioApp

        return StudioApp
    raise AttributeError(name)
