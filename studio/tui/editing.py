"""Editing in the studio: opening files, the status line, save, revert, diff, find, quit.

Every file's text lives in the buffer model (``core/buffers.py``); these actions move
text between it and the editor pane, and never lose an unsaved edit: a failed save
keeps the buffer, revert and quit ask first, and quit offers to save everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from ..core.files import SaveError
from ..core.safe_text import printable
from . import screens  # each screen is imported when first shown
from .base import StudioBase
from .widgets import PreviewPane, WorkspaceTree
from .widgets.highlight import is_jinja, language_of

if TYPE_CHECKING:
    from .screens.quit import QuitAnswer


class EditingActions(StudioBase):
    """Files in the editor: part of ``StudioApp``."""

    def open_file(self, path: Path) -> bool:
        """Show ``path`` in the editor (its unsaved buffer, if any); False if it cannot be read.

        A file that cannot be read leaves the editor as it was (with a notice); one
        that is not UTF-8 opens read-only. The editor takes the focus.
        """
        self.sync_editor()
        first = path not in self.buffers
        try:
            buf = self.buffers.open(path)
        except OSError as exc:
            self.warn(f"{self.rel(path)}: cannot open: {exc.strerror or exc}")
            return False
        if first and buf.read_only:
            self.warn(f"{self.rel(path)}: {buf.read_only}")
        self.current = path
        self.pane.load(
            buf.text,
            language=language_of(path),
            read_only=buf.read_only is not None,
            jinja=is_jinja(path),
        )
        self.pane.editor.focus()
        self.home.query_one(WorkspaceTree).reveal(path)
        self.select_context(path)
        self.update_status()
        self.request_render()
        return True

    def reload_editor(self, path: Path) -> None:
        """Show the buffer of ``path`` again if it is the one in the editor."""
        if path == self.current:
            buf = self.buffers[path]
            self.pane.load(
                buf.text,
                language=language_of(path),
                read_only=bool(buf.read_only),
                jinja=is_jinja(path),
            )

    def select_context(self, path: Path) -> None:
        """Which template and sample the preview shows for the opened file.

        A template (or its SMS) shows itself, a sample its template; anything else
        (a component, a partial under ``templates/``, brand files) keeps the
        template shown, which renders with the file's unsaved edits.
        """
        ws = self.workspace
        rel = self.rel(path)
        name = path.name.removesuffix(".mjml").removesuffix(".sms.j2")
        if rel.startswith("templates/") and path.resolve() in (
            ws.template_path(name).resolve(),
            ws.sms_template_path(name).resolve(),
        ):
            sms = path.name.endswith(".sms.j2")
            self.set_template(name)
            pane = self.home.query_one(PreviewPane)
            if sms or pane.active_tab != "tab-pixel":  # the Pixel tab stays on a new template
                pane.show_tab("tab-sms" if sms else "tab-preview")
        elif rel.startswith("samples/"):
            self.set_template(path.parent.name, sample=path.stem)
        elif self.template is None and ws.template_names():
            self.set_template(ws.template_names()[0])

    def set_template(self, name: str, sample: str | None = None) -> None:
        changed = name != self.template
        self.template = name
        samples = self.workspace.sample_names(name)
        if sample is None and changed and samples:
            sample = "en_basic" if "en_basic" in samples else samples[0]
        if changed:
            self.pane.set_samples(samples, sample)
        elif sample is not None:
            self.pane.set_sample(sample)

    def sync_editor(self) -> None:
        """Take the editor's text into its buffer now (its Changed event may still be queued)."""
        path = self.current
        if path is not None and path in self.buffers and not self.buffers[path].read_only:
            text = self.pane.editor.text
            if text != self.buffers[path].text:
                self.buffers.edit(path, text)
                self.synced_edit = True  # the edit's Changed event, still queued, says so

    def dirty(self, path: Path) -> bool:
        self.sync_editor()
        return self.buffers.dirty(path)

    def unsaved_files(self) -> list[tuple[str, Path]]:
        """(relative path, path) of every unsaved file: the palette lists them."""
        self.sync_editor()
        return [(self.rel(p), p) for p in self.buffers.unsaved()]

    def update_status(self) -> None:
        """The status line and title: the file, its state, how many files are unsaved."""
        unsaved = self.buffers.unsaved()
        self.home.query_one(WorkspaceTree).mark_unsaved(set(unsaved))
        if self.current is None:
            return
        rel = self.rel(self.current)
        mark = self.dirty(self.current)
        locked = " (read-only)" if self.buffers[self.current].read_only else ""
        status = Text()
        if mark:
            status.append("● ", style="bold yellow")
        status.append(rel + locked)
        if unsaved:
            status.append(f"  ·  {len(unsaved)} unsaved", style="bold yellow")
        self.pane.set_status(status)
        self.sub_title = rel + (" (unsaved)" if mark else "") + locked

    # -- saving and undoing ---------------------------------------------------

    def action_save(self) -> None:
        """Save the editor's file; on any failure say why and keep the buffer."""
        path = self.current
        if path is None:
            return
        self.sync_editor()
        try:
            self.buffers.save(path)
        except SaveError as exc:
            self.update_status()
            self.notify(printable(str(exc), one_line=True), severity="error", markup=False)
            return
        self.update_status()
        self.notify(f"saved {self.rel(path)}", markup=False)
        self.request_render()

    def action_revert(self) -> None:
        """Drop the unsaved edits of the editor's file (after asking)."""
        path = self.current
        if path is None or not self.dirty(path):  # dirty() syncs the editor first
            self.notify("no unsaved changes to revert", markup=False)
            return

        def answer(revert: bool | None) -> None:
            if not revert:
                return
            try:
                self.buffers.revert(path)
            except OSError as exc:
                self.warn(f"{self.rel(path)}: cannot read it to revert: {exc.strerror or exc}")
                return
            self.reload_editor(path)
            self.update_status()
            self.request_render()
            self.notify(f"reverted {self.rel(path)}", markup=False)

        self.push_screen(
            screens.ConfirmScreen(
                f"Revert {self.rel(path)} to the file on disk? Your unsaved edits are lost.",
                yes="Revert",
                no="Keep my edits",
            ),
            answer,
        )

    def action_diff(self) -> None:
        """The editor's unsaved text against the file on disk, as a unified diff."""
        if self.current is None:
            return
        self.sync_editor()
        rel = self.rel(self.current)
        self.push_screen(
            screens.DiffScreen(f"{rel}: unsaved changes", self.buffers.diff(self.current))
        )

    # -- finding -------------------------------------------------------------

    def action_find(self) -> None:
        self.pane.toggle_find()

    def action_replace(self) -> None:
        self.pane.toggle_find(replace=True)

    def action_go_to_line(self) -> None:
        editor = self.pane.editor

        def answer(where: tuple[int, int] | None) -> None:
            if where is not None:
                self.pane.go_to(*where)

        self.push_screen(screens.GoToLineScreen(editor.document.line_count), answer)

    # -- leaving ---------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; with unsaved files, ask: save them all, quit without them, or stay."""
        self.sync_editor()
        unsaved = [self.rel(p) for p in self.buffers.unsaved()]
        if not unsaved:
            self.exit()
            return

        def answer(choice: QuitAnswer | None) -> None:
            if choice == "discard":
                self.exit()
            elif choice == "save":
                failed = self.buffers.save_all()
                self.update_status()
                if not failed:
                    self.exit()
                    return
                for _, exc in failed:  # the app stays, with these buffers
                    self.notify(printable(str(exc), one_line=True), severity="error", markup=False)

        self.push_screen(screens.QuitScreen(unsaved), answer)
