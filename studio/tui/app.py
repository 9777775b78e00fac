"""The studio app: composes the tree, the editor and the preview, and routes events.

Rendering, checks and file access go through ``studio.core``; blocking work runs in
thread workers that post messages (``messages.py``), so the UI never waits.
"""

from __future__ import annotations

import gc
import json
import tempfile
import webbrowser
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Label, Select, TextArea, Tree

from ..core.render.pipeline import RenderedMessage, renderer_for
from ..core.safe_text import printable
from ..core.sink import Sink
from ..core.workspace import Workspace
from ..errors import StudioError
from .commands import StudioCommands
from .files import SaveError, read_file, save_file
from .keys import app_bindings
from .messages import FindingsComputed, MessageCaptured, PreviewRendered, RenderFinished
from .screens import (
    ConfirmScreen,
    DeliverabilityScreen,
    HelpScreen,
    InboxScreen,
    SendScreen,
)
from .widgets import EditorPane, PreviewPane, WorkspaceTree
from .workspace_actions import WorkspaceActions, WorkspaceCommands

FINDINGS_DELAY = 0.15  # s of quiet after a preview before its checks run


def language_of(path: Path) -> str | None:
    # JSON is highlighted with the YAML grammar (JSON is YAML): tree-sitter-json 0.24.8
    # crashes the process (SIGSEGV) when a JSON buffer is edited under Textual 8.2.
    return {".json": "yaml", ".toml": "toml", ".mjml": "html", ".j2": None}.get(path.suffix)


