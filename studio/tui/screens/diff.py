"""The unsaved changes of a file: a unified diff of the buffer against the file on disk."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...core.safe_text import printable

STYLES = {"+": "green", "-": "red", "@": "cyan"}


def diff_text(diff: str) -> Text:
    """The diff as literal text (file content is never markup), lines coloured by kind."""
    out = Text()
    for line in diff.splitlines():
        style = "bold" if line.startswith(("+++", "---")) else STYLES.get(line[:1], "")
        out.append(printable(line, one_line=True) + "\n", style=style)
    return out


class DiffScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,f12", "dismiss", "Close")]

    def __init__(self, title: str, diff: str) -> None:
        super().__init__()
        self.title_text, self.diff = title, diff

    def compose(self) -> ComposeResult:
        with Vertical(id="diff-view"):
            yield Label(Text(self.title_text), id="diff-title")
            with VerticalScroll():
                yield Static(
                    diff_text(self.diff) if self.diff else "No unsaved changes.", id="diff"
                )
