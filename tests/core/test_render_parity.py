"""The faster pipeline stages (issue 18) give byte-identical output to the plain ones.

Every example template × sample and every corpus MJML file (when ``../shared/corpus``
is there) goes through each fast stage and through its straightforward version in
:mod:`tests.core.render_reference`; HTML, text and the MIME message (serialised three
ways, and read back part by part) must be the same, up to the random boundary,
Message-ID and Date. ``scripts/render_outputs.py`` compares whole renders before and
after a change the same way.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import jinja2
import pytest

from studio.core import message
from studio.core.render import text as text_stage
from studio.core.render import tracking
from studio.core.render.pipeline import RenderedMessage, render_mjml_file, renderer_for
from studio.core.render.sandbox import StudioSandbox
from studio.core.render.tracking import UtmPolicy
from studio.core.send import wire_bytes
from studio.core.workspace import Workspace
from studio.errors import ConfigError, RenderError
from tests.conftest import REPO, corpus_dir
from tests.core import render_reference as ref


def _example_renders() -> list[RenderedMessage]:
    ws = Workspace.open(REPO)
    return [
        ws.render(t, sample=s)
        for t in ws.template_names()
        if ws.template(t).meta.channel != "sms"
        for s in ws.sample_names(t)
    ]


def _corpus_renders() -> list[RenderedMessage]:
    return [render_mjml_file(p) for p in sorted(corpus_dir().glob("*.mjml"))]


@pytest.fixture(scope="module")
def renders() -> list[RenderedMessage]:
    found = _example_renders() + _corpus_renders()
    assert len(found) >= 15
    return found


_BOUNDARY = re.compile(r'boundary="([^"]+)"')
_RANDOM = re.compile(r"^(Message-ID|Date):[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*", re.M | re.I)


def _normalised(text: str) -> str:
    for boundary in set(_BOUNDARY.findall(text)):
        text = text.replace(boundary, "BOUNDARY")
    return _RANDOM.sub(lambda m: m.group(1) + ": RANDOM", text)


def _views(email: EmailMessage) -> list[str]:
    """The message as bytes, as a string, as sent (CRLF), and part by part as read."""
    views = [
        _normalised(email.as_bytes().decode("ascii")),
        _normalised(email.as_string()),
        _normalised(wire_bytes(email).decode("ascii")),
    ]
    for part in email.walk():
        for name, value in part.items():
            if name.lower() not in ("date", "message-id"):
                views.append(f"{name}: {_normalised(str(value))}")
        views.append(part.get_content_type())
        if not part.is_multipart() and part.get_payload() is not None:
            views.append(part.get_content())
    return views


def _both(build: Callable[..., EmailMessage], **kwargs: object) -> list[str]:
    return _views(build(**kwargs))


def test_mime_is_the_same_as_through_make_alternative(renders: list[RenderedMessage]) -> None:
    for msg in renders:
        kwargs = dict(
            subject=msg.subject,
            html=msg.html,
            text=msg.text,
            from_address="Maple & Moss <hello@maple.example>",
            reply_to="care@maple.example",
            domain="maple.example",
            extra_headers={"X-Studio-Template": msg.template or "x"},
        )
        assert _both(message.build_message, **kwargs) == _both(ref.build_message, **kwargs), (
            msg.template,
            msg.sample,
            msg.subject,
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(subject="Ihre Bestellung über 12,50 € ist unterwegs " * 3, from_address=None),
        dict(subject="x" * 200, from_address="Zoë Émile <zoe@example.com>", to="a@b.example"),
        dict(subject="Plain", from_address=None, extra_headers={"Content-Language": "fr"}),
        dict(subject="CRLF\r\n", from_address=None, text="a\r\nb\rc\n", html="=\t \n."),
    ],
)
def test_mime_edge_cases(kwargs: dict[str, object]) -> None:
    full: dict[str, object] = {"html": "<p>é=€</p>\n" * 40, "text": "line \nnext\t\n", **kwargs}
    if "\r" in str(full["subject"]):
        for build in (message.build_message, ref.build_message):
            with pytest.raises(RenderError, match="CR/LF"):
                build(**full)
        full["subject"] = "fine"
    assert _both(message.build_message, **full) == _both(ref.build_message, **full)


def test_a_render_builds_its_message_through_the_fast_path(tmp_path: Path) -> None:
    """The pipeline's message: one multipart/alternative with text then HTML."""
    msg = _example_renders()[0].email
    assert msg.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in msg.iter_parts()]
    assert kinds == ["text/plain", "text/html"]


def _fields(msg: RenderedMessage) -> tuple[str, ...]:
    return (msg.subject, msg.preheader, msg.mjml, msg.html, msg.text)


