"""The Textual studio: browse, edit and preview templates (``studio`` / ``studio tui``).

Provides :class:`~studio.tui.app.StudioApp`. Everything it does with templates goes
through ``studio.core``; this package only composes widgets and reacts to events.
"""

from __future__ import annotations

import gc
import os

# Repaint up to 120 times a second (Textual's default is 60): a new preview then
# waits at most ~8 ms for the next frame. Read by Textual when it is first imported.
os.environ.setdefault("TEXTUAL_FPS", "120")

# Start-up builds objects that live as long as the studio (modules, classes,
# widgets, styles), and with Python's default thresholds the collector walks them
# again and again before the first paint (about a fifth of the CPU time to the
# first frame, by benchmarks/tui.py --startup-only). Until the first frame is on
# screen the young generation is collected only past 200,000 objects: start-up ends
# with about 75,000, so the collector does not run before the first frame (1,463 M
# instructions to the first paint with a threshold of 10,000, 1,439 M with this, by
# benchmarks/tui.py --instructions; 40 MB resident either way). StudioApp.on_ready then freezes
# what was built and sets the thresholds the studio keeps.
STARTUP_GC_THRESHOLD = (200_000, 50, 1_000)
gc.set_threshold(*STARTUP_GC_THRESHOLD)

__all__ = ["StudioApp"]


def __getattr__(name: str) -> object:
    if name == "StudioApp":
        from .app import StudioApp

        return StudioApp
    raise AttributeError(name)
