"""Finding in the editor (plain logic; the pane's box is covered by the pilot tests)."""

from __future__ import annotations

from studio.tui.widgets.editor import find_after


def test_find_after_the_cursor_and_wrap_round() -> None:
    text = "alpha\nbeta alpha\ngamma"
    assert find_after(text, "alpha", 0, 0) == (1, 5)
    assert find_after(text, "alpha", 1, 5) == (0, 0)  # wraps round
    assert find_after(text, "delta", 0, 0) is None
    assert find_after(text, "", 0, 0) is None


async def test_ctrl_f_finds_in_the_editor(scratch) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input, TextArea

    from studio.tui.app import StudioApp

    app = StudioApp(scratch, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+f")
        await pilot.pause()
        box = app.home.query_one("#find", Input)
        assert box.display and app.focused is box
        for ch in "owner":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        editor = app.home.query_one("#editor", TextArea)
        assert editor.selected_text == "owner"
