"""The studio's workspace actions: templates and samples as files, quick open, search.

:class:`WorkspaceActions` is mixed into the app: each action asks (a name, a
confirmation) with a small modal and calls :mod:`studio.core.workspace_files`, then
shows the result (tree, sample picker, editor). :class:`WorkspaceCommands` puts them
and every workspace file ("open by name") in the command palette.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..core.workspace_files import (
    Match,
    check_sample_name,
    check_template_name,
    delete_template,
    duplicate_template,
    editable_files,
    new_sample,
    new_template,
    rename_template,
    template_files,
)
from ..errors import ConfigError, StudioError
from . import screens  # each screen is imported when first shown
from .base import StudioBase
from .widgets import WorkspaceTree

if TYPE_CHECKING:
    pass


class WorkspaceActions(StudioBase):
    """Actions on the workspace's files: ``StudioApp`` is built on this."""

    # -- helpers -------------------------------------------------------------

    def unsaved_texts(self) -> dict[str, str]:
        """Unsaved text of every edited file, by workspace-relative path."""
        self.sync_editor()
        return self.buffers.unsaved_texts()

    def refresh_files(self) -> None:
        """The tree and the sample picker, after files were added, moved or removed."""
        tree = self.home.query_one(WorkspaceTree)
        tree.rebuild()
        if self.current is not None:
            tree.reveal(self.current)
        if self.template is not None:
            samples = self.workspace.sample_names(self.template)
            self.pane.set_samples(samples)

    def forget(self, paths: list[Path]) -> None:
        """Drop what the app holds of files that were moved or removed."""
        for p in paths:
            self.buffers.forget(p)
        if self.current in paths:
            self.current = None
        self.template = None

    def unsaved_in(self, name: str) -> list[str]:
        """The files of template ``name`` with unsaved edits."""
        self.sync_editor()
        files = template_files(self.workspace, name).paths()
        return [self.rel(p) for p in files if self.dirty(p)]

    def fail(self, exc: StudioError | OSError) -> None:
        self.warn(str(exc), severity="error")

    def _free_template(self, name: str) -> None:
        check_template_name(name)
        ws = self.workspace
        for path in (ws.template_path(name), ws.sms_template_path(name), ws.samples_dir / name):
            if path.exists():
                raise ConfigError(f"{ws.relpath(path)}: already exists; choose another name")

    # -- templates -----------------------------------------------------------

    def action_new_template(self) -> None:
        """Ask for a name; write the template (front matter, a body) and a first sample."""

        def made(name: str | None) -> None:
            if not name:
                return
            try:
                written = new_template(self.workspace, name)
            except (StudioError, OSError) as exc:
                self.fail(exc)
                return
            self.refresh_files()
            self.open_file(written[0])
            self.notify(f"created {', '.join(self.rel(p) for p in written)}", markup=False)

        self.push_screen(screens.NamePrompt("New template name:", self._free_template), made)

    def action_duplicate_template(self) -> None:
        source = self.template
        if source is None:
            return

        def made(name: str | None) -> None:
            if not name:
                return
            try:
                written = duplicate_template(self.workspace, source, name)
            except (StudioError, OSError) as exc:
                self.fail(exc)
                return
            self.refresh_files()
            self.open_file(written[0])
            self.notify(f"duplicated {source} as {name}", markup=False)

        self.push_screen(
            screens.NamePrompt(
                f"Duplicate {source} as:", self._free_template, value=f"{source}_copy"
            ),
            made,
        )

    def action_rename_template(self) -> None:
        old = self.template
        if old is None:
            return
        unsaved = self.unsaved_in(old)
        if unsaved:
            self.warn(f"save or revert {', '.join(unsaved)} before renaming {old}")
            return

        def renamed(name: str | None) -> None:
            if not name or name == old:
                return
            try:
                moves = rename_template(self.workspace, old, name)
            except (StudioError, OSError) as exc:
                self.fail(exc)
                return
            moved = [p for p in self.buffers if any(p == s or s in p.parents for s, _ in moves)]
            self.forget(moved)
            self.refresh_files()
            self.open_file(self.workspace.template_path(name))
            self.notify(f"renamed {old} to {name} (samples and SMS follow)", markup=False)

        self.push_screen(
            screens.NamePrompt(f"Rename {old} to:", self._free_template, value=old), renamed
        )

    def action_delete_template(self) -> None:
        name = self.template
        if name is None:
            return
        files = [self.rel(p) for p in template_files(self.workspace, name).paths()]

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                removed = delete_template(self.workspace, name)
            except (StudioError, OSError) as exc:
                self.fail(exc)
                return
            self.forget(removed)
            self.refresh_files()
            remaining = self.workspace.template_names()
            if remaining:
                self.open_file(self.workspace.template_path(remaining[0]))
            self.notify(f"deleted {name} ({len(removed)} files)", markup=False)

        self.push_screen(
            screens.ConfirmScreen(
                f"Delete template {name} and its files ({', '.join(files)})? This cannot"
                " be undone.",
                yes="Delete",
                no="Keep",
            ),
            answer,
        )

    # -- samples -------------------------------------------------------------

    def action_new_sample(self) -> None:
        """Ask for a name; write a sample of the template's variables that renders at once."""
        template = self.template
        if template is None:
            return
        ws = self.workspace
        taken = set(ws.sample_names(template))
        n = 1
        while f"new_{n}" in taken:
            n += 1

        def check(name: str) -> None:
            check_sample_name(name)
            if name in taken:
                raise ConfigError(f"samples/{template}/{name}.json: already exists")

        def made(name: str | None) -> None:
            if not name:
                return
            source = self.unsaved_texts().get(self.rel(ws.template_path(template)))
            try:
                path = new_sample(ws, template, name, source=source)
            except (StudioError, OSError) as exc:
                self.fail(exc)
                return
            self.refresh_files()
            self.open_file(path)
            self.notify(f"created {self.rel(path)} from the template's variables", markup=False)

        self.push_screen(
            screens.NamePrompt(f"New sample of {template}:", check, value=f"new_{n}"), made
        )

    # -- search --------------------------------------------------------------

    def action_search_workspace(self) -> None:
        """Search every workspace file (unsaved text included); open a match at its line."""

        def chosen(match: Match | None) -> None:
            try:
                if match is not None:
                    self.open_at(match.file, match.line)
            finally:
                self.release_keys()  # held since Enter: what was typed goes to the line

        self.push_screen(screens.SearchScreen(self.workspace, self.unsaved_texts), chosen)

    def open_at(self, rel: str, line: int | None = None) -> None:
        """Open a workspace file (relative path) in the editor, at ``line`` if given."""
        if not self.open_file(self.workspace.root / rel):
            return
        # The focus moves now, not after a refresh: the keys that follow go to the editor.
        if line:
            self.pane.go_to(line - 1)
        else:
            self.home.set_focus(self.pane.editor)


ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("New template…", "new_template", "A template with front matter and a sample"),
    ("Duplicate template…", "duplicate_template", "Copy this template, its SMS and samples"),
    ("Rename template…", "rename_template", "Rename this template; samples and SMS follow"),
    ("Delete template…", "delete_template", "Delete this template, its SMS and samples"),
    ("New sample…", "new_sample", "A sample of this template's variables"),
    ("Search in workspace…", "search_workspace", "Find text in every file; open a match"),
)


class WorkspaceCommands(Provider):
    """The palette's file actions, and every workspace file to open by name."""

    async def discover(self) -> Hits:
        for title, action, text in ACTIONS:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = self.app
        for title, action, text in ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(title), partial(app.run_action, action), help=text
                )
        ws = getattr(app, "workspace", None)
        if ws is None:
            return
        for rel in editable_files(ws):
            score = matcher.match(rel)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(rel),
                    partial(self.open, rel),
                    help="open file",
                )

    def open(self, rel: str) -> None:
        app = self.app
        if isinstance(app, WorkspaceActions):
            app.open_at(rel)
