"""Finding in the editor (plain logic; the pane's box is covered by the pilot tests)."""

from __future__ import annotations

from studio.tui.widgets.editor import find_after


def test_find_after_the_cursor_and_wrap_round() -> None:
    text = "alpha\nbeta alpha\ngamma"
    assert find_after(text, "alpha", 0, 0) == (1, 5)
    assert find_after(text, "alpha", 1, 5) == (0, 0)  # wraps round
    assert find_after(text, "delta", 0, 0) is None
    assert find_after(text, "", 0, 0) is None
