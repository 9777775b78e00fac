"""Settings validation: typed values, one-line errors naming file and key, secrets refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.settings import parse_settings
from studio.core.workspace import Workspace
from studio.errors import ConfigError, TemplateNotFound
from tests.conftest import REPO


def test_example_settings() -> None:
    s = Workspace.open(REPO).settings
    assert s.transactional_domain == "mail.mapleandmoss.example"
    assert s.marketing_domain == "news.mapleandmoss.example"
    assert s.dkim_selectors == ("tx2026",)
    relay = s.relay("staging")
    assert relay.tls == "starttls" and relay.port == 587
    assert relay.allows("ops@mapleandmoss.example") and not relay.allows("x@other.example")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"transactional_domain": 3}, "transactional_domain"),
        ({"transactional_domain": "a.test", "marketing_domain": "A.test"}, "marketing_domain"),
        ({"from": "not an address"}, "from"),
        ({"from": "A <a@b.test>\r\nBcc: x@y.test"}, "from"),
        ({"dkim_selectors": "s1"}, "dkim_selectors"),
        ({"dns": {"timeout": -1}}, "dns.timeout"),
        ({"dns": {"timeout": True}}, "dns.timeout"),
        ({"relays": {"r": {"host": "h", "tls": "ssl"}}}, "relays.r.tls"),
        ({"relays": {"r": {"host": "h", "port": 70000}}}, "relays.r.port"),
        ({"relays": {"r": {"port": 25}}}, "relays.r.host"),
        ({"relays": {"r": {"host": "bad..example"}}}, "relays.r.host"),
        ({"relays": {"r": {"host": "x" * 64 + ".example"}}}, "relays.r.host"),
        ({"lint": {"severity": {"link.empty": "fatal"}}}, "lint.severity"),
        ({"colour": "red"}, "colour"),
        ({"tracking": {"own_domains": ["a", 1]}}, "tracking.own_domains"),
        # ranges (issue 14 item 11): each of these was accepted
        ({"sink": {"max_message_size": -5}}, "sink.max_message_size"),
        ({"sink": {"max_message_size": 0}}, "sink.max_message_size"),
        ({"sink": {"max_message_size": 65535}}, "sink.max_message_size"),
        ({"sink": {"port": 99999999}}, "sink.port"),
        ({"sink": {"port": -1}}, "sink.port"),
        ({"sink": {"host": ""}}, "sink.host"),
        ({"sink": {"keep_messages": 0}}, "sink.keep_messages"),
        ({"sink": {"keep_days": -1}}, "sink.keep_days"),
        ({"relays": {"r": {"host": "h", "port": 0}}}, "relays.r.port"),
        ({"dns": {"retries": -1}}, "dns.retries"),
        ({"dns": {"nameservers": ["127.0.0.1:70000"]}}, "dns.nameservers"),
        ({"dns": {"nameservers": ["[::1]:x"]}}, "dns.nameservers"),
        ({"lint": {"max_sms_segments": 0}}, "lint.max_sms_segments"),
        ({"lint": {"stale_review_days": -3}}, "lint.stale_review_days"),
        # clear-text AUTH may be allowed only for a relay on loopback (item 7)
        (
            {"relays": {"r": {"host": "smtp.example", "allow_plaintext_auth": True}}},
            "relays.r.allow_plaintext_auth",
        ),
        ({"relays": {"r": {"host": "127.0.0.1", "allow_plaintext_auth": 1}}}, "allow_plaintext"),
        # relay timeouts (issue 25 item 4): seconds, above 0, finite
        ({"relays": {"r": {"host": "h", "timeout": 0}}}, "relays.r.timeout"),
        ({"relays": {"r": {"host": "h", "timeout": -5}}}, "relays.r.timeout"),
        ({"relays": {"r": {"host": "h", "timeout": "5"}}}, "relays.r.timeout"),
        ({"relays": {"r": {"host": "h", "timeout": True}}}, "relays.r.timeout"),
        ({"relays": {"r": {"host": "h", "timeout": float("inf")}}}, "relays.r.timeout"),
        ({"relays": {"r": {"host": "h", "timeout": float("nan")}}}, "relays.r.timeout"),
    ],
)
def test_bad_values_name_file_and_key(table: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(table, "studio.toml")
    message = str(info.value)
    assert message.startswith("studio.toml: ")
    assert key in message
    assert "\n" not in message


def test_ranges_that_hold_are_accepted() -> None:
    s = parse_settings(
        {
            "sink": {"port": 2525, "max_message_size": 65536, "keep_messages": 1, "keep_days": 0.5},
            "dns": {"retries": 0, "nameservers": ["127.0.0.1:5353", "[::1]:53", "::1", "ns.test"]},
            "relays": {
                "local": {"host": "127.0.0.1", "tls": "none", "allow_plaintext_auth": True},
                "name": {"host": "localhost", "allow_plaintext_auth": True},
            },
        },
        "studio.toml",
    )
    assert s.sink.port == 2525 and s.sink.max_message_size == 65536
    assert s.relay("local").plaintext_auth_allowed and s.relay("name").plaintext_auth_allowed


def test_relay_timeout_is_a_setting(tmp_path: Path) -> None:
    """``timeout = 5`` under a relay was refused as unknown (issue 25 item 4)."""
    (tmp_path / "studio.toml").write_text(
        '[relays.fast]\nhost = "smtp.example"\ntimeout = 5\n'
        '[relays.slow]\nhost = "smtp.example"\ntimeout = 0.5\n'
        '[relays.plain]\nhost = "smtp.example"\n'
    )
    s = Workspace.open(tmp_path).settings
    assert s.relay("fast").timeout == 5.0
    assert s.relay("slow").timeout == 0.5
    assert s.relay("plain").timeout == 20.0


def test_secrets_in_settings_are_refused() -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings({"relays": {"r": {"host": "h", "password": "hunter2"}}}, "studio.toml")
    assert "password_env" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_studio_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.studio]\ntransactional_domain = "p.test"\n')
    (tmp_path / "studio.toml").write_text('transactional_domain = "s.test"\n')
    assert Workspace.open(tmp_path).settings.transactional_domain == "s.test"
    sub = tmp_path / "templates"
    sub.mkdir()
    assert Workspace.open(sub).root == tmp_path  # found from below


def test_unknown_relay_lists_known() -> None:
    with pytest.raises(ConfigError) as info:
        Workspace.open(REPO).settings.relay("prod")
    assert "staging" in str(info.value)


def test_templates_cannot_reach_outside_the_workspace(scratch: Workspace) -> None:
    scratch.template_path("escape").write_text(
        '---\nsubject: x\n---\n{% include "../../../etc/passwd" %}\n'
    )
    with pytest.raises(TemplateNotFound):
        scratch.render("escape")


@pytest.mark.parametrize(
    "host",
    [
        "smtp.example",
        "smtp.example.",
        "bad..example",
        ".example",
        "example..",
        "x" * 63 + ".example",
        "x" * 64 + ".example",
        "smtp." + "y" * 64,
        "smtp." + "y" * 63,
        "127.0.0.1",
        "::1",
        "[::1]",
        "localhost",
        "a",
        "-",
        "smtp.exämple",
        "ü" * 70,
    ],
)
def test_a_host_is_encodable_exactly_when_the_idna_codec_takes_it(host: str) -> None:
    from studio.core.settings import _encodable_host

    try:
        host.rstrip(".").encode("idna")
        codec = True
    except UnicodeError:
        codec = False
    assert _encodable_host(host) is codec
