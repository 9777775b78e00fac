"""The core functions each use case goes through, whichever face calls them.

``studio dns``, the deliverability screen, ``studio check`` and the inbox build their
resolver in one place; ``studio send``, the send dialog and release their transport;
``studio sink``, ``studio inbox`` and the TUI inbox their sink. These tests pin what
those functions take from the settings and what an argument overrides.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

import studio.core.dns as dns_core
from studio.cli import cli
from studio.core.checks import lint_workspace
from studio.core.dns import preflight_for, workspace_resolver
from studio.core.dns.resolver import Answer, LiveResolver, ZoneResolver
from studio.core.inbox import CapturedMessage, Summary, verify
from studio.core.send import RelayTransport, SinkTransport, transport_for
from studio.core.sink import MaildirStore, SinkConfig
from studio.core.workspace import Workspace
from studio.errors import ConfigError
from tests.conftest import REPO

DNS = '[dns]\nnameservers = ["127.0.0.1:5353"]\ntimeout = {timeout}\nretries = {retries}\n'


def _settings(root: Path, extra: str) -> Workspace:
    (root / "studio.toml").write_text('transactional_domain = "tx.example"\n' + extra)
    return Workspace.open(root)


# -- DNS: one resolver and one preflight from the settings ----------------------------


def test_workspace_resolver_reads_dns_settings_and_arguments_win(tmp_path: Path) -> None:
    ws = _settings(tmp_path, DNS.format(timeout=1.5, retries=4))
    inner = workspace_resolver(ws).inner
    assert isinstance(inner, LiveResolver)
    assert (inner.nameservers, inner.timeout, inner.retries) == (("127.0.0.1:5353",), 1.5, 4)

    inner = workspace_resolver(ws, nameservers=["127.0.0.2"], timeout=0.5).inner
    assert isinstance(inner, LiveResolver)
    assert (inner.nameservers, inner.timeout, inner.retries) == (("127.0.0.2",), 0.5, 4)

    # another domain than the settings': the system's resolver, the settings' limits
    inner = workspace_resolver(ws, use_dns_settings=False).inner
    assert isinstance(inner, LiveResolver)
    assert (inner.nameservers, inner.retries) == ((), 4)

    inner = workspace_resolver(None).inner
    assert isinstance(inner, LiveResolver)
    assert (inner.nameservers, inner.timeout, inner.retries) == ((), 3.0, 1)


def test_preflight_for_uses_the_zone_files_and_selectors_of_the_settings() -> None:
    ws = Workspace.open(REPO)
    assert isinstance(workspace_resolver(ws).inner, ZoneResolver)
    report = preflight_for(ws)
    assert report.domain == ws.settings.transactional_domain
    dkim_names = [name for name, _ in report.records["DKIM"]]
    assert dkim_names == [f"tx2026._domainkey.{report.domain}"]
    # a selector given replaces the settings' ones
    other = preflight_for(ws, selectors=["nosuch"])
    assert "dkim.missing" in {f.id for f in other.findings}


def test_preflight_for_without_a_domain_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "studio.toml").write_text("")
    with pytest.raises(ConfigError):
        preflight_for(Workspace.open(tmp_path))
    with pytest.raises(ConfigError):
        preflight_for(None)


class _RecordingResolver(LiveResolver):
    """A live resolver that records how it was built and answers nothing (no network)."""

    built: list[tuple[tuple[str, ...], float, int]] = []

    def __init__(self, nameservers: tuple[str, ...] = (), **kw: object) -> None:
        super().__init__(nameservers, **kw)  # type: ignore[arg-type]
        self.built.append((self.nameservers, self.timeout, self.retries))

    async def resolve(self, name: str, rdtype: str) -> Answer:
        return Answer(name, rdtype, "nxdomain")


def test_the_inbox_verifies_with_the_dns_retries_of_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _settings(tmp_path, DNS.format(timeout=2.0, retries=3))
    monkeypatch.setattr(dns_core, "LiveResolver", _RecordingResolver)
    _RecordingResolver.built.clear()
    msg = EmailMessage()
    msg["From"] = "a@tx.example"
    msg["Subject"] = "hi"
    msg.set_content("hello")
    raw = bytes(msg)
    summary = Summary("m1", "a@tx.example", ("b@x.example",), "a@tx.example", "", "hi", "", 1)
    verify(CapturedMessage(summary, raw, msg, "hello", "", "127.0.0.1"), ws)
    assert _RecordingResolver.built == [(("127.0.0.1:5353",), 2.0, 3)]


# -- sending: one transport choice -------------------------------------------------------


def test_transport_for_picks_the_sink_or_the_named_relay() -> None:
    ws = Workspace.open(REPO)
    sink = transport_for(ws)
    assert isinstance(sink, SinkTransport)
    assert (sink.host, sink.port) == (ws.settings.sink.host, ws.settings.sink.port)
    moved = transport_for(ws, host="127.0.0.9", port=2525)
    assert isinstance(moved, SinkTransport) and (moved.host, moved.port) == ("127.0.0.9", 2525)
    relay = transport_for(ws, "staging")
    assert isinstance(relay, RelayTransport) and relay.relay.name == "staging"
    with pytest.raises(ConfigError):
        transport_for(ws, "nosuch")


def test_both_transports_check_recipients_before_sending() -> None:
    ws = Workspace.open(REPO)
    assert transport_for(ws).check_recipients(["a@b.example"]) == ("a@b.example",)
    with pytest.raises(Exception) as refused:
        transport_for(ws, "staging").check_recipients(["ceo@elsewhere.example"])
    assert type(refused.value).__name__ == "SendError"


# -- the sink: one configuration ----------------------------------------------------------


def test_sink_config_from_settings(tmp_path: Path) -> None:
    assert SinkConfig.from_settings(None) == SinkConfig()
    ws = _settings(
        tmp_path,
        '[sink]\nport = 2626\nmaildir = "mail"\nkeep_messages = 5\nmax_message_size = 65536\n',
    )
    config = SinkConfig.from_settings(ws)
    assert (config.host, config.port, config.maildir) == ("127.0.0.1", 2626, tmp_path / "mail")
    assert (config.keep_messages, config.max_message_size) == (5, 65536)
    given = SinkConfig.from_settings(ws, port=3030, maildir=tmp_path / "m2", auth=False)
    assert (given.port, given.maildir, given.auth) == (3030, tmp_path / "m2", False)
    assert given.keep_messages == 5


# -- JSON from the core types ------------------------------------------------------------


def test_inbox_list_json_names_the_from_header_once(tmp_path: Path) -> None:
    store = MaildirStore(tmp_path / "maildir")
    store.deliver(b"From: Ada <ada@tx.example>\r\nTo: b@x.example\r\nSubject: hi\r\n\r\nhello\r\n")
    result = CliRunner().invoke(
        cli, ["inbox", "--maildir", str(tmp_path / "maildir"), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)
    assert item["from"] == "Ada <ada@tx.example>"
    assert "from_" not in item


def test_render_json_is_the_rendered_message_to_dict() -> None:
    ws = Workspace.open(REPO)
    msg = ws.render("password_reset", sample=ws.sample_names("password_reset")[0])
    args = ["--workspace", str(REPO), "render", "password_reset", "-s", str(msg.sample)]
    result = CliRunner().invoke(cli, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output).keys() == msg.to_dict().keys()


# -- findings know their template and sample ---------------------------------------------


def test_findings_carry_their_template_and_sample(scratch: Workspace) -> None:
    samples = scratch.root / "samples" / "odd (name)"
    samples.mkdir(parents=True)
    (samples / "first.json").write_text('{"shown": "x", "spare": 1}')
    scratch.template_path("odd (name)").write_text(
        "---\nsubject: x\n---\n<mjml><mj-body><mj-section><mj-column>"
        '<mj-text>{{ shown }} <a href="http://insecure.example/">here</a></mj-text>'
        "</mj-column></mj-section></mj-body></mjml>\n"
    )
    found = lint_workspace(scratch, ["odd (name)"], spam=False)
    assert found and all(f.template == "odd (name)" for f in found)
    by_id = {f.id: f for f in found}
    assert by_id["template.unused-variable"].sample == "first"
    assert by_id["link.insecure"].sample == "first"

    # the inventory counts them under the template, whatever its name looks like
    args = ["--workspace", str(scratch.root), "inventory", "-f", "json"]
    rows = {m["name"]: m for m in json.loads(CliRunner().invoke(cli, args).output)["messages"]}
    assert rows["odd (name)"]["findings"] == len([f for f in found if f.suppressed is None])
