"""What a lone file is, and the preview text of any message (issue 19).

A bare ``.html`` is a body, not a message: header and envelope rules stay quiet on it
and findings point at the file. Any HTML message has its preheader read (the hidden
element before the first visible text) and the line an inbox shows computed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli
from studio.core.checks import lint_file
from studio.core.preheader import preview_text
from studio.core.sink.store import MaildirStore
from studio.core.workspace import Workspace

HIDDEN = [
    "display:none",
    "display: none !important",
    "max-height:0; overflow:hidden",
    "opacity:0",
    "mso-hide:all",
]
PADDING = "&#847;&zwnj;&nbsp;" * 60


def page(body: str) -> str:
    return f'<!doctype html><html lang="en"><head><title>t</title></head><body>{body}</body></html>'


@pytest.mark.parametrize("style", HIDDEN)
def test_the_hidden_element_before_the_first_visible_text_is_the_preheader(style: str) -> None:
    html = page(f'<div style="{style}">Your parcel ships today{PADDING}</div><p>Hello Ada,</p>')
    shown = preview_text(html)
    assert shown.preheader == "Your parcel ships today"
    # the padding fills the line: the body's first words do not show after the preheader
    assert shown.inbox_line == "Your parcel ships today"


def test_no_preheader_the_inbox_line_is_the_first_text() -> None:
    html = page(
        "<style>p{color:red}</style><p>View in browser</p>"
        '<div style="display:none">too late</div><p>Hello Ada, ' + "word " * 40 + "</p>"
    )
    shown = preview_text(html)
    assert shown.preheader is None
    # hidden text after the first visible text is no preheader, but the inbox still reads it
    assert shown.inbox_line.startswith("View in browser too late Hello Ada, word")
    assert len(shown.inbox_line) <= 100
    assert "color" not in shown.inbox_line


def test_a_built_template_has_its_preheader_read_back(example: Workspace) -> None:
    msg = example.render("password_reset", sample="en_basic")
    assert msg.preheader and preview_text(msg.html).preheader == " ".join(msg.preheader.split())


EML = (
    "From: Shop <shop@elsewhere.example>\nTo: ada@inbox.example\nSubject: Your order\n"
    "Date: Wed, 02 Dec 2026 10:00:00 +0000\nMessage-ID: <1@elsewhere.example>\n"
    "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n{html}\n"
)


def ids(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.id for f in findings}


def test_an_eml_without_preview_text_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_text(EML.format(html=page("<p>View in browser</p><p>Hello Ada</p>")))
    [found] = [f for f in lint_file(path, spam=False) if f.id == "message.no-preheader"]
    assert found.details["inbox_line"] == "View in browser Hello Ada"


def test_an_eml_and_an_html_file_with_preview_text_are_not(tmp_path: Path) -> None:
    html = page('<div style="display:none;mso-hide:all">Ships today</div><p>Hello Ada</p>')
    (tmp_path / "m.eml").write_text(EML.format(html=html))
    (tmp_path / "m.html").write_text(html)
    for name in ("m.eml", "m.html"):
        assert "message.no-preheader" not in ids(lint_file(tmp_path / name, spam=False))


def test_an_html_file_without_preview_text_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "m.html").write_text(page("<p>Hello Ada</p>"))
    assert "message.no-preheader" in ids(lint_file(tmp_path / "m.html", spam=False))


def test_a_built_html_file_is_a_body_not_a_message(example_copy: Workspace) -> None:
    out = example_copy.root / "out" / "m.html"
    out.parent.mkdir()
    out.write_text(example_copy.render("password_reset", sample="en_basic").html)
    found = lint_file(out, example_copy, spam=False)
    assert not {"message.headers", "message.from-domain", "message.header-too-long"} & ids(found)
    for f in found:
        assert f.location is None or f.location.file == "out/m.html", f


def test_an_eml_from_elsewhere_points_at_its_from_line(example_copy: Workspace) -> None:
    path = example_copy.root / "m.eml"
    path.write_text(EML.format(html=page("<p>Hello</p>")))
    [found] = [
        f for f in lint_file(path, example_copy, spam=False) if f.id == "message.from-domain"
    ]
    assert found.location is not None
    assert (found.location.file, found.location.line) == ("m.eml", 1)


def test_inbox_show_and_list_take_options_after_the_subcommand(tmp_path: Path) -> None:
    html = page('<div style="display:none">Ships today</div><p>Hello Ada</p>')
    raw = EML.format(html=html).replace("\n", "\r\n").encode()
    MaildirStore(tmp_path / "md").deliver(raw)
    md = ["inbox", "--maildir", str(tmp_path / "md")]
    runner = CliRunner()
    listed = runner.invoke(cli, [*md, "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    [item] = json.loads(listed.output)
    shown = runner.invoke(cli, [*md, "show", item["id"], "-f", "json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["preheader"] == "Ships today"
    assert data["inbox_line"].startswith("Ships today")
    text = runner.invoke(cli, [*md, "show", item["id"]])
    assert "Ships today" in text.output.split("\n\n")[0]


# -- an undefined variable hides nothing else ----------------------------------------


def test_an_undefined_variable_does_not_hide_the_other_findings(scratch: Workspace) -> None:
    from studio.core.checks import lint_template

    front = "subject: s\npreheader: p\ntrigger: person\nreviewed: 2026-01-01\n"
    body = (
        '<mj-image src="https://cdn.shop.example/x.png" />'
        '<mj-text><a href="http://www.shop.example/x">x</a>'
        ' <a href="https://bit.ly/abc">offer</a> {{ no_such_variable }}</mj-text>'
    )
    scratch.template_path("t").write_text(
        f"---\n{front}---\n<mjml><mj-body><mj-section><mj-column>\n{body}\n"
        "</mj-column></mj-section></mj-body></mjml>\n"
    )
    (scratch.samples_dir / "t").mkdir(parents=True, exist_ok=True)
    (scratch.samples_dir / "t" / "a.json").write_text("{}")
    found = lint_template(scratch, "t", spam=False)
    assert {
        "template.undefined-variable",
        "image.missing-alt",
        "link.insecure",
        "link.shortener",
    } <= ids(found)
    [undefined] = [f for f in found if f.id == "template.undefined-variable"]
    assert undefined.location is not None and undefined.location.line == 8


def test_lint_exit_code_stays_1_with_an_undefined_variable(scratch: Workspace) -> None:
    scratch.template_path("t").write_text(
        "---\nsubject: s\npreheader: p\n---\n<mjml><mj-body><mj-section><mj-column>"
        "<mj-text>{{ nope }}</mj-text></mj-column></mj-section></mj-body></mjml>\n"
    )
    result = CliRunner().invoke(cli, ["-w", str(scratch.root), "lint", "t", "--no-spam"])
    assert result.exit_code == 1, result.output
    assert "template.undefined-variable" in result.output


def test_the_marked_render_is_still_sandboxed(scratch: Workspace) -> None:
    from studio.core.render.pipeline import renderer_for
    from studio.errors import RenderError

    scratch.template_path("t").write_text(
        "---\nsubject: s\n---\n<mjml><mj-body><mj-section><mj-column><mj-text>"
        "{{ nope }}{{ ''.__class__.__mro__ }}</mj-text></mj-column></mj-section></mj-body></mjml>\n"
    )
    lenient = renderer_for(scratch).lenient()
    with pytest.raises(RenderError):
        lenient.render("t")
    scratch.template_path("t").write_text(
        "---\nsubject: s\n---\n<mjml><mj-body><mj-section><mj-column><mj-text>"
        "{{ nope.deeper }}</mj-text></mj-column></mj-section></mj-body></mjml>\n"
    )
    assert "[missing: nope]" in lenient.render("t").html
