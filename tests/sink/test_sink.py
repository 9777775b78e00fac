"""The sink with real SMTP clients (smtplib, swaks): storage, limits, abuse, load."""

from __future__ import annotations

import mailbox
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.core.inbox import Inbox
from studio.core.sink import Captured, Sink, SinkConfig, smtp
from studio.errors import SinkError
from tests.sink.conftest import digest, free_port, holds_intact, make_message, stored_messages

MSG = b"From: a@shop.example\r\nTo: b@x.example\r\nSubject: hello\r\n\r\nbody line\r\n"


def new_files(s: Sink) -> list[Path]:
    return sorted((s.config.maildir / "new").iterdir())


def test_stores_and_reads_back_with_smtplib(sink: tuple[Sink, list[Captured]]) -> None:
    s, got = sink
    with smtplib.SMTP(*s.address) as c:
        c.sendmail("a@shop.example", ["b@x.example", "c@y.example"], MSG)
    [f] = new_files(s)
    assert not list((s.config.maildir / "tmp").iterdir())
    assert got[0].recipients == ("b@x.example", "c@y.example")
    # Any Maildir reader can read it.
    [m] = list(mailbox.Maildir(s.config.maildir, create=False))
    assert m["Subject"] == "hello" and m["Return-Path"] == "<a@shop.example>"
    summary = Inbox(s.config.maildir).list()[0]
    assert summary.recipients == ("b@x.example", "c@y.example") and summary.subject == "hello"
    assert f.name.split(":")[0] == summary.id


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")
def test_swaks_with_auth(sink: tuple[Sink, list[Captured]]) -> None:
    s, got = sink
    out = subprocess.run(
        [
            "swaks",
            "--server",
            s.config.host,
            "--port",
            str(s.config.port),
            "--from",
            "app@shop.example",
            "--to",
            "someone@exemple.example",
            "--auth",
            "LOGIN",
            "--auth-user",
            "anyone",
            "--auth-password",
            "anything",
            "--header",
            "Subject: swaks test",
            "--body",
            "hello from swaks",
            "--timeout",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "250 2.0.0 Stored as" in out.stdout, out.stdout[-1500:] + out.stderr
    assert len(got) == 1 and got[0].recipients == ("someone@exemple.example",)


def test_smtputf8_and_8bit(sink: tuple[Sink, list[Captured]]) -> None:
    s, got = sink
    body = "From: zoé@shop.example\r\nSubject: héllo\r\n\r\nCafé crème\r\n".encode()
    with smtplib.SMTP(*s.address) as c:
        c.ehlo()
        assert c.has_extn("smtputf8") and c.has_extn("8bitmime")
        c.sendmail(
            "zoé@shop.example",
            ["élodie@exemple.example"],
            body,
            mail_options=["SMTPUTF8", "BODY=8BITMIME"],
        )
    assert got[0].recipients == ("élodie@exemple.example",)
    assert "Café crème".encode() in new_files(s)[0].read_bytes()


@pytest.mark.parametrize("declared", [True, False], ids=["size-declared", "size-undeclared"])
def test_30_mb_message_gets_552_and_the_session_goes_on(tmp_path: Path, declared: bool) -> None:
    """Over the default 25 MB limit: refused at MAIL FROM when SIZE says so, else after
    DATA; nothing is stored, and the same connection can then send a normal message."""
    big = MSG + (b"x" * 998 + b"\r\n") * 31_000  # 30 MB
    with Sink(SinkConfig(port=free_port(), maildir=tmp_path / "m")) as s:
        assert s.config.max_message_size < len(big)
        with smtplib.SMTP(*s.address, timeout=120) as c:
            if declared:
                with pytest.raises(smtplib.SMTPResponseException) as info:
                    c.sendmail("a@shop.example", ["b@x.example"], big)
                assert info.value.smtp_code == 552
            else:  # a client that does not announce the size
                c.ehlo()
                c.mail("a@shop.example")
                c.rcpt("b@x.example")
                assert c.data(big)[0] == 552
            c.rset()
            c.sendmail("a@shop.example", ["b@x.example"], MSG)
        assert len(new_files(s)) == 1
        assert not list((s.config.maildir / "tmp").iterdir())


def test_oversize_past_a_configured_limit_is_refused_with_552(
    sink: tuple[Sink, list[Captured]],
) -> None:
    s, _ = sink
    big = MSG + b"x" * 300_000 + b"\r\n"
    with smtplib.SMTP(*s.address) as c, pytest.raises(smtplib.SMTPResponseException) as info:
        c.sendmail("a@shop.example", ["b@x.example"], big)
    assert info.value.smtp_code == 552
    assert new_files(s) == []


def _session(address: tuple[str, int]) -> tuple[socket.socket, Callable[[bytes], bytes]]:
    """A raw connection past the greeting; ``say(data)`` sends and returns the reply."""
    raw = socket.create_connection(address, timeout=30)
    replies = raw.makefile("rb")
    replies.readline()

    def say(data: bytes) -> bytes:
        raw.sendall(data)
        reply = replies.readline()
        while reply[3:4] == b"-":
            reply = replies.readline()
        return reply

    return raw, say


def test_clients_vanishing_mid_data_leave_nothing(sink: tuple[Sink, list[Captured]]) -> None:
    s, got = sink
    for sent in (b"Subject: half\r\n\r\nhalf a mess", MSG + b"x" * 150_000):
        raw, say = _session(s.address)
        for line in (b"EHLO x", b"MAIL FROM:<a@shop.example>", b"RCPT TO:<b@x.example>"):
            assert say(line + b"\r\n").startswith(b"250")
        assert say(b"DATA\r\n").startswith(b"354")
        raw.sendall(sent)  # and never the final dot
        raw.shutdown(socket.SHUT_RDWR)
        raw.close()
    with smtplib.SMTP(*s.address) as c:  # a full message afterwards still lands
        c.sendmail("a@shop.example", ["b@x.example"], MSG)
    assert len(new_files(s)) == 1 and len(got) == 1
    assert not list((s.config.maildir / "tmp").iterdir())


def test_garbage_and_100_kb_lines_get_errors_while_other_clients_are_served(
    sink: tuple[Sink, list[Captured]],
) -> None:
    s, got = sink
    stop, served, errors = threading.Event(), [0], []

    def steady_client() -> None:
        try:
            with smtplib.SMTP(*s.address, timeout=30) as c:
                while not stop.is_set() or served[0] < 20:
                    c.sendmail("a@shop.example", ["b@x.example"], MSG)
                    served[0] += 1
        except BaseException as exc:  # noqa: BLE001 - collected and asserted
            errors.append(exc)

    steady = threading.Thread(target=steady_client)
    steady.start()
    try:
        raw, say = _session(s.address)
        with raw:
            assert say(b"\x00\xff\xfe garbage\x01\r\n").startswith(b"5")
            binary = bytes(b for b in range(256) if b not in b"\r\n")  # one line
            assert say(binary * 8 + b"\r\n").startswith(b"5")
            assert say(b"MAIL FROM:<" + b"a" * 100_000 + b"@shop.example>\r\n").startswith(b"5")
            assert say(binary * 400 + b"\r\n").startswith(b"5")  # 100 KB of it
            assert say(b"EHLO x\r\n").startswith(b"250")  # the session is still usable
            assert say(b"MAIL FROM:<a@shop.example>\r\n").startswith(b"250")
            assert say(b"RCPT TO:<b@x.example>\r\n").startswith(b"250")
            assert say(b"DATA\r\n").startswith(b"354")
            long_line = b"Subject: x\r\n\r\n" + b"y" * 100_000 + b"\r\n.\r\n"
            assert say(long_line).startswith(b"5")  # a 100 KB line in DATA: refused
            assert say(b"NOOP\r\n").startswith(b"250")
    finally:
        stop.set()
        steady.join()
    assert errors == []
    assert len(new_files(s)) == served[0] == len(got)  # each steady message, nothing else
    assert not list((s.config.maildir / "tmp").iterdir())


def test_many_idle_connections_do_not_block_a_client(sink: tuple[Sink, list[Captured]]) -> None:
    s, _ = sink
    idle = []
    try:
        for _ in range(200):
            idle.append(socket.create_connection(s.address))
        with smtplib.SMTP(*s.address, timeout=10) as c:
            c.sendmail("a@shop.example", ["b@x.example"], MSG)
    finally:
        for sock in idle:
            sock.close()
    assert len(new_files(s)) == 1


def test_load_of_2000_messages_over_32_connections_loses_nothing(
    sink: tuple[Sink, list[Captured]],
) -> None:
    """2000 messages of 20 KB, 32 smtplib clients at once: each stored once, byte for byte."""
    s, got = sink
    connections, per_connection = 32, 63  # 2016 messages
    sent: dict[str, tuple[int, str]] = {}
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            with smtplib.SMTP(*s.address, timeout=60) as c:
                for i in range(per_connection):
                    message = make_message(f"c{n}-m{i}")
                    c.sendmail("load@shop.example", ["sink@x.example"], message)
                    sent[f"c{n}-m{i}@load.example"] = digest(message)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sent) == connections * per_connection
    stored = stored_messages(s.config.maildir)
    assert stored.keys() == sent.keys()  # nothing lost, nothing else
    assert [mid for mid, files in stored.items() if len(files) != 1] == []  # no duplicate
    assert [mid for mid, files in stored.items() if not holds_intact(files[0], sent[mid])] == []
    assert len({c.id for c in got}) == len(sent)
    assert not list((s.config.maildir / "tmp").iterdir())


def test_connection_limit_answers_421(tmp_path: Path) -> None:
    with Sink(SinkConfig(port=free_port(), maildir=tmp_path / "m", max_connections=2)) as s:
        a, b = socket.create_connection(s.address), socket.create_connection(s.address)
        try:
            a.recv(1024), b.recv(1024)
            with socket.create_connection(s.address) as c:
                assert c.recv(1024).startswith(b"421")
        finally:
            a.close()
            b.close()


def test_non_loopback_bind_needs_the_flag(tmp_path: Path) -> None:
    with pytest.raises(SinkError):
        Sink(SinkConfig(host="0.0.0.0", maildir=tmp_path / "m"))
    Sink(SinkConfig(host="0.0.0.0", maildir=tmp_path / "m", allow_remote=True))  # allowed


def test_retention_by_count(tmp_path: Path) -> None:
    with Sink(SinkConfig(port=free_port(), maildir=tmp_path / "m", keep_messages=3)) as s:
        with smtplib.SMTP(*s.address) as c:
            for i in range(5):
                c.sendmail(
                    "a@shop.example", ["b@x.example"], MSG.replace(b"hello", f"n{i}".encode())
                )
        assert [m.subject for m in Inbox(s.config.maildir).list()] == ["n2", "n3", "n4"]


def test_port_in_use_is_a_clear_error(
    sink: tuple[Sink, list[Captured]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reported at once: not after the controller's ready timeout (made an hour here)."""
    s, _ = sink
    monkeypatch.setattr(smtp, "READY_TIMEOUT", 3600.0)
    outcome: list[BaseException] = []
    done = threading.Event()

    def start() -> None:
        try:
            Sink(SinkConfig(port=s.config.port, maildir=tmp_path / "other")).start()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)
        done.set()

    threading.Thread(target=start, daemon=True).start()
    assert done.wait(120), "a busy port was not reported before the ready timeout"
    [error] = outcome
    assert isinstance(error, SinkError) and str(s.config.port) in str(error)


def test_cli_sink_on_a_busy_port_is_one_line_exit_2(
    sink: tuple[Sink, list[Captured]], tmp_path: Path
) -> None:
    s, _ = sink
    out = subprocess.run(
        [sys.executable, "-m", "studio", "sink", "--port", str(s.config.port)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard: the error comes at once
    )
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and str(s.config.port) in out.stderr
