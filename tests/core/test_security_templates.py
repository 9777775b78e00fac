"""What a template, a locale file, a sample or a trigger payload can do: no more than render.

Issue 14: a locale string reached Python internals through ``str.format``; templates
changed the brand and the caller's variables; a payload read a file outside the
workspace; a control character in a variable broke MRML naming nothing;
``{% include ".env" %}`` rendered any file; and ``'a' * 10**10``, ``lipsum(10**6)`` or
two nested loops exhausted memory or time. Each test fails on the code before the fix.
The sizes used here stay small enough that the code before the fix finishes them
(it renders what it should have refused); the bounds refuse them all the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.workspace import Workspace
from studio.errors import RenderError, TemplateNotFound

SECRET = "s3cret-relay-password"


def page(body: str) -> str:
    return (
        "---\nsubject: 'Hello'\n---\n"
        "<mjml><mj-body><mj-section><mj-column>\n"
        f"<mj-text>{body}</mj-text>\n"
        "</mj-column></mj-section></mj-body></mjml>\n"
    )


def write(ws: Workspace, name: str, body: str) -> None:
    ws.template_path(name).write_text(page(body), encoding="utf-8")


def add_translation(ws: Workspace, key: str, text: str) -> None:
    locale = ws.root / "brand" / "locales" / "en.toml"
    locale.write_text(
        locale.read_text(encoding="utf-8") + f"\n[probe]\n{key} = {json.dumps(text)}\n",
        encoding="utf-8",
    )


def studio(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", "--workspace", str(ws.root), *args],
        capture_output=True,
        text=True,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# -- 1. translations are formatted without reaching Python ------------------------------


def test_a_locale_string_cannot_reach_python_internals(
    scratch: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIO_RELAY_PASSWORD", SECRET)
    add_translation(
        scratch, "leak", "{f.__globals__[jinja2].utils.os.environ[STUDIO_RELAY_PASSWORD]}"
    )
    write(scratch, "t", '{{ t("probe.leak", f=t) }}')
    with pytest.raises(RenderError) as info:
        scratch.render("t")
    assert info.value.kind == "sandbox"
    assert "brand/locales/en.toml" in str(info.value) and "probe.leak" in str(info.value)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "{x:>5000}",  # a width past the bound (``{x:>999999999}`` built a gigabyte)
        "{x:.5000f}",
        "{x:{x}}",  # a nested field
        "{x!r}",  # a conversion
        "{0}",  # a position
        "{x[0]}",  # an index
    ],
)
def test_a_locale_placeholder_beyond_a_plain_name_is_refused(scratch: Workspace, text: str) -> None:
    add_translation(scratch, "bad", text)
    write(scratch, "t", '{{ t("probe.bad", x=1) }}')
    with pytest.raises(RenderError) as info:
        scratch.render("t")
    assert info.value.kind == "sandbox"
    assert "brand/locales/en.toml" in str(info.value) and "probe.bad" in str(info.value)


def test_a_bad_locale_placeholder_is_one_line_naming_file_and_key(
    scratch: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_translation(scratch, "leak", "{f.__globals__}")
    write(scratch, "t", '{{ t("probe.leak", f=t) }}')
    line = one_line_error(studio(scratch, "render", "t"))
    assert "brand/locales/en.toml" in line and "probe.leak" in line


def test_plain_placeholders_and_format_specs_still_work(scratch: Workspace) -> None:
    add_translation(scratch, "ok", "{{literal}} {name}: {count:,} items, {price:.2f} {code:_>6}")
    write(scratch, "t", '{{ t("probe.ok", name="Ada", count=12345, price=3.5, code="AB") }}')
    assert "{literal} Ada: 12,345 items, 3.50 ____AB" in scratch.render("t").text


# -- 2. a render changes nothing outside itself ------------------------------------------


def test_a_template_cannot_change_the_brand_of_later_renders(scratch: Workspace) -> None:
    before = scratch.render("password_reset", sample="en_basic")
    write(scratch, "evil", '{{ brand.update({"name": "PWNED"}) }}{{ brand.name }}')
    with pytest.raises(RenderError) as info:
        scratch.render("evil")
    assert info.value.kind == "sandbox"
    after = scratch.render("password_reset", sample="en_basic")
    assert "PWNED" not in after.html
    assert after.html == before.html


def test_a_template_cannot_change_the_callers_variables(scratch: Workspace) -> None:
    variables = {"order": {"lines": [{"sku": "A"}, {"sku": "B"}], "meta": {"k": "v"}}}
    write(scratch, "evil", "{{ order.lines.clear() }}{{ order.meta.pop('k') }}")
    with pytest.raises(RenderError) as info:
        scratch.render("evil", variables=variables)
    assert info.value.kind == "sandbox"
    assert variables == {"order": {"lines": [{"sku": "A"}, {"sku": "B"}], "meta": {"k": "v"}}}


# -- 13. a payload names a template, never a path -----------------------------------------


def test_a_payload_naming_a_path_reads_nothing_outside(scratch: Workspace, tmp_path: Path) -> None:
    (tmp_path / "outside.mjml").write_text("---\nsubject: [unclosed\n---\n<mjml></mjml>\n")
    errors = []
    for name in ("outside", "absent"):
        rel = os.path.relpath(tmp_path / name, scratch.templates_dir)
        payload = tmp_path / f"{name}.json"
        payload.write_text(json.dumps({"template": rel, "to": "ada@x.example", "variables": {}}))
        line = one_line_error(studio(scratch, "send", "--vars", str(payload), "--dry-run"))
        errors.append(line.replace(name, "NAME"))
    assert errors[0] == errors[1]  # whether the file exists is not told
    assert "unclosed" not in errors[0]


def test_a_template_or_sample_name_is_a_plain_name(scratch: Workspace) -> None:
    (scratch.root / "outside.mjml").write_text(page("outside the templates"))
    (scratch.samples_dir / "outside.json").write_text("{}")
    (scratch.root / "leak.json").write_text("{}")
    for name in ("../outside", str(scratch.root / "outside")):
        with pytest.raises(TemplateNotFound):
            scratch.template(name)
        with pytest.raises(TemplateNotFound):
            scratch.render(name)
    with pytest.raises(TemplateNotFound):
        scratch.sample("password_reset", "../outside")
    assert scratch.sample_names("..") == []


# -- 14. control characters in variables ---------------------------------------------------


@pytest.mark.parametrize("char", ["\x0b", "\x00", "\x1b"])
def test_a_control_character_in_a_variable_names_the_variable(
    scratch: Workspace, char: str
) -> None:
    variables = {"customer": {"first_name": f"Ada{char}Lovelace"}}
    with pytest.raises(RenderError) as info:
        scratch.render("password_reset", sample="en_basic", variables=variables)
    assert info.value.variable == "customer.first_name"
    assert char not in str(info.value)


def test_tabs_and_line_breaks_in_variables_are_text(scratch: Workspace) -> None:
    variables = {"customer": {"first_name": "Ada\tLove\r\nlace"}}
    scratch.render("password_reset", sample="en_basic", variables=variables)


# -- 16. includes stay in the template folders; work is bounded ----------------------------


@pytest.mark.parametrize("target", [".env", "studio.toml", "samples/password_reset/en_basic.json"])
def test_include_reaches_only_templates_components_and_brand(
    scratch: Workspace, target: str
) -> None:
    (scratch.root / ".env").write_text(f"STUDIO_RELAY_PASSWORD={SECRET}\n")
    for tag in ("include", "import", "extends"):
        write(scratch, "t", f'{{% {tag} "{target}"{" as m" if tag == "import" else ""} %}}')
        with pytest.raises(TemplateNotFound) as info:
            scratch.render("t")
        assert target in str(info.value) and SECRET not in str(info.value)


def test_include_of_components_brand_and_templates_still_works(scratch: Workspace) -> None:
    (scratch.root / "brand" / "note.txt").write_text("brand note")
    (scratch.root / "templates" / "part.txt").write_text("template part")
    write(
        scratch,
        "t",
        '{% include "brand/note.txt" %} {% include "templates/part.txt" %}'
        ' {% from "components/button.mjml" import button %}',
    )
    text = scratch.render("t").text
    assert "brand note" in text and "template part" in text


@pytest.mark.parametrize(
    "body",
    [
        "{% set x = 'a' * 10**7 %}",  # 'a' * 10**10 exhausted memory
        "{% set x = ['a'] * 10**7 %}",
        "{% set x = lipsum(1000) %}",  # lipsum(10**6) took minutes
        "{% set x = range(10**6) | list %}",
        "{% set x = '{:>2000000}'.format(1) %}",
        "{% set x = '%2000000d' % 1 %}",
        "{% set x = 'a' | center(2000000) %}",
        "{% set x = 'a'.ljust(2000000) %}",
        "{% set x = 'ab' | indent(2000000) %}",
        "{% set x = 10 ** 100000 %}",
        "{% set ns = namespace(s='ab') %}{% for i in range(25) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set x %}{% for i in range(60) %}{{ big }}{% endfor %}{% endset %}",
    ],
)
def test_work_a_template_asks_for_is_bounded(scratch: Workspace, body: str) -> None:
    write(scratch, "t", body)
    with pytest.raises(RenderError) as info:
        scratch.render("t", variables={"big": "x" * 100_000})
    assert info.value.kind == "sandbox"
    assert info.value.file == "templates/t.mjml"


def test_a_render_that_runs_too_long_is_stopped(
    scratch: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ten billion iterations: no machine finishes them, so the only way out is the
    # time bound (lowered here so that the test is quick); the test waits on no clock.
    from studio.core.render.sandbox import StudioSandbox

    monkeypatch.setattr(StudioSandbox, "max_render_seconds", 0.2)
    write(
        scratch,
        "t",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    )
    with pytest.raises(RenderError) as info:
        scratch.render("t")
    assert info.value.kind == "sandbox"
    # 2**60 calls. (The macro reads a namespace, so no call's output is kept: a macro
    # whose output is kept by its inputs, studio.core.render.memo, runs once per input.)
    write(
        scratch,
        "r",
        "{% set ns = namespace(stop=false) %}{% macro f(n) %}{% if n and not ns.stop %}"
        "{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    )
    with pytest.raises(RenderError) as info:
        scratch.render("r")
    assert info.value.kind == "sandbox"


def test_ordinary_template_expressions_are_untouched(scratch: Workspace) -> None:
    write(
        scratch,
        "t",
        "{{ 'ab' * 3 }}|{{ ([1, 2] * 2) | join(',') }}|{{ 2 ** 10 }}|{{ '%05d' | format(42) }}"
        "|{{ '{:_>4}'.format(7) }}|{{ 'x' | center(5) | replace(' ', '_') }}"
        "|{{ 'a' ~ 1 ~ 'b' }}|{{ 1 + 2 }}"
        "|{% for i in range(3) %}{{ i }}{{ ',' if not loop.last }}{% endfor %}"
        "|{{ lipsum(2, html=False) | wordcount >= 40 }}",
    )
    text = scratch.render("t").text
    assert "ababab|1,2,1,2|1024|00042|___7|__x__|a1b|3|0,1,2|True" in text
