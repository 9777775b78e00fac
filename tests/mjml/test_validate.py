"""Validation like mjml's, with file, line and column, in lone files, partials and templates."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from studio.cli import cli
from studio.core.catalogue import explain
from studio.core.checks import lint_file, lint_template
from studio.core.render.mjml import compile_mjml
from studio.core.render.mjml_tree import ENDING_TAGS
from studio.core.render.validate import RULES_FILE, validate
from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace

IDS = (
    "mjml.unknown-tag",
    "mjml.invalid-attribute",
    "mjml.invalid-value",
    "mjml.invalid-child",
    "mjml.image-percent-width",
)

BAD = """<mjml>
  <mj-body>
    <mj-column><mj-text>Straight in the body</mj-text></mj-column>
    <mj-section padding="banana" colour="red">
      <mj-column>
        <mj-txt>Misspelt</mj-txt>
        <mj-image src="https://cdn.example/a.png" alt="A" width="100%" />
        <mj-divider border-color="notacolour" border-width="1px 2px" />
        <mj-text align="middle"><p>raw html is fine here</p></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
"""
EXPECTED = {
    ("mjml.invalid-child", 3, 5),
    ("mjml.invalid-value", 4, 17),  # padding="banana"
    ("mjml.invalid-attribute", 4, 34),  # colour=
    ("mjml.unknown-tag", 6, 9),
    ("mjml.image-percent-width", 7, 59),
    ("mjml.invalid-value", 8, 21),  # border-color
    ("mjml.invalid-value", 8, 47),  # border-width takes one value
    ("mjml.invalid-value", 9, 18),  # align: left, right, center, justify
}

CLEAN = """<mjml lang="en">
  <mj-head>
    <mj-attributes><mj-all padding="0" /><mj-class name="x" color="#fff" />
      <mj-text font-size="14px" /></mj-attributes>
    <mj-style>.a { color: red; }</mj-style>
  </mj-head>
  <mj-body width="600px">
    <mj-wrapper><mj-section padding="10px 0" background-color="rgb(1, 2, 3)">
      <mj-group><mj-column width="50%"><mj-image src="a.png" alt="" width="300px" />
      </mj-column></mj-group>
      <mj-column mj-class="x" css-class="c"><mj-button href="#">Go</mj-button>
        <mj-social><mj-social-element name="facebook" href="#">F</mj-social-element></mj-social>
        <mj-raw><p>raw</p></mj-raw><mj-spacer height="20px" /><mj-divider border-width="1px" />
      </mj-column>
    </mj-section></mj-wrapper>
  </mj-body>
