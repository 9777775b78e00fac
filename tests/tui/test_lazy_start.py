"""The studio paints its first screen without DNS, the sink, the inbox, sending or the
renderer: each is imported on first use; and its first frame waits neither for the
hidden tabs' widgets nor for the first render (issue 18, lazy start-up)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import RenderableType
from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, Tabs, TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.widgets import EditorPane, PreviewPane
from studio.tui.widgets.preview import TabsSketch
from tests.pilot import quiet, until

ROOT = Path(__file__).resolve().parents[2]  # the example workspace: no [[sink.faults]]
LATER = (
    "dns",
    "aiosmtpd",
    "studio.core.dns",
    "studio.core.inbox",
    "studio.core.send",
    "studio.core.sink",
    "studio.core.render.pipeline",
    "studio.core.checks",
    "studio.tui.screens.deliverability",
    "studio.tui.screens.inbox",
    "studio.tui.screens.send",
    # not needed by the first frame either (issue 18, first paint)
    "studio.tui.rendition",
    "studio.tui.screens.confirm",
    "studio.tui.screens.diff",
    "studio.tui.screens.line",
    "studio.tui.screens.prompt",
    "studio.tui.screens.quit",
    "studio.tui.screens.search",
    "webbrowser",
    "textual.widgets._data_table",  # the findings table's and the tabs' modules
    "textual.widgets._tabbed_content",
)


def test_importing_the_studio_loads_none_of_the_tools() -> None:
    code = (
        f"import sys, studio.tui.app\nprint(','.join(m for m in {LATER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_opening_a_workspace_without_sink_faults_loads_none_of_them() -> None:
    # settings used to import the sink (and aiosmtpd) to read [[sink.faults]], even when
    # the workspace has none, on the studio's way to its first paint
    code = (
        "import sys\nfrom studio.core.workspace import Workspace\n"
        f"Workspace.open({str(ROOT)!r})\n"
        f"print(','.join(m for m in {LATER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_screens_resolve_on_first_use() -> None:
    from studio.tui import screens
    from studio.tui.screens.inbox import InboxScreen, MessageScreen

    assert screens.InboxScreen is InboxScreen
    assert screens.MessageScreen is MessageScreen
    for name in screens.__all__:
        assert getattr(screens, name).__name__ == name
    with pytest.raises(AttributeError):
        screens.NoSuchScreen  # noqa: B018


# -- what the first frame waits for (issue 18, first paint) ------------------------

HIDDEN_UNTIL_PAINTED = (
    "#text-part",
    "#html-source",
    "#findings",
    "#pixel",
    "#find-bar",
    "#tabs",
    "#sample",
    "#locale",
)


class FirstFrame(StudioApp):
    """The studio, noting what existed when its first frame went to the terminal."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace, watch_interval=0)
        self.at_first_frame: dict[str, bool] | None = None
        self.render_started_after_frame: list[bool] = []
        self.home_restyles: list[bool] = []  # passes over the home screen: after the frame?
        self.editor_at_first_frame: tuple[str | None, int] | None = None  # language, highlights

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        if self.at_first_frame is None and screen is self.screen_stack[0]:
            self.at_first_frame = {q: bool(screen.query(q)) for q in HIDDEN_UNTIL_PAINTED}
            editor = screen.query_one("#editor", TextArea)
            self.editor_at_first_frame = (editor.language, len(editor._highlights))
        super()._display(screen, renderable)

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        if self.screen_stack and node is self.screen_stack[0]:
            self.home_restyles.append(self.at_first_frame is not None)
        super().update_styles(node, animate)

    def start_render(self, generation: int) -> None:
        self.render_started_after_frame.append(self.at_first_frame is not None)
        super().start_render(generation)


async def test_the_first_frame_does_not_wait_for_hidden_widgets_or_the_render(
    example: Workspace,
) -> None:
    """The hidden tabs' widgets and the find bar are mounted after the first frame,
    and the first preview's render starts after it too (its worker thread would
    take the interpreter from the first paint); all of them follow at once."""
    app = FirstFrame(example)
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        assert app.at_first_frame == dict.fromkeys(HIDDEN_UNTIL_PAINTED, False)
        # one render: the pickers taking their values as they mount ask for none
        assert app.render_started_after_frame == [True]
        for query in HIDDEN_UNTIL_PAINTED:
            assert app.home.query(query), query
        pane = app.home.query_one(PreviewPane)
        assert pane.shown is not None and pane.shown.template == "account_verification"
        table = app.home.query_one("#findings", DataTable)
        empty = app.home.query_one("#findings-empty", Static)
        assert table.row_count > 0 or "No findings" in str(empty.render())  # checked, shown


