"""The studio's layout: which panes show at which width, and the keys that move the focus.

Wide terminals show the tree (ctrl+b hides it), the editor and the preview; narrow
ones the editor and either the preview or the tree. The layout is set from the width
on every resize, so a resize never loses a pane.
"""

from __future__ import annotations

from textual import events

from .base import StudioBase
from .widgets import PreviewPane

NARROW = 110  # below this many columns the tree is hidden (ctrl+b: instead of the preview)


class LayoutActions(StudioBase):
    """Layout and focus: part of ``StudioApp``."""

    def on_resize(self, event: events.Resize) -> None:
        self.apply_layout(event.size.width)

    def apply_layout(self, width: int, *, update: bool = True) -> None:
        """Wide: tree (if shown), editor, preview. Narrow: editor and the preview or the tree.

        Set from the width on every resize (not left to CSS breakpoints and inline
        styles that can disagree), so that a resize never loses the preview: a
        narrow terminal starts with the preview, whatever the tree did when wide.
        The classes change at once (one pass over the screen's styles, not one per
        class); ``update=False`` before the widgets are mounted (``compose``), where
        there is nothing to restyle yet.
        """
        narrow = width < NARROW
        if not narrow:
            self.tree_narrow = False
        self.home.update_classes(
            {
                "-narrow": narrow,
                "-wide": not narrow,
                "-files": narrow and self.tree_narrow,
                "-no-tree": not narrow and not self.tree_wide,
            },
            update=update,
        )

    @property
    def narrow(self) -> bool:
        return self.home.has_class("-narrow")

    def action_toggle_files(self) -> None:
        """Show or hide the workspace tree (on narrow terminals it replaces the preview)."""
        if self.narrow:
            self.tree_narrow = shown = not self.tree_narrow
        else:
            self.tree_wide = shown = not self.tree_wide
        self.apply_layout(self.size.width)
        tree = self.home.query_one("#tree")
        if shown:
            tree.focus()
        elif self.focused is tree or self.focused is None:
            self.pane.editor.focus()

    def action_focus_tree(self) -> None:
        if self.narrow:
            self.tree_narrow = True
        else:
            self.tree_wide = True
        self.apply_layout(self.size.width)
        self.home.query_one("#tree").focus()

    def action_focus_editor(self) -> None:
        self.pane.editor.focus()

    def show_preview(self) -> None:
        """Bring the preview back where the tree took its place (narrow terminals)."""
        if self.tree_narrow:
            self.tree_narrow = False
            self.apply_layout(self.size.width)

    def action_focus_preview(self) -> None:
        self.show_preview()
        self.home.query_one(PreviewPane).focus_tabs()

    def action_focus_findings(self) -> None:
        self.show_preview()
        self.home.query_one(PreviewPane).focus_findings()