</mjml>
"""


def _found(findings: list) -> set[tuple[str, int | None, int | None]]:  # type: ignore[type-arg]
    return {
        (f.id, f.location.line, f.location.column)
        for f in findings
        if f.id.startswith("mjml.") and f.location
    }


def test_every_id_with_line_and_column_in_a_lone_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.mjml"
    path.write_text(BAD, encoding="utf-8")
    findings = lint_file(path, spam=False)
    assert _found(findings) == EXPECTED
    assert {f.location.file for f in findings if f.id.startswith("mjml.")} == {str(path)}


def test_valid_mjml_gives_no_finding() -> None:
    assert validate(CLEAN) == []
    assert compile_mjml(CLEAN).html


def test_a_finding_in_a_partial_points_into_the_partial(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "p.mjml").write_text(
        "<mj-section>\n  <mj-column>\n    <mj-txt>x</mj-txt>\n  </mj-column>\n</mj-section>\n"
    )
    main = tmp_path / "main.mjml"
    main.write_text(
        '<mjml lang="en"><mj-body>\n<mj-include path="parts/p.mjml" />\n'
        '<mj-section><mj-column><mj-spacer heigth="1px" /></mj-column></mj-section>\n'
        "</mj-body></mjml>\n"
    )
    found = {
        (f.id, f.location.file, f.location.line, f.location.column)
        for f in lint_file(main, spam=False)
        if f.id.startswith("mjml.") and f.location
    }
    assert found == {
        ("mjml.unknown-tag", str(tmp_path / "parts" / "p.mjml"), 3, 5),
        ("mjml.invalid-attribute", str(main), 3, 35),
    }


def test_template_findings_point_at_the_template_line(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    (ws.root / "templates" / "parts").mkdir()
    (ws.root / "templates" / "parts" / "foot.mjml").write_text(
        "<mj-section>\n<mj-column>\n<mj-text>Foot</mj-text>\n"
        '<mj-image src="https://cdn.example/f.png" alt="" width="80%" />\n'
        '<mj-image src="https://cdn.example/g.png" />\n'
        "</mj-column>\n</mj-section>\n"
    )
    ws.template_path("t").write_text(
        "---\nsubject: 'Hi'\n---\n<mjml lang=\"en\"><mj-body>\n"
        "{% if name %}<mj-section><mj-column>{% endif %}\n"
        "<mj-text>Hello {{ name }}</mj-text>\n"
        '<mj-button href="https://example.com" color="{{ colour }}">Go</mj-button>\n'
        "</mj-column></mj-section>\n"
        '<mj-include path="parts/foot.mjml" />\n'
        "</mj-body></mjml>\n"
    )
    (ws.samples_dir / "t").mkdir(parents=True)
    (ws.samples_dir / "t" / "a.json").write_text(json.dumps({"name": "Ada", "colour": "blu"}))
    findings = lint_template(ws, "t", spam=False)
    found = {
        (f.id, f.location.file, f.location.line)
        for f in findings
        if f.id.startswith("mjml.") and f.location
    }
    assert found == {
        ("mjml.invalid-value", "templates/t.mjml", 7),
        ("mjml.image-percent-width", "templates/parts/foot.mjml", 4),
    }
    alt = {(f.location.file, f.location.line) for f in findings if f.id == "image.missing-alt"}
    assert alt == {("templates/parts/foot.mjml", 5)}  # the source checks read partials


def test_lint_cli_reports_the_ids_and_explain_knows_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.mjml"
    path.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", str(path), "--format", "json"])
    assert {f["id"] for f in json.loads(result.output)["findings"]} >= set(IDS)
    for check_id in IDS:
        assert explain(check_id).id == check_id


def test_images_get_alt_as_mjml_writes_them_and_the_source_check_stays(tmp_path: Path) -> None:
    path = tmp_path / "img.mjml"
    path.write_text(
        '<mjml lang="en"><mj-body><mj-section><mj-column>\n'
        '<mj-image src="https://cdn.example/a.png" />\n'
        "<mj-social><mj-social-element name=\"facebook\" href=\"https://f.example\">F"
        "</mj-social-element></mj-social>\n"
        '<mj-text><img src="https://cdn.example/raw.png"></mj-text>\n'
        "</mj-column></mj-section></mj-body></mjml>\n"
    )
    html = compile_mjml(path.read_text()).html
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert sum('alt=""' in i for i in imgs) == 2  # the component images
    assert any("raw.png" in i and "alt=" not in i for i in imgs)  # raw HTML as written
    assert ("image.missing-alt", 2) in {
        (f.id, f.location.line) for f in lint_file(path, spam=False) if f.location
    }


def test_a_default_alt_from_mj_attributes_is_kept() -> None:
    html = compile_mjml(
        '<mjml><mj-head><mj-attributes><mj-image alt="Logo" /></mj-attributes></mj-head>'
        '<mj-body><mj-section><mj-column><mj-image src="a.png" /></mj-column></mj-section>'
        "</mj-body></mjml>"
    ).html
    assert 'alt="Logo"' in html


def test_the_vendored_rules_and_the_tree_agree_on_ending_tags() -> None:
    data = json.loads(RULES_FILE.read_text())
    ending = {tag for tag, c in data["components"].items() if c["ending"]}
    assert ending == set(ENDING_TAGS)
    assert data["version"].startswith("5.")
    assert (RULES_FILE.parent / "mjml.LICENSE").read_text().startswith("The MIT License")


def test_source_checks_read_the_partials_too(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "logo.mjml").write_text(
        '<mj-section><mj-column>\n\n<mj-image src="https://cdn.example/l.png" />\n'
        "</mj-column></mj-section>\n"
    )
    main = tmp_path / "main.mjml"
    main.write_text(
        '<mjml lang="en"><mj-body>\n<mj-include path="parts/logo.mjml" />\n</mj-body></mjml>\n'
    )
    found = {
        (f.id, f.location.file, f.location.line)
        for f in lint_file(main, spam=False)
        if f.location and f.id == "image.missing-alt"
    }
    assert found == {("image.missing-alt", str(tmp_path / "parts" / "logo.mjml"), 3)}