def test_jinja_fast_paths_render_as_the_plain_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example render, with the sandbox's dict and macro fast paths and without."""
    fast = [_fields(m) for m in _example_renders()]
    monkeypatch.setattr(StudioSandbox, "getattr", ref.ReferenceSandbox.getattr)
    monkeypatch.setattr(StudioSandbox, "call", ref.ReferenceSandbox.call)
    assert [_fields(m) for m in _example_renders()] == fast


def _outcome(env: jinja2.Environment, source: str, **context: Any) -> str:
    try:
        return "ok: " + env.from_string(source).render(**context)
    except Exception as exc:  # the same error, of the same type, in both
        return f"{type(exc).__name__}: {exc}"


class _Dict(dict[str, Any]):
    def __getattr__(self, name: str) -> str:
        return f"attr {name}"


class _Marked:
    unsafe_callable = True

    def __call__(self) -> str:
        return "called"


@pytest.mark.parametrize(
    "source",
    [
        "{{ d.a }} {{ d.b.c }} {{ d['a'] }}",
        "{{ d.items }}{{ d.keys() | list }}{{ d.get('a') }}",  # dict methods, not keys
        "{{ d.missing }}",  # StrictUndefined: an error naming it
        "{{ d.missing is defined }} {{ d.b.missing is defined }}",
        "{{ d.update }}",  # a mutating method: unsafe
        "{{ d.update({'a': 2}) }}",
        "{{ d.__class__ }}{{ d._private }}",
        "{{ sub.a }} {{ sub.other }}",  # a dict subclass: its own getattr
        "{{ d.n.__class__.__mro__ }}",
        "{% macro m(x, y=2) %}[{{ x }}{{ y }}{{ varargs }}{{ kwargs }}]{% endmacro %}"
        "{{ m(1) }}{{ m(1, 3) }}{{ m(1, 2, 3, z=4) }}",
        "{% macro m() %}({{ caller() }}){% endmacro %}{% call m() %}inner{% endcall %}",
        "{% macro m(x) %}{{ x }}{% endmacro %}{{ m() }}",  # missing argument
        "{% macro m() %}{% endmacro %}{{ m(1) }}",  # too many arguments
        "{% macro m() %}x{% endmacro %}{% set n = namespace(f=m) %}{{ n.f() }}",
        "{{ marked() }}",  # unsafe_callable: refused
        "{{ 'ab'.upper() }}{{ '{0}'.format(1) }}{{ 'a'.center(10) }}",
        "{{ range(3) | list }}{{ lipsum(1, false, 2, 3) | length > 0 }}",
        "{{ 'a'.zfill(10**7) }}",  # bounded
        "{{ cycler(1, 2).next() }}{{ joiner()() }}",
    ],
)
def test_sandbox_fast_paths_decide_as_jinja(source: str) -> None:
    context = {
        "d": {"a": 1, "b": {"c": "<x>"}, "items": "key", "n": 1},
        "sub": _Dict(a=1),
        "marked": _Marked(),
    }
    options: dict[str, Any] = dict(undefined=jinja2.StrictUndefined, autoescape=True)
    fast = _outcome(StudioSandbox(**options), source, **context)
    plain = _outcome(ref.ReferenceSandbox(**options), source, **context)
    assert fast == plain


def _jinja_outputs() -> list[tuple[str, UtmPolicy | None]]:
    """Every example template × sample's MJML as Jinja writes it, and its UTM policy."""
    ws = Workspace.open(REPO)
    renderer = renderer_for(ws)
    out = []
    for t in ws.template_names():
        if ws.template(t).meta.channel == "sms":
            continue
        for s in ws.sample_names(t):
            merged, locale = renderer._sample_variables(t, s, None)
            tag = locale or ws.settings.default_locale
            body = renderer._jinja_stage(renderer.template(t), merged, tag, s)[2]
            out.append((body, renderer.utm_policy(t)))
    return out


POLICY = UtmPolicy(("maple.example",), (("utm_source", "studio"), ("utm_medium", "email")))


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="https://maple.example/a">x</a><a HREF="https://maple.example/b">y</a>',
        "<a Href = 'https://maple.example/c?x=1&amp;y=2'>z</a>",
        '<a data-href="https://maple.example/d" xhref="https://maple.example/e">',
        '<a title="href=\'https://maple.example/f\'" href="https://maple.example/g">',
        "<a xhref=\"a href='https://maple.example/h'\">",  # one inside another's value
        '<mj-button href="https://maple.example/i\n?j=1">go</mj-button>',
        '<a href="https://maple.example/k?studio-notrack=1">no</a> href="https://maple.example/"',
        '<p>Zoë é href="https://other.example/l" İİ href="https://maple.example/m"</p>',
        '<p>İ HREF="https://maple.example/n" href="https://maple.example/o"</p>',
        "href='https://maple.example/p' href=\"unterminated",
        "",
    ],
)
def test_utm_tagging_is_the_same_through_either_pattern(markup: str) -> None:
    for policy in (POLICY, None):
        assert tracking.tag_links(markup, policy) == ref.tag_links(markup, policy)


