"""Issue 15, with Textual's pilot: keys that never collide, unsaved work kept in sight,
findings that say why, a layout that survives a resize, the editor's own actions.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.command import DiscoveryHit
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Select, Static, TabbedContent, TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.commands import UNSAVED, StudioCommands, UnsavedFiles
from studio.tui.keys import KEYS
from studio.tui.screens import ConfirmScreen, DiffScreen, GoToLineScreen, QuitScreen
from studio.tui.widgets import PreviewPane, WorkspaceTree
from studio.tui.widgets.editor import FindBar
from studio.tui.widgets.tree import UNSAVED_MARK
from tests.pilot import settle, until

EDIT = "<!-- UNSAVED EDIT -->\n"




def editor(app: StudioApp) -> TextArea:
    return app.home.query_one("#editor", TextArea)


def findings_ready(app: StudioApp) -> Callable[[], bool]:
    pane = app.home.query_one(PreviewPane)
    table = pane.query_one("#findings", DataTable)
    empty = pane.query_one("#findings-empty", Static)
    return lambda: (
        not app.renders.busy and (table.row_count > 0 or "No findings" in str(empty.render()))
    )


# -- 1. keys ---------------------------------------------------------------------


def test_no_app_key_is_a_key_of_a_studio_widget() -> None:
    """No key of the table is bound by the editor, an input, the tree, a table, a picker."""
    from textual.containers import VerticalScroll
    from textual.widgets import Tabs, Tree
    from textual.widgets._select import SelectOverlay

    # VerticalScroll: the Pixel tab's picture scrolls with the arrow and page keys
    widgets = (TextArea, Input, Tree, DataTable, Select, SelectOverlay, Tabs, Button)
    widgets += (VerticalScroll,)
    taken = {key for w in widgets for key in w._merge_bindings().key_to_bindings}
    assert not {k.key for k in KEYS if k.key} & taken


FOCUS_TARGETS: dict[str, Callable[[StudioApp], Widget]] = {
    "editor": lambda app: editor(app),
    "tree": lambda app: app.home.query_one("#tree"),
    "sample picker": lambda app: app.home.query_one("#sample", Select),
    "locale picker": lambda app: app.home.query_one("#locale", Select),
    "find bar": lambda app: app.home.query_one("#find", Input),
    "preview tabs": lambda app: app.home.query_one("#tabs", TabbedContent).query_one("Tabs"),
    "text part": lambda app: app.home.query_one("#text-part", TextArea),
    "findings": lambda app: app.home.query_one("#findings", DataTable),
}


@pytest.mark.parametrize("where", list(FOCUS_TARGETS))
async def test_every_app_key_runs_its_action_wherever_the_focus_is(
    example_copy: Workspace, where: str
) -> None:
    """ctrl+d deleted the selection and ctrl+e went to the end of the line in the editor."""
    app = StudioApp(example_copy, watch_interval=0)
    ran: list[str] = []
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_file(example_copy.root / "brand" / "brand.toml")
        await settle(pilot)
        for k in KEYS:  # record the action instead of running it (a screen would cover focus)
            setattr(app, f"action_{k.action}", lambda name=k.action: ran.append(name))
        app.home.query_one(FindBar).display = True
        app.home.query_one(PreviewPane).query_one("#findings", DataTable).display = True
        before = editor(app).text
        for k in KEYS:
            if not k.key:
                continue
            target = FOCUS_TARGETS[where](app)
            if where == "text part":
                app.home.query_one("#tabs", TabbedContent).active = "tab-text"
            if where == "findings":
                app.home.query_one("#tabs", TabbedContent).active = "tab-findings"
            await pilot.pause()
            target.focus()
            editor(app).select_line(1)
            await pilot.pause()
            assert app.focused is target, (where, app.focused)
            ran.clear()
            await pilot.press(k.key)
            await pilot.pause()
            assert ran == [k.action], (where, k.key)
            assert editor(app).text == before, (where, k.key)
            assert not app.dirty(app.current), (where, k.key)  # type: ignore[arg-type]


# -- 2. unsaved work --------------------------------------------------------------


async def test_quit_dialog_keeps_the_work_on_enter_and_saves_all_on_s(scratch: Workspace) -> None:
    template = scratch.template_path("password_reset")
    footer = scratch.components_dir / "footer.mjml"
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor(app).text = EDIT + editor(app).text
        app.open_file(footer)
        editor(app).text = EDIT + editor(app).text
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        assert app.screen.focused is not None and app.screen.focused.id == "cancel"
        for _ in range(4):  # Tab never reaches "Quit without saving"
            await pilot.press("tab")
            assert app.screen.focused is not None and app.screen.focused.id != "discard"
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and app.buffers.unsaved() == [template, footer]
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
    assert not app.is_running
    assert template.read_text().startswith(EDIT) and footer.read_text().startswith(EDIT)


async def test_a_failed_save_all_keeps_the_app_and_the_buffer(scratch: Workspace) -> None:
    template = scratch.template_path("password_reset")
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor(app).text = EDIT + editor(app).text
        await settle(pilot)
        template.chmod(0o444)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert app.is_running and app.buffers.unsaved() == [template]


async def test_an_unsaved_file_stays_in_sight_after_switching(scratch: Workspace) -> None:
    template = scratch.template_path("password_reset")
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor(app).text = EDIT + editor(app).text
        app.open_file(scratch.components_dir / "footer.mjml")
        await settle(pilot)
        tree = app.home.query_one(WorkspaceTree)
        labels = {n.data: str(n.label) for n in tree._leaves(tree.root)}
        assert labels[template].startswith(UNSAVED_MARK)  # before the name: never cut off
        assert not labels[scratch.components_dir / "footer.mjml"].startswith(UNSAVED_MARK)
        status = str(app.home.query_one("#status").render())
        assert "1 unsaved" in status
        hits = [h async for h in UnsavedFiles(app.screen).discover()]
        assert [str(h.display) for h in hits] == [UNSAVED + "templates/password_reset.mjml"]
        assert isinstance(hits[0], DiscoveryHit)
        hits[0].command()
        await pilot.pause()
        assert app.current == template and editor(app).text.startswith(EDIT)


# -- 3. findings ------------------------------------------------------------------


async def test_a_finding_says_why_and_how_to_fix_and_its_message_is_on_screen(
    scratch: Workspace,
) -> None:
    tpl = scratch.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await until(pilot, findings_ready(app), "findings")
        pane = app.home.query_one(PreviewPane)
        table = pane.query_one("#findings", DataTable)
        row = next(i for i, f in enumerate(pane.findings) if f.id == "image.missing-alt")
        table.move_cursor(row=row)
        await pilot.pause()
        from studio.core.catalogue import explain

        detail = str(pane.query_one("#finding-detail", Static).render())
        assert explain("image.missing-alt").why[:40] in detail.replace("\n", " ")
        # the message column starts within the visible table at 140 columns
        offset = sum(c.get_render_width(table) for c in list(table.columns.values())[:1])
        assert offset < table.region.width // 2


async def test_no_findings_says_so(scratch: Workspace) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(pilot, findings_ready(app), "findings")
        ids = {f.id for f in app.home.query_one(PreviewPane).findings}
    settings = scratch.root / "studio.toml"
    settings.write_text(
        settings.read_text() + "\n[lint.severity]\n" + "".join(f'"{i}" = "off"\n' for i in ids)
    )
    app = StudioApp(Workspace.open(scratch.root), watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(pilot, findings_ready(app), "findings")
        pane = app.home.query_one(PreviewPane)
        assert pane.findings == []
        assert not pane.query_one("#findings", DataTable).display
        assert "No findings" in str(pane.query_one("#findings-empty", Static).render())


async def test_an_sms_template_shows_its_findings_as_studio_lint_does(
    example_copy: Workspace,
) -> None:
    from studio.core.checks import lint_template

    sms = example_copy.sms_template_path("account_verification")
    sms.write_text(sms.read_text() + "\n" + "Extra words to push it past one segment. " * 5)
    linted = {f.id for f in lint_template(example_copy, "account_verification", spam=False)}
    assert "sms.segments" in linted
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_file(sms)
        await until(pilot, findings_ready(app), "findings")
        shown = {f.id for f in app.home.query_one(PreviewPane).findings}
        assert "sms.segments" in shown
        assert app.home.query_one("#tabs", TabbedContent).active == "tab-sms"


async def test_enter_on_a_render_error_opens_its_file_at_its_line(scratch: Workspace) -> None:
    app = StudioApp(scratch, watch_interval=0)
    template = scratch.template_path("password_reset")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor(app).text = editor(app).text.replace(
            '{{ t("password_reset.body") }}', '{{ t("password_reset.body") }'
        )
        await settle(pilot)
        app.open_file(scratch.components_dir / "footer.mjml")
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        table = app.home.query_one("#findings", DataTable)
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == template
        assert editor(app).cursor_location == (18, 0) and app.focused is editor(app)


async def test_enter_on_a_finding_opens_its_file_at_its_line(scratch: Workspace) -> None:
    tpl = scratch.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(pilot, findings_ready(app), "findings")
        pane = app.home.query_one(PreviewPane)
        row, finding = next(
            (i, f) for i, f in enumerate(pane.findings) if f.location and f.location.line
        )
        app.open_file(scratch.components_dir / "footer.mjml")
        await pilot.press("f5")
        await until(pilot, findings_ready(app), "findings")
        pane.query_one("#findings", DataTable).move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        assert finding.location is not None and finding.location.line is not None
        assert app.rel(app.current) == finding.location.file  # type: ignore[arg-type]
        assert editor(app).cursor_location[0] == finding.location.line - 1


# -- 4. layout --------------------------------------------------------------------


async def test_at_140_columns_the_tree_shows_whole_names(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        tree = app.home.query_one(WorkspaceTree)
        width = tree.scrollable_content_region.width
        names = [n for n in tree._leaves(tree.root) if n.data.parent.name == "templates"]
        assert {str(n.label) for n in names} >= {
            "account_verification",
            "account_verification (sms)",
        }
        for node in names:  # at depth 2 (root hidden): guides of two levels, then the name
            needed = 2 * tree.guide_depth + len(str(node.label))
            assert needed <= width, (str(node.label), needed, width)


async def test_resizing_never_loses_the_preview(scratch: Workspace) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        preview = app.home.query_one(PreviewPane)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert preview.region.width >= 30
        await pilot.press("ctrl+b")  # narrow: the tree instead of the preview
        await pilot.pause()
        assert preview.region.width == 0
        await pilot.resize_terminal(140, 45)
        await pilot.pause()
        assert preview.region.width >= 30
        await pilot.press("ctrl+b")  # wide: hide the tree
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert preview.region.width >= 30
        await pilot.resize_terminal(140, 45)
        await pilot.pause()
        assert preview.region.width >= 30 and app.home.query_one("#tree").region.width == 0


async def test_the_find_bar_is_one_row_and_closes_with_escape_and_ctrl_f(
    scratch: Workspace,
) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = app.home.query_one(FindBar)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert bar.display and bar.region.height == 1
        assert app.focused is app.home.query_one("#find", Input)
        await pilot.press("escape")
        await pilot.pause()
        assert not bar.display and app.focused is editor(app)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert bar.display
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert not bar.display and app.focused is editor(app)


async def test_the_palette_lists_each_command_once(scratch: Workspace) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [str(h.display) async for h in StudioCommands(app.screen).discover()]
        titles += [c.title for c in app.get_system_commands(app.screen)]
        words = [t.split("  (")[0].lower() for t in titles]
        for word in ("quit", "theme"):
            assert sum(word in t.split() or word == t for t in words) == 1, (word, titles)


# -- 5. editor --------------------------------------------------------------------


async def test_opening_a_file_focuses_the_editor_tab_indents_escape_leaves(
    scratch: Workspace,
) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.home.query_one(WorkspaceTree)
        await pilot.press("f2")
        assert app.focused is tree
        footer = next(
            n for n in tree._leaves(tree.root) if n.data == scratch.components_dir / "footer.mjml"
        )
        tree.move_cursor(footer)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == footer.data and app.focused is editor(app)
        editor(app).move_cursor((0, 0))
        await pilot.press("tab")
        assert editor(app).text.startswith("    ") and app.focused is editor(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is not editor(app)


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("f2", lambda app: app.home.query_one("#tree")),
        ("f3", lambda app: editor(app)),
        ("f4", lambda app: app.home.query_one("#tabs", TabbedContent).query_one("Tabs")),
        ("f5", lambda app: app.home.query_one("#findings", DataTable)),
    ],
)
@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_every_pane_is_one_key_away(
    scratch: Workspace, key: str, target: Callable[[StudioApp], Widget], size: tuple[int, int]
) -> None:
    tpl = scratch.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))  # a finding
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await until(pilot, findings_ready(app), "findings")
        await pilot.press("f2" if key != "f2" else "f3")
        await pilot.press(key)
        await pilot.pause()
        widget = target(app)
        assert app.focused is widget and widget.region.width > 0


async def test_go_to_line(scratch: Workspace) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, GoToLineScreen)
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert editor(app).cursor_location == (11, 0) and app.focused is editor(app)


async def test_find_and_replace_one_then_all(scratch: Workspace) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = editor(app).text
        count = before.count("mj-")
        editor(app).move_cursor((0, 0))
        await pilot.press("ctrl+r")
        await pilot.pause()
        find, replace = app.home.query_one("#find", Input), app.home.query_one("#replace", Input)
        assert replace.display and app.focused is find
        find.value = "mj-"
        await pilot.press("enter")  # selects the first match
        replace.focus()
        replace.value = "MJ-"
        await pilot.press("enter")  # replaces it, selects the next
        await pilot.pause()
        assert editor(app).text.count("MJ-") == 1 and editor(app).text.count("mj-") == count - 1
        await pilot.click("#replace-all")
        await pilot.pause()
        assert "mj-" not in editor(app).text and editor(app).text.count("MJ-") == count
        assert app.dirty(app.current)  # type: ignore[arg-type]


async def test_revert_drops_the_edits_after_asking(scratch: Workspace) -> None:
    template = scratch.template_path("password_reset")
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor(app).text = EDIT + editor(app).text
        await settle(pilot)
        await app.run_action("revert")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert editor(app).text == template.read_text()
        assert not app.buffers.unsaved() and "(unsaved)" not in app.sub_title


async def test_diff_shows_the_unsaved_edit_against_the_file_on_disk(scratch: Workspace) -> None:
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor(app).text = EDIT + editor(app).text
        await settle(pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        shown = str(app.screen.query_one("#diff", Static).render())
        assert "+" + EDIT.strip() in shown and "templates/password_reset.mjml (on disk)" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DiffScreen)


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("brand/locales/en.toml", "Hello {name},", "Howdy {name},"),
        ("brand/brand.toml", 'name = "Shop"', 'name = "Renamed Shop"'),
    ],
)
async def test_unsaved_brand_and_locale_files_preview_as_typed(
    scratch: Workspace, file: str, old: str, new: str
) -> None:
    from rich.console import Console

    path = scratch.root / file
    assert old in path.read_text()
    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_file(path)
        await settle(pilot)
        editor(app).text = editor(app).text.replace(old, new)
        shown = new.split('"')[1] if '"' in new else new.split(" {")[0]

        def preview() -> str:
            console = Console(width=100, color_system=None, record=True)
            console.print(app.home.query_one("#rendition", Static).content)
            return console.export_text()

        await until(pilot, lambda: shown in preview(), f"{shown!r} in the preview")
        assert new not in path.read_text()  # previewed, not saved
