"""Issue 16: an MJML error is reported where it was written, in the template or in the
component it came from, at that file's line (not at a line of Jinja's output)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.render.pipeline import renderer_for
from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.errors import RenderError

HEAD = "---\nsubject: 'x'\n---\n"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    (ws.components_dir / "card.mjml").write_text(
        "{# a card #}\n"
        "{% macro card(title) -%}\n"
        "<mj-section>\n"
        "  <mj-column>\n"
        '    <mj-text font-size="20px">{{ title }}</mj-text>\n'
        "  </mj-column>\n"
        "</mj-section>\n"
        "{%- endmacro %}\n",
        encoding="utf-8",
    )
    ws.template_path("uses").write_text(
        HEAD + '{% from "components/card.mjml" import card %}\n'
        "{% set greeting = 'Hello' %}\n"
        "<mjml><mj-body>\n"
        "{% if greeting %}\n"
        "{{ card(greeting) }}\n"
        "{% endif %}\n"
        "{{ card('Again') }}\n"
        "</mj-body></mjml>\n",
        encoding="utf-8",
    )
    return ws


def render_error(ws: Workspace, buffers: dict[str, str] | None = None) -> RenderError:
    with pytest.raises(RenderError) as err:
        renderer_for(ws, buffers).render("uses")
    assert err.value.kind == "mjml"
    return err.value


def test_an_error_in_a_component_is_at_the_component_line(ws: Workspace) -> None:
    card = ws.components_dir / "card.mjml"
    card.write_text(
        card.read_text().replace('<mj-text font-size="20px">', '<mj-text size=20px" x="1">'),
        encoding="utf-8",
    )
    error = render_error(ws)
    assert (error.file, error.line) == ("components/card.mjml", 5)
    assert str(error).startswith("components/card.mjml:5:")
    assert "template 'uses'" in str(error)


def test_an_unsaved_component_is_placed_from_its_buffer(ws: Workspace) -> None:
    text = (ws.components_dir / "card.mjml").read_text()
    broken = "\n\n" + text.replace("<mj-text font-size=", '<mj-text font-size=20px" x=')
    error = render_error(ws, {"components/card.mjml": broken})
    assert (error.file, error.line) == ("components/card.mjml", 7)
    line = broken.split("\n")[6]
    column = int(str(error).split(":")[2])
    assert line[column - 1 :].startswith('"') or line[column - 1 :].startswith("20px")


def test_an_error_in_the_template_is_at_the_template_line_not_the_output_line(
    ws: Workspace,
) -> None:
    path = ws.template_path("uses")
    path.write_text(
        path.read_text().replace(
            "{{ card('Again') }}\n", "{{ card('Again') }}\n<mj-section><mj-column>\n"
        ),
        encoding="utf-8",
    )
    error = render_error(ws)
    # line 11 of the file (front matter and {% %} lines included), whatever its line
    # in Jinja's output
    assert error.file == "templates/uses.mjml"
    assert error.line == 11, str(error)


def test_a_template_extending_a_layout_is_placed_in_its_block(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    (ws.components_dir / "frame.mjml").write_text(
        "<mjml>\n<mj-body>\n<mj-section><mj-column>\n{% block content %}{% endblock %}\n"
        "</mj-column></mj-section>\n</mj-body>\n</mjml>\n",
        encoding="utf-8",
    )
    ws.template_path("child").write_text(
        HEAD + '{% extends "components/frame.mjml" %}\n{% block content %}\n'
        "<mj-text>fine</mj-text>\n<mj-spacer />\n  <mj-divider height= />\n{% endblock %}\n",
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as err:
        renderer_for(ws).render("child")
    assert (err.value.file, err.value.line) == ("templates/child.mjml", 8), str(err.value)


def test_validation_findings_from_a_component_point_at_the_component_line(ws: Workspace) -> None:
    """The same invalid attribute written in the template and in a component: each
    finding points at the line that wrote it (not the first file holding the text)."""
    from studio.core.checks import lint_template

    card = ws.components_dir / "card.mjml"
    card.write_text(
        card.read_text().replace("<mj-column>", '<mj-column padding="banana">'),
        encoding="utf-8",
    )
    path = ws.template_path("uses")
    path.write_text(
        path.read_text().replace(
            "</mj-body>",
            '<mj-section><mj-column padding="banana"><mj-text>t</mj-text>'
            "</mj-column></mj-section>\n</mj-body>",
        ),
        encoding="utf-8",
    )
    (ws.samples_dir / "uses").mkdir(parents=True)
    (ws.samples_dir / "uses" / "a.json").write_text("{}", encoding="utf-8")
    found = {
        (f.location.file, f.location.line, f.location.column)
        for f in lint_template(ws, "uses", spam=False)
        if f.id == "mjml.invalid-value" and f.location
    }
    assert found == {
        ("components/card.mjml", 4, 14),
        ("templates/uses.mjml", 11, 24),
    }


def test_a_value_that_looks_like_a_mark_is_text() -> None:
    from studio.core.render.origin import CLOSE, OPEN, _marked_lines

    lines = _marked_lines(f"{OPEN}0{CLOSE}a\n{OPEN}99{CLOSE}b{OPEN}1{CLOSE}c", [("t", 1), ("t", 2)])
    assert lines[0] == ("a", [(0, "t", 1)])
    assert lines[1] == (f"{OPEN}99{CLOSE}bc", [(0, "t", 1), (5, "t", 2)])
