"""The render pipeline on a scratch workspace: variables, sandbox, errors, tracking, MIME."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from studio.core.workspace import Workspace
from studio.errors import ConfigError, RenderError, TemplateNotFound


def write_template(ws: Workspace, name: str, body: str, front: str = "") -> None:
    fm = front or 'subject: "Hello {{ name }}"\npreheader: "pre {{ name }}"\n'
    ws.template_path(name).write_text(f"---\n{fm}---\n{body}", encoding="utf-8")


SIMPLE = """<mjml><mj-body><mj-section><mj-column>
<mj-text>Hi {{ name }}</mj-text>
</mj-column></mj-section></mj-body></mjml>
"""


def test_render_scaffold_template(scratch: Workspace) -> None:
    msg = scratch.render("password_reset", sample="en_basic")
    assert msg.subject == "Reset your Shop password"
    assert "Hello Ada," in msg.text
    assert "token=abc123" in msg.html
    assert msg.locale == "en-GB"
    parsed = email.message_from_bytes(msg.email.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    for header in ("Message-ID", "Date", "From", "MIME-Version", "Subject", "Reply-To"):
        assert parsed[header], header
    assert parsed["From"].addresses[0].domain == "mail.shop.example"
    assert parsed["Message-ID"].endswith("@mail.shop.example>")
    html_part = parsed.get_body(("html",)).get_content()
    assert "Hello Ada," in html_part
    assert "Hello Ada," in parsed.get_body(("plain",)).get_content()


def test_variables_are_html_escaped(scratch: Workspace) -> None:
    write_template(scratch, "t", SIMPLE)
    msg = scratch.render("t", variables={"name": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in msg.html
    assert "&lt;script&gt;" in msg.html
    # The subject is a header, not HTML: it is not entity-escaped.
    assert msg.subject == "Hello <script>alert(1)</script>"


@pytest.mark.parametrize(
    "expr",
    ["''.__class__.__mro__", "name.__class__", "cycler.__init__.__globals__", "().__class__"],
)
def test_sandbox_blocks_python_internals(scratch: Workspace, expr: str) -> None:
    write_template(scratch, "evil", SIMPLE.replace("Hi {{ name }}", "{{ " + expr + " }}"))
    with pytest.raises(RenderError) as info:
        scratch.render("evil", variables={"name": "x"})
    assert info.value.file == "templates/evil.mjml"
    assert info.value.line == 6


def test_undefined_variable_names_variable_template_sample(scratch: Workspace) -> None:
    sample_dir = scratch.samples_dir / "password_reset"
    data = json.loads((sample_dir / "en_basic.json").read_text())
    del data["customer"]
    (sample_dir / "broken.json").write_text(json.dumps(data))
    with pytest.raises(RenderError) as info:
        scratch.render("password_reset", sample="broken")
    text = str(info.value)
    assert "customer" in text and "password_reset" in text and "broken" in text
    assert info.value.line == 18


def test_jinja_syntax_error_names_file_and_line(scratch: Workspace) -> None:
    write_template(scratch, "bad", SIMPLE.replace("Hi {{ name }}", "Hi {{ name }"))
    with pytest.raises(RenderError) as info:
        scratch.render("bad", variables={"name": "x"})
    assert info.value.file == "templates/bad.mjml"
    assert info.value.line == 6
    assert str(info.value).startswith("templates/bad.mjml:6:")


def test_syntax_error_in_component_points_at_component(scratch: Workspace) -> None:
    footer = scratch.components_dir / "footer.mjml"
    footer.write_text(footer.read_text() + "\n{% if %}\n")
    with pytest.raises(RenderError) as info:
        scratch.render("password_reset", sample="en_basic")
    assert info.value.file == "components/footer.mjml"


def test_mjml_error_names_template(scratch: Workspace) -> None:
    write_template(scratch, "broken_mjml", "<mjml><mj-body><mj-section>")
    with pytest.raises(RenderError) as info:
        scratch.render("broken_mjml", variables={"name": "x"})
    assert "templates/broken_mjml.mjml" in str(info.value)


def test_unknown_template_and_sample_list_existing(scratch: Workspace) -> None:
    with pytest.raises(TemplateNotFound) as info:
        scratch.render("nope")
    assert "password_reset" in str(info.value)
    with pytest.raises(TemplateNotFound) as info:
        scratch.render("password_reset", sample="nope")
    assert "en_basic" in str(info.value)


def test_malformed_sample_json_names_file_and_line(scratch: Workspace) -> None:
    path = scratch.samples_dir / "password_reset" / "bad.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}\n')
    with pytest.raises(ConfigError) as info:
        scratch.render("password_reset", sample="bad")
    assert str(info.value).startswith("samples/password_reset/bad.json:4:")


def test_crlf_in_subject_refused(scratch: Workspace) -> None:
    write_template(scratch, "inj", SIMPLE)
    with pytest.raises(RenderError):
        scratch.render("inj", variables={"name": "x\r\nBcc: victim@example.test"})


def test_own_domain_links_get_utm_and_notrack_opts_out(scratch: Workspace) -> None:
    body = SIMPLE.replace(
        "Hi {{ name }}",
        '<a href="https://www.shop.example/a?x=1">own</a>'
        " <a href=\"{{ 'https://www.shop.example/b' | notrack }}\">opt out</a>"
        ' <a href="https://carrier.example/track">carrier</a>'
        ' <a href="https://www.shop.example/c?utm_source=keep">keep</a>',
    )
    write_template(scratch, "links", body)
    msg = scratch.render("links", variables={"name": "x"})
    assert (
        "https://www.shop.example/a?x=1&amp;utm_source=transactional&amp;utm_medium=email"
        "&amp;utm_campaign=links" in msg.html
    )
    assert 'href="https://www.shop.example/b"' in msg.html
    assert "studio-notrack" not in msg.html and "studio-notrack" not in msg.text
    assert 'href="https://carrier.example/track"' in msg.html
    assert (
        "utm_source=keep" in msg.html
        and "utm_source=transactional" not in msg.html.split("/c?")[1].split('"')[0]
    )
    # The text part carries the same tagged URL.
    assert "https://www.shop.example/a?x=1&utm_source=transactional" in msg.text


def test_money_and_dates_follow_locale(scratch: Workspace) -> None:
    write_template(
        scratch,
        "money",
        SIMPLE.replace("Hi {{ name }}", "{{ 12.5 | money('EUR') }} / {{ '2026-03-02' | date }}"),
    )
    fr = scratch.render("money", variables={"name": "x"}, locale="fr-FR")
    en = scratch.render("money", variables={"name": "x"}, locale="en-GB")
    assert "12,50\xa0€" in fr.html and "2 mars 2026" in fr.html
    assert "€12.50" in en.html and "2 March 2026" in en.html


def test_unknown_locale_is_a_config_error(scratch: Workspace) -> None:
    with pytest.raises(ConfigError):
        scratch.render("password_reset", sample="en_basic", locale="xx-NOPE")


def test_brand_token_change_changes_output(scratch: Workspace) -> None:
    before = scratch.render("password_reset", sample="en_basic")
    brand = scratch.brand_file
    brand.write_text(brand.read_text().replace('primary = "#1f6feb"', 'primary = "#ff0066"'))
    after = scratch.render("password_reset", sample="en_basic")
    assert "#1f6feb" in before.html and "#1f6feb" not in after.html
    assert "#ff0066" in after.html


def test_buffers_render_unsaved_template(scratch: Workspace) -> None:
    text = scratch.template_path("password_reset").read_text()
    edited = text.replace(
        "{% block content %}",
        "{% block content %}<mj-section><mj-column>"
        "<mj-text>UNSAVED EDIT</mj-text></mj-column></mj-section>",
    )
    msg = scratch.render(
        "password_reset", sample="en_basic", buffers={"templates/password_reset.mjml": edited}
    )
    assert "UNSAVED EDIT" in msg.text
    # Nothing stays behind: the file on disk still renders as saved.
    assert "UNSAVED EDIT" not in scratch.render("password_reset", sample="en_basic").text


def test_front_matter_errors_are_config_errors(scratch: Workspace) -> None:
    path = scratch.template_path("password_reset")
    path.write_text(path.read_text().replace("trigger: person", "trigger: robot"))
    with pytest.raises(ConfigError) as info:
        scratch.render("password_reset", sample="en_basic")
    assert "trigger" in str(info.value)


def test_workspace_not_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Workspace.open(tmp_path)
