"""STARTTLS and implicit TLS on the sink, with a certificate it makes on first start:
smtplib (``starttls()`` then AUTH, ``SMTP_SSL``) and swaks (``--tls``, ``--tls-on-connect``)."""

from __future__ import annotations

import shutil
import smtplib
import ssl
import stat
import subprocess
from pathlib import Path

import pytest

from studio.core.inbox import Inbox
from studio.core.settings import parse_settings
from studio.core.sink import Sink, SinkConfig
from studio.core.workspace import Workspace
from studio.errors import ConfigError
from tests.sink.conftest import free_port

MSG = b"From: app@shop.example\r\nTo: a@x.example\r\nSubject: over tls\r\n\r\nbody\r\n"


def trusting(cert: Path) -> ssl.SSLContext:
    """A client context that trusts only the sink's certificate (and checks the name)."""
    return ssl.create_default_context(cafile=str(cert))


def test_starttls_then_auth_with_smtplib_and_the_certificate_in_dot_studio(
    sink_example: Workspace,
) -> None:
    config = SinkConfig.from_settings(sink_example)
    cert = sink_example.root / ".studio" / "sink-cert.pem"
    key = sink_example.root / ".studio" / "sink-key.pem"
    assert not cert.exists()
    with Sink(config) as s, smtplib.SMTP("localhost", s.config.port) as c:
        c.ehlo()
        assert c.has_extn("starttls")
        c.starttls(context=trusting(cert))  # verifies the certificate for "localhost"
        c.ehlo()
        assert not c.has_extn("starttls") and "LOGIN" in c.esmtp_features["auth"]
        assert c.login("app", "anything")[0] == 235
        c.sendmail("app@shop.example", ["a@x.example"], MSG)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    [item] = Inbox(config.maildir).list()
    assert item.subject == "over tls"
    first = cert.read_bytes()
    with Sink(config):  # the second start reuses the certificate
        pass
    assert cert.read_bytes() == first


def test_implicit_tls_on_a_second_port(tmp_path: Path) -> None:
    config = SinkConfig(port=free_port(), tls_port=free_port(), maildir=tmp_path / "maildir")
    with Sink(config) as s:
        ctx = trusting(tmp_path / "sink-cert.pem")
        with smtplib.SMTP_SSL("127.0.0.1", config.tls_port, context=ctx) as c:
            c.login("app", "anything")
            c.sendmail("app@shop.example", ["a@x.example"], MSG)
        with smtplib.SMTP(*s.address) as c:  # the plain port still works as before
            c.sendmail("app@shop.example", ["b@x.example"], MSG)
    assert [i.recipients for i in Inbox(config.maildir).list()] == [
        ("a@x.example",),
        ("b@x.example",),
    ]


def test_a_certificate_from_settings_is_served(tmp_path: Path, sink_example: Workspace) -> None:
    from tests.sink.conftest import make_ca

    ca, cert, key = make_ca(tmp_path)
    text = (sink_example.root / "pyproject.toml").read_text()
    (sink_example.root / "pyproject.toml").write_text(
        text + f'tls_cert = "{cert}"\ntls_key = "{key}"\n'
    )
    ws = Workspace.open(sink_example.root)
    config = SinkConfig.from_settings(ws)
    with Sink(config) as s, smtplib.SMTP("localhost", s.config.port) as c:
        c.starttls(context=trusting(ca))  # signed by the test CA, not self-signed
        c.sendmail("app@shop.example", ["a@x.example"], MSG)
    assert not (ws.root / ".studio" / "sink-cert.pem").exists()


def test_no_starttls_when_switched_off(tmp_path: Path) -> None:
    config = SinkConfig(port=free_port(), maildir=tmp_path / "maildir", starttls=False)
    with Sink(config) as s, smtplib.SMTP(*s.address) as c:
        c.ehlo()
        assert not c.has_extn("starttls")
    assert not (tmp_path / "sink-cert.pem").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("tls_port = 0", "sink.tls_port = 0: expected a port number"),
        ('tls_cert = "c.pem"', "sink.tls_key = None: expected a PEM file"),
        ("starttls = 1", "sink.starttls = 1: expected true or false"),
    ],
)
def test_bad_tls_settings_are_one_line_errors(extra: str, message: str) -> None:
    import tomllib

    with pytest.raises(ConfigError) as err:
        parse_settings({"sink": tomllib.loads(extra)}, "studio.toml")
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")
def test_swaks_starttls_and_auth_and_tls_on_connect(tmp_path: Path) -> None:
    config = SinkConfig(port=free_port(), tls_port=free_port(), maildir=tmp_path / "maildir")
    with Sink(config):
        for port, mode in ((config.port, "--tls"), (config.tls_port, "--tls-on-connect")):
            out = subprocess.run(
                ["swaks", "--server", "127.0.0.1", "--port", str(port), mode]
                + ["--from", "app@shop.example", "--to", f"a{port}@x.example"]
                + ["--auth", "PLAIN", "--auth-user", "app", "--auth-password", "pw"]
                + ["--timeout", "20"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            log = out.stdout + out.stderr
            assert "TLS started" in log, log[-2000:]
            assert "235 2.7.0 Authentication successful" in log, log[-2000:]
            assert "250 2.0.0 Stored as" in log, log[-2000:]
    assert len(Inbox(config.maildir).list()) == 2
