from studio.core.safe_text import printable


def test_terminal_escapes_become_visible_text():
    hostile = "Hi\x1b]0;owned\x07 \x1b[2K\x1b[1A\x1b]52;c;aGk=\x07 \u202eevil\x00"
    shown = printable(hostile)
    assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown
    assert "\u202e" not in shown
    assert "\\x1b]0;owned\\x07" in shown
    assert "\\u202e" in shown


def test_newlines_kept_or_folded():
    assert printable("a\nb\tc") == "a\nb\tc"
    assert printable("a\r\n\tb", one_line=True) == "a\\x0d b"
    assert printable("plain ünïcode €") == "plain ünïcode €"
