"""The terminal rendition of a message, read from its MJML."""

from __future__ import annotations

import io

from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from studio.core.workspace import Workspace
from studio.tui.rendition import rendition, rendition_blocks

MJML = """<mjml><mj-head><mj-title>Hidden title</mj-title>
<mj-style>.x{color:red}</mj-style></mj-head>
<mj-body><mj-section><mj-column>
<mj-image src="https://cdn.shop.example/logo.png" alt="Shop logo"></mj-image>
<mj-image src="https://cdn.shop.example/spacer.png" alt=""></mj-image>
<mj-text><h1>Your order</h1><p>Hello <strong>Ada</strong>, see
  <a href="https://shop.example/o/1">your order</a>.</p></mj-text>
<mj-button href="https://shop.example/o/1?utm_source=x">View <b>order</b></mj-button>
<mj-divider />
<mj-table><tr><th colspan="2">Item</th><th align="right">Total</th></tr>
<tr><td><img src="a.png" alt=""></td><td>Mug</td><td align="right">£14.50</td></tr>
<tr><td></td><td>Board</td><td align="right">£42.00</td></tr></mj-table>
<mj-raw><div>raw html skipped</div></mj-raw>
</mj-column></mj-section></mj-body></mjml>"""


def plain(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def test_blocks_in_reading_order() -> None:
    blocks = rendition_blocks(MJML)
    kinds = [type(b).__name__ for b in blocks]
    assert kinds == ["Text", "Text", "Text", "Text", "Rule", "Table"]
    image, heading, para, button = blocks[:4]
    assert isinstance(image, Text) and image.plain == "[image: Shop logo]"
    assert isinstance(heading, Text) and heading.plain == "Your order"
    assert any("bold" in str(span.style) for span in heading.spans)
    assert isinstance(para, Text) and para.plain == "Hello Ada, see your order."
    link_spans = [s for s in para.spans if getattr(s.style, "link", None)]
    assert [s.style.link for s in link_spans] == ["https://shop.example/o/1"]  # type: ignore[union-attr]
    assert isinstance(button, Text) and "View order" in button.plain
    assert "shop.example/o/1" in button.plain and "utm_source" not in button.plain
    assert isinstance(blocks[4], Rule)


def test_a_table_keeps_its_rows_and_drops_empty_columns() -> None:
    table = rendition_blocks(MJML)[-1]
    assert isinstance(table, Table)
    assert [str(c.header) for c in table.columns] == ["Item", "Total"]
    assert [c.justify for c in table.columns] == ["left", "right"]
    assert [str(x) for x in table.columns[0]._cells] == ["Mug", "Board"]
    assert [str(x) for x in table.columns[1]._cells] == ["£14.50", "£42.00"]


def test_head_raw_and_decorative_images_are_left_out() -> None:
    text = plain(rendition(MJML))
    for hidden in ("Hidden title", "color:red", "raw html skipped", "[image: ]"):
        assert hidden not in text


def test_the_example_order_shows_its_lines_as_a_table(example: Workspace) -> None:
    msg = example.render("order_confirmation", sample="edge_30_lines")
    tables = [b for b in rendition_blocks(msg.mjml) if isinstance(b, Table)]
    items = next(t for t in tables if [str(c.header) for c in t.columns] == ["Item", "Total"])
    assert items.row_count == 30
    text = plain(rendition(msg.mjml))
    assert "[image: Maple & Moss]" in text and "Reset" not in text
