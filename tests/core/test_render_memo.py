"""Kept component output (issue 18) gives what running the macro gives, and goes stale never.

Each case renders a template without the memo, then twice with it (a miss that keeps,
then a hit), and the three outputs must be the same; the workspace cases change an
input between renders (a component file, the brand, a locale file, a variable the
component reads from the context) and the output must follow.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import pytest

from studio.core.render import memo
from studio.core.render.jinja import parse_locale
from studio.core.render.pipeline import renderer_for
from studio.core.render.sandbox import StudioSandbox
from studio.core.workspace import Workspace
from tests.conftest import REPO


def _outcome(env: jinja2.Environment, name: str, **context: Any) -> str:
    try:
        return "ok: " + env.get_template(name).render(**context)
    except Exception as exc:  # the same error, of the same type, each time
        return f"{type(exc).__name__}: {exc}"


def _three(files: dict[str, str], **context: Any) -> tuple[list[str], memo.MacroMemo]:
    env = StudioSandbox(
        loader=jinja2.DictLoader(files), undefined=jinja2.StrictUndefined, autoescape=True
    )
    store = memo.MacroMemo()
    runs = [_outcome(env, "main", **context)]
    token = memo.ACTIVE.set(memo.Render(store, {}))
    try:
        runs += [_outcome(env, "main", **context) for _ in range(2)]
    finally:
        memo.ACTIVE.reset(token)
    return runs, store


LIB = """
{%- macro plain(x, y=2) %}[{{ x }}|{{ y }}|{{ varargs }}|{{ kwargs }}]{% endmacro -%}
{%- macro reads(x) %}<{{ x }}:{{ brand.name }}:{{ other }}>{% endmacro -%}
{%- macro wraps() %}({{ caller() }}){% endmacro -%}
{%- macro dice() %}{{ [1, 2, 3, 4, 5, 6] | random }}{% endmacro -%}
{%- macro inc() %}{% include "part" %}{% endmacro -%}
{%- macro strict(d) %}{{ d.missing }}{% endmacro -%}
{%- macro money_like(v) %}{{ v }}{{ v is number }}{% endmacro -%}
"""


@pytest.mark.parametrize(
    "main",
    [
        '{% import "lib" as lib with context %}{{ lib.plain(1) }}{{ lib.plain(True) }}'
        "{{ lib.plain(1.0) }}{{ lib.plain(-0.0) }}{{ lib.plain(0.0) }}",
        '{% import "lib" as lib with context %}{{ lib.plain("<b>") }}{{ lib.plain("<b>"|safe) }}',
        '{% import "lib" as lib with context %}{{ lib.plain(1, 3, 4, z=5) }}'
        "{{ lib.plain(1, z=6) }}",
        '{% import "lib" as lib with context %}{{ lib.plain([1, "a"]) }}{{ lib.plain((1, "a")) }}'
        '{{ lib.plain({"a": 1, "b": 2}) }}{{ lib.plain({"b": 2, "a": 1}) }}',
        '{% import "lib" as lib with context %}{{ lib.reads("x") }}',
        '{% set other = "before" %}{% import "lib" as lib with context %}{{ lib.reads(1) }}',
        '{% import "lib" as lib with context %}{% call lib.wraps() %}a{% endcall %}'
        "{% call lib.wraps() %}b{% endcall %}",
        '{% import "lib" as lib with context %}{{ lib.inc() }}',
        '{% import "lib" as lib with context %}{{ lib.strict({"a": 1}) }}',
        '{% import "lib" as lib with context %}{{ lib.strict(undefined_thing) }}',
        '{% import "lib" as lib %}{{ lib.reads(1) }}',  # without context: brand undefined
        '{% import "lib" as lib with context %}{{ lib.money_like(1) }}{{ lib.money_like("1") }}',
        # a macro of the template itself reads a name the template sets again later
        "{% macro m() %}{{ x }}{% endmacro %}{% set x = 1 %}{{ m() }}{% set x = 2 %}{{ m() }}",
        "{% macro m(n) %}{% if n %}{{ n }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(3) }}",
        "{% macro m() %}{{ x }}{% endmacro %}{% for x in [1, 2] %}{{ m() }}{% endfor %}",
        "{% macro m() %}{{ cycler(1, 2).next() }}{{ range(2) | list }}{% endmacro %}{{ m() }}",
        # calls itself, then its name is bound to another macro: the old one calls that
        "{% macro f(n) %}{% if n %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{% macro g(n) %}g{{ n }}{% endmacro %}{% set old = f %}{{ old(2) }}"
        "{% set f = g %}{{ old(2) }}",
    ],
)
def test_kept_output_is_what_the_macro_writes(main: str) -> None:
    files = {"lib": LIB, "part": "{{ other }}", "main": main}
    runs, _ = _three(files, brand={"name": "Maple & Moss"}, other="ctx")
    assert runs[0] == runs[1] == runs[2], runs


def test_only_pure_calls_are_kept() -> None:
    files = {
        "lib": LIB,
        "part": "x",
        "main": '{% import "lib" as lib with context %}{{ lib.plain(1) }}{{ lib.dice() }}'
        "{{ lib.inc() }}{% call lib.wraps() %}a{% endcall %}{{ lib.strict(none) }}",
    }
    runs, store = _three(files)
    assert store.misses == 1 and store.hits == 1  # plain(1): kept once, found once
    assert len(store.entries) == 1


def test_a_changed_context_value_is_a_new_key() -> None:
    env = StudioSandbox(
        loader=jinja2.DictLoader(
            {"lib": LIB, "main": '{% import "lib" as l with context %}{{ l.reads(1) }}'}
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
    )
    store = memo.MacroMemo()
    token = memo.ACTIVE.set(memo.Render(store, {}))
    try:
        outs = [
            env.get_template("main").render(brand={"name": name}, other=other)
            for name, other in (("A", 1), ("A", 1), ("B", 1), ("A", "1"), ("A", True))
        ]
    finally:
        memo.ACTIVE.reset(token)
    assert outs == ["<1:A:1>", "<1:A:1>", "<1:B:1>", "<1:A:1>", "<1:A:True>"]
    assert store.hits == 1


def test_the_locale_is_in_the_key() -> None:
    env = StudioSandbox(
        loader=jinja2.DictLoader(
            {
                "lib": "{% macro m(v) %}{{ v | money('EUR') }}{% endmacro %}",
                "main": '{% import "lib" as l with context %}{{ l.m(12.5) }}',
            }
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
    )
    from studio.core.render.jinja import money

    env.filters["money"] = money
    store = memo.MacroMemo()
    token = memo.ACTIVE.set(memo.Render(store, {}))
    try:
        outs = [
            env.get_template("main").render(_babel_locale=parse_locale(tag))
            for tag in ("en", "fr", "en", "fr")
        ]
    finally:
        memo.ACTIVE.reset(token)
    assert outs[0] == outs[2] != outs[1] == outs[3]
    assert store.hits == 2


def test_the_store_stays_bounded() -> None:
    store = memo.MacroMemo()
    code = test_the_store_stays_bounded.__code__
    for i in range(memo.MAX_ENTRIES + 10):
        store.keep(("k", i), "x", code)
    store.keep(("big",), "x" * (memo.MAX_OUTPUT + 1), code)
    assert 0 < len(store.entries) <= memo.MAX_ENTRIES
    assert store.get(("big",)) is None


# -- the pipeline -----------------------------------------------------------------------


def _fields(ws: Workspace) -> list[tuple[str, ...]]:
    out = []
    for t in ws.template_names():
        if ws.template(t).meta.channel == "sms":
            continue
        for s in ws.sample_names(t):
            m = ws.render(t, sample=s)
            out.append((m.subject, m.preheader, m.mjml, m.html, m.text))
    return out


def test_every_example_renders_the_same_with_kept_output() -> None:
    ws = Workspace.open(REPO)
    macros = renderer_for(ws).caches.macros
    macros.enabled = False
    plain = _fields(ws)
    macros.enabled = True
    assert _fields(ws) == plain  # filling the store
    assert macros.hits > 0 and macros.misses > 0
    hits = macros.hits
    assert _fields(ws) == plain  # from it
    assert macros.hits > hits


def _touch_write(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_kept_output_follows_its_inputs_on_disk(example_copy: Workspace) -> None:
    ws = example_copy
    first = ws.render("password_reset", sample="en_basic").text
    assert ws.render("password_reset", sample="en_basic").text == first
    # the component file
    footer = ws.root / "components" / "footer.mjml"
    _touch_write(
        footer, footer.read_text(encoding="utf-8").replace("footer.privacy", "footer.help_centre")
    )
    after_component = ws.render("password_reset", sample="en_basic").text
    assert after_component != first
    # the brand tokens
    brand = ws.root / "brand" / "brand.toml"
    text = brand.read_text(encoding="utf-8")
    assert 'name = "Maple & Moss"' in text
    _touch_write(brand, text.replace('name = "Maple & Moss"', 'name = "Oak & Fern"'))
    after_brand = ws.render("password_reset", sample="en_basic").text
    assert "Oak & Fern" in after_brand and after_brand != after_component
    # a locale file (t() in the footer)
    en = ws.root / "brand" / "locales" / "en.toml"
    locale_text = en.read_text(encoding="utf-8")
    _touch_write(en, locale_text.replace("Help centre", "Help center"))
    after_locale = ws.render("password_reset", sample="en_basic").text
    assert "Help center" in after_locale and "Help centre" not in after_locale


def test_a_macro_that_calls_itself_runs_once_per_input() -> None:
    """2**60 calls of the same few inputs: each input's output is written once."""
    env = StudioSandbox(undefined=jinja2.StrictUndefined, autoescape=True)
    store = memo.MacroMemo()
    token = memo.ACTIVE.set(memo.Render(store, {}))
    try:
        out = env.from_string(
            "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}"
            "{{ f(60) }}."
        ).render()
    finally:
        memo.ACTIVE.reset(token)
    assert out == "."
    assert store.misses == 61
