"""Issue 25 item 8: the editor highlights MJML/HTML with Jinja, and SMS templates' Jinja."""

from __future__ import annotations

from pathlib import Path

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.widgets.highlight import TemplateEditor, language_of, line_spans
from tests.pilot import settle


def names_on(editor: TemplateEditor, row: int) -> set[str]:
    return {name for _, _, name in editor._highlights.get(row, [])}


def row_of(editor: TemplateEditor, needle: str) -> int:
    return next(i for i, line in enumerate(editor.text.split("\n")) if needle in line)


def spans_of(text: str) -> set[tuple[str, str]]:
    lines = text.split("\n")
    return {
        (lines[row].encode()[a:b].decode(), name)
        for row, spans in line_spans(text).items()
        for a, b, name in spans
    }


def test_jinja_spans_name_tags_keywords_strings_filters_and_comments() -> None:
    text = '<a href="{{ url|e }}">{%- if n > 1 -%}{{ "s" }}{% endif %}</a>{# a\nnote #}'
    found = spans_of(text)
    assert ("{{", "jinja.delimiter") in found and ("}}", "jinja.delimiter") in found
    assert ("{%-", "jinja.delimiter") in found and ("-%}", "jinja.delimiter") in found
    assert (" url|e ", "jinja.expression") in found and ("|e", "jinja.filter") in found
    assert ("if", "jinja.keyword") in found and ("endif", "jinja.keyword") in found
    assert ('"s"', "jinja.string") in found and ("1", "jinja.number") in found
    assert ("{# a", "jinja.comment") in found and ("note #}", "jinja.comment") in found
    assert ("n", "jinja.keyword") not in found
    assert not spans_of("<p>{ not jinja }</p>\n.a { color: red }")


def test_line_spans_are_in_bytes_and_follow_tags_over_lines() -> None:
    spans = line_spans("é {{ x }}\n{# one\n\ntwo #} {% if\nx %}")
    assert (3, 5, "jinja.delimiter") in spans[0]  # "é" is two bytes, then a space
    assert spans[1] == [(0, 6, "jinja.comment")]
    assert spans[2] == [(0, 0, "jinja.comment")]
    assert spans[3][0] == (0, 6, "jinja.comment") and (7, 9, "jinja.delimiter") in spans[3]
    assert (0, 2, "jinja.statement") in spans[4] and (2, 4, "jinja.delimiter") in spans[4]


def test_the_line_cache_gives_the_same_spans() -> None:
    text = "{% if a %}\n{# open\nstill #}\n{{ b }}"
    cache: dict = {}
    assert line_spans(text, cache) == line_spans(text) == line_spans(text, cache)
    assert cache


def test_languages_by_file_kind() -> None:
    assert language_of(Path("templates/x.mjml")) == "html"
    assert language_of(Path("components/x.html")) == "html"
    assert language_of(Path("templates/x.sms.j2")) is None
    assert language_of(Path("samples/x/en.json")) == "yaml"


async def test_template_component_and_sms_show_jinja_spans_that_follow_edits(
    example_copy: Workspace,
) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_file(example_copy.template_path("order_confirmation"))
        await pilot.pause()
        editor = app.home.query_one("#editor", TemplateEditor)
        row = row_of(editor, "{% extends")
        assert {"jinja.delimiter", "jinja.statement", "jinja.keyword"} <= names_on(editor, row)
        # each Jinja name has a style of its own, unlike plain text
        styles = editor._theme.syntax_styles
        assert styles["jinja.expression"] != styles.get("text")
        assert styles["jinja.delimiter"].bold

        # typing an expression on a fresh line highlights it at once
        editor.move_cursor((row, 0))
        await pilot.press(*"{{ total }}", "enter")
        await pilot.pause()
        assert editor.text.split("\n")[row] == "{{ total }}"
        assert (0, 2, "jinja.delimiter") in editor._highlights[row]
        assert "jinja.expression" in names_on(editor, row)

        # a component: the MJML's tags (tree-sitter's html grammar) under Jinja's,
        # inside an attribute's string too
        app.open_file(example_copy.components_dir / "footer.mjml")
        await pilot.pause()
        row = row_of(editor, '<mj-section background-color="{{')
        assert {"tag", "tag.attribute", "string", "jinja.expression"} <= names_on(editor, row)
        spans = editor._highlights[row]
        expression = next(s for s in spans if s[2] == "jinja.expression")
        string = next(s for s in spans if s[2] == "string" and s[0] < expression[0] < s[1])
        assert spans.index(string) < spans.index(expression)  # drawn over the string

        # an SMS template: no markup language, Jinja all the same
        app.open_file(example_copy.sms_template_path("account_verification"))
        await pilot.pause()
        assert editor.language is None
        row = row_of(editor, "{{ t(")
        assert {"jinja.delimiter", "jinja.expression"} <= names_on(editor, row)

        # a sample is JSON, not Jinja: `{{` in its text is nothing special
        sample = next((example_copy.root / "samples" / "order_confirmation").glob("*.json"))
        app.open_file(sample)
        await pilot.pause()
        assert editor.language == "yaml" and not editor.jinja
        assert not any(
            n.startswith("jinja.") for r in list(editor._highlights) for n in names_on(editor, r)
        )
