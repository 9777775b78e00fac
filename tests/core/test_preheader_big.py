"""The preview text stops reading once its line is complete (issue 18, big messages)."""

from __future__ import annotations

from studio.core import preheader
from studio.core.preheader import preview_text

HEAD = (
    '<html><body><div style="display:none">Your order ships today&zwnj;&nbsp;</div>'
    "<p>Hello   Ada,</p>\n<p>thanks for your order.</p>"
)


def test_a_long_tail_changes_neither_the_preheader_nor_the_line() -> None:
    def tail(n: int) -> str:
        return "".join(f"<p>paragraph {i} of a very long message</p>\n" for i in range(n))

    short = preview_text(HEAD + tail(10) + "</body></html>")
    long = preview_text(HEAD + tail(20000) + "</body></html>")
    assert long == short
    assert short.preheader == "Your order ships today"


def test_the_line_fills_from_later_text_when_the_start_is_short() -> None:
    html = "<html><body><p>Hi</p>" + "<p>word</p>" * 200 + "</body></html>"
    line = preview_text(html).inbox_line
    assert len(line) == preheader.INBOX_LINE_CHARS
    assert line.startswith("Hi word word")


def test_the_big_message_is_not_read_to_its_end(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    real = preheader._TAG

    class Counting:
        def search(self, text: str, pos: int = 0):  # type: ignore[no-untyped-def]
            seen.append(pos)
            return real.search(text, pos)

    monkeypatch.setattr(preheader, "_TAG", Counting())
    preview_text(HEAD + "<p>more text here</p>" * 50000 + "</body></html>")
    assert len(seen) < 1000
