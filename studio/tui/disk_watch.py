"""The studio's watch on the disk: files changed by someone else while they are open.

A file changed on disk with no unsaved edits is reloaded; with unsaved edits the
user is asked (keeping theirs is the default); one that cannot be read any more is
reported once and its buffer kept.
"""

from __future__ import annotations

from pathlib import Path

from ..core.buffers import Change
from . import screens  # each screen is imported when first shown
from .base import StudioBase


class DiskWatch(StudioBase):
    """Polls the open files' state on disk: part of ``StudioApp``."""

    def check_disk(self) -> None:
        """Notice files changed by someone else; reload them, or ask when edits would be lost.

        A file that cannot be read any more (removed, now a folder, unreadable) is
        reported once and its buffer kept; one rewritten as non-UTF-8 becomes read-only.
        """
        if not self.home.query("EditorPane"):
            return  # the studio is closing: its panes are gone before its timers stop
        self.sync_editor()
        for change in self.buffers.poll_disk():
            path, rel = change.path, self.rel(change.path)
            if change.change is Change.UNREADABLE:
                self.warn(
                    f"{rel} cannot be read any more ({change.why}): your text stays in the editor"
                )
            elif change.change is Change.READ_ONLY:
                self.warn(f"{rel} changed on disk and is {change.why}")
            elif change.change is Change.CONFLICT:
                self.ask_reload(path, change.text, change.mtime)
            else:
                self.disk_loaded(path)
                self.warn(
                    f"{rel} changed on disk: reloaded" + (f" ({change.why})" if change.why else ""),
                    severity="warning" if change.why else "information",
                )

    def disk_loaded(self, path: Path) -> None:
        """The buffer of ``path`` took the file's text on disk: show it if it is open."""
        self.reload_editor(path)
        self.update_status()
        self.request_render()

    def ask_reload(self, path: Path, text: str, mtime: int) -> None:
        def answer(reload: bool | None) -> None:
            if reload:
                self.buffers.take_disk(path, text, mtime, None)
                self.disk_loaded(path)

        self.push_screen(
            screens.ConfirmScreen(
                f"{self.rel(path)} changed on disk and you have unsaved edits. Reload it"
                " (your edits are lost)?",
                yes="Reload",
                no="Keep mine",
            ),
            answer,
        )
