"""Every template, message and SMS id of the catalogue: one case that fires it (asserting the
id and where it points) and clean cases where no rule fires at all. A last test checks that no
id of the catalogue (DNS ids aside: tests/dns) lacks either."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from studio.core.catalogue import LINT_IDS
from studio.core.checks import lint_file, lint_template, lint_workspace
from studio.core.checks.registry import rules_of
from studio.core.findings import Finding
from studio.core.inbox import Inbox, inspect
from studio.core.scaffold import init_workspace
from studio.core.sink.store import MaildirStore
from studio.core.workspace import Workspace
from tests.conftest import copy_example

TODAY = dt.date.today().isoformat()
HAS_SPAMASSASSIN = shutil.which("spamassassin") is not None
FRONT = (
    f"subject: 'Your order'\npreheader: 'It ships tomorrow'\ntrigger: person\nreviewed: {TODAY}\n"
)
BODY_LINE = 9  # the line of <mj-body> in a template made by add() with FRONT
TEXT = (
    "<mj-text>Thanks for your order. It ships tomorrow. Here is what you bought and when it"
    " arrives, with a link to follow it.</mj-text>"
)
CLEAN_BODY = (
    TEXT + '<mj-button href="https://www.shop.example/o/1">Track my order</mj-button>'
    '<mj-image src="https://cdn.shop.example/logo.png" alt="Shop" />'
)


def page(body: str, *, head: str = "<mj-title>{{ subject }}</mj-title>", lang: str = "en") -> str:
    """MJML on three lines: <mjml> (line 7 after FRONT), <mj-head> (8), <mj-body> (9)."""
    return (
        f'<mjml lang="{lang}">\n<mj-head>{head}</mj-head>\n'
        f"<mj-body><mj-section><mj-column>{body}</mj-column></mj-section></mj-body></mjml>\n"
    )


def workspace(tmp: Path) -> Workspace:
    init_workspace(tmp / "ws")
    return Workspace.open(tmp / "ws")


def add(ws: Workspace, name: str, mjml: str, *, front: str = FRONT, sample: object = None) -> None:
    ws.template_path(name).write_text(f"---\n{front}---\n{mjml}", encoding="utf-8")
    (ws.samples_dir / name).mkdir(parents=True, exist_ok=True)
    (ws.samples_dir / name / "a.json").write_text(json.dumps(sample or {}))


Build = Callable[[Path], list[Finding]]


def template(body: str = CLEAN_BODY, **kw: object) -> Build:
    """A template ``t`` made of ``page(body)`` in a fresh workspace, linted (no spam)."""
    head = kw.pop("head", "<mj-title>{{ subject }}</mj-title>")
    lang = kw.pop("lang", "en")
    components: dict[str, str] = kw.pop("components", {})  # type: ignore[assignment]
    spam = bool(kw.pop("spam", False))

    def build(tmp: Path) -> list[Finding]:
        ws = workspace(tmp)
        for name, text in components.items():
            (ws.components_dir / name).write_text(text)
        imports = "".join(
            f'{{% from "components/{n}" import {n.split(".")[0]} %}}' for n in components
        )
        add(ws, "t", imports + page(body, head=str(head), lang=str(lang)), **kw)  # type: ignore[arg-type]
        return lint_template(ws, "t", spam=spam)

    return build


def extending(tmp: Path) -> list[Finding]:
    """A template that extends a layout, with a paragraph outside its block (line 8)."""
    ws = workspace(tmp)
    (ws.components_dir / "base.mjml").write_text(
        page("{% block content %}{% endblock %}", head="<mj-title>t</mj-title>")
    )
    body = '{% extends "components/base.mjml" %}\n<mj-text>Lost words</mj-text>\n'
    add(ws, "t", body + "{% block content %}" + CLEAN_BODY + "{% endblock %}\n")
    return lint_template(ws, "t", spam=False)


def eml(raw: str) -> Build:
    def build(tmp: Path) -> list[Finding]:
        path = tmp / "m.eml"
        path.write_text(raw)
        return lint_file(path, spam=False)

    return build


def from_elsewhere(tmp: Path) -> list[Finding]:
    ws = workspace(tmp)
    settings = ws.root / "studio.toml"
    settings.write_text(settings.read_text().replace("no-reply@mail.", "no-reply@news."))
    ws = Workspace.open(ws.root)
    add(ws, "t", page(CLEAN_BODY))
    return lint_template(ws, "t", spam=False)


def sms(text: str, limit: int = 1) -> Build:
    def build(tmp: Path) -> list[Finding]:
        ws = workspace(tmp)
        ws.sms_template_path("code").write_text(
            f"---\ntrigger: person\nreviewed: {TODAY}\nmax_sms_segments: {limit}\n---\n{text}\n"
        )
        return lint_template(ws, "code", spam=False)

    return build


def twins(differ: bool) -> Build:
    """Two messages of one journey and trigger, alike or not; the whole workspace linted."""

    def build(tmp: Path) -> list[Finding]:
        ws = workspace(tmp)
        front = FRONT + "journey: Orders\n"
        add(ws, "first", page(CLEAN_BODY), front=front)
        other = "<mj-text>Your parcel left the warehouse this morning with Parcelway.</mj-text>"
        add(ws, "second", page(other + CLEAN_BODY if differ else CLEAN_BODY), front=front)
        if differ:  # the second reads differently: rewrite its body entirely
            add(ws, "second", page(other * 3), front=front)
        return lint_workspace(Workspace.open(ws.root), ["first", "second"], spam=False)

    return build


def captured(tamper: bool) -> Build:
    """A DKIM-signed message in the sink's Maildir, inspected (the key is in the zone file)."""

    def build(tmp: Path) -> list[Finding]:
        ws = example_copy(tmp)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        pub = base64.b64encode(der).decode()
        zone = ws.root / "brand" / "mapleandmoss.example.zone"
        zone.write_text(
            zone.read_text()
            + f'\nt1._domainkey.mail IN TXT ( "v=DKIM1; k=rsa; p={pub[:200]}" "{pub[200:]}" )\n'
        )
        raw = ws.render("password_reset", sample="en_basic").email
        raw["To"] = "ada@inbox.example"
        data = raw.as_bytes()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        signed = dkim.sign(data, b"t1", b"mail.mapleandmoss.example", pem) + data
        if tamper:
            signed = signed.replace(b"Reset your password", b"Reset your passw0rd")
        MaildirStore(tmp / "maildir").deliver(signed)
        inbox = Inbox(tmp / "maildir")
        [item] = inbox.list()
        return inspect(inbox.get(item.id), ws).findings

    return build


