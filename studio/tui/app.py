"""The studio app: composes the tree, the editor pane and the preview, and routes events.

What is open and unsaved lives in the buffer model (``core/buffers.py``), when the
preview renders in the scheduler (``scheduler.py``); rendering, checks and file
access go through ``studio.core``. Blocking work runs in thread workers that post
messages (``messages.py``), so the UI never waits.
"""

from __future__ import annotations

import gc
import tempfile
import webbrowser
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Select, TextArea, Tree

from ..core.buffers import Buffers, Change
from ..core.files import SaveError, save_file
from ..core.render.pipeline import RenderedMessage, RenderedSms
from ..core.safe_text import printable
from ..core.sink import Sink
from ..core.workspace import Workspace
from .commands import StudioCommands, UnsavedFiles
from .keys import KEYS, app_bindings
from .messages import (
    FindingsComputed,
    LocationChosen,
    MessageCaptured,
    PreviewRendered,
    RenderFinished,
)
from .scheduler import RenderScheduler, render_preview
from .screens import (
    ConfirmScreen,
    DeliverabilityScreen,
    DiffScreen,
    GoToLineScreen,
    HelpScreen,
    InboxScreen,
    QuitScreen,
    SendScreen,
)
from .screens.quit import QuitAnswer
from .widgets import EditorPane, PreviewPane, WorkspaceTree
from .workspace_actions import WorkspaceActions, WorkspaceCommands

FINDINGS_DELAY = 0.15  # s of quiet after a preview before its checks run
NARROW = 110  # below this many columns the tree is hidden (ctrl+b: instead of the preview)


def language_of(path: Path) -> str | None:
    # JSON is highlighted with the YAML grammar (JSON is YAML): tree-sitter-json 0.24.8
    # crashes the process (SIGSEGV) when a JSON buffer is edited under Textual 8.2.
    return {".json": "yaml", ".toml": "toml", ".mjml": "html", ".j2": None}.get(path.suffix)


