"""The question asked when quitting with unsaved files: save them, lose them, or stay.

The default (focused) answer keeps the work, and Enter never discards it: the
"Quit without saving" button takes no focus, so only its key (``d``) or a click
reaches it.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

QuitAnswer = Literal["save", "discard"]


class QuitScreen(ModalScreen[QuitAnswer | None]):
    BINDINGS = [
        ("s", "answer('save')", "Save all and quit"),
        ("d", "answer('discard')", "Quit without saving"),
        ("escape,c", "answer(None)", "Cancel"),
    ]

    def __init__(self, unsaved: list[str]) -> None:
        super().__init__()
        self.unsaved = unsaved

    def compose(self) -> ComposeResult:
        names = "\n".join(f"  ● {rel}" for rel in self.unsaved)
        with Vertical(id="dialog"):
            yield Label(Text(f"Unsaved changes in:\n{names}"), id="question")  # never markup
            with Horizontal(id="buttons"):
                yield Button("Save all and quit (s)", variant="primary", id="save")
                discard = Button("Quit without saving (d)", variant="error", id="discard")
                discard.can_focus = False  # Enter must never discard
                yield discard
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        answers: dict[str | None, QuitAnswer | None] = {"save": "save", "discard": "discard"}
        self.dismiss(answers.get(event.button.id))

    def action_answer(self, value: QuitAnswer | None) -> None:
        self.dismiss(value)
