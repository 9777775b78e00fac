"""A modal that asks for a name and checks it before it closes (new template, rename...)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...core.safe_text import printable
from ...errors import StudioError


class NamePrompt(ModalScreen[str | None]):
    """Ask for a name; Enter closes only when ``check`` accepts it (Esc cancels)."""

    BINDINGS = [("escape", "dismiss", "Cancel")]

    def __init__(self, question: str, check: Callable[[str], object], *, value: str = "") -> None:
        super().__init__()
        self.question, self.check, self.value = question, check, value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Label(Text(self.question), id="prompt-question")
            yield Input(value=self.value, id="prompt-input")
            yield Static("Enter to confirm, Esc to cancel", id="prompt-error")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted, "#prompt-input")
    def submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        try:
            self.check(name)
        except StudioError as exc:
            error = self.query_one("#prompt-error", Static)
            error.update(Text(printable(str(exc), one_line=True), style="red"))
            return
        self.dismiss(name)
