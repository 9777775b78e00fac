"""The help screen: what the studio shows and every key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from ..keys import markdown_table

INTRO = """\
# Studio

Pick a template, component, brand file or sample in the tree (left). Edit it in the
middle; the preview (right) re-renders as you type, with the selected **sample** and
**locale**. An error shows with its line and the last good preview stays.
"""

OUTRO = """
Findings (the checks of `studio lint`) are listed in the Findings tab (f5) with why
they matter and how to fix them: Enter on one (or on a render error) jumps to its line.
Unsaved files carry `●` before their name in the tree; the palette (ctrl+p) lists them.
"""


def help_text() -> str:
    """The intro, then a table of every key (from the one key table, ``keys.py``)."""
    return INTRO + "\n" + markdown_table() + OUTRO


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(help_text())
