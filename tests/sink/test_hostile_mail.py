"""Hostile mail against the sink and the inbox (issue 14, items 3-6, 12 and 16).

Messages reach a real sink over SMTP (smtplib), or are written into a Maildir, and
the inbox is read with the real command (`python -m studio`): nothing a sender puts
in a message may reach the terminal as control characters or markup, make the sink
store more than its limits, make a listing slow or crash, or leak on release.
"""

from __future__ import annotations

import base64
import json
import os
import smtplib
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.address import parse_address
from studio.core.checks import lint_file
from studio.core.inbox import Inbox, released_message
from studio.core.mailparse import HEADER_BUDGET, MAX_HEADER_LENGTH, read_message, too_long
from studio.core.settings import parse_settings
from studio.core.sink import Captured, Sink, SinkConfig
from studio.core.sink.store import MaildirStore
from studio.core.sink.trace import read_trace
from studio.core.workspace import Workspace
from studio.errors import ConfigError, SendError
from tests.sink.conftest import PASSWORD, USER, Relay, free_port

ENV = {"RELAY_USER": USER, "RELAY_PASS": PASSWORD}
ESC, BEL = "\x1b", "\x07"
# Retitle the window, erase a row and move up (to fake rows), write the clipboard.
NASTY = f"{ESC}]0;pwned{BEL} {ESC}[2K{ESC}[1A {ESC}]52;c;aGk={BEL} done"


