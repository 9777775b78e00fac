"""The editor pane: the sample and locale pickers, the file's status, the find box, the editor.

The pane owns what happens inside it (showing the find box, finding the next
match); the app decides which file is in the editor and what the preview shows.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, TextArea

from ...core.safe_text import printable

LOCALES = ["en-GB", "fr-FR", "en-US", "de-DE"]


def find_after(text: str, needle: str, row: int, col: int) -> tuple[int, int] | None:
    """(row, column) of the next ``needle`` after the cursor, wrapping round; None if absent."""
    if not needle:
        return None
    lines = text.split("\n")
    offset = sum(len(x) + 1 for x in lines[:row]) + col + 1
    i = text.find(needle, offset)
    if i < 0:
        i = text.find(needle)
    if i < 0:
        return None
    return text.count("\n", 0, i), i - (text.rfind("\n", 0, i) + 1)


class EditorPane(Vertical):
    """Pickers and status above, the find box (hidden until ctrl+f), the editor below."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def compose(self) -> ComposeResult:
        with Horizontal(id="toolbar"):
            yield Select[str]([], prompt="sample", id="sample", allow_blank=True)
            yield Select[str](
                [(x, x) for x in LOCALES], prompt="locale", id="locale", allow_blank=True
            )
            yield Label("", id="status")
        yield Input(placeholder="find…", id="find")
        yield TextArea(
            "", id="editor", show_line_numbers=True, tab_behavior="indent", soft_wrap=False
        )

    def on_mount(self) -> None:
        self.query_one("#find", Input).display = False
        self.query_one("#editor", TextArea).cursor_blink = False

    def show_find(self) -> None:
        box = self.query_one("#find", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#find")
    def find_next(self, event: Input.Submitted) -> None:
        """Select the next match of the find box's text after the editor's cursor."""
        event.stop()
        editor = self.query_one("#editor", TextArea)
        found = find_after(editor.text, event.value, *editor.cursor_location)
        if found is None:
            if event.value:
                self.notify(
                    printable(f"{event.value!r} not found"), severity="warning", markup=False
                )
            return
        r, c = found
        editor.move_cursor((r, c))
        editor.move_cursor((r, c + len(event.value)), select=True)