def test_the_collector_runs_rarely_until_the_first_frame() -> None:
    """Start-up's long-lived objects are not walked again and again by the collector:
    importing the studio raises the thresholds; its first frame sets the studio's own."""
    code = "import gc, studio.tui\nprint(gc.get_threshold()[0])\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) >= 10_000


async def test_the_first_frame_sets_the_studios_own_collector_thresholds(
    example: Workspace,
) -> None:
    app = FirstFrame(example)
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        assert gc.get_threshold() == (2_000, 10, 100)


async def test_the_first_frame_styles_each_widget_once(example: Workspace) -> None:
    """Textual styles a screen's widgets again whenever the screen becomes active; the
    first time, the studio's were styled a moment before as they mounted, so that
    second pass over every widget is skipped (``app.HomeScreen``)."""
    app = FirstFrame(example)
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        assert app.at_first_frame is not None
        assert False not in app.home_restyles


async def test_the_editor_is_highlighted_after_the_first_frame(example: Workspace) -> None:
    """The first frame shows the template as plain text (no tree-sitter parse, no
    highlight query before it); highlighting follows at once."""
    app = FirstFrame(example)
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        assert app.editor_at_first_frame == (None, 0)
        editor = app.pane.editor
        assert editor.language == "html"
        assert any(
            name.startswith("jinja.") for spans in editor._highlights.values() for *_, name in spans
        )


async def test_highlighting_keeps_the_cursor_of_keys_typed_before_it(
    example: Workspace,
) -> None:
    app = FirstFrame(example)
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        pane = app.home.query_one(EditorPane)
        pane.highlighting = False  # as before the first frame
        app.open_file(example.template_path("order_confirmation"))
        editor = pane.editor
        assert editor.language is None
        editor.move_cursor((12, 4))
        await pilot.press("x", "y")
        assert editor.cursor_location == (12, 6)
        pane.start_highlighting()
        assert editor.language == "html"
        assert editor.cursor_location == (12, 6)
        assert editor.document.get_line(12)[4:6] == "xy"
        await pilot.press("z")
        assert editor.document.get_line(12)[4:7] == "xyz"


class PaneOnly(App[None]):
    """The preview pane alone, asked for a tab and the focus before its tabs are mounted."""

    def compose(self) -> ComposeResult:
        yield PreviewPane(id="preview")

    def on_mount(self) -> None:
        pane = self.query_one(PreviewPane)
        assert not pane.tabs_mounted and not self.query("#tabs")
        pane.show_tab("tab-sms")
        assert pane.active_tab == "tab-sms"
        pane.focus_tabs()


async def test_a_tab_asked_for_before_the_tabs_are_mounted_is_shown_after() -> None:
    app = PaneOnly()
    async with app.run_test(size=(80, 20)) as pilot:
        await until(pilot, lambda: app.query_one(PreviewPane).tabs_mounted, "the tabs")
        await pilot.pause()
        assert not app.query(TabsSketch)
        assert app.query_one("#tabs", TabbedContent).active == "tab-sms"
        assert isinstance(app.focused, Tabs)


def test_half_blocks_import_no_textual_image() -> None:
    """Where the Pixel tab draws half-blocks (tmux, no terminal), textual-image is not
    imported: importing it asks the terminal what it can draw, and in tmux its answer
    could reach the editor as typed text after the studio took the terminal."""
    code = (
        "import sys\n"
        "import studio.tui.widgets.pixel as p\n"
        "print(p.IMAGE_CLASS.__name__, 'textual_image' in sys.modules)\n"
    )
    for env in ({"TMUX": "/tmp/tmux-0/default,1,0"}, {}):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["HalfcellImage", "False"], (env, out.stdout)


async def test_the_screens_styles_are_read_with_the_first_screen(example: Workspace) -> None:
    """The dialogs' and screens' styles (screens.tcss) are neither parsed nor matched
    for the first paint; the first screen pushed reads them, and is styled by them."""
    from studio.tui.app import SCREENS_CSS
    from studio.tui.screens import SearchScreen

    app = StudioApp(example, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        assert not app.stylesheet.has_source(str(SCREENS_CSS))
        names = {name for rule in app.stylesheet.rules for name in rule.selector_names}
        assert not any("search-dialog" in name for name in names), names
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen), "the search opens")
        await pilot.pause()
        dialog = app.screen.query_one("#search-dialog")
        assert app.stylesheet.has_source(str(SCREENS_CSS))
        assert dialog.styles.border_top[0] == "thick"  # screens.tcss: #search-dialog
        assert dialog.outer_size.width == int(app.size.width * 0.9)
