"""Each check id fires on a small bad case and stays quiet on a clean one (ids, not wording)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from studio.core.catalogue import CATALOGUE, all_ids
from studio.core.checks import RULES, lint_file, lint_template, lint_workspace
from studio.core.checks.rules.links import unsafe_scheme_of
from studio.core.findings import Finding, Severity
from studio.core.workspace import Workspace
from tests.conftest import REPO

TODAY = dt.date.today().isoformat()


def page(body: str, *, head: str = "<mj-title>{{ subject }}</mj-title>", lang: str = "en") -> str:
    return (
        f'<mjml lang="{lang}"><mj-head>{head}</mj-head><mj-body><mj-section><mj-column>'
        f"{body}</mj-column></mj-section></mj-body></mjml>\n"
    )


def add(
    ws: Workspace, name: str, body: str, *, front: str = "", sample: dict | None = None
) -> None:
    meta = front or (
        f"subject: 'Hello'\npreheader: 'Your order'\ntrigger: person\nowner: t\nreviewed: {TODAY}\n"
    )
    ws.template_path(name).write_text(f"---\n{meta}---\n{body}", encoding="utf-8")
    (ws.samples_dir / name).mkdir(parents=True, exist_ok=True)
    (ws.samples_dir / name / "a.json").write_text(json.dumps(sample or {}))


def ids(findings: list[Finding]) -> set[str]:
    return {f.id for f in findings if f.suppressed is None}


CLEAN = page(
    "<mj-text>Thanks for your order. It ships tomorrow. Here is what you bought and when it"
    " arrives, with a link to follow it.</mj-text>"
    '<mj-button href="https://www.shop.example/o/1">Track my order</mj-button>'
    '<mj-image src="https://cdn.shop.example/logo.png" alt="Shop" />'
)


def test_clean_template_has_no_findings(scratch: Workspace) -> None:
    add(scratch, "clean", CLEAN)
    assert ids(lint_template(scratch, "clean", spam=False)) == set()


@pytest.mark.parametrize(
    ("check_id", "body"),
    [
        ("image.missing-alt", page('<mj-image src="https://cdn.shop.example/x.png" />')),
        ("image.insecure", page('<mj-image src="http://cdn.shop.example/x.png" alt="x" />')),
        ("link.insecure", page('<mj-text><a href="http://www.shop.example/x">x</a></mj-text>')),
        ("link.empty", page('<mj-text><a href="">Go</a></mj-text>')),
        (
            "link.no-accessible-name",
            page('<mj-text><a href="https://www.shop.example/x"></a></mj-text>'),
        ),
        (
            "link.no-accessible-name",
            page(
                '<mj-text><a href="https://www.shop.example/x">'
                '<img src="https://cdn.shop.example/x.png" alt=""></a></mj-text>'
            ),
        ),
        (
            "link.mismatch",
            page(
                '<mj-text><a href="https://evil.example/login">https://www.shop.example/login</a></mj-text>'
            ),
        ),
        ("link.shortener", page('<mj-text><a href="https://bit.ly/abc">offer</a></mj-text>')),
        (
            "link.untracked",
            page(
                "<mj-text><a href=\"{{ 'https://www.shop.example/a' | notrack }}\">a</a></mj-text>"
            ),
        ),
        (
            "link.unrendered",
            page('<mj-text><a href="https://www.shop.example/[[ID]]">a</a></mj-text>'),
        ),
        ("html.lang-missing", page("<mj-text>x</mj-text>", lang="und")),
        ("html.title-missing", page("<mj-text>x</mj-text>", head="")),
        (
            "message.image-heavy",
            page(
                "".join(
                    f'<mj-image src="https://cdn.shop.example/{i}.png" alt="p{i}" />'
                    for i in range(4)
                )
            ),
        ),
        (
            "css.unsupported",
            page('<mj-text><div style="box-shadow: 1px 1px 2px #000">x</div></mj-text>'),
        ),
        (
            "message.text-parity",
            page(
                '<mj-raw><a href="https://www.shop.example/hidden-in-raw" style="display:none">'
                "x</a></mj-raw>"
                "<mj-text>x</mj-text>"
            ),
        ),
    ],
)
def test_message_rule_fires(scratch: Workspace, check_id: str, body: str) -> None:
    add(scratch, "bad", body)
    found = ids(lint_template(scratch, "bad", spam=False))
    assert check_id in found, found


def test_missing_alt_points_at_the_component_line(scratch: Workspace) -> None:
    (scratch.components_dir / "pic.mjml").write_text(
        '{% macro pic(src) %}\n<mj-image src="{{ src }}" />\n{% endmacro %}\n'
    )
    add(
        scratch,
        "usespic",
        '{% from "components/pic.mjml" import pic %}'
        + page("{{ pic('https://cdn.shop.example/a.png') }}"),
    )
    [f] = [f for f in lint_template(scratch, "usespic", spam=False) if f.id == "image.missing-alt"]
    assert f.location is not None
    assert (f.location.file, f.location.line) == ("components/pic.mjml", 2)


def test_defaults_in_mj_attributes_are_not_images(scratch: Workspace) -> None:
    add(
        scratch,
        "defaults",
        page(
            "<mj-text>x</mj-text>",
            head='<mj-title>t</mj-title><mj-attributes><mj-image padding="0" /></mj-attributes>',
        ),
    )
    assert "image.missing-alt" not in ids(lint_template(scratch, "defaults", spam=False))


def test_size_clipped(scratch: Workspace) -> None:
    big = "<mj-text>" + ("word " * 25000) + "</mj-text>"
    add(scratch, "big", page(big))
    assert "message.size-clipped" in ids(lint_template(scratch, "big", spam=False))


def test_from_domain_and_preheader(scratch: Workspace) -> None:
    settings = scratch.root / "studio.toml"
    settings.write_text(
        settings.read_text().replace(
            'from = "Shop <no-reply@mail.shop.example>"',
            'from = "Shop <no-reply@news.shop.example>"',
        )
    )
    ws = Workspace.open(scratch.root)
    add(ws, "t", CLEAN, front=f"subject: x\ntrigger: person\nreviewed: {TODAY}\n")
    found = ids(lint_template(ws, "t", spam=False))
    assert {"message.from-domain", "message.no-preheader"} <= found


def test_template_rules(scratch: Workspace) -> None:
    add(scratch, "syntax", page("<mj-text>{{ x }</mj-text>"))
    assert ids(lint_template(scratch, "syntax", spam=False)) == {"template.syntax"}

    add(scratch, "undef", page("<mj-text>{{ order.number }}</mj-text>"), sample={"order": {}})
    [f] = [
        f
        for f in lint_template(scratch, "undef", spam=False)
        if f.id == "template.undefined-variable"
    ]
    assert f.details["variable"] == "order.number" and f.details["sample"] == "a"
    assert f.location is not None and f.location.line == 8

    add(scratch, "unused", CLEAN, sample={"spare": 1, "order": {"n": 1}})
    unused = [
        f
        for f in lint_template(scratch, "unused", spam=False)
        if f.id == "template.unused-variable"
    ]
    assert {f.details["variable"] for f in unused} == {"spare", "order"}
    assert all(f.severity == Severity.INFO for f in unused)

    add(scratch, "old", CLEAN, front="subject: x\npreheader: y\nreviewed: 2020-01-01\n")
    assert "template.stale-review" in ids(lint_template(scratch, "old", spam=False))


def test_promo_heavy(scratch: Workspace) -> None:
    (scratch.components_dir / "cross_sell.mjml").write_text(
        "{% macro cross_sell() %}<mj-text>"
        + "Buy this lovely thing now. " * 40
        + "</mj-text>{% endmacro %}"
    )
    add(
        scratch,
        "promo",
        '{% from "components/cross_sell.mjml" import cross_sell %}'
        + page("<mj-text>Order 12 is confirmed.</mj-text>{{ cross_sell() }}"),
    )
    assert "template.promo-heavy" in ids(lint_template(scratch, "promo", spam=False))
    add(
        scratch,
        "fine",
        '{% from "components/cross_sell.mjml" import cross_sell %}'
        + page("<mj-text>" + "Your order details. " * 100 + "</mj-text>{{ cross_sell() }}"),
    )
    assert "template.promo-heavy" not in ids(lint_template(scratch, "fine", spam=False))


def test_sms_rules(scratch: Workspace) -> None:
    scratch.sms_template_path("code").write_text(
        "---\ntrigger: person\nreviewed: " + TODAY + "\nmax_sms_segments: 1\n---\n"
        "Your code is 1234 – don’t share it. " + "x" * 60 + "\n"
    )
    found = ids(lint_template(scratch, "code", spam=False))
    assert {"sms.ucs2", "sms.segments"} <= found


def test_severity_override_and_suppression(scratch: Workspace) -> None:
    body = page('<mj-text><a href="https://bit.ly/abc">offer</a></mj-text>')
    add(scratch, "s", body)
    settings = scratch.root / "studio.toml"
    settings.write_text(
        settings.read_text() + '\n[lint.severity]\n"link.shortener" = "error"\n'
        '"html.title-missing" = "off"\n'
    )
    ws = Workspace.open(scratch.root)
    [f] = [f for f in lint_template(ws, "s", spam=False) if f.id == "link.shortener"]
    assert f.severity == Severity.ERROR
    add(
        ws,
        "s",
        body,
        front="subject: x\npreheader: y\nreviewed: "
        + TODAY
        + "\nsuppress:\n  link.shortener: partner campaign link, approved\n",
    )
    [f] = [f for f in lint_template(ws, "s", spam=False) if f.id == "link.shortener"]
    assert f.suppressed == "partner campaign link, approved"


def test_lint_lone_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    html = tmp_path / "x.html"
    html.write_text(
        '<html><head><title>t</title></head><body><img src="http://a.example/i.png">'
        '<a href="https://bit.ly/x">x</a></body></html>'
    )
    assert {"image.missing-alt", "image.insecure", "link.shortener", "html.lang-missing"} <= ids(
        lint_file(html, spam=False)
    )
    eml = tmp_path / "x.eml"
    eml.write_bytes(
        b"Subject: hi\r\nContent-Type: text/html\r\n\r\n<html lang=en><title>t</title>"
        b"<a href='https://a.example/'>a</a></html>\r\n"
    )
    assert {"message.headers", "message.no-text-part", "message.text-parity"} <= ids(
        lint_file(eml, spam=False)
    )


def test_every_rule_id_is_in_the_catalogue_and_documented() -> None:
    from studio.core.checks.registry import rules_of

    for kind in ("message", "template", "sms", "workspace"):
        rules_of(kind)
    assert set(RULES) <= set(CATALOGUE)
    for check_id in all_ids():
        e = CATALOGUE[check_id]
        assert e.title and e.why and e.fix


def test_the_catalogue_is_one_frozen_table_of_lint_and_dns_ids() -> None:
    from studio.core.catalogue import DNS_IDS, LINT_IDS, Explanation

    assert LINT_IDS.isdisjoint(DNS_IDS) and LINT_IDS | DNS_IDS == set(CATALOGUE)
    assert "spf.lookup-limit" in DNS_IDS and "link.mismatch" in LINT_IDS
    with pytest.raises(TypeError):
        CATALOGUE["x.y"] = Explanation("x.y", Severity.INFO, "t", "w", "f")  # type: ignore[index]


def test_example_workspace_lints_clean() -> None:
    findings = lint_workspace(Workspace.open(REPO), spam=False)
    bad = [f for f in findings if f.suppressed is None and f.severity >= Severity.WARNING]
    assert bad == []


@pytest.mark.skipif(shutil.which("spamassassin") is None, reason="spamassassin not installed")
def test_spam_score_with_real_spamassassin(scratch: Workspace) -> None:
    spammy = page(
        "<mj-text>" + "FREE MONEY!!! CLICK HERE NOW!!! Viagra cheap pills, 100% FREE, act now, "
        "limited time, winner, cash bonus, no credit check, risk free!!! " * 6 + "</mj-text>"
        '<mj-text><a href="http://bit.ly/free">CLICK HERE</a></mj-text>'
    )
    add(scratch, "spam", spammy, front="subject: 'FREE MONEY!!! Act now'\npreheader: 'WIN'\n")
    [f] = [f for f in lint_template(scratch, "spam") if f.id == "message.spam-score"]
    assert f.severity >= Severity.WARNING and f.details["score"] > 2
    add(scratch, "ham", CLEAN)
    assert "message.spam-score" not in ids(lint_template(scratch, "ham"))


def test_spam_score_absent_is_info_not_silent(
    scratch: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studio.core.checks.rules import spam

    monkeypatch.setattr(spam, "spamassassin_path", lambda: None)
    add(scratch, "ham", CLEAN)
    [f] = [f for f in lint_template(scratch, "ham") if f.id == "message.spam-score"]
    assert f.severity == Severity.INFO


def test_css_in_a_lone_message_skips_what_mrml_writes(example: Workspace, tmp_path: Path) -> None:
    eml = tmp_path / "order.eml"
    eml.write_bytes(bytes(example.render("order_confirmation", sample="en_basic").email))
    assert "css.unsupported" not in ids(lint_file(eml, spam=False))
    html = tmp_path / "own.html"
    html.write_text(
        '<html lang="en"><head><title>t</title></head>'
        '<body><div style="box-shadow:1px 1px 2px #000">x</div></body></html>'
    )
    found = [f for f in lint_file(html, spam=False) if f.id == "css.unsupported"]
    assert [f.details["property"] for f in found] == ["box-shadow"]


def test_html_view_reads_links_images_and_words_like_a_browser() -> None:
    from studio.core.checks.html_view import HtmlView

    view = HtmlView.parse(
        '<!DOCTYPE html><HTML LANG="fr"><head><title>A &amp; B</title>'
        "<style>a{color:red}</style></head><body>"
        '<!-- <a href="https://hidden.example/">hidden</a> -->'
        '<a href="https://a.example/?a=1&amp;b=2">Go <img src="i.png" alt="Logo"> now</a>'
        '<script>if (a<b) { x = "<a href=z>"; }</script>'
        "<p>tail words</p><img src='j.png'></body></HTML>"
    )
    assert view.lang == "fr" and view.title == "A & B"
    assert [(x.href, x.text, x.image_alt) for x in view.links] == [
        ("https://a.example/?a=1&b=2", "Go now", "Logo")
    ]
    assert [(i.src, i.alt) for i in view.images] == [("i.png", "Logo"), ("j.png", None)]
    assert view.words == 4


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("javascript:alert(1)", "javascript"),
        ("  JaVaScRiPt:alert(1)", "javascript"),
        ("data:text/html;base64,PHNjcmlwdD4=", "data"),
        ("vbscript:msgbox(1)", "vbscript"),
        ("https://www.shop.example/javascript:x", None),
        ("mailto:help@shop.example", None),
        ("/relative/data:x", None),
    ],
)
def test_unsafe_link_scheme_from_a_variable(
    scheme: str | None, url: str, scratch: Workspace
) -> None:
    body = '<mj-text><a href="{{ url }}">See your order</a></mj-text>'
    add(scratch, "t", CLEAN.replace("<mj-text>", body + "<mj-text>", 1), sample={"url": url})
    found = [f for f in lint_template(scratch, "t", spam=False) if f.id == "link.unsafe-scheme"]
    assert [f.details["scheme"] for f in found] == ([scheme] if scheme else [])
    assert all(f.severity is Severity.ERROR for f in found)


def test_unsafe_scheme_reads_a_url_as_a_browser_does() -> None:
    # Browsers drop tabs and line breaks anywhere and leading controls (raw HTML of
    # a lone .eml; MRML turns them into spaces in what it writes).
    assert unsafe_scheme_of("java\tscr\nipt:alert(1)") == "javascript"
    assert unsafe_scheme_of("\x01 data:text/html,x") == "data"
    assert unsafe_scheme_of("https://x.example/?u=javascript:1") is None