class StudioApp(WorkspaceActions):
    """Edit templates with a live preview."""

    CSS_PATH = Path(__file__).with_name("studio.tcss")  # absolute: subclasses live elsewhere
    TITLE = "Studio"
    COMMANDS = App.COMMANDS | {StudioCommands, UnsavedFiles, WorkspaceCommands}
    BINDINGS = app_bindings()  # the one key table: keys.py

    def __init__(self, workspace: Workspace, *, watch_interval: float = 2.0) -> None:
        super().__init__()
        self.workspace = workspace
        self.current: Path | None = None  # the file in the editor
        self.template: str | None = None  # the template being previewed
        self.buffers = Buffers(workspace.root)  # every file opened, saved or not
        self.last_good: RenderedMessage | None = None
        self.last_sms: RenderedSms | None = None
        self.watch_interval = watch_interval
        # Rendering: one render at a time in a worker thread; edits made meanwhile
        # are coalesced into the next render, started as soon as this one is shown.
        self.renders = RenderScheduler()
        self.edits = 0  # edits made in the editor so far
        self.preview_edits = 0  # the edits the preview (or its error) reflects
        self._findings_timer: Timer | None = None
        self.tree_wide = True  # wide terminals: the tree beside the editor (ctrl+b hides it)
        self.tree_narrow = False  # narrow terminals: the tree instead of the preview
        self.sink: Sink | None = None  # the embedded sink, once started from the inbox
        self.last_recipient = ""  # the send dialog offers the address last sent to
        self.browser_dir: Path | None = None  # private folder of the HTML that ctrl+o opens

    @property
    def home(self) -> Screen[object]:
        """The studio's own screen, under any dialog or screen pushed on top of it."""
        return self.screen_stack[0] if self.screen_stack else self.screen

    def _live_pane(self) -> PreviewPane | None:
        """The preview pane, or None once the app is closing (for late worker results)."""
        if not self.screen_stack:
            return None
        found = self.screen_stack[0].query(PreviewPane)
        pane = found.first() if found else None
        if pane is None or not pane.query("#findings"):  # its children already removed
            return None
        return pane

    @property
    def pane(self) -> EditorPane:
        return self.home.query_one(EditorPane)

    @property
    def generation(self) -> int:
        return self.renders.generation

    # -- composition ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield WorkspaceTree(self.workspace, id="tree")
            yield EditorPane(id="editor-pane")
            yield PreviewPane(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.apply_layout(self.size.width)
        names = self.workspace.template_names()
        if names:
            self.open_file(self.workspace.template_path(names[0]))
        if self.watch_interval:
            self.set_interval(self.watch_interval, self.check_disk)

    def on_ready(self) -> None:
        # Everything built so far (the modules, the widgets, the compiled
        # templates) lives as long as the app: keep it out of the collector's
        # passes, which otherwise stall a keystroke's repaint now and then, and
        # make full passes rarer (see the studio's figures in the README).
        gc.collect()
        gc.freeze()
        gc.set_threshold(2_000, 10, 100)

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        """Textual's palette commands, less Quit and Theme (the key table has both)."""
        ours = {k.title for k in KEYS} | {"Quit", "Theme"}
        for command in super().get_system_commands(screen):
            if isinstance(command, SystemCommand) and command.title not in ours:
                yield command

    # -- layout ----------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.apply_layout(event.size.width)

    def apply_layout(self, width: int) -> None:
        """Wide: tree (if shown), editor, preview. Narrow: editor and the preview or the tree.

        Set from the width on every resize (not left to CSS breakpoints and inline
        styles that can disagree), so that a resize never loses the preview: a
        narrow terminal starts with the preview, whatever the tree did when wide.
        """
        home = self.home
        narrow = width < NARROW
        if not narrow:
            self.tree_narrow = False
        home.set_class(narrow, "-narrow")
        home.set_class(not narrow, "-wide")
        home.set_class(narrow and self.tree_narrow, "-files")
        home.set_class(not narrow and not self.tree_wide, "-no-tree")

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

    def _show_preview(self) -> None:
        if self.tree_narrow:  # narrow: the preview is where the tree was
            self.tree_narrow = False
            self.apply_layout(self.size.width)

    def action_focus_preview(self) -> None:
        self._show_preview()
        self.home.query_one(PreviewPane).focus_tabs()

    def action_focus_findings(self) -> None:
        self._show_preview()
        self.home.query_one(PreviewPane).focus_findings()

    # -- files ---------------------------------------------------------------

    def rel(self, path: Path) -> str:
        return self.workspace.relpath(path)

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
        self.pane.load(buf.text, language=language_of(path), read_only=buf.read_only is not None)
        self.pane.editor.focus()
        self.select_context(path)
        self.update_status()
        self.request_render()
        return True

    def warn(self, text: str, severity: SeverityLevel = "warning") -> None:
        """A notice about a file or a failed action: literal text (a path is never markup)."""
        self.notify(printable(text, one_line=True), severity=severity, markup=False)

    def select_context(self, path: Path) -> None:
        """Which template and sample the preview shows for the opened file."""
        ws = self.workspace
        rel = self.rel(path)
        if rel.startswith("templates/"):
            sms = path.name.endswith(".sms.j2")
            self.set_template(path.name.removesuffix(".mjml").removesuffix(".sms.j2"))
            self.home.query_one(PreviewPane).show_tab("tab-sms" if sms else "tab-preview")
        elif rel.startswith("samples/"):
            self.set_template(path.parent.name, sample=path.stem)
        elif self.template is None and ws.template_names():
            self.set_template(ws.template_names()[0])

    def set_template(self, name: str, sample: str | None = None) -> None:
        changed = name != self.template
        self.template = name
        select = self.home.query_one("#sample", Select)
        samples = self.workspace.sample_names(name)
        if changed:
            select.set_options([(Text(s), s) for s in samples])
        if sample is None and changed and samples:
            sample = "en_basic" if "en_basic" in samples else samples[0]
        if sample is not None:
            select.value = sample

    def sync_editor(self) -> None:
        """Take the editor's text into its buffer now (its Changed event may still be queued)."""
        path = self.current
        if path is not None and path in self.buffers and not self.buffers[path].read_only:
            self.buffers.edit(path, self.pane.editor.text)

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

    @on(TextArea.Changed, "#editor")
    def edited(self, event: TextArea.Changed) -> None:
        path = self.current
        if path is None or path not in self.buffers:
            return
        text = event.text_area.text
        if text == self.buffers[path].text:
            return  # a file loaded into the editor, not an edit
        self.buffers.edit(path, text)
        self.update_status()
        self.edits += 1
        self.request_render()

    @on(Tree.NodeSelected, "#tree")
    def tree_selected(self, event: Tree.NodeSelected[Path]) -> None:
        if event.node.data is not None:
            self.open_file(event.node.data)
            if self.tree_narrow:  # narrow: back to editor and preview
                self._show_preview()

    @on(Select.Changed)
    def select_changed(self) -> None:
        self.request_render()

    def on_location_chosen(self, event: LocationChosen) -> None:
        """Open a finding's or an error's file at its line."""
        path = self.workspace.root / event.file
        if not path.is_file() or not self.open_file(path):
            self.warn(f"{event.file}: no such file in the workspace")
            return
        if event.line:
            self.pane.go_to(event.line - 1)

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
                buf = self.buffers.revert(path)
            except OSError as exc:
                self.warn(f"{self.rel(path)}: cannot read it to revert: {exc.strerror or exc}")
                return
            if path == self.current:
                self.pane.load(buf.text, language=language_of(path), read_only=bool(buf.read_only))
            self.update_status()
            self.request_render()
            self.notify(f"reverted {self.rel(path)}", markup=False)

        self.push_screen(
            ConfirmScreen(
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
        self.push_screen(DiffScreen(f"{rel}: unsaved changes", self.buffers.diff(self.current)))

    def check_disk(self) -> None:
        """Notice files changed by someone else; reload them, or ask when edits would be lost.

        A file that cannot be read any more (removed, now a folder, unreadable) is
        reported once and its buffer kept; one rewritten as non-UTF-8 becomes read-only.
        """
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
        if path == self.current:
            buf = self.buffers[path]
            self.pane.load(buf.text, language=language_of(path), read_only=bool(buf.read_only))
        self.update_status()
        self.request_render()

    def ask_reload(self, path: Path, text: str, mtime: int) -> None:
        def answer(reload: bool | None) -> None:
            if reload:
                self.buffers.take_disk(path, text, mtime, None)
                self.disk_loaded(path)

        self.push_screen(
            ConfirmScreen(
                f"{self.rel(path)} changed on disk and you have unsaved edits. Reload it"
                " (your edits are lost)?",
                yes="Reload",
                no="Keep mine",
            ),
            answer,
        )

    # -- preview -------------------------------------------------------------

    def request_render(self) -> None:
        """Render now when idle; otherwise once the render in flight is shown."""
        if self.template is None:
            return
        generation = self.renders.request()
        if generation is not None:
            self.start_render(generation)

    def start_render(self, generation: int) -> None:
        assert self.template is not None
        self.sync_editor()
        sample = self.home.query_one("#sample", Select).value
        locale = self.home.query_one("#locale", Select).value
        self.render_preview(
            generation,
            self.edits,
            self.template,
            sample if isinstance(sample, str) else None,
            locale if isinstance(locale, str) else None,
            self.buffers.unsaved_texts(),
        )

    def on_render_finished(self, event: RenderFinished) -> None:
        generation = self.renders.finished()
        if generation is not None:
            if self._live_pane() is None:
                self.renders.finished()
                return
            self.start_render(generation)

    @work(thread=True, group="render")
    def render_preview(
        self,
        generation: int,
        edits: int,
        template: str,
        sample: str | None,
        locale: str | None,
        buffers: dict[str, str],
    ) -> None:
        """Render in the worker thread; post the result, then that the worker is done.

        The unsaved buffers are an argument of this render only: Send, rendering the
        saved files from another thread at the same time, cannot see them.
        """
        try:
            shown = render_preview(self.workspace, template, sample, locale, buffers)
            self.post_message(
                PreviewRendered(generation, edits, shown.message, shown.sms, shown.error)
            )
        finally:
            self.post_message(RenderFinished(generation))  # the next render may start

    @property
    def settling(self) -> bool:
        """A preview render, or the checks that follow it, is still to come or running
        (what tests and scripts wait on instead of a clock)."""
        return self.renders.busy or self._findings_timer is not None

    def start_findings(self) -> None:
        """Check the previewed message once typing pauses (a render never waits for it)."""
        self._findings_timer = None
        msg = self.last_good
        if msg is None or self.renders.busy:
            return  # the render in flight re-arms this when it is shown
        self.compute_findings(self.generation, msg, self.last_sms)

    @work(thread=True, exclusive=True, group="findings")
    def compute_findings(
        self, generation: int, msg: RenderedMessage, sms: RenderedSms | None
    ) -> None:
        from ..core.checks import lint_message, lint_rendered_sms

        findings = lint_message(self.workspace, msg)
        if sms is not None:
            findings += lint_rendered_sms(self.workspace, sms)
        self.post_message(FindingsComputed(generation, findings))

    def on_preview_rendered(self, event: PreviewRendered) -> None:
        pane = self._live_pane()
        if not self.renders.is_latest(event.generation) or pane is None:
            return  # superseded, or the app is closing
        self.preview_edits = event.edits
        if event.message is not None:
            self.last_good, self.last_sms = event.message, event.sms
            pane.show(event.message, event.sms)
            if self._findings_timer is not None:
                self._findings_timer.stop()
            self._findings_timer = self.set_timer(FINDINGS_DELAY, self.start_findings)
        elif event.error is not None:
            pane.show_error(event.error)  # the last good preview stays below
            line = getattr(event.error, "line", None)
            file = getattr(event.error, "file", None)
            if line and self.current is not None and file == self.rel(self.current):
                self.pane.editor.move_cursor((line - 1, 0))

    def on_findings_computed(self, event: FindingsComputed) -> None:
        pane = self._live_pane()
        if self.renders.is_latest(event.generation) and pane is not None:
            pane.show_findings(event.findings)

    # -- actions -------------------------------------------------------------

    def action_find(self) -> None:
        self.pane.toggle_find()

    def action_replace(self) -> None:
        self.pane.toggle_find(replace=True)

    def action_go_to_line(self) -> None:
        editor = self.pane.editor

        def answer(where: tuple[int, int] | None) -> None:
            if where is not None:
                self.pane.go_to(*where)

        self.push_screen(GoToLineScreen(editor.document.line_count), answer)

    def action_open_browser(self) -> None:
        msg = self.last_good
        if msg is None:
            self.notify("nothing rendered yet", severity="warning")
            return
        if self.browser_dir is None:
            # A private folder (0700, unpredictable name), not /tmp/studio-<name>.html
            # that another local user could create first as a symlink or read.
            self.browser_dir = Path(tempfile.mkdtemp(prefix="studio-preview-"))
        out = self.browser_dir / f"{msg.template or 'preview'}.html"
        try:
            save_file(out, msg.html)
        except SaveError as exc:
            self.notify(printable(str(exc), one_line=True), severity="error", markup=False)
            return
        try:
            opened = webbrowser.open(out.as_uri())
        except webbrowser.Error:
            opened = False
        self.notify(f"{'opened' if opened else 'wrote'} {out}", markup=False)

    def action_deliverability(self) -> None:
        self.push_screen(DeliverabilityScreen(self.workspace))

    def action_inbox(self) -> None:
        self.push_screen(InboxScreen(self.workspace))

    def action_send(self) -> None:
        if self.template is None:
            return
        sample = self.home.query_one("#sample", Select).value
        locale = self.home.query_one("#locale", Select).value
        self.push_screen(
            SendScreen(
                self.workspace,
                self.template,
                sample if isinstance(sample, str) else None,
                locale if isinstance(locale, str) else None,
            )
        )

    def on_message_captured(self, event: MessageCaptured) -> None:
        if isinstance(self.screen, InboxScreen):
            self.screen.action_refresh()
        self.notify(f"captured {event.id}")

    def on_unmount(self) -> None:
        if self.sink is not None:
            self.sink.stop()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

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

        self.push_screen(QuitScreen(unsaved), answer)
