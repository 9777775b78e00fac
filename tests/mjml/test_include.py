"""``<mj-include>``: each type, nesting, cycles and escapes, in lone files and templates."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli
from studio.core.render.pipeline import render_mjml_file, renderer_for
from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.errors import RenderError

HEADER = """<mj-section><mj-column>
  <mj-text>Header words</mj-text>
  <mj-include path="./logo.mjml" />
</mj-column></mj-section>
"""
LOGO = (
    '<mj-image src="https://cdn.example/logo.png" alt="Logo" href="https://example.com/home" />\n'
)
FOOTER_DOC = """<mjml>
  <mj-head><mj-attributes><mj-text color="#123456" /></mj-attributes></mj-head>
  <mj-body>
    <mj-section><mj-column><mj-text>Footer words
      <a href="https://example.com/unsubscribe">Unsubscribe</a></mj-text></mj-column></mj-section>
  </mj-body>
</mjml>
"""
STYLE = ".note { color: #abcdef; }\n"
INLINE = ".hot { font-weight: 700; }\n"
RAW = '<div class="raw-html">Raw words</div>\n'
MAIN = """<mjml>
  <mj-head>
    <mj-title>Included</mj-title>
  </mj-head>
  <mj-body>
    <mj-include path="partials/header.mjml" />
    <mj-include path="partials/styles.css" type="css" />
    <mj-include path="partials/inline.css" type="css" css-inline="inline" />
    <mj-section><mj-column>
      <mj-text css-class="hot"><span class="hot">Main words</span></mj-text>
      <mj-include path="partials/raw.html" type="html" />
    </mj-column></mj-section>
    <mj-include path="partials/footer.mjml" />
  </mj-body>
