"""Every MJML error names a file, line and column; unquoted HTML attributes are accepted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studio.core.render.mjml import compile_mjml
from studio.core.render.pipeline import renderer_for
from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.errors import RenderError

OPEN = "<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n"
CLOSE = "</mj-column>\n</mj-section>\n</mj-body>\n</mjml>\n"


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ("  <mj-text>never closed\n", 5, 3),  # an ending tag without its end
        ('<mj-image src="a.png">\n', 5, 1),  # a tag closed by its parent's end
        ("<mj-spacer />\n  <mj-divider height=>\n", 6, 15),  # attribute without value
        ('<mj-button href="x" "oops">Go</mj-button>\n', 5, 21),  # stray quoted text
    ],
)
def test_mrml_errors_without_a_position_get_one(body: str, line: int, column: int) -> None:
    with pytest.raises(RenderError) as err:
        compile_mjml(OPEN + body + CLOSE, name="t.mjml")
    assert err.value.kind == "mjml"
    assert (err.value.file, err.value.line) == ("t.mjml", line)
    assert str(err.value).startswith(f"t.mjml:{line}:{column}: ")


def test_an_unclosed_column_points_at_the_column() -> None:
    with pytest.raises(RenderError) as err:
        compile_mjml(OPEN + "</mj-section></mj-body></mjml>\n", name="t.mjml")
    assert err.value.line == 4


def test_unquoted_attribute_values_in_raw_html_are_accepted() -> None:
    body = (
        "<mj-text><a href=https://shop.example/o?id=1&x=2 class=big>Order</a></mj-text>\n"
        "<mj-text><a href=https://shop.example/>Home</a></mj-text>\n"
    )
    html = compile_mjml(OPEN + body + CLOSE).html
    hrefs = re.findall(r'<a href="([^"]+)"', html)
    assert hrefs == ["https://shop.example/o?id=1&x=2", "https://shop.example/"]
    assert 'class="big"' in html


def test_a_template_writing_href_from_a_variable_unquoted_renders(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    ws.template_path("link").write_text(
        "---\nsubject: 'x'\n---\n<mjml><mj-body><mj-section><mj-column>\n"
        "<mj-text><a href={{ url }}>Open</a></mj-text>\n"
        "</mj-column></mj-section></mj-body></mjml>\n",
        encoding="utf-8",
    )
    msg = renderer_for(ws).render("link", variables={"url": "https://shop.example/a?b=1"})
    assert '<a href="https://shop.example/a?b=1' in msg.html


def test_a_template_error_names_the_template_and_sample(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    ws.template_path("bad").write_text(
        "---\nsubject: 'x'\n---\n<mjml><mj-body><mj-section><mj-column>\n"
        "<mj-text>never closed\n</mj-column></mj-section></mj-body></mjml>\n",
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as err:
        renderer_for(ws).render("bad")
    assert err.value.file == "templates/bad.mjml"
    assert err.value.line is not None
    assert "template 'bad'" in str(err.value)
