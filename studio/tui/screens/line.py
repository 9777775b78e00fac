"""Go to line: asks for a line number (``42``, or ``42:7`` for a column)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


def parse_line(value: str, last: int) -> tuple[int, int] | None:
    """``"42"`` or ``"42:7"`` (1-based) as a 0-based (row, column) within ``last`` lines."""
    line, _, col = value.strip().partition(":")
    if not line.isdigit() or (col and not col.isdigit()):
        return None
    row = min(max(int(line), 1), last) - 1
    return row, max(int(col or 1), 1) - 1


class GoToLineScreen(ModalScreen[tuple[int, int] | None]):
    BINDINGS = [("escape", "dismiss", "Cancel")]

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(id="line-dialog"):
            yield Label(f"Go to line (1–{self.lines}, or line:column)")
            yield Input(placeholder="line", id="line")

    @on(Input.Submitted, "#line")
    def submitted(self, event: Input.Submitted) -> None:
        found = parse_line(event.value, self.lines)
        if found is None:
            self.notify("a line number, e.g. 42 or 42:7", severity="warning")
            return
        self.dismiss(found)
