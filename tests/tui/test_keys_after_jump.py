"""Keys typed right after Enter on a search match or a finding go to its line.

A terminal delivers what is typed in one burst: the keys after Enter are already
queued when Enter is handled. Here they are posted together, as the driver does
(``pilot.press`` would wait after each key and hide the race): on the old code they
reached the search box or the findings table, which was about to close or lose the
focus, and the edit was lost or made elsewhere.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import SearchScreen
from studio.tui.widgets import PreviewPane
from tests.pilot import open_search, quiet, settle, until


def burst(app: StudioApp, keys: list[str]) -> None:
    """Post keys back to back, as a terminal's input arrives: none handled in between."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def test_keys_after_enter_on_a_search_match_edit_its_line(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await quiet(pilot)
        screen = await open_search(pilot, "order_totals(order")
        target = screen.matches[0]
        burst(app, ["enter", "end", "enter", "x", "y"])
        await until(pilot, lambda: not isinstance(app.screen, SearchScreen), "search closed")
        await settle(pilot)
        assert app.current == example_copy.root / target.file
        editor = app.home.query_one("#editor", TextArea)
        lines = editor.text.split("\n")
        assert "order_totals(order" in lines[target.line - 1]
        assert lines[target.line].strip() == "xy", lines[target.line - 2 : target.line + 2]
        assert editor.text.count("xy") == 1
        assert app.keys_waiting == 0


async def test_keys_after_enter_on_a_finding_edit_its_line(example_copy: Workspace) -> None:
    ws = example_copy
    tpl = ws.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await quiet(pilot)
        pane = app.query_one(PreviewPane)
        await until(pilot, lambda: bool(pane.findings), "the findings were listed")
        app.action_focus_findings()
        await pilot.pause()
        assert app.focused is pane._table
        row = pane._table.cursor_row
        finding = pane.findings[int(str(pane._table.coordinate_to_cell_key((row, 0))[0].value))]
        assert finding.location is not None
        burst(app, ["enter", "home", "z", "q"])
        await until(pilot, lambda: app.focused is app.pane.editor, "the editor has the focus")
        await settle(pilot)
        editor = app.home.query_one("#editor", TextArea)
        assert app.current is not None and app.rel(app.current) == finding.location.file
        line = editor.document.get_line((finding.location.line or 1) - 1)
        assert line.lstrip().startswith("zq"), line  # Home (a binding) ran first
        assert editor.text.count("zq") == 1
        assert app.keys_waiting == 0


async def test_enter_with_nothing_found_keeps_the_keys_flowing(example_copy: Workspace) -> None:
    """No match: Enter does nothing, and the keys after it are typed in the search box."""
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await quiet(pilot)
        screen = await open_search(pilot)
        burst(app, ["enter", "a", "b"])
        await settle(pilot)
        assert app.keys_waiting == 0
        assert isinstance(app.screen, SearchScreen)
        assert screen.query_one("#search-query").value == "ab"  # type: ignore[attr-defined]


async def test_a_binding_key_then_text_in_one_burst_keep_their_order(
    example_copy: Workspace,
) -> None:
    """End then text: the text goes at the end of the line (End's binding ran first)."""
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await quiet(pilot)
        editor = app.pane.editor
        assert app.focused is editor
        editor.move_cursor((0, 0))
        first = editor.document.get_line(0)
        burst(app, ["end", "x", "y"])
        await settle(pilot)
        assert editor.document.get_line(0) == first + "xy"
        assert app.keys_waiting == 0


async def test_f5_then_enter_in_one_burst_go_to_the_finding(example_copy: Workspace) -> None:
    """F5 (focus the findings) then Enter (go to the first) then text, typed at once
    from the editor: Enter reaches the table F5 focused, the text the finding's line."""
    tpl = example_copy.template_path("password_reset")
    tpl.write_text(tpl.read_text().replace('alt="{{ brand.name }}"', ""))
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await quiet(pilot)
        app.open_file(tpl)
        pane = app.query_one(PreviewPane)
        await until(pilot, lambda: bool(pane.findings), "the findings were listed")
        await quiet(pilot)
        app.pane.editor.focus()
        await pilot.pause()
        assert app.focused is app.pane.editor
        before = app.pane.editor.text
        burst(app, ["f5", "enter", "z", "q"])
        await until(pilot, lambda: "zq" in app.pane.editor.text, "the text reached the editor")
        await settle(pilot)
        table = pane._table
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        finding = pane.findings[int(str(key))]
        assert finding.location is not None and finding.location.line
        assert app.rel(app.current) == finding.location.file  # type: ignore[arg-type]
        line = app.pane.editor.document.get_line(finding.location.line - 1)
        assert line.startswith("zq"), line
        assert app.pane.editor.text.replace("zq", "", 1) == before


async def test_an_edit_taken_into_its_buffer_early_still_counts(example_copy: Workspace) -> None:
    """An edit the buffer took before its Changed event came (``sync_editor``, run by a
    render or a status check) is still an edit: unsaved shown, a render asked for."""
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await quiet(pilot)
        edits = app.edits
        app.pane.editor.insert("x")  # its Changed event is queued
        app.sync_editor()
        await settle(pilot)
        assert app.edits == edits + 1
        assert "(unsaved)" in app.sub_title