def studio(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def encoded(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def message(subject: str, *, sender: str = "shop@mail.example", extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: ada@inbox.example\r\nSubject: {subject}\r\n"
        "Date: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m1@mail.example>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n{extra}\r\n"
        "Hello.\r\n"
    ).encode()


def deliver(s: Sink, data: bytes, rcpts: list[str], sender: str = "shop@mail.example") -> None:
    with smtplib.SMTP(*s.address, timeout=30) as client:
        client.sendmail(sender, rcpts, data)


def assert_no_controls(text: str) -> None:
    assert ESC not in text and BEL not in text and "\x9b" not in text, repr(text)


# -- 3 and 4: what is printed is text -----------------------------------------------------


def test_escapes_and_markup_from_a_sender_print_as_literal_text(
    sink: tuple[Sink, list[Captured]],
) -> None:
    s, _ = sink
    deliver(s, message(encoded(NASTY)), ["ada@inbox.example"])
    deliver(
        s,
        message("unbalanced [/nope] close", sender='"[@click=app.quit]q"@x.example'),
        ["ada@inbox.example"],
        sender='"[@click=app.quit]q"@x.example',
    )
    md = ["inbox", "--maildir", str(s.config.maildir)]
    listing = studio(*md)
    assert listing.returncode == 0, listing.stderr
    assert_no_controls(listing.stdout)
    assert "\\x1b]0;pwned\\x07" in listing.stdout  # shown, escaped
    assert "[/nope]" in listing.stdout and "[@click=app.quit]" in listing.stdout
    for item in Inbox(s.config.maildir).list():
        shown = studio(*md, "show", item.id)
        assert shown.returncode == 0, shown.stderr
        assert_no_controls(shown.stdout)
    as_json = studio(*md, "-f", "json")
    assert_no_controls(as_json.stdout)
    assert NASTY in [m["subject"] for m in json.loads(as_json.stdout)]  # the data is intact


def test_lint_of_an_eml_prints_what_it_quotes_as_text(tmp_path: Path) -> None:
    eml = tmp_path / "m.eml"
    eml.write_bytes(
        b"From: a@b.example\r\nSubject: " + encoded(NASTY).encode() + b"\r\n"
        b"Content-Type: text/html\r\n\r\n"
        b'<html lang="en"><a href="https://a.example/\x1b]0;x\x07\xc2\x9b2J">go</a></html>\r\n'
    )
    for fmt in ("text", "json"):
        out = studio("lint", "--no-spam", "-f", fmt, str(eml), cwd=tmp_path)
        assert out.returncode == 1, out.stderr  # findings, no crash
        assert "message.text-parity" in out.stdout
        assert_no_controls(out.stdout)


# -- 5a: recipients and the envelope are bounded ------------------------------------------


def test_recipients_beyond_the_limit_get_452_and_the_rest_is_stored(
    sink: tuple[Sink, list[Captured]],
) -> None:
    s, got = sink
    with smtplib.SMTP(*s.address, timeout=30) as client:
        client.ehlo()
        assert client.mail("shop@mail.example")[0] == 250
        codes = [client.rcpt(f"r{i}@inbox.example")[0] for i in range(150)]
        assert client.data(message("many"))[0] == 250
    assert codes == [250] * 100 + [452] * 50
    assert len(got[0].recipients) == 100
    [item] = Inbox(s.config.maildir).list()
    assert item.recipients == tuple(f"r{i}@inbox.example" for i in range(100))


def test_max_recipients_setting_is_used_and_validated(tmp_path: Path) -> None:
    assert parse_settings({"sink": {"max_recipients": 3}}, "studio.toml").sink.max_recipients == 3
    assert parse_settings({}, "studio.toml").sink.max_recipients == 100
    for bad in (0, -5, "many", True):
        with pytest.raises(ConfigError, match=r"^studio.toml: sink.max_recipients"):
            parse_settings({"sink": {"max_recipients": bad}}, "studio.toml")
    config = SinkConfig(port=free_port(), maildir=tmp_path / "md", max_recipients=3)
    with Sink(config) as s, smtplib.SMTP(*s.address, timeout=30) as client:
        client.ehlo()
        client.mail("shop@mail.example")
        assert [client.rcpt(f"r{i}@inbox.example")[0] for i in range(4)] == [250] * 3 + [452]


def test_the_envelope_counts_in_the_size_limit(tmp_path: Path) -> None:
    """A message under the limit, with an envelope that takes the stored file over it."""
    limit = 20_000
    config = SinkConfig(port=free_port(), maildir=tmp_path / "md", max_message_size=limit)
    body = message("fits") + (b"p" * 76 + b"\r\n") * ((limit - 1_000) // 78)
    assert len(body) < limit
    rcpts = [f"{'r' * 60}{i}@inbox.example" for i in range(40)]  # about 3 KB of envelope
    with Sink(config) as s, smtplib.SMTP(*s.address, timeout=30) as client:
        client.ehlo()
        client.mail("shop@mail.example")
        for r in rcpts:
            client.rcpt(r)
        code, _ = client.data(body)
        assert code == 552
        client.rset()
        client.mail("shop@mail.example")
        client.rcpt(rcpts[0])
        assert client.data(body)[0] == 250  # one recipient: it fits
    files = list((tmp_path / "md" / "new").iterdir())
    assert len(files) == 1 and files[0].stat().st_size <= limit


# -- 5b: header work is bounded -----------------------------------------------------------

FOLDED_SUBJECT = b"Subject: " + b"\r\n ".join([b"word"] * 400_000) + b"\r\n"  # 2.4 MB


@pytest.mark.parametrize(
    "header",
    [
        FOLDED_SUBJECT,
        b'To: "' + b'"' * 1_000_000 + b"\r\n",  # quadratic in the address parser
        b"From: " + b"(" * 5_000 + b"\r\n",  # a RecursionError in the comment parser
    ],
    ids=["folded-subject", "quotes", "comments"],
)
def test_hostile_headers_are_read_cut_to_the_limit(header: bytes) -> None:
    name = header.split(b":", 1)[0].decode()
    msg = read_message(b"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n" + header + b"\r\nbody\r\n")
    assert len(str(msg[name])) <= MAX_HEADER_LENGTH  # the work bound: what is parsed is cut
    assert [d.name for d in too_long(msg)] == [name]


def test_headers_of_all_parts_share_one_budget() -> None:
    part = b"--b\r\nContent-Type: text/plain; a*0*=" + b"'" * 1900 + b"\r\n\r\nx\r\n"
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + part * 1000 + b"--b--\r\n"
    msg = read_message(raw)
    kept = sum(len(v) for p in msg.walk() for _, v in p.raw_items())
    assert kept <= HEADER_BUDGET
    assert too_long(msg)


def test_lint_of_a_huge_eml_finishes_with_the_finding(tmp_path: Path) -> None:
    eml = tmp_path / "big.eml"
    eml.write_bytes(message("x").replace(b"Subject: x\r\n", FOLDED_SUBJECT))
    found = lint_file(eml, spam=False)
    [long] = [f for f in found if f.id == "message.header-too-long"]
    assert long.details["header"] == "Subject" and long.details["limit"] == MAX_HEADER_LENGTH


def test_the_listing_reads_a_bounded_part_of_each_message(tmp_path: Path) -> None:
    store = MaildirStore(tmp_path / "md")
    store.deliver(message("x").replace(b"Subject: x\r\n", FOLDED_SUBJECT))
    [item] = Inbox(tmp_path / "md").list()
    assert item.unreadable == "" and len(item.subject) <= MAX_HEADER_LENGTH
    assert item.from_ == "shop@mail.example"


# -- 5c: one bad message never stops the listing -----------------------------------------


def test_an_overflowing_date_is_listed_and_shown(sink: tuple[Sink, list[Captured]]) -> None:
    s, _ = sink
    bad = message("bad date").replace(b"+0000", b"+99999999999999999999")
    deliver(s, bad, ["ada@inbox.example"])
    deliver(s, message("fine"), ["ada@inbox.example"])
    md = ["inbox", "--maildir", str(s.config.maildir)]
    listing = studio(*md)
    assert listing.returncode == 0, listing.stderr
    assert "bad date" in listing.stdout and "fine" in listing.stdout
    items = Inbox(s.config.maildir).list()
    for item in items:
        shown = studio(*md, "show", item.id)
        assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr


def test_a_message_that_cannot_be_read_is_a_row_marked_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MaildirStore(tmp_path / "md")
    store.deliver(message("one"))
    store.deliver(message("two"))
    import studio.core.inbox as inbox_module

    real = inbox_module.header_fields
    calls = iter([True, False])

    def flaky(raw: bytes, start: int = 0) -> list[tuple[str, str]]:
        if next(calls):  # whatever a parser raises on the first message
            raise RecursionError("maximum recursion depth exceeded")
        return real(raw, start)

    monkeypatch.setattr(inbox_module, "header_fields", flaky)
    first, second = Inbox(tmp_path / "md").list()
    assert "RecursionError" in first.unreadable and first.size > 0
    assert second.unreadable == "" and second.subject in ("one", "two")


# -- 6: release sends what the application sent ---------------------------------------------


def relay_workspace(ws: Workspace, relay: Relay) -> None:
    pyproject = ws.root / "pyproject.toml"
    text = pyproject.read_text()
    start, end = text.index("[tool.studio.relays.staging]"), text.index("[tool.studio.lint]")
    pyproject.write_text(
        text[:start] + "[tool.studio.relays.staging]\n"
        f'host = "localhost"\nport = {relay.port}\ntls = "starttls"\n'
        'username_env = "RELAY_USER"\npassword_env = "RELAY_PASS"\n'
        'allow_recipients = ["*@inbox.example"]\n'
        f'ca_file = "{relay.ca_file}"\n\n' + text[end:]
    )


def test_release_strips_bcc_and_the_sinks_headers(
    sink: tuple[Sink, list[Captured]], example_copy: Workspace, starttls_relay: Relay
) -> None:
    s, _ = sink
    relay_workspace(example_copy, starttls_relay)
    sent = message(
        "order shipped",
        extra="Bcc: hidden@inbox.example\r\nReceived: from app.internal by app; "
        "Mon, 01 Jan 2024 10:00:00 +0000\r\n",
    )
    rcpts = ["ada@inbox.example", '"b,c"@inbox.example', "hidden@inbox.example"]
    deliver(s, sent, rcpts)
    [item] = Inbox(s.config.maildir).list()
    assert item.recipients == tuple(rcpts)  # the quoted comma is one recipient
    md = ["--workspace", str(example_copy.root), "inbox", "--maildir", str(s.config.maildir)]
    released = studio(*md, "release", item.id, "--relay", "staging", env=ENV)
    assert released.returncode == 0, released.stderr
    [envelope] = starttls_relay.received
    assert envelope.rcpt_tos == rcpts
    got = envelope.original_content
    assert got is not None
    for leak in (b"Bcc:", b"hidden@", b"Return-Path:", b"X-Studio-", b"studio-sink"):
        assert leak not in got, leak
    # Exactly what the application sent, but for its Bcc line.
    without_bcc = sent.replace(b"Bcc: hidden@inbox.example\r\n", b"")
    assert got.rstrip(b"\r\n") == without_bcc.rstrip(b"\r\n")


def test_release_refuses_an_envelope_recipient_the_relay_may_not_send_to(
    sink: tuple[Sink, list[Captured]], example_copy: Workspace, starttls_relay: Relay
) -> None:
    s, _ = sink
    relay_workspace(example_copy, starttls_relay)
    deliver(s, message("hi"), ["ada@inbox.example", "victim@evil.example"])
    [item] = Inbox(s.config.maildir).list()
    md = ["--workspace", str(example_copy.root), "inbox", "--maildir", str(s.config.maildir)]
    released = studio(*md, "release", item.id, "--relay", "staging", env=ENV)
    assert released.returncode == 2 and "victim@evil.example" in released.stderr
    assert starttls_relay.received == []


def test_released_message_keeps_the_applications_own_received_header(tmp_path: Path) -> None:
    store = MaildirStore(tmp_path / "md")
    app = message("x", extra="Received: from app by app; Mon, 01 Jan 2024 10:00:00 +0000\r\n")
    trace = (
        b"Return-Path: <a@b>\r\nX-Studio-Envelope-To: c@d\r\nX-Studio-Peer: 127.0.0.1\r\n"
        b"Received: from x ([127.0.0.1]) by studio-sink with ESMTP; Mon, 1 Jan 2024\r\n"
    )
    store.deliver(trace + app)
    [item] = Inbox(tmp_path / "md").list()
    msg = released_message(Inbox(tmp_path / "md").get(item.id).raw)
    assert msg.get_all("Received") == ["from app by app; Mon, 01 Jan 2024 10:00:00 +0000"]
    assert msg.get("Return-Path") is None and msg.get("X-Studio-Peer") is None


# -- 12: addresses parsed once, refused when they do not parse ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x@mapleandmoss.example, victim@evil.com",
        "x@mapleandmoss.example; victim@evil.com",
        "a@[1.2.3.4",
        "a@[1.2.3.999]",
        "a@b.",
        "@a:x@y.example",
        "Ann, Bob <a@b.example>",
        "a@b.example\x1b]0;x\x07",
        "a@b.example\u202e",
        "",
    ],
)
def test_what_is_not_one_address_is_refused(text: str) -> None:
    with pytest.raises(SendError):
        parse_address(text)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("a@b.example", "a@b.example"),
        ("Ann <a@b.example>", "a@b.example"),
        ('"Ann, B" <a@b.example>', "a@b.example"),
        ('"a,b"@b.example', '"a,b"@b.example'),
        ("a@[192.0.2.1]", "a@[192.0.2.1]"),
        ("a@[IPv6:2001:db8::1]", "a@[IPv6:2001:db8::1]"),
        ("rené@exämple.example", "rené@exämple.example"),
    ],
)
def test_one_address_is_accepted(text: str, address: str) -> None:
    assert parse_address(text) == address


