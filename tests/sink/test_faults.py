"""Fault rules with real clients (smtplib, swaks): each reply code and enhanced status,
greylisting on an injected clock, the rate limit per client, DMARC refusals on the
example's zone files, bounces as RFC 3464 reports, and the record of refusals."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli
from studio.core.inbox import Inbox
from studio.core.settings import parse_settings
from studio.core.sink import Sink, SinkConfig
from studio.core.sink.faults import FaultRule, Faults, parse_fault, read_refusals
from studio.core.sink.store import MaildirStore
from studio.core.workspace import Workspace
from studio.errors import ConfigError
from tests.sink.conftest import free_port, wait_for_smtp

MSG = (
    b"From: app@shop.example\r\nTo: someone@x.example\r\nSubject: hi\r\n"
    b"Message-ID: <fault-1@shop.example>\r\n\r\nbody\r\n"
)


class Clock:
    """A clock the test moves (greylist and rate-limit windows, no sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stored(maildir: Path) -> list[Path]:
    return [p for sub in ("new", "cur", "tmp") for p in (maildir / sub).iterdir()]


def faulty_sink(tmp_path: Path, *specs: str, clock: Clock | None = None) -> Sink:
    rules = tuple(parse_fault(s) for s in specs)
    maildir = tmp_path / "maildir"
    config = SinkConfig(port=free_port(), maildir=maildir, faults=rules, starttls=False)
    faults = Faults(rules, maildir, clock=clock or Clock())
    return Sink(config, faults=faults)


@pytest.fixture
def every_rule(tmp_path: Path) -> Iterator[Sink]:
    """One sink with a rule per behaviour, each for its own recipient domain."""
    rules = (
        FaultRule("unknown-user", recipients=("*@nobody.example",)),
        FaultRule("greylist", recipients=("*@grey.example",), seconds=300),
        FaultRule("size", recipients=("*@small.example",), size=2000),
        FaultRule("drop", recipients=("*@drop.example",)),
        FaultRule("bounce-later", recipients=("*@bounce.example",)),
        FaultRule("rate-limit", senders=("limited@*",), per_minute=1),
    )
    maildir = tmp_path / "maildir"
    config = SinkConfig(port=free_port(), maildir=maildir, faults=rules)
    with Sink(config, faults=Faults(rules, maildir, clock=Clock())) as s:
        yield s


def test_unknown_user_550_511_and_nothing_stored(every_rule: Sink) -> None:
    with smtplib.SMTP(*every_rule.address) as c:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            c.sendmail("app@shop.example", ["ghost@nobody.example"], MSG)
    code, text = refused.value.recipients["ghost@nobody.example"]
    assert code == 550 and text.startswith(b"5.1.1 ")
    assert stored(every_rule.config.maildir) == []
    [r] = read_refusals(every_rule.config.maildir)
    assert (r.client, r.sender, r.recipients, r.stage) == (
        "127.0.0.1",
        "app@shop.example",
        ("ghost@nobody.example",),
        "rcpt",
    )
    assert r.rule == "unknown-user to *@nobody.example" and r.reply.startswith("550 5.1.1")


def test_other_recipients_of_the_same_message_are_delivered(every_rule: Sink) -> None:
    with smtplib.SMTP(*every_rule.address) as c:
        refused = c.sendmail("app@shop.example", ["ghost@nobody.example", "ok@x.example"], MSG)
    assert list(refused) == ["ghost@nobody.example"]
    [summary] = Inbox(every_rule.config.maildir).list()
    assert summary.recipients == ("ok@x.example",)


def test_size_552_534_above_the_rule_only(every_rule: Sink) -> None:
    big = MSG + b"x" * 70 + b"\r\n" + (b"y" * 70 + b"\r\n") * 40
    with smtplib.SMTP(*every_rule.address) as c:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            c.sendmail("app@shop.example", ["a@small.example"], big)
        assert refused.value.smtp_code == 552
        assert refused.value.smtp_error.startswith(b"5.3.4 ")
        c.sendmail("app@shop.example", ["a@small.example"], MSG)  # under the size: stored
        c.sendmail("app@shop.example", ["a@elsewhere.example"], big)  # not matched: stored
    assert len(Inbox(every_rule.config.maildir).list()) == 2
    [r] = read_refusals(every_rule.config.maildir)
    assert r.stage == "data" and r.reply.startswith("552 5.3.4")


def test_drop_closes_after_data_without_a_reply(every_rule: Sink) -> None:
    with smtplib.SMTP(*every_rule.address, timeout=20) as c:
        with pytest.raises(smtplib.SMTPServerDisconnected):
            c.sendmail("app@shop.example", ["a@drop.example"], MSG)
    assert stored(every_rule.config.maildir) == []
    [r] = read_refusals(every_rule.config.maildir)
    assert r.rule == "drop to *@drop.example" and "without a reply" in r.reply


def test_rate_limit_421_470_then_closed(every_rule: Sink) -> None:
    with smtplib.SMTP(*every_rule.address) as c:
        c.sendmail("limited@shop.example", ["a@x.example"], MSG)
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            c.sendmail("limited@shop.example", ["a@x.example"], MSG)
        assert refused.value.smtp_code == 421
        assert refused.value.smtp_error.startswith(b"4.7.0 Try again later")
        with pytest.raises(smtplib.SMTPServerDisconnected):
            c.noop()  # the sink closed the connection after its 421
    assert len(Inbox(every_rule.config.maildir).list()) == 1
    with smtplib.SMTP(*every_rule.address) as c:  # other senders are not limited by it
        c.sendmail("free@shop.example", ["a@x.example"], MSG)


def test_rate_limit_counts_per_client_and_per_minute(tmp_path: Path) -> None:
    clock = Clock()
    with faulty_sink(tmp_path, "rate-limit:2", clock=clock) as s:

        def send(source: str) -> int:
            with smtplib.SMTP(*s.address, source_address=(source, 0)) as c:
                try:
                    c.sendmail("app@shop.example", ["a@x.example"], MSG)
                    return 250
                except smtplib.SMTPSenderRefused as exc:
                    return exc.smtp_code

        assert [send("127.0.0.1") for _ in range(3)] == [250, 250, 421]
        # Another client (127.0.0.2 is loopback too) has a count of its own.
        assert [send("127.0.0.2") for _ in range(3)] == [250, 250, 421]
        clock.now += 59
        assert send("127.0.0.1") == 421  # still within the minute
        clock.now += 2
        assert send("127.0.0.1") == 250
    assert [r.client for r in read_refusals(s.config.maildir)] == ["127.0.0.1", "127.0.0.2"] + [
        "127.0.0.1"
    ]


def test_greylist_defers_until_a_retry_after_t(tmp_path: Path) -> None:
    clock = Clock()
    with faulty_sink(tmp_path, "greylist:300", clock=clock) as s:

        def attempt(sender: str = "app@shop.example") -> tuple[int, bytes]:
            with smtplib.SMTP(*s.address) as c:
                c.ehlo()
                c.mail(sender)
                return c.rcpt("user@x.example")

        code, text = attempt()
        assert code == 451 and text.startswith(b"4.7.1 ")
        clock.now += 299
        assert attempt()[0] == 451  # a retry too soon is deferred again
        assert attempt("other@shop.example")[0] == 451  # another sender: another triple
        clock.now += 1
        assert attempt()[0] == 250  # retried after T: accepted
        with smtplib.SMTP(*s.address) as c:
            c.sendmail("app@shop.example", ["user@x.example"], MSG)
    assert len(Inbox(s.config.maildir).list()) == 1
    assert [r.reply[:9] for r in read_refusals(s.config.maildir)] == ["451 4.7.1"] * 3


def test_slow_greeting_trips_a_client_timeout(tmp_path: Path) -> None:
    with faulty_sink(tmp_path, "slow:greeting:60") as s:
        with pytest.raises((TimeoutError, smtplib.SMTPServerDisconnected), match="timed out"):
            smtplib.SMTP(*s.address, timeout=0.5)


def test_slow_data_reply_trips_a_client_timeout(tmp_path: Path) -> None:
    with faulty_sink(tmp_path, "slow:60") as s:
        with smtplib.SMTP(*s.address, timeout=5) as c:
            c.ehlo()
            c.mail("app@shop.example")
            c.rcpt("a@x.example")
            c.sock.settimeout(0.5)
            with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
                c.data(MSG)


def test_every_nth_message(tmp_path: Path) -> None:
    with Sink(
        SinkConfig(
            port=free_port(),
            maildir=tmp_path / "maildir",
            faults=(FaultRule("unknown-user", recipients=("*",), every=3),),
        )
    ) as s:
        codes = []
        with smtplib.SMTP(*s.address) as c:
            for _ in range(6):
                c.ehlo_or_helo_if_needed()
                c.mail("app@shop.example")
                codes.append(c.rcpt("a@x.example")[0])
                c.rset()
    assert codes == [250, 250, 550, 250, 250, 550]


def test_every_nth_connection(tmp_path: Path) -> None:
    with Sink(
        SinkConfig(
            port=free_port(),
            maildir=tmp_path / "maildir",
            faults=(FaultRule("unknown-user", recipients=("*",), every_connection=2),),
        )
    ) as s:
        codes = []
        for _ in range(4):
            with smtplib.SMTP(*s.address) as c:
                c.ehlo()
                c.mail("app@shop.example")
                codes.append(c.rcpt("a@x.example")[0])
    assert codes == [250, 550, 250, 550]


def wait_for(predicate, what: str, seconds: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_bounce_later_accepts_then_delivers_an_rfc3464_report(every_rule: Sink) -> None:
    maildir = every_rule.config.maildir
    with smtplib.SMTP(*every_rule.address) as c:
        reply = c.sendmail("app@shop.example", ["gone@bounce.example", "ok@x.example"], MSG)
    assert reply == {}  # accepted with 250
    inbox = Inbox(maildir)
    items = wait_for(lambda: len(inbox.list()) == 2 and inbox.list(), "the bounce")
    kinds = {s.kind: s for s in items}
    assert kinds["message"].recipients == ("ok@x.example",)
    bounce = kinds["bounce"]
    assert bounce.sender == "" and bounce.recipients == ("app@shop.example",)
    raw = inbox.get(bounce.id).raw
    dsn = email.message_from_bytes(raw, policy=email.policy.default)
    assert dsn.get_content_type() == "multipart/report"
    assert dsn.get_param("report-type") == "delivery-status"
    human, status, headers = dsn.iter_parts()
    assert status.get_content_type() == "message/delivery-status"
    blocks = status.get_payload()
    assert blocks[1]["Final-Recipient"] == "rfc822; gone@bounce.example"
    assert blocks[1]["Action"] == "failed" and blocks[1]["Status"] == "5.1.1"
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Message-ID: <fault-1@shop.example>" in headers.get_content()
    assert read_refusals(maildir) == []  # accepted, not refused


def test_bounce_later_for_every_recipient_stores_only_the_bounce(every_rule: Sink) -> None:
    with smtplib.SMTP(*every_rule.address) as c:
        c.sendmail("", ["gone@bounce.example"], MSG)  # never a bounce to the null sender
        c.sendmail("app@shop.example", ["gone@bounce.example"], MSG)
    inbox = Inbox(every_rule.config.maildir)
    [bounce] = wait_for(lambda: inbox.list(), "the bounce")
    assert bounce.kind == "bounce" and bounce.recipients == ("app@shop.example",)


# -- swaks: the same replies through another client ---------------------------------------


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")
@pytest.mark.parametrize(
    ("sender", "to", "expected"),
    [
        ("app@shop.example", "ghost@nobody.example", "<** 550 5.1.1 "),
        ("app@shop.example", "a@grey.example", "<** 451 4.7.1 "),
        ("app@shop.example", "a@small.example", "<** 552 5.3.4 "),
        ("app@shop.example", "a@bounce.example", "<~  250 2.0.0 Accepted"),
    ],
)
def test_swaks_sees_each_code(every_rule: Sink, sender: str, to: str, expected: str) -> None:
    expected = expected.replace("<~ ", "<- ")
    out = swaks(every_rule, sender, to, "--body", "a line of the body\n" * 150)
    assert expected in out, out[-2000:]


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")
def test_swaks_rate_limit_and_drop(every_rule: Sink) -> None:
    assert "<-  250 " in swaks(every_rule, "limited@shop.example", "a@x.example")
    assert "<** 421 4.7.0 Try again later" in swaks(every_rule, "limited@shop.example", "a@x.ex")
    dropped = swaks(every_rule, "app@shop.example", "a@drop.example")
    assert " -> ." in dropped and "<-  250 2.0.0" not in dropped.split(" -> .")[1], dropped
    assert len(stored(every_rule.config.maildir)) == 1  # the first message only


def swaks(s: Sink, sender: str, to: str, *extra: str) -> str:
    done = subprocess.run(
        ["swaks", "--server", s.config.host, "--port", str(s.config.port)]
        + ["--from", sender, "--to", to, "--timeout", "20", *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout + done.stderr


# -- dmarc-reject on the example's zone files ---------------------------------------------


def test_dmarc_reject_refuses_a_failing_from_and_accepts_an_aligned_one(
    sink_example: Workspace,
) -> None:
    config = SinkConfig.from_settings(sink_example, faults=(parse_fault("dmarc-reject"),))
    aligned = (
        b"From: Maple & Moss <orders@mail.mapleandmoss.example>\r\nTo: a@x.example\r\n"
        b"Subject: aligned\r\n\r\nhello\r\n"
    )
    spoofed = aligned.replace(b"orders@mail.mapleandmoss.example", b"ceo@bank.example")
    with Sink(config) as s, smtplib.SMTP(*s.address) as c:
        c.sendmail("orders@mail.mapleandmoss.example", ["a@x.example"], aligned)
        with pytest.raises(smtplib.SMTPDataError) as refused:
            c.sendmail("orders@mail.mapleandmoss.example", ["a@x.example"], spoofed)
    assert refused.value.smtp_code == 550
    assert refused.value.smtp_error.startswith(
        b"5.7.26 Unauthenticated email from bank.example is not accepted due to domain's DMARC"
    )
    [kept] = Inbox(config.maildir).list()
    assert kept.subject == "aligned"
    [r] = read_refusals(config.maildir)
    assert r.rule == "dmarc-reject" and r.reply.startswith("550 5.7.26")


# -- settings and the command line ----------------------------------------------------------


def test_fault_rules_from_settings() -> None:
    settings = parse_settings(
        {
            "sink": {
                "faults": [
                    {"rule": "greylist", "seconds": 60, "recipients": "*@grey.example"},
                    {"rule": "rate-limit", "per_minute": 5, "senders": ["app@*"]},
                    {"rule": "slow", "at": "greeting", "seconds": 2, "every_connection": 3},
                ]
            }
        },
        "studio.toml",
    )
    grey, rate, slow = settings.sink.faults
    assert grey == FaultRule("greylist", recipients=("*@grey.example",), seconds=60)
    assert rate.per_minute == 5 and rate.senders == ("app@*",)
    assert slow.label() == "slow greeting +2s every 3 connections"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"rule": "chaos"}, "sink.faults[0].rule = 'chaos': expected one of rate-limit"),
        ({"rule": "size"}, "sink.faults[0].size = None: expected a size in bytes"),
        ({"rule": "greylist", "seconds": -1}, "sink.faults[0].seconds = -1: expected"),
        ({"rule": "greylist", "per_minute": 3}, "per_minute = 3: expected no per_minute"),
        ({"rule": "unknown-user"}, "sink.faults[0].recipients = None: expected recipient"),
        ({"rule": "drop", "every": 0}, "sink.faults[0].every = 0: expected an integer of at"),
        ({"rule": "drop", "colour": "red"}, "unknown setting 'sink.faults[0].colour'"),
    ],
)
def test_bad_fault_rules_are_one_line_errors(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings({"sink": {"faults": [rule]}}, "studio.toml")
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith("studio.toml: ")


@pytest.mark.parametrize(
    ("spec", "rule"),
    [
        ("rate-limit:30", FaultRule("rate-limit", per_minute=30)),
        ("greylist:90", FaultRule("greylist", seconds=90)),
        (
            "unknown-user:*@nobody.example",
            FaultRule("unknown-user", recipients=("*@nobody.example",)),
        ),
        ("size:100000", FaultRule("size", size=100000)),
        ("slow:12", FaultRule("slow", seconds=12)),
        ("slow:greeting:3", FaultRule("slow", seconds=3, at="greeting")),
        ("drop", FaultRule("drop")),
        ("dmarc-reject", FaultRule("dmarc-reject")),
        ("bounce-later:*@gone.example", FaultRule("bounce-later", recipients=("*@gone.example",))),
    ],
)
def test_fault_option_specs(spec: str, rule: FaultRule) -> None:
    assert parse_fault(spec) == rule


def test_cli_bad_fault_is_one_line_exit_2(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "studio", "sink", "--port", str(free_port())]
        + ["--maildir", str(tmp_path / "m"), "--fault", "greylist:soon"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard: the error comes at once
    )
    assert out.returncode == 2
    [line] = out.stderr.strip().splitlines()
    assert line.endswith("--fault greylist:soon: 'soon' is not a number of seconds")
    assert not (tmp_path / "m").exists()


def test_inbox_list_marks_refused_attempts_and_bounces(every_rule: Sink) -> None:
    maildir = every_rule.config.maildir
    with smtplib.SMTP(*every_rule.address) as c:
        c.sendmail("app@shop.example", ["ok@x.example"], MSG)
        c.sendmail("app@shop.example", ["ghost@nobody.example", "ok@x.example"], MSG)
        c.sendmail("app@shop.example", ["gone@bounce.example"], MSG)
    wait_for(lambda: len(Inbox(maildir).list()) == 3, "the bounce")
    runner = CliRunner()
    text = runner.invoke(cli, ["inbox", "--maildir", str(maildir), "list"]).output
    lines = text.splitlines()
    assert len(lines) == 4, text
    [refused] = [line for line in lines if line.startswith("refused")]
    assert "127.0.0.1" in refused and "app@shop.example → ghost@nobody.example" in refused
    assert "[unknown-user to *@nobody.example] 550 5.1.1" in refused
    assert lines[-1].endswith("  bounce")
    listed = json.loads(
        runner.invoke(cli, ["inbox", "--maildir", str(maildir), "list", "-f", "json"]).output
    )
    assert [i["kind"] for i in listed] == ["message", "refused", "message", "bounce"]
    assert listed[1]["reply"].startswith("550 5.1.1") and listed[1]["client"] == "127.0.0.1"
    cleared = runner.invoke(cli, ["inbox", "--maildir", str(maildir), "clear"])
    assert cleared.exit_code == 0 and read_refusals(maildir) == []


def test_the_timeline_follows_delivery_not_the_coarse_file_times(tmp_path: Path) -> None:
    """Messages a few milliseconds apart can share an mtime (the kernel's coarse clock);
    the timeline orders them, and the refusals between them, by the time the sink put
    in each file's name, to the microsecond."""
    import datetime as dt
    import os

    from studio.core.sink.faults import Refusal, refusals_path

    maildir = tmp_path / "md"
    MaildirStore(maildir)
    names = ["1000.M000100P1Q1.host", "1000.M000300P1Q2.host"]
    for i, name in enumerate(names):
        path = maildir / "new" / name
        path.write_bytes(MSG)
        os.utime(path, (999.0 - i, 999.0 - i))  # mtimes in the other order
    between = dt.datetime.fromtimestamp(1000.0002, dt.timezone.utc).isoformat(
        timespec="microseconds"
    )
    refusal = Refusal(between, "127.0.0.1", "a@x.example", ("b@y.example",), "r", "550", "rcpt")
    refusals_path(maildir).write_text(json.dumps(refusal.to_dict()) + "\n")
    order = [getattr(e, "id", "refused") for e in Inbox(maildir).timeline()]
    assert order == [names[0], "refused", names[1]]


def test_studio_sink_fault_option_refuses_and_prints_its_rules(tmp_path: Path) -> None:
    port = free_port()
    maildir = tmp_path / "maildir"
    out = tmp_path / "sink.out"
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "studio", "sink", "--port", str(port)]
            + ["--maildir", str(maildir), "--fault", "unknown-user:*@nobody.example"]
            + ["--fault", "greylist:600"],
            cwd=tmp_path,
            stdout=stdout,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_smtp(port, process)
        with smtplib.SMTP("127.0.0.1", port) as c:
            c.ehlo()
            c.mail("app@shop.example")
            assert c.rcpt("a@nobody.example")[0] == 550
            assert c.rcpt("a@x.example")[0] == 451
        # the rules are printed once the sink listens, by the main thread: under load
        # that can come after this test's whole SMTP session
        deadline = time.monotonic() + 60
        while "fault rule: greylist" not in out.read_text() and process.poll() is None:
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(60)
    printed = out.read_text()
    assert "fault rule: unknown-user to *@nobody.example" in printed
    assert "fault rule: greylist 600s" in printed
    assert [r.reply[:3] for r in read_refusals(maildir)] == ["550", "451"]
    assert stored(maildir) == []


