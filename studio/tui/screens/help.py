"""The help screen: what the studio shows and every key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# Studio

Pick a template, component, brand file or sample in the tree (left). Edit it in the
middle; the preview (right) re-renders as you type, with the selected **sample** and
**locale**. An error shows with its line and the last good preview stays.

| key | action |
| --- | --- |
| ctrl+s | save (atomically) |
| ctrl+f | find in the file; enter: next match |
| ctrl+z / ctrl+y | undo / redo |
| ctrl+o | open the rendered HTML in a browser |
| ctrl+n | new sample set from the template's variables |
| ctrl+t | toggle light and dark theme |
| ctrl+p | command palette: every action |
| f1 | this help |
| ctrl+q | quit (asks when something is unsaved) |

Findings (the checks of `studio lint`) are listed in the Findings tab: select one to
jump to its line.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)
