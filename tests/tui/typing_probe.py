"""Open a file in the studio and type into it with real key presses.

Run as a subprocess by test_typing.py: a crash in a native highlighter (a
segmentation fault) then fails one test instead of killing the test run.
Usage: python typing_probe.py WORKSPACE RELATIVE_PATH
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from textual.widgets import TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp

KEYS = [
    "down",
    "end",
    "enter",
    "quotation_mark",
    "x",
    "quotation_mark",
    "colon",
    "space",
    "1",
    "comma",
    "backspace",
    "left_curly_bracket",
    "right_curly_bracket",
    "ctrl+z",
]


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    """The preview rendered and checked (the probe runs alone: no test helpers here)."""
    await pilot.pause()
    for _ in range(2400):  # a deadline against a hang, not a wait
        if not pilot.app.settling:
            break
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def main(root: Path, rel: str) -> None:
    ws = Workspace.open(root)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        app.open_file(ws.root / rel)
        await settled(pilot)
        editor = app.query_one("#editor", TextArea)
        before = editor.text
        editor.focus()
        for key in KEYS:
            await pilot.press(key)
        await settled(pilot)
        editor.text = editor.text.replace("{", "{\n", 1)  # a whole-buffer replace too
        await settled(pilot)
        changed = editor.text != before
        print(f"typed into {rel}: changed={changed} language={editor.language}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
