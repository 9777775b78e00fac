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
    """The key, as Textual names it (``ctrl+s``, ``f1``); "" for a palette-only action."""
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
    footer: bool = True
    """Shown in the footer (the rest are in F1 help and the palette, and work the same)."""

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.label, show=self.footer, priority=self.priority)

    @property
    def shown(self) -> str:
        """The key as the help, the palette and docs/tui.md show it ("palette" if none)."""
        return self.key or "palette"


KEYS: tuple[Key, ...] = (
    Key("ctrl+s", "save", "Save", "Save", "Save the file in the editor (atomically)"),
    Key("ctrl+f", "find", "Find", "Find", "Find text in the file (ctrl+f or Esc closes)"),
    Key("ctrl+r", "replace", "Replace", "Find and replace", "Replace the next match or all"),
    Key("ctrl+l", "go_to_line", "Line", "Go to line", "Move the cursor to a line number"),
    Key(
        "ctrl+o",
        "open_browser",
        "Browser",
        "Open in browser",
        "The live browser preview, with unsaved edits",
        footer=False,
    ),
    Key(
        "ctrl+n",
        "new_sample",
        "New sample",
        "New sample set",
        "A named sample of the template's variables that renders at once",
        footer=False,
    ),
    Key(
        "ctrl+t",
        "toggle_theme",
        "Theme",
        "Toggle light/dark theme",
        "Switch between light and dark",
        footer=False,
    ),
    Key(
        "ctrl+b",
        "toggle_files",
        "Files",
        "Show/hide files",
        "The workspace tree (narrow: instead of the preview)",
    ),
    Key("ctrl+g", "send", "Send", "Send test message", "Send this template with this sample"),
    Key(
        "f10",
        "search_workspace",
        "Search",
        "Search in workspace",
        "Find text in every file; Enter opens a match at its line",
    ),
    Key("f1", "help", "Help", "Help", "Keys and what the studio shows"),
    Key(
        "f2", "focus_tree", "Tree", "Go to the file tree", "Focus the workspace tree", footer=False
    ),
    Key("f3", "focus_editor", "Editor", "Go to the editor", "Focus the editor", footer=False),
    Key(
        "f4",
        "focus_preview",
        "Preview",
        "Go to the preview",
        "Focus the preview's tabs",
        footer=False,
    ),
    Key(
        "f5",
        "focus_findings",
        "Findings",
        "Go to the findings",
        "The Findings tab: why, how to fix, Enter jumps to the line",
        footer=False,
    ),
    Key(
        "alt+p",
        "show_pixel",
        "Pixel",
        "Pixel preview",
        "The Pixel tab: the message as Chromium draws it, unsaved edits included",
        footer=False,
        priority=True,  # a terminal sends alt+x as x with alt: the editor would type it
    ),
    Key(
        "alt+w",
        "pixel_width",
        "Width",
        "Pixel preview: 600 / 375 px",
        "Draw the pixel preview at desktop (600 px) or mobile (375 px) width",
        footer=False,
        priority=True,  # a terminal sends alt+x as x with alt: the editor would type it
    ),
    Key(
        "alt+d",
        "pixel_dark",
        "Dark",
        "Pixel preview: light / dark",
        "Draw the pixel preview with prefers-color-scheme light or dark",
        footer=False,
        priority=True,  # a terminal sends alt+x as x with alt: the editor would type it
    ),
    Key(
        "alt+c",
        "pixel_changes",
        "Changes",
        "Pixel preview: changed pixels",
        "Mark in red the pixels that differ from the last saved version",
        footer=False,
        priority=True,  # a terminal sends alt+x as x with alt: the editor would type it
    ),
    Key("f8", "deliverability", "DNS", "Deliverability", "DNS preflight of the sending domain"),
    Key("f9", "inbox", "Inbox", "Inbox", "Messages caught by the embedded sink"),
    Key(
        "",
        "toggle_router",
        "Router",
        "Start/stop the router",
        "The local trigger API (studio serve) on loopback, delivering to the embedded sink",
    ),
    Key(
        "f12",
        "diff",
        "Diff",
        "Diff unsaved changes",
        "The editor's unsaved text against the file on disk",
        footer=False,
    ),
    Key(
        "f11",
        "changes",
        "Changes",
        "Changes",
        "Messages the unsaved and uncommitted edits affect, with their text diffs",
        footer=False,
    ),
    Key(
        "",
        "revert",
        "Revert",
        "Revert file",
        "Drop the unsaved edits of the file in the editor (asks first)",
    ),
    Key("ctrl+q", "quit", "Quit", "Quit", "Quit (asks when something is unsaved)", priority=True),
)
"""Every app-wide key, in the order the footer, the palette and the help list them."""

EDITOR_KEYS: tuple[tuple[str, str], ...] = (
    ("tab", "indent (in the editor)"),
    ("escape", "leave the editor (focus moves on); close the find bar"),
    ("ctrl+z / ctrl+y", "undo / redo"),
)
"""Keys the editor itself handles (not app actions): listed on the help screen only."""

TEXT_KEYS: frozenset[str] = frozenset(
    {
        # Textual 8's TextArea and Input bindings (ctrl+d deletes, ctrl+e goes to the
        # end of the line...): an app key here would never reach the app from the editor
        # or the find bar, or would change the text. tests/tui/test_keys.py checks this
        # set against the widgets' own bindings.
        *("ctrl+a", "ctrl+c", "ctrl+d", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+v", "ctrl+w"),
        *("ctrl+x", "ctrl+y", "ctrl+z", "f6", "f7", "ctrl+shift+a", "ctrl+shift+k"),
        # what terminals send for ctrl+h (backspace), ctrl+i (tab), ctrl+j/ctrl+m (enter)
        *("ctrl+h", "ctrl+i", "ctrl+j", "ctrl+m"),
    }
)
"""Keys an app binding must never use."""


def app_bindings() -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """The app's ``BINDINGS`` (typed as Textual's ``App.BINDINGS`` is)."""
    return [k.binding() for k in KEYS if k.key]


def help_rows() -> list[tuple[str, str]]:
    """(key, text) rows of the help screen's key table: editor keys, then every app key."""
    return [*EDITOR_KEYS, *((k.shown, f"{k.title}: {k.help}") for k in KEYS)]


def markdown_table() -> str:
    """The key table of docs/tui.md (``scripts/gen_tui_keys.py`` writes it there)."""
    rows = ["| key | action |", "| --- | --- |"]
    rows += [f"| {key} | {text} |" for key, text in help_rows()]
    return "\n".join(rows) + "\n"