class StudioApp(WorkspaceActions):
    """Edit templates with a live preview."""

    CSS_PATH = Path(__file__).with_name("studio.tcss")  # absolute: subclasses live elsewhere
    TITLE = "Studio"
    COMMANDS = App.COMMANDS | {StudioCommands, WorkspaceCommands}
    # Below 110 columns the tree is hidden (ctrl+b shows it in place of the
    # preview), so that editor and preview share an 80-column terminal.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = app_bindings()  # the one key table: keys.py

    def __init__(self, workspace: Workspace, *, watch_interval: float = 2.0) -> None:
        super().__init__()
        self.workspace = workspace
        self.current: Path | None = None  # the file in the editor
        self.template: str | None = None  # the template being previewed
        self.buffers: dict[Path, str] = {}  # unsaved text of files edited
        self.saved: dict[Path, tuple[str, int]] = {}  # text and mtime as last read/saved
        self.read_only: dict[Path, str] = {}  # files shown but not savable, and why
        self.generation = 0
        self.last_good: RenderedMessage | None = None
        self.watch_interval = watch_interval
        # Rendering: one render at a time in a worker thread; edits made meanwhile
        # are coalesced into the next render, started as soon as this one is shown.
        self.edits = 0  # edits made in the editor so far
        self.preview_edits = 0  # the edits the preview (or its error) reflects
        self._rendering = False
        self._render_wanted = False
        self._findings_timer: Timer | None = None
        self._loading = False
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
        return found.first() if found else None

    # -- composition ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield WorkspaceTree(self.workspace, id="tree")
            yield EditorPane(id="editor-pane")
            yield PreviewPane(id="preview")
        yield Footer()

    def on_mount(self) -> None:
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

    # -- files ---------------------------------------------------------------

    def rel(self, path: Path) -> str:
        return self.workspace.relpath(path)

    def open_file(self, path: Path) -> bool:
        """Show ``path`` in the editor (its unsaved buffer, if any); False if it cannot be read.

        A file that cannot be read leaves the editor as it was (with a notice); one
        that is not UTF-8 opens read-only.
        """
        editor = self.home.query_one("#editor", TextArea)
        if path not in self.saved:
            try:
                loaded = read_file(path)
            except OSError as exc:
                self.warn(f"{self.rel(path)}: cannot open: {exc.strerror or exc}")
                return False
            self.saved[path] = (loaded.text, loaded.mtime)
            if loaded.read_only:
                self.read_only[path] = loaded.read_only
                self.warn(f"{self.rel(path)}: {loaded.read_only}")
        if self.current is not None and self.current in self.buffers:
            self.buffers[self.current] = editor.text
        self.current = path
        self._loading = True
        editor.load_text(self.buffers.get(path, self.saved[path][0]))
        editor.read_only = path in self.read_only
        try:
            editor.language = language_of(path)
        except Exception:  # noqa: BLE001 - no highlighting for this language here
            editor.language = None
        self._loading = False
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
            name = path.name.removesuffix(".mjml").removesuffix(".sms.j2")
            self.set_template(name)
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

    def dirty(self, path: Path) -> bool:
        return path in self.buffers and self.buffers[path] != self.saved[path][0]

    def update_status(self) -> None:
        if self.current is None:
            return
        mark = " ●" if self.current in self.buffers and self.dirty(self.current) else ""
        locked = " (read-only)" if self.current in self.read_only else ""
        self.home.query_one("#status", Label).update(
            Text(f"{self.rel(self.current)}{mark}{locked}")
        )
        self.sub_title = self.rel(self.current) + (" (unsaved)" if mark else "") + locked

    @on(TextArea.Changed, "#editor")
    def edited(self, event: TextArea.Changed) -> None:
        if self._loading or self.current is None:
            return
        self.buffers[self.current] = event.text_area.text
        self.update_status()
        self.edits += 1
        self.request_render()

    @on(Tree.NodeSelected, "#tree")
    def tree_selected(self, event: Tree.NodeSelected[Path]) -> None:
        if event.node.data is not None:
            self.open_file(event.node.data)
            if self.home.has_class("-files"):  # narrow: back to editor and preview
                self.home.remove_class("-files")
                self.home.query_one("#editor").focus()

    @on(Select.Changed)
    def select_changed(self) -> None:
        self.request_render()

    def action_save(self) -> None:
        """Save the editor's file; on any failure say why and keep the buffer."""
        path = self.current
        if path is None:
            return
        if path in self.read_only:
            self.warn(f"{self.rel(path)}: {self.read_only[path]}; not saved")
            return
        text = self.home.query_one("#editor", TextArea).text
        if path.suffix == ".json":
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                self.notify(
                    f"{self.rel(path)}:{exc.lineno}: invalid JSON ({exc.msg}); not saved",
                    severity="error",
                    markup=False,
                )
                return
        try:
            mtime = save_file(path, text)
        except SaveError as exc:
            self.buffers[path] = text  # the edits stay, marked unsaved
            self.update_status()
            self.notify(printable(str(exc), one_line=True), severity="error", markup=False)
            return
        self.saved[path] = (text, mtime)
        self.buffers.pop(path, None)
        self.update_status()
        self.notify(f"saved {self.rel(path)}", markup=False)
        self.request_render()

    def check_disk(self) -> None:
        """Notice files changed by someone else; reload them, or ask when edits would be lost.

        A file that cannot be read any more (removed, now a folder, unreadable) is
        reported once and its buffer kept; one rewritten as non-UTF-8 becomes read-only.
        """
        for path, (_, mtime) in list(self.saved.items()):
            try:
                now = path.stat().st_mtime_ns
            except OSError:
                continue
            if now == mtime:
                continue
            try:
                loaded = read_file(path)
            except OSError as exc:
                self.saved[path] = (self.saved[path][0], now)  # reported once
                self.warn(
                    f"{self.rel(path)} cannot be read any more ({exc.strerror or exc}):"
                    " your text stays in the editor"
                )
                continue
            if self.dirty(path):
                self.saved[path] = (self.saved[path][0], now)
                if loaded.read_only:
                    self.warn(f"{self.rel(path)} changed on disk and is {loaded.read_only}")
                    continue
                self.ask_reload(path, loaded.text)
                continue
            self.load_from_disk(path, loaded.text, now, loaded.read_only)
            self.warn(
                f"{self.rel(path)} changed on disk: reloaded"
                + (f" ({loaded.read_only})" if loaded.read_only else ""),
                severity="warning" if loaded.read_only else "information",
            )

    def load_from_disk(self, path: Path, text: str, mtime: int, read_only: str | None) -> None:
        """Take the file's text on disk as its saved text; the editor shows it if open."""
        self.saved[path] = (text, mtime)
        self.buffers.pop(path, None)
        if read_only:
            self.read_only[path] = read_only
        else:
            self.read_only.pop(path, None)
        if path == self.current:
            editor = self.home.query_one("#editor", TextArea)
            self._loading = True
            editor.load_text(text)
            editor.read_only = read_only is not None
            self._loading = False
        self.update_status()
        self.request_render()

    def ask_reload(self, path: Path, text: str) -> None:
        def answer(reload: bool | None) -> None:
            if reload:
                try:
                    mtime = path.stat().st_mtime_ns
                except OSError:
                    mtime = self.saved[path][1]
                self.load_from_disk(path, text, mtime, None)

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
        if self._rendering:
            self._render_wanted = True
        else:
            self.start_render()

    def start_render(self) -> None:
        if self.template is None:
            return
        self._rendering = True
        self._render_wanted = False
        self.generation += 1
        sample = self.home.query_one("#sample", Select).value
        locale = self.home.query_one("#locale", Select).value
        buffers = {self.rel(p): t for p, t in self.buffers.items()}
        if self.current is not None and self.current in self.buffers:
            buffers[self.rel(self.current)] = self.home.query_one("#editor", TextArea).text
        self.render_preview(
            self.generation,
            self.edits,
            self.template,
            sample if isinstance(sample, str) else None,
            locale if isinstance(locale, str) else None,
            buffers,
        )

    def on_render_finished(self, event: RenderFinished) -> None:
        self._rendering = False
        if self._render_wanted and self._live_pane() is not None:
            self.start_render()

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

        The unsaved buffers (the template, components, samples, the brand) are an
        argument of this render only: Send, rendering the saved files from another
        thread at the same time, cannot see them.
        """
        ws = self.workspace
        result: PreviewRendered | None = None
        try:
            renderer = renderer_for(ws, buffers)
            msg = renderer.render(template, sample=sample, locale=locale)
            sms = None
            if ws.sms_template_path(template).is_file():
                sms = renderer.render_sms(template, sample=sample, locale=locale)
            result = PreviewRendered(generation, edits, msg, sms, None)
        except StudioError as exc:
            result = PreviewRendered(generation, edits, None, None, exc)
        except Exception as exc:  # noqa: BLE001 - a file on disk (not UTF-8, a folder...)
            # must never stop the studio and lose the buffers: show it as the error.
            failed = StudioError(f"cannot render {template}: {exc}")
            result = PreviewRendered(generation, edits, None, None, failed)
        finally:
            if result is not None:
                self.post_message(result)
            self.post_message(RenderFinished(generation))  # the next render may start

    def start_findings(self) -> None:
        """Check the previewed message once typing pauses (a render never waits for it)."""
        msg = self.last_good
        if msg is None or self._rendering or self._render_wanted:
            return  # the render in flight re-arms this when it is shown
        self.compute_findings(self.generation, msg)

    @work(thread=True, exclusive=True, group="findings")
    def compute_findings(self, generation: int, msg: RenderedMessage) -> None:
        from ..core.checks import lint_message

        self.post_message(FindingsComputed(generation, lint_message(self.workspace, msg)))

    def on_preview_rendered(self, event: PreviewRendered) -> None:
        if event.generation != self.generation or self._live_pane() is None:
            return  # superseded, or the app is closing
        self.preview_edits = event.edits
        pane = self.home.query_one(PreviewPane)
        if event.message is not None:
            self.last_good = event.message
            pane.show(event.message, event.sms)
            if self._findings_timer is not None:
                self._findings_timer.stop()
            self._findings_timer = self.set_timer(FINDINGS_DELAY, self.start_findings)
        elif event.error is not None:
            pane.show_error(event.error)  # the last good preview stays below
            line = getattr(event.error, "line", None)
            file = getattr(event.error, "file", None)
            if line and self.current is not None and file == self.rel(self.current):
                self.home.query_one("#editor", TextArea).move_cursor((line - 1, 0))

    def on_findings_computed(self, event: FindingsComputed) -> None:
        if event.generation == self.generation and self._live_pane() is not None:
            self.home.query_one(PreviewPane).show_findings(event.findings)

    @on(DataTable.RowSelected, "#findings")
    def jump_to_finding(self, event: DataTable.RowSelected) -> None:
        pane = self.home.query_one(PreviewPane)
        finding = pane.findings[int(str(event.row_key.value))]
        if finding.location is None:
            return
        path = self.workspace.root / finding.location.file
        if path.is_file():
            self.open_file(path)
            if finding.location.line:
                editor = self.home.query_one("#editor", TextArea)
                editor.move_cursor((finding.location.line - 1, 0))
                editor.focus()

    # -- actions -------------------------------------------------------------

    def action_find(self) -> None:
        self.home.query_one(EditorPane).show_find()

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

    def action_toggle_files(self) -> None:
        """Show or hide the workspace tree (on narrow terminals it replaces the preview)."""
        home = self.home
        if home.has_class("-narrow"):
            home.toggle_class("-files")
            if home.has_class("-files"):
                self.home.query_one("#tree").focus()
        else:
            tree = self.home.query_one("#tree")
            tree.display = not tree.display

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        if self.current is not None and not self._loading:
            text = self.home.query_one("#editor", TextArea).text
            if text != self.saved.get(self.current, (text, 0))[0]:
                self.buffers[self.current] = text
        unsaved = [self.rel(p) for p in self.buffers if self.dirty(p)]
        if not unsaved:
            self.exit()
            return

        def answer(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                f"Unsaved changes in {', '.join(unsaved)}. Quit and lose them?",
                yes="Quit",
                no="Stay",
            ),
            answer,
        )