</mjml>
"""


def project(base: Path) -> Path:
    (base / "partials").mkdir(parents=True)
    for name, text in {
        "partials/header.mjml": HEADER,
        "partials/logo.mjml": LOGO,
        "partials/footer.mjml": FOOTER_DOC,
        "partials/styles.css": STYLE,
        "partials/inline.css": INLINE,
        "partials/raw.html": RAW,
        "main.mjml": MAIN,
    }.items():
        (base / name).write_text(text, encoding="utf-8")
    return base / "main.mjml"


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_include_type_renders_in_a_lone_file(tmp_path: Path) -> None:
    msg = render_mjml_file(project(tmp_path))
    text = words(msg.html)
    for seen in ("Header words", "Main words", "Raw words", "Footer words", "Unsubscribe"):
        assert seen in text
    assert 'href="https://example.com/unsubscribe"' in msg.html
    assert 'src="https://cdn.example/logo.png"' in msg.html  # nested include
    assert ".note { color: #abcdef; }" in msg.html  # css: an mj-style in the head
    assert re.search(r'<span class="hot" style="[^"]*font-weight:\s*700', msg.html)  # inlined
    assert ".hot {" not in msg.html  # css-inline="inline" leaves no rule behind
    assert "#123456" in msg.html  # the included document's head joins the head
    assert '<div class="raw-html">' in msg.html


def test_render_command_renders_includes(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(project(tmp_path)), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert "Footer words" in result.output


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("../outside.mjml", 3),
        ("/etc/passwd", 3),
        ("https://example.com/x.mjml", 3),
        ("%2e%2e/outside.mjml", 3),
    ],
)
def test_escapes_out_of_the_folder_are_errors_with_file_and_line(
    tmp_path: Path, path: str, line: int
) -> None:
    base = tmp_path / "proj"
    base.mkdir()
    (tmp_path / "outside.mjml").write_text("<mj-text>secret</mj-text>", encoding="utf-8")
    main = base / "main.mjml"
    main.write_text(
        f'<mjml><mj-body>\n<mj-section><mj-column>\n  <mj-include path="{path}" />\n'
        "</mj-column></mj-section></mj-body></mjml>\n",
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as err:
        render_mjml_file(main)
    assert err.value.kind == "mjml"
    assert err.value.file == "main.mjml"
    assert err.value.line == line
    assert "secret" not in str(err.value)


def test_a_symlink_out_of_the_folder_is_an_error(tmp_path: Path) -> None:
    base = tmp_path / "proj"
    (base / "partials").mkdir(parents=True)
    (tmp_path / "secret.mjml").write_text("<mj-text>secret</mj-text>", encoding="utf-8")
    os.symlink(tmp_path / "secret.mjml", base / "partials" / "link.mjml")
    (base / "partials" / "hop.mjml").write_text(
        '<mj-text>hop</mj-text>\n<mj-include path="link.mjml" />\n', encoding="utf-8"
    )
    main = base / "main.mjml"
    main.write_text(
        '<mjml><mj-body><mj-section><mj-column><mj-include path="partials/hop.mjml" />'
        "</mj-column></mj-section></mj-body></mjml>",
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as err:
        render_mjml_file(main)
    assert (err.value.file, err.value.line) == ("partials/hop.mjml", 2)


def test_an_include_cycle_is_an_error_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "a.mjml").write_text('<mj-text>a</mj-text>\n<mj-include path="b.mjml" />\n')
    (tmp_path / "b.mjml").write_text('\n\n<mj-include path="a.mjml" />\n')
    main = tmp_path / "main.mjml"
    main.write_text(
        '<mjml><mj-body><mj-section><mj-column><mj-include path="a.mjml" />'
        "</mj-column></mj-section></mj-body></mjml>"
    )
    with pytest.raises(RenderError) as err:
        render_mjml_file(main)
    assert (err.value.file, err.value.line) == ("b.mjml", 3)
    assert "cycle" in str(err.value)


def test_a_missing_partial_names_the_including_line(tmp_path: Path) -> None:
    main = tmp_path / "main.mjml"
    main.write_text(
        "<mjml><mj-body>\n\n<mj-section><mj-column>"
        '<mj-include path="nope.mjml" /></mj-column></mj-section></mj-body></mjml>'
    )
    with pytest.raises(RenderError) as err:
        render_mjml_file(main)
    assert (err.value.file, err.value.line) == ("main.mjml", 3)


def test_an_error_inside_a_partial_points_into_the_partial(tmp_path: Path) -> None:
    (tmp_path / "broken.mjml").write_text("<mj-text>fine</mj-text>\n\n  <mj-text>never closed\n")
    main = tmp_path / "main.mjml"
    main.write_text(
        "<mjml><mj-body><mj-section><mj-column>\n"
        '<mj-include path="broken.mjml" />\n</mj-column></mj-section></mj-body></mjml>'
    )
    with pytest.raises(RenderError) as err:
        render_mjml_file(main)
    assert (err.value.file, err.value.line) == ("broken.mjml", 3)
    assert str(err.value).startswith("broken.mjml:3:3:")


def _workspace(tmp_path: Path) -> Workspace:
    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    (ws.root / "templates" / "partials").mkdir()
    (ws.root / "templates" / "partials" / "banner.mjml").write_text(
        '<mj-section><mj-column><mj-text>Saved banner <a href="https://example.com/b">b</a>'
        "</mj-text></mj-column></mj-section>\n",
        encoding="utf-8",
    )
    ws.template_path("promo").write_text(
        "---\nsubject: 'Hi {{ name }}'\n---\n<mjml><mj-body>\n"
        '<mj-include path="partials/banner.mjml" />\n'
        "<mj-section><mj-column><mj-text>Hello {{ name }}</mj-text></mj-column></mj-section>"
        "</mj-body></mjml>\n",
        encoding="utf-8",
    )
    return ws


def test_templates_include_relative_to_the_template_file(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    msg = renderer_for(ws).render("promo", variables={"name": "Ada"})
    assert "Saved banner" in words(msg.html) and "Hello Ada" in words(msg.html)
    assert 'href="https://example.com/b' in msg.html


def test_an_unsaved_partial_buffer_stands_in_for_the_file(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    buffers = {
        "templates/partials/banner.mjml": "<mj-section><mj-column><mj-text>Unsaved banner"
        "</mj-text></mj-column></mj-section>"
    }
    msg = renderer_for(ws, buffers).render("promo", variables={"name": "Ada"})
    assert "Unsaved banner" in words(msg.html)
    assert "Saved banner" in words(renderer_for(ws).render("promo", variables={"name": "A"}).html)


def test_a_template_may_not_include_outside_the_workspace(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    (tmp_path / "secret.mjml").write_text("<mj-text>secret</mj-text>")
    ws.template_path("leak").write_text(
        "---\nsubject: 'x'\n---\n<mjml><mj-body>\n"
        '<mj-include path="../../secret.mjml" />\n</mj-body></mjml>\n',
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as err:
        renderer_for(ws).render("leak")
    assert err.value.file == "templates/leak.mjml"
    assert err.value.kind == "mjml"


def test_the_text_part_has_the_partials_words_and_links(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    text = renderer_for(ws).render("promo", variables={"name": "Ada"}).text
    assert "Saved banner" in text and "https://example.com/b" in text and "Hello Ada" in text
    lone = render_mjml_file(project(tmp_path / "lone")).text
    for seen in ("Header words", "Main words", "Footer words", "https://example.com/unsubscribe"):
        assert seen in lone
