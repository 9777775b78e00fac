"""The studio app: composes the tree, the editor pane and the preview, and routes events.

What the app does lives in its parts, each a small module mixed in here:
``layout.py`` (panes and focus), ``editing.py`` (open, save, revert, diff, find,
quit), ``disk_watch.py`` (files changed by someone else), ``preview_flow.py``
(render and check as the user types), ``pixel_flow.py`` (the Pixel tab follows
the typing in Chromium), ``tool_actions.py`` (browser, deliverability, inbox, send,
help; the browser preview itself in ``browser.py``) and ``workspace_actions.py``
(templates and samples as files).
What is open and unsaved lives in the buffer model (``core/buffers.py``); rendering,
checks and file access go through ``studio.core``. Blocking work runs in thread
workers that post messages (``messages.py``), so the UI never waits.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Header, Select, TextArea, Tree

from ..core.buffers import Buffers
from ..core.safe_text import printable
from ..core.workspace import Workspace
from .browser import BrowserPreview
from .commands import StudioCommands, UnsavedFiles
from .disk_watch import DiskWatch
from .editing import EditingActions
from .key_hold import KeyHold
from .keys import KEYS, app_bindings
from .layout import NARROW, LayoutActions
from .messages import LocationChosen
from .pixel_flow import PixelFlow
from .preview_flow import FINDINGS_DELAY, PreviewFlow
from .scheduler import RenderScheduler
from .tool_actions import ToolActions
from .widgets import EditorPane, PreviewPane, WorkspaceTree
from .widgets.highlight import language_of
from .workspace_actions import WorkspaceActions, WorkspaceCommands

__all__ = ["FINDINGS_DELAY", "NARROW", "StudioApp", "language_of"]


SCREENS_CSS = Path(__file__).with_name("screens.tcss")  # read with the first screen pushed


class HomeScreen(Screen[object]):
    """The studio's own screen (the tree, the editor, the preview), under every dialog.

    When a screen becomes active, Textual styles all of its widgets again (its
    ``ScreenResume`` asks for it): right for a screen coming back from under a
    dialog, where the theme may have changed meanwhile, but the first time it is
    only a second pass over widgets styled a moment before, as they were mounted,
    with the same stylesheet: a tenth of the work between the app's start and its
    first frame (75 of 750 million instructions, counted with callgrind). That
    first pass is skipped.
    """

    def __init__(self) -> None:
        super().__init__(id="_default")  # Textual's own name for the default screen
        self._resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler, which reads the flag.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False


class StudioApp(
    LayoutActions,
    EditingActions,
    DiskWatch,
    PreviewFlow,
    PixelFlow,
    ToolActions,
    WorkspaceActions,
    KeyHold,
):
    """Edit templates with a live preview."""

    CSS_PATH = Path(__file__).with_name("studio.tcss")  # absolute: subclasses live elsewhere
    TITLE = "Studio"
    COMMANDS = App.COMMANDS | {StudioCommands, UnsavedFiles, WorkspaceCommands}
    BINDINGS = app_bindings()  # the one key table: keys.py

    def __init__(self, workspace: Workspace, *, watch_interval: float = 2.0) -> None:
        super().__init__()
        self.workspace = workspace
        self.current = None
        self.template = None
        self.buffers = Buffers(workspace.root)
        self.last_good = None
        self.last_sms = None
        self.watch_interval = watch_interval
        # Rendering: one render at a time in a worker thread; edits made meanwhile
        # are coalesced into the next render, started as soon as this one is shown.
        self.renders = RenderScheduler()
        self.edits = 0  # edits made in the editor so far
        self.synced_edit = False  # sync_editor took an edit its Changed event has not told
        self.preview_edits = 0  # the edits the preview (or its error) reflects
        self._findings_timer = None
        self.painted = False  # the first frame is on screen (Ready): renders may start
        self.render_deferred = False  # a render was asked for before that
        self.tree_wide = True  # wide terminals: the tree beside the editor (ctrl+b hides it)
        self.tree_narrow = False  # narrow terminals: the tree instead of the preview
        self.sink = None  # the embedded sink, once started from the inbox
        self.last_recipient = ""  # the send dialog offers the address last sent to
        self.browser = BrowserPreview(workspace)  # ctrl+o: its server starts on first use
        self.init_key_hold()  # key_hold.py: what is typed before the first file is open

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.stylesheet.has_source(str(SCREENS_CSS)):
            # The dialogs' and screens' styles, read with the first of them (not
            # parsed and matched for the first paint). Parsing now also drops the
            # stylesheet's selector map; the rules parsed before are cached.
            self.stylesheet.read(SCREENS_CSS)
            self.stylesheet.parse()
        return super().push_screen(screen, *args, **kwargs)

    def get_default_screen(self) -> Screen[object]:
        return HomeScreen()

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
        if pane is None or not pane.alive:  # its children already removed
            return None
        return pane

    @property
    def pane(self) -> EditorPane:
        return self.home.query_one(EditorPane)

    @property
    def generation(self) -> int:
        return self.renders.generation

    def rel(self, path: Path) -> str:
        return self.workspace.relpath(path)

    def warn(self, text: str, severity: SeverityLevel = "warning") -> None:
        """A notice about a file or a failed action: literal text (a path is never markup)."""
        self.notify(printable(text, one_line=True), severity=severity, markup=False)

    # -- composition -----------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The layout's classes before the widgets mount: set after, they would
        # restyle every widget once more before the first paint.
        self.apply_layout(self.size.width, update=False)
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
        self.call_after_refresh(self.release_keys)  # the editor has the focus by then
        if self.watch_interval:
            self.set_interval(self.watch_interval, self.check_disk)

    def on_ready(self) -> None:
        # The first frame is on screen: the preview asked for meanwhile renders now,
        # and the editor's file is highlighted.
        self.painted = True
        self.pane.start_highlighting()
        if self.render_deferred:
            self.render_deferred = False
            self.request_render()
        # Everything built so far (the modules, the widgets) lives as long as the
        # app: keep it out of the collector's passes, which otherwise stall a
        # keystroke's repaint now and then, and make full passes rarer than
        # Python's defaults (see the studio's figures in the README), but not as
        # rare as during start-up (studio/tui/__init__.py).
        gc.collect()
        gc.freeze()
        gc.set_threshold(2_000, 10, 100)

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        """Textual's palette commands, less Quit and Theme (the key table has both)."""
        ours = {k.title for k in KEYS} | {"Quit", "Theme"}
        for command in super().get_system_commands(screen):
            if isinstance(command, SystemCommand) and command.title not in ours:
                yield command

    def on_unmount(self) -> None:
        if getattr(self, "router", None) is not None:
            from .router_control import stop_router

            stop_router(self)
        self.close_pixel()
        if self.sink is not None:
            self.sink.stop()
        self.browser.stop()

    # -- routing ---------------------------------------------------------------

    @on(TextArea.Changed, "#editor")
    def edited(self, event: TextArea.Changed) -> None:
        path = self.current
        if path is None or path not in self.buffers:
            return
        text = event.text_area.text
        if text == self.buffers[path].text and not self.synced_edit:
            return  # a file loaded into the editor, not an edit
        self.synced_edit = False  # (an edit already taken into the buffer by sync_editor)
        self.buffers.edit(path, text)
        self.update_status()
        self.edits += 1
        self.request_render()

    @on(Tree.NodeSelected, "#tree")
    def tree_selected(self, event: Tree.NodeSelected[Path]) -> None:
        if event.node.data is not None:
            self.open_file(event.node.data)
            if self.tree_narrow:  # narrow: back to editor and preview
                self.show_preview()

    @on(Select.Changed)
    def select_changed(self) -> None:
        self.request_render()

    def on_location_chosen(self, event: LocationChosen) -> None:
        """Open a finding's or an error's file at its line.

        The preview stays on the tab the finding was chosen from (opening a
        template would show its preview), so the next finding is one key away.
        """
        try:
            path = self.workspace.root / event.file
            preview = self.home.query_one(PreviewPane)
            shown = preview.active_tab
            if not path.is_file() or not self.open_file(path):
                self.warn(f"{event.file}: no such file in the workspace")
                return
            preview.show_tab(shown)
            if event.line:
                self.pane.go_to(event.line - 1)
        finally:
            self.release_keys()  # held by the findings' Enter: typed on at the line
