"""The studio with Textual's pilot: edit, preview, errors, samples, save, quit."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Select, Static, TextArea

from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import QuitScreen
from studio.tui.widgets import PreviewPane
from tests.pilot import quiet


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    init_workspace(root)
    fr = root / "samples" / "password_reset" / "fr_fr.json"
    fr.write_text(
        json.dumps(
            {
                "locale": "fr-FR",
                "customer": {"first_name": "Zoé"},
                "reset_url": "https://www.shop.example/r?t=1",
                "expires_minutes": 45,
            }
        )
    )
    (root / "brand" / "locales" / "fr.toml").write_text(
        (root / "brand" / "locales" / "en.toml")
        .read_text()
        .replace("Hello {name},", "Bonjour {name},")
    )
    return Workspace.open(root)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await quiet(pilot)  # the preview rendered and its checks done


async def until(pilot, predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``predicate()`` holds; the deadline only guards a hang."""
    deadline = time.monotonic() + 120
    while not predicate():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()


def plain(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def preview_text(app: StudioApp) -> str:
    return plain(app.home.query_one("#rendition", Static).content)


def error_text(app: StudioApp) -> str:
    box = app.query_one("#preview-error", Static)
    return str(box.render()) if box.display else ""


async def test_typing_updates_the_preview(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Hello Ada," in preview_text(app)
        editor = app.query_one("#editor", TextArea)
        editor.text = editor.text.replace(
            "{% block content %}",
            "{% block content %}"
            "<mj-section><mj-column><mj-text>TYPED LIVE</mj-text>"
            "</mj-column></mj-section>",
        )
        await settle(pilot)
        assert "TYPED LIVE" in preview_text(app)
        assert "(unsaved)" in app.sub_title


async def test_broken_jinja_shows_its_line_and_the_app_recovers(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = app.query_one("#editor", TextArea)
        good = editor.text
        editor.text = good.replace(
            '{{ t("password_reset.body") }}', '{{ t("password_reset.body") }'
        )
        await settle(pilot)
        assert "templates/password_reset.mjml:19" in error_text(app)
        assert "Hello Ada," in preview_text(app)  # the last good preview stays
        assert editor.cursor_location[0] == 18
        editor.text = good
        await settle(pilot)
        assert error_text(app) == ""
        assert "Hello Ada," in preview_text(app)


async def test_switching_sample_and_locale(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one("#sample", Select).value = "fr_fr"
        await settle(pilot)
        text = preview_text(app)
        assert "Bonjour Zoé," in text and "45" in text
        app.query_one("#locale", Select).value = "en-GB"
        await settle(pilot)
        assert "Hello Zoé," in preview_text(app)


async def test_save_is_atomic_and_clears_the_marker(ws: Workspace) -> None:
    path = ws.template_path("password_reset")
    before = path.stat().st_ino
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = app.query_one("#editor", TextArea)
        editor.text = editor.text.replace("owner: Accounts team", "owner: Growth team")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "owner: Growth team" in path.read_text()
        assert path.stat().st_ino != before  # replaced by rename, not rewritten in place
        assert not list(path.parent.glob(".*.tmp"))
        assert "(unsaved)" not in app.sub_title


async def test_quit_with_unsaved_changes_asks(ws: Workspace) -> None:
    original = ws.template_path("password_reset").read_text()
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = app.query_one("#editor", TextArea)
        editor.text = editor.text + "\n"
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QuitScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
    assert not app.is_running
    assert ws.template_path("password_reset").read_text() == original  # nothing written


async def test_editing_a_component_updates_the_template_preview(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_file(ws.components_dir / "footer.mjml")
        await settle(pilot)
        editor = app.query_one("#editor", TextArea)
        editor.text = editor.text.replace(
            "{{ brand.legal_line }}", "FOOTER EDIT {{ brand.legal_line }}"
        )
        await settle(pilot)
        assert app.template == "password_reset"
        assert "FOOTER EDIT" in preview_text(app)
        assert "FOOTER EDIT" not in (ws.components_dir / "footer.mjml").read_text()


async def test_findings_panel_lists_ids(ws: Workspace) -> None:
    tpl = ws.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.query_one(PreviewPane)
        # the checks run once typing pauses, in their own worker
        await until(pilot, lambda: bool(pane.findings), "the findings were listed")
        assert "image.missing-alt" in {f.id for f in pane.findings}


async def test_file_changed_on_disk_is_reloaded(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        path = ws.template_path("password_reset")
        path.write_text(path.read_text().replace("owner: Accounts team", "owner: Someone else"))
        editor = app.query_one("#editor", TextArea)
        await until(pilot, lambda: "owner: Someone else" in editor.text, "the file was reloaded")


async def test_command_palette_lists_the_studio_actions(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.command import CommandList, CommandPalette

    monkeypatch.setattr("webbrowser.open", lambda url: True)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        for ch in "open in browser":
            await pilot.press(ch if ch != " " else "space")
        await until(
            pilot,
            lambda: app.screen.query_one(CommandList).option_count > 0,
            "the palette lists the command",
        )
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any("/t/password_reset" in str(n.message) for n in app._notifications),
            "the browser preview opened",
        )


async def test_a_render_finishing_under_a_dialog_updates_the_preview(ws: Workspace) -> None:
    from studio.tui.screens import HelpScreen

    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = app.query_one("#editor", TextArea)
        editor.text = editor.text.replace(
            "{% block content %}",
            "{% block content %}<mj-section><mj-column><mj-text>UNDER THE DIALOG"
            "</mj-text></mj-column></mj-section>",
        )
        app.push_screen(HelpScreen())  # the render is still in flight
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and app.is_running
        assert "UNDER THE DIALOG" in preview_text(app)
        assert app.preview_edits == app.edits


async def test_edits_while_rendering_are_coalesced_and_all_shown(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = app.query_one("#editor", TextArea)
        row = next(i for i, x in enumerate(editor.text.splitlines()) if "{% block content %}" in x)
        editor.move_cursor((row, len(editor.document.get_line(row))))
        editor.insert("<mj-section><mj-column><mj-text></mj-text></mj-column></mj-section>")
        editor.move_cursor(
            (row, editor.cursor_location[1] - len("</mj-text></mj-column></mj-section>"))
        )
        editor.focus()
        for key in "typed":
            await pilot.press(key)  # faster than renders: coalesced
        await settle(pilot)
        assert app.preview_edits == app.edits
        assert "typed" in preview_text(app)
        assert not app.renders.running


async def test_at_80_columns_editor_and_preview_share_the_screen(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree, preview = app.query_one("#tree"), app.query_one(PreviewPane)
        editor = app.query_one("#editor", TextArea)
        assert preview.region.width >= 30 and editor.region.width >= 30
        assert tree.region.width == 0  # hidden
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert tree.region.width > 0 and preview.region.width == 0
        assert app.focused is tree
        app.open_file(ws.components_dir / "footer.mjml")
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert tree.region.width == 0 and preview.region.width >= 30
    async with StudioApp(ws, watch_interval=0).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert pilot.app.query_one("#tree").region.width > 0


async def test_the_tree_cursor_follows_the_file_in_the_editor(ws: Workspace) -> None:
    """Shown again, the tree had its cursor on no line: Down, Down, Enter opened the
    first template, not the one below the file being edited."""
    from studio.tui.widgets import WorkspaceTree

    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        tree = app.query_one(WorkspaceTree)
        assert tree.cursor_node is not None and tree.cursor_node.data == app.current
        brand = ws.root / "brand" / "brand.toml"
        app.open_file(brand)  # in a folder shown folded
        await pilot.pause()
        assert tree.cursor_node is not None and tree.cursor_node.data == brand
        footer = ws.components_dir / "footer.mjml"
        app.open_file(footer)
        await pilot.press("ctrl+b", "ctrl+b")  # hidden, then shown with the focus
        await pilot.pause()
        assert app.focused is tree
        below = tree.cursor_line + 1
        expected = tree.get_node_at_line(below)
        assert expected is not None and expected.data is not None
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.current == expected.data != footer


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_where_a_finding_is_stays_on_screen(ws: Workspace, size: tuple[int, int]) -> None:
    """The findings table fits the pane: its "where" column is never cut off."""
    from textual.widgets import DataTable

    tpl = ws.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pane = app.query_one(PreviewPane)
        await until(pilot, lambda: bool(pane.findings), "the findings were listed")
        app.action_focus_findings()
        await pilot.pause()
        table = app.query_one("#findings", DataTable)
        await until(pilot, lambda: table.size.width > 0, "the findings table is shown")
        widths = {k.value: c.get_render_width(table) for k, c in table.columns.items()}
        # severity, where and the message fit (the id, last, where there is room)
        shown = widths["severity"] + widths["where"] + widths["message"]
        assert shown <= table.size.width, widths
        row = next(i for i, f in enumerate(pane.findings) if f.id == "image.missing-alt")
        where = str(table.get_cell_at((row, list(widths).index("where"))))
        assert where.startswith("password_reset.mjml:"), where


async def test_enter_on_a_finding_goes_to_it_and_keeps_the_list(ws: Workspace) -> None:
    """Enter on a finding: the editor takes the focus at its file; the findings stay shown."""
    tpl = ws.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.query_one(PreviewPane)
        await until(pilot, lambda: bool(pane.findings), "the findings were listed")
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is app.pane.editor
        assert app.query_one("#tabs").active == "tab-findings"  # type: ignore[attr-defined]
