"""The command palette's studio commands: every action, shown with its key."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .app import StudioApp

# (action, title, key, help)
COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("save", "Save", "ctrl+s", "Save the file in the editor (atomically)"),
    ("find", "Find", "ctrl+f", "Find text in the file"),
    ("open_browser", "Open in browser", "ctrl+o", "Open the rendered HTML in a browser"),
    ("new_sample", "New sample set", "ctrl+n", "A sample from the variables the template uses"),
    ("toggle_theme", "Toggle light/dark theme", "ctrl+t", "Switch between light and dark"),
    (
        "toggle_files",
        "Show/hide files",
        "ctrl+b",
        "The workspace tree (narrow: instead of the preview)",
    ),
    ("deliverability", "Deliverability", "ctrl+d", "DNS preflight of the sending domain"),
    ("inbox", "Inbox", "ctrl+e", "Messages caught by the embedded sink"),
    ("send", "Send test message", "ctrl+g", "Send this template with this sample"),
    ("help", "Help", "f1", "Keys and what the studio shows"),
    ("quit", "Quit", "ctrl+q", "Quit (asks when something is unsaved)"),
)


class StudioCommands(Provider):
    """Every studio action, searchable in the palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, str, str, str]]:
        app = self.app
        return [c for c in COMMANDS if hasattr(app, f"action_{c[0]}")]

    async def discover(self) -> Hits:
        for action, title, key, help_text in self._commands():
            yield DiscoveryHit(f"{title}  ({key})", partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, title, key, help_text in self._commands():
            label = f"{title}  ({key})"
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(label), partial(self._run, action), help=help_text
                )

    async def _run(self, action: str) -> None:
        app: StudioApp = self.app  # type: ignore[assignment]
        await app.run_action(action)
