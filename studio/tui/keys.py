"""The studio's one key table: app bindings, the command palette and F1 help come from it.

``BINDINGS`` of the app, the studio's entries in the palette (``commands.py``) and
the table on the help screen (``screens/help.py``) are all generated from
:data:`KEYS`, so a key cannot be added, renamed or dropped in one place and not in
the others (the bindings and the palette drifted apart once when they were two lists).
This module imports nothing of the studio, so any of them can import it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    """One studio action and the key that runs it."""

    key: str
    """The key, as Textual names it (``ctrl+s``, ``f1``)."""
    action: str
    """The app action it runs (``save`` runs ``StudioApp.action_save``)."""
    label: str
    """Short name for the footer."""
    title: str
    """What the palette lists and the help screen names."""
    help: str
    """One line on what it does: the palette's help and the help screen's text."""
    priority: bool = False
    """Runs even when the focused widget binds the same key."""

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.label, priority=self.priority)


KEYS: tuple[Key, ...] = (
    Key("ctrl+s", "save", "Save", "Save", "Save the file in the editor (atomically)"),
    Key("ctrl+f", "find", "Find", "Find", "Find text in the file"),
    Key(
        "ctrl+o",
        "open_browser",
        "Browser",
        "Open in browser",
        "Open the rendered HTML in a browser",
    ),
    Key(
        "ctrl+n",
        "new_sample",
        "New sample",
        "New sample set",
        "A named sample of the template's variables that renders at once",
    ),
    Key(
        "ctrl+t",
        "toggle_theme",
        "Theme",
        "Toggle light/dark theme",
        "Switch between light and dark",
    ),
    Key(
        "ctrl+b",
        "toggle_files",
        "Files",
        "Show/hide files",
        "The workspace tree (narrow: instead of the preview)",
    ),
    Key("ctrl+d", "deliverability", "DNS", "Deliverability", "DNS preflight of the sending domain"),
    Key("ctrl+e", "inbox", "Inbox", "Inbox", "Messages caught by the embedded sink"),
    Key("ctrl+g", "send", "Send", "Send test message", "Send this template with this sample"),
    Key(
        "f10",
        "search_workspace",
        "Search",
        "Search in workspace",
        "Find text in every file; Enter opens a match at its line",
    ),
    Key("f1", "help", "Help", "Help", "Keys and what the studio shows"),
    Key("ctrl+q", "quit", "Quit", "Quit", "Quit (asks when something is unsaved)", priority=True),
)
"""Every app-wide key, in the order the footer, the palette and the help list them."""

EDITOR_KEYS: tuple[tuple[str, str], ...] = (("ctrl+z / ctrl+y", "undo / redo"),)
"""Keys the editor itself handles (not app actions): listed on the help screen only."""


def app_bindings() -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """The app's ``BINDINGS`` (typed as Textual's ``App.BINDINGS`` is)."""
    return [k.binding() for k in KEYS]


def help_rows() -> list[tuple[str, str]]:
    """(key, text) rows of the help screen's key table: editor keys, then every app key."""
    return [*EDITOR_KEYS, *((k.key, f"{k.title}: {k.help}") for k in KEYS)]