def example_copy(tmp: Path) -> Workspace:
    return Workspace.open(copy_example(tmp / "example"))


PROMO = {
    "cross_sell.mjml": "{% macro cross_sell() %}<mj-text>"
    + "Buy this lovely thing now. " * 40
    + "</mj-text>{% endmacro %}"
}
T = "templates/t.mjml"
HEADERS_ONLY_HTML = (
    "Subject: hi\nContent-Type: text/html\n\n<html lang=en><title>t</title>"
    "<a href='https://a.example/'>a</a></html>\n"
)


@dataclass(frozen=True)
class Fires:
    id: str
    build: Build
    where: tuple[str, int | None] | None  # (file, line) of at least one finding; None: no location
    details: dict[str, object] = field(default_factory=dict)


POSITIVE = [
    Fires("template.syntax", template("<mj-text>{{ x }</mj-text>"), (T, BODY_LINE)),
    Fires(
        "template.undefined-variable",
        template("<mj-text>{{ order.number }}</mj-text>" + TEXT, sample={"order": {}}),
        (T, BODY_LINE),
        {"variable": "order.number", "template": "t", "sample": "a"},
    ),
    Fires(
        "template.variable-type",
        template(
            "<mj-text>{% for l in order.lines %}{{ l.name }}{% endfor %}</mj-text>" + TEXT,
            sample={"order": {"lines": {"name": "socks"}}},
        ),
        ("samples/t/a.json", None),
        {"variable": "order.lines", "expected": "list", "sample": "a"},
    ),
    Fires("template.ignored-content", extending, (T, 8), {"line": 8}),
    Fires(
        "template.unused-variable",
        template(sample={"spare": 1}),
        ("samples/t/a.json", None),
        {"variable": "spare", "sample": "a"},
    ),
    Fires(
        "template.stale-review",
        template(front="subject: s\npreheader: p\ntrigger: person\nreviewed: 2020-01-01\n"),
        (T, 5),
        {"reviewed": "2020-01-01"},
    ),
    Fires(
        "template.promo-heavy",
        template("<mj-text>Order 12 is confirmed.</mj-text>{{ cross_sell() }}", components=PROMO),
        (T, None),
    ),
    Fires("template.near-duplicate", twins(differ=False), ("templates/second.mjml", None)),
    Fires(
        "message.size-clipped",
        template("<mj-text>" + "word " * 25000 + "</mj-text>"),
        None,
    ),
    Fires("message.no-text-part", eml(HEADERS_ONLY_HTML), None),
    Fires(
        "message.headers",
        eml(HEADERS_ONLY_HTML),
        None,
        {"missing": ["Message-ID", "Date", "From", "MIME-Version"]},
    ),
    Fires("message.from-domain", from_elsewhere, ("studio.toml", None)),
    Fires(
        "message.no-preheader",
        template(front=f"subject: s\npreheader: ''\ntrigger: person\nreviewed: {TODAY}\n"),
        (T, 3),
    ),
    Fires(
        "message.image-heavy",
        template(
            "".join(
                f'<mj-image src="https://cdn.shop.example/{i}.png" alt="p{i}" />' for i in range(4)
            )
        ),
        None,
    ),
    Fires(
        "message.text-parity",
        template(
            TEXT
            + '<mj-raw><a href="https://www.shop.example/raw" style="display:none">x</a></mj-raw>'
        ),
        (T, BODY_LINE),
    ),
    Fires("message.dkim-fail", captured(tamper=True), None),
    Fires(
        "message.header-too-long",
        eml("Subject: " + "word\n " * 5000 + "end\n" + HEADERS_ONLY_HTML),
        None,
        {"header": "Subject", "limit": 2000},
    ),
    Fires(
        "image.missing-alt",
        template('<mj-image src="https://cdn.shop.example/x.png" />'),
        (T, BODY_LINE),
    ),
    Fires("mjml.unknown-tag", template("<mj-txt>x</mj-txt>" + TEXT), (T, BODY_LINE)),
    Fires(
        "mjml.invalid-attribute", template('<mj-spacer heigth="10px" />' + TEXT), (T, BODY_LINE)
    ),
    Fires("mjml.invalid-value", template('<mj-spacer height="tall" />' + TEXT), (T, BODY_LINE)),
    Fires(
        "mjml.invalid-child", template("<mj-column>" + TEXT + "</mj-column>"), (T, BODY_LINE)
    ),
    Fires(
        "mjml.image-percent-width",
        template('<mj-image src="https://cdn.shop.example/x.png" alt="x" width="50%" />' + TEXT),
        (T, BODY_LINE),
    ),
    Fires(
        "image.insecure",
        template('<mj-image src="http://cdn.shop.example/x.png" alt="x" />' + TEXT),
        (T, BODY_LINE),
    ),
    Fires(
        "link.insecure",
        template('<mj-text><a href="http://www.shop.example/x">x</a></mj-text>'),
        (T, BODY_LINE),
    ),
    Fires("link.empty", template('<mj-text><a href="">Go</a></mj-text>'), (T, BODY_LINE)),
    Fires(
        "link.no-accessible-name",
        template(
            TEXT + '<mj-image href="https://www.shop.example/o/1"'
            ' src="https://cdn.shop.example/x.png" alt="" />'
        ),
        (T, BODY_LINE),
    ),
    Fires(
        "link.mismatch",
        template(
            '<mj-text><a href="https://evil.example/">https://www.shop.example/</a></mj-text>'
        ),
        (T, BODY_LINE),
    ),
    Fires(
        "link.shortener",
        template('<mj-text><a href="https://bit.ly/abc">offer</a></mj-text>'),
        (T, BODY_LINE),
    ),
    Fires(
        "link.untracked",
        template(
            "<mj-text><a href=\"{{ 'https://www.shop.example/a' | notrack }}\">a</a></mj-text>"
        ),
        (T, BODY_LINE),
    ),
    Fires(
        "link.unrendered",
        template('<mj-text><a href="https://www.shop.example/[[ID]]">a</a></mj-text>'),
        (T, BODY_LINE),
    ),
    Fires(
        "link.unsafe-scheme",
        template(
            '<mj-text><a href="{{ url }}">See your order</a></mj-text>' + TEXT,
            sample={"url": " JavaScript:alert(document.domain)"},
        ),
        (T, BODY_LINE),  # the URL came from the sample: the line writing {{ url }}
        {"scheme": "javascript"},
    ),
    Fires("html.lang-missing", template(lang="und"), (T, 7)),
    Fires("html.title-missing", template(head=""), (T, 8)),
    Fires(
        "css.unsupported",
        template('<mj-text><div style="box-shadow: 1px 1px 2px #000">x</div></mj-text>'),
        (T, BODY_LINE),
        {"property": "box-shadow"},
    ),
    Fires("sms.ucs2", sms("Your code is 1234 – don’t share it."), ("templates/code.sms.j2", None)),
    Fires("sms.segments", sms("Your code is 1234. " + "x" * 200), ("templates/code.sms.j2", 4)),
]
if HAS_SPAMASSASSIN:
    SPAMMY = (
        "<mj-text>"
        + "FREE MONEY!!! CLICK HERE NOW!!! Viagra cheap pills, 100% FREE, act now, limited"
        " time, winner, cash bonus, no credit check, risk free!!! "
        * 6
        + '</mj-text><mj-text><a href="http://bit.ly/free">CLICK HERE</a></mj-text>'
    )
    POSITIVE.append(
        Fires(
            "message.spam-score",
            template(SPAMMY, front="subject: 'FREE MONEY!!! Act now'\npreheader: WIN\n", spam=True),
            None,
        )
    )
    # Above SpamAssassin's 500 KB: said so, not scored (plain words: not spammy, only big).
    HUGE = "<mj-text>" + "Your order is on its way to you today. " * 16_000 + "</mj-text>"
    POSITIVE.append(Fires("message.spam-not-scored", template(HUGE, spam=True), None))