def test_a_bad_rule_in_the_settings_stops_studio_sink_with_one_line(
    sink_example: Workspace,
) -> None:
    settings = sink_example.root / "pyproject.toml"
    settings.write_text(
        settings.read_text() + '\n[[tool.studio.sink.faults]]\nrule = "greylist"\nseconds = "5m"\n'
    )
    out = subprocess.run(
        [sys.executable, "-m", "studio", "sink"],
        cwd=sink_example.root,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard: the error comes at once
    )
    assert out.returncode == 2
    [line] = out.stderr.strip().splitlines()
    assert "pyproject.toml" in line and "sink.faults[0].seconds = '5m': expected a number" in line


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")
def test_swaks_sees_the_dmarc_refusal(sink_example: Workspace) -> None:
    config = SinkConfig.from_settings(sink_example, faults=(parse_fault("dmarc-reject"),))
    with Sink(config) as s:
        common = ("--header", "Subject: swaks dmarc")
        aligned = swaks(s, "orders@mail.mapleandmoss.example", "a@x.example", *common)
        spoofed = swaks(
            s, "orders@mail.mapleandmoss.example", "a@x.example", *common,
            "--header", "From: ceo@bank.example",
        )  # fmt: skip
    assert "<-  250 2.0.0 Stored as" in aligned, aligned[-1500:]
    assert "<** 550 5.7.26 Unauthenticated email from bank.example" in spoofed, spoofed[-1500:]
    assert len(Inbox(config.maildir).list()) == 1