@pytest.mark.parametrize("to", ["x@mapleandmoss.example, victim@evil.com", "a@[1.2.3.4"])
def test_send_refuses_a_to_that_is_not_one_address(to: str) -> None:
    out = studio("send", "password_reset", "-s", "en_basic", "--to", to, "--dry-run")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_recipients_of_messages_stored_before_one_header_per_recipient(tmp_path: Path) -> None:
    old = (
        b'Return-Path: <a@b.example>\r\nX-Studio-Envelope-To: x@inbox.example, "y,z"@inbox.example'
        b"\r\nX-Studio-Peer: 127.0.0.1\r\nReceived: from h ([127.0.0.1]) by studio-sink\r\n"
    )
    assert read_trace(old + message("x")).recipients == ("x@inbox.example", '"y,z"@inbox.example')


# -- 16: reading never creates the Maildir --------------------------------------------------


def test_reading_a_missing_maildir_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "deep" / "x"
    listing = studio("inbox", "--maildir", str(missing), cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "does not exist" in listing.stdout
    assert json.loads(studio("inbox", "--maildir", str(missing), "-f", "json").stdout) == []
    shown = studio("inbox", "--maildir", str(missing), "show", "123")
    assert shown.returncode == 2 and "Traceback" not in shown.stderr
    assert studio("inbox", "--maildir", str(missing), "clear").returncode == 0
    assert not (tmp_path / "nonexistent").exists()


def test_an_old_51_mb_envelope_header_is_read_only_in_part() -> None:
    """What an earlier sink stored for 200,000 RCPT TO: the listing reads a bounded part."""
    joined = ", ".join(f"r{i}@inbox.example" for i in range(200_000)).encode()
    raw = (
        b"Return-Path: <a@b.example>\r\nX-Studio-Envelope-To: " + joined + b"\r\n"
        b"X-Studio-Peer: 127.0.0.1\r\nReceived: from h ([127.0.0.1]) by studio-sink\r\n"
    ) + message("x")
    trace = read_trace(raw)
    assert 0 < len(trace.recipients) < 10_000 and trace.recipients[0] == "r0@inbox.example"
    assert raw[trace.end :] == message("x")


BROKEN_BODIES = {
    "charset": b"Content-Type: text/plain; charset=x-nope\r\n\r\nhello\r\n",
    "html-charset": b"Content-Type: text/html; charset=x-nope\r\n\r\n<a href='https://x.example/'>x</a>\r\n",
    "base64": b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!====\r\n",
    "no-boundary": b"Content-Type: multipart/alternative\r\n\r\nhello\r\n",
}


def test_broken_bodies_are_shown_and_linted_without_a_crash(tmp_path: Path) -> None:
    store = MaildirStore(tmp_path / "md")
    head = b"From: a@b.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
    for name, body in BROKEN_BODIES.items():
        store.deliver(head + body)
        (tmp_path / f"{name}.eml").write_bytes(head + body)
    for item in Inbox(tmp_path / "md").list():
        shown = studio("inbox", "--maildir", str(tmp_path / "md"), "show", item.id)
        assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    for name in BROKEN_BODIES:
        linted = studio("lint", "--no-spam", f"{name}.eml", cwd=tmp_path)
        assert linted.returncode in (0, 1) and "Traceback" not in linted.stderr, linted.stderr