def test_utm_tagging_of_every_example_is_the_same() -> None:
    outputs = _jinja_outputs()
    assert sum(body.count("href=") for body, _ in outputs) > 100
    for body, policy in outputs:
        assert tracking.tag_links(body, policy) == ref.tag_links(body, policy)


def test_only_ascii_letters_match_href_case_insensitively() -> None:
    """What the lower-case pattern's shortcut rests on, over every code point."""
    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert sorted(set(re.findall(r"(?i)[href]", chars))) == sorted("efhrEFHR")
    lowered_to = {c for c in chars if set(c.lower()) & set("href")}
    assert lowered_to == set("efhrEFHR")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": ', r"^samples/order_confirmation/en_basic\.json:1:7: invalid JSON"),
        ("[1]", r"^samples/order_confirmation/en_basic\.json: a sample must be a JSON object"),
        ('{"locale": 1}', r'^samples/order_confirmation/en_basic\.json: "locale" must be'),
        (b"\xff", r"^samples/order_confirmation/en_basic\.json: cannot read sample"),
    ],
)
def test_a_bad_sample_is_named_by_its_workspace_path(
    example_copy: Workspace, text: str | bytes, message: str
) -> None:
    """The sample's relative name is worked out only for an error, and still given."""
    path = example_copy.samples_dir / "order_confirmation" / "en_basic.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        example_copy.render("order_confirmation", sample="en_basic")


# -- the text stage ---------------------------------------------------------------------

_TEXT_PIECES = [
    "<", ">", "</", "/>", " ", "  ", "\n", "\t", "word ", "x" * 90, "&amp;", "&nbsp;", "\xa0",
    "<!--", "-->", "<!doctype html>", "<?xml?>", "< b", "<b >", "</ b>", "< /b>", "é", "\x01",
    '<a href="https://x.example/?a=1&amp;b">', "</a>", '<a href="#top">',
    "<a href=mailto:a@b.example>",
    '<mj-button href="h">', "</mj-button>", '<mj-button href="https://b.example/" />',
    "<mj-text>", "</mj-text>", "<P>", "</P>", "<br/>", "<br>", "<hr>", "<mj-divider/>",
    "<style>", "</style>", "<Mj-Head>", "</MJ-HEAD>", "<mj-head>", "</mj-head>", "<mj-title>",
    '<div style="display:none">', '<div style="DISPLAY:NONE">', "</div>", "<display:none>",
    '<span style="mso-hide:all">', "</span>", "<x-none>", "<table>", "</table>", "<ul>",
    "<tr>", "<td>", "</td>", "<th>", "</tr>", "<li>", "</li>",
    '<mj-image alt="A &amp; B" href="https://i.example" />', '<img alt="pic" src="x">',
    '<mj-navbar base-url="https://n.example">', '<mj-navbar-link href="/p">',
    "</mj-navbar-link>", "</mj-navbar>", '<mj-social-element name="twitter" href="https://s.example">',
    "</mj-social-element>",
]  # fmt: skip


def _text_inputs() -> list[str]:
    """Every example and corpus render's MJML and HTML, and seeded random tag soup."""
    sources = []
    for msg in _example_renders() + _corpus_renders():
        sources += [msg.mjml_source.text if msg.mjml_source else msg.mjml, msg.html]
    rnd = random.Random(18)
    for _ in range(3000):
        sources.append("".join(rnd.choice(_TEXT_PIECES) for _ in range(rnd.randint(0, 40))))
    return sources


def test_text_stage_is_the_same_as_the_reference_walk() -> None:
    """Cold (no tag seen before) and warm, at the default width and narrow ones."""
    sources = _text_inputs()
    for clear in (True, False):
        if clear:
            text_stage.clear_cache()
        for source in sources:
            for width in (76, 9):
                assert text_stage.mjml_to_text(source, width=width) == ref.mjml_to_text(
                    source, width=width
                ), (source[:200], width)


@pytest.mark.parametrize("width", [1, 5, 12, 76])
def test_wrap_cuts_where_the_word_loop_does(width: int) -> None:
    rnd = random.Random(width)
    words = ["a", "bb", "ccc", "dddd", "e" * 11, "f" * 80, "g\xa0h", "é" * 6]
    for _ in range(500):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 30)))
        assert text_stage._wrap(text, width) == text_stage._wrap_loop(text, width), text


def test_the_tag_table_stays_bounded() -> None:
    text_stage.clear_cache()
    many = "".join(f'<a href="https://x.example/{i}">{i}</a>' for i in range(5000))
    long_tag = '<a href="https://x.example/' + "y" * 600 + '">long</a>'
    assert text_stage.mjml_to_text(many + long_tag) == ref.mjml_to_text(many + long_tag)
    assert 0 < len(text_stage._TAGS) <= text_stage._TAGS_MAX
    assert all(len(key) <= text_stage._TAG_KEPT_MAX for key in text_stage._TAGS)