@pytest.mark.parametrize("case", POSITIVE, ids=[c.id for c in POSITIVE])
def test_fires(case: Fires, tmp_path: Path) -> None:
    found = [f for f in case.build(tmp_path) if f.id == case.id and f.suppressed is None]
    assert found, f"{case.id} did not fire"
    if case.where is None:
        assert any(f.location is None for f in found)
    else:
        places = {(f.location.file, f.location.line) for f in found if f.location}
        assert case.where in places, places
    if case.details:
        assert any(case.details.items() <= f.details.items() for f in found), [
            f.details for f in found
        ]


# -- clean cases: nothing fires -------------------------------------------------------


def clean_page(tmp: Path) -> list[Finding]:
    return template(spam=HAS_SPAMASSASSIN)(tmp)


CLEAN: dict[str, tuple[Build, Callable[[], set[str]]]] = {
    # name: (build, the ids it shows quiet: every rule that ran on it)
    "page": (clean_page, lambda: {r.id for r in rules_of("message") + rules_of("template")}),
    "sms": (
        sms("Your Maple code is 1234. It expires in 10 minutes."),
        lambda: {r.id for r in rules_of("sms")},
    ),
    "journey": (twins(differ=True), lambda: {r.id for r in rules_of("workspace")}),
    "captured": (captured(tamper=False), lambda: {"message.dkim-fail"}),
}


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean(name: str, tmp_path: Path) -> None:
    build, _ = CLEAN[name]
    found = [f for f in build(tmp_path) if f.suppressed is None]
    if name == "captured":  # a real message: only the verdict is this case's concern
        assert "message.dkim-fail" not in {f.id for f in found}
    else:
        assert [(f.id, f.location) for f in found] == []


def test_no_lint_id_lacks_a_firing_case_or_a_clean_one() -> None:
    spam_ids = {"message.spam-score", "message.spam-not-scored"}
    fired = {c.id for c in POSITIVE} | (spam_ids if not HAS_SPAMASSASSIN else set())
    assert sorted(LINT_IDS - fired) == []
    assert sorted(fired - LINT_IDS) == []
    quiet = set().union(*(ids() for _, ids in CLEAN.values()))
    assert sorted(LINT_IDS - quiet) == []
