"""The Textual studio: browse, edit and preview templates (``studio`` / ``studio tui``).

Provides :class:`~studio.tui.app.StudioApp`. Everything it does with templates goes
through ``studio.core``; this package only composes widgets and reacts to events.
"""

from __future__ import annotations

__all__ = ["StudioApp"]


def __getattr__(name: str) -> object:
    if name == "StudioApp":
        from .app import StudioApp

        return StudioApp
    raise AttributeError(name)
