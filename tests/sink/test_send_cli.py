"""`studio send` replaying a trigger payload, --dry-run, and `studio inbox release`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.inbox import Inbox
from studio.core.sink import Captured, Sink
from studio.core.trigger import parse_trigger
from studio.core.workspace import Workspace
from studio.errors import ConfigError
from tests.sink.conftest import PASSWORD, USER, Relay

ENV = {"RELAY_USER": USER, "RELAY_PASS": PASSWORD}


def studio(
    ws: Workspace, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", "--workspace", str(ws.root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def payload(ws: Workspace, tmp_path: Path, **extra: object) -> Path:
    sample = json.loads((ws.root / "samples" / "password_reset" / "fr_fr.json").read_text())
    sample.pop("locale", None)
    doc = {"event": "evt_123", "template": "password_reset", "locale": "fr-FR", "variables": sample}
    doc.update(extra)
    path = tmp_path / "trigger.json"
    path.write_text(json.dumps(doc))
    return path


def test_parse_trigger_forms() -> None:
    t = parse_trigger({"template": "a", "to": ["x@y.example", "z@y.example"], "variables": {}}, "p")
    assert (t.template, t.recipients) == ("a", ("x@y.example", "z@y.example"))
    plain = parse_trigger({"customer": {"first_name": "Ada"}}, "p")
    assert plain.template is None and plain.variables == {"customer": {"first_name": "Ada"}}
    for bad in ({"variables": []}, {"variables": {}, "to": 3}, {"variables": {}, "template": ""}):
        with pytest.raises(ConfigError, match="^p: "):
            parse_trigger(bad, "p")


def test_a_trigger_payload_is_replayed_to_the_sink(
    sink: tuple[Sink, list[Captured]], example_copy: Workspace, tmp_path: Path
) -> None:
    s, got = sink
    path = payload(example_copy, tmp_path, to="camille@inbox.example")
    sent = studio(example_copy, "send", "--vars", str(path), "--port", str(s.config.port))
    assert sent.returncode == 0, sent.stderr
    [item] = Inbox(s.config.maildir).list()
    assert item.to == "camille@inbox.example"
    assert "mot de passe" in item.subject.lower()  # the payload's locale and variables
    assert got[0].recipients == ("camille@inbox.example",)


def test_dry_run_sends_nothing_and_checks_the_allow_list(
    sink: tuple[Sink, list[Captured]], example_copy: Workspace, tmp_path: Path
) -> None:
    s, got = sink
    path = payload(example_copy, tmp_path, to="camille@inbox.example")
    dry = studio(
        example_copy, "send", "--vars", str(path), "--port", str(s.config.port), "--dry-run"
    )
    assert dry.returncode == 0, dry.stderr
    assert got == [] and Inbox(s.config.maildir).list() == []
    refused = studio(example_copy, "send", "--vars", str(path), "--relay", "staging", "--dry-run")
    assert refused.returncode == 2 and "camille@inbox.example" in refused.stderr
    for args in (["send", "--to", "a@inbox.example"], ["send", "password_reset"]):
        bad = studio(example_copy, *args)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr
    other = studio(example_copy, "send", "order_confirmation", "--vars", str(path))
    assert other.returncode == 2 and "password_reset" in other.stderr


def test_release_from_the_inbox_through_a_relay(
    sink: tuple[Sink, list[Captured]],
    example_copy: Workspace,
    starttls_relay: Relay,
    tmp_path: Path,
) -> None:
    s, _ = sink
    pyproject = example_copy.root / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index("[tool.studio.relays.staging]")
    end = text.index("[tool.studio.lint]")
    relay = (
        "[tool.studio.relays.staging]\n"
        f'host = "localhost"\nport = {starttls_relay.port}\ntls = "starttls"\n'
        'username_env = "RELAY_USER"\npassword_env = "RELAY_PASS"\n'
        'allow_recipients = ["*@inbox.example"]\n'
        f'ca_file = "{starttls_relay.ca_file}"\n\n'
    )
    pyproject.write_text(text[:start] + relay + text[end:])
    path = payload(example_copy, tmp_path, to="camille@inbox.example")
    assert (
        studio(example_copy, "send", "--vars", str(path), "--port", str(s.config.port)).returncode
        == 0
    )
    [item] = Inbox(s.config.maildir).list()
    md = ["inbox", "--maildir", str(s.config.maildir)]
    released = studio(example_copy, *md, "release", item.id, "--relay", "staging", env=ENV)
    assert released.returncode == 0, released.stderr
    assert [e.rcpt_tos for e in starttls_relay.received] == [["camille@inbox.example"]]
    assert PASSWORD not in released.stdout + released.stderr
    no_env = studio(example_copy, *md, "release", item.id, "--relay", "staging")
    assert no_env.returncode == 2 and "RELAY_USER" in no_env.stderr


# Resolves names under .invalid to "unknown host" without asking a DNS server (the tests
# stay on loopback); every other name goes to the real resolver.
UNKNOWN_HOST_PRELUDE = """
import runpy, socket, sys
real = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return real(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
sys.argv[0] = "studio"
runpy.run_module("studio", run_name="__main__", alter_sys=True)
"""


def _point_staging_at(ws: Workspace, host: str, port: int, ca_file: Path | None) -> None:
    pyproject = ws.root / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index("[tool.studio.relays.staging]")
    end = text.index("[tool.studio.lint]")
    relay = (
        "[tool.studio.relays.staging]\n"
        f'host = "{host}"\nport = {port}\ntls = "starttls"\n'
        'username_env = "RELAY_USER"\npassword_env = "RELAY_PASS"\n'
        'allow_recipients = ["*@inbox.example"]\n'
        + (f'ca_file = "{ca_file}"\n' if ca_file else "")
        + "timeout = 10\n\n"
    )
    pyproject.write_text(text[:start] + relay + text[end:])


@pytest.mark.parametrize("failure", ["bad_password", "untrusted_tls", "refused", "unknown_host"])
def test_failing_relay_runs_never_print_the_password(
    failure: str,
    sink: tuple[Sink, list[Captured]],
    example_copy: Workspace,
    starttls_relay: Relay,
    tmp_path: Path,
) -> None:
    """Every output line of a failed release, whatever failed, is free of the password."""
    from tests.sink.conftest import free_port

    s, _ = sink
    path = payload(example_copy, tmp_path, to="camille@inbox.example")
    sent = studio(example_copy, "send", "--vars", str(path), "--port", str(s.config.port))
    assert sent.returncode == 0, sent.stderr
    [item] = Inbox(s.config.maildir).list()

    wrong = "wrong-relay-passw0rd-9931"
    env, host, port, ca = ENV, "localhost", starttls_relay.port, starttls_relay.ca_file
    if failure == "bad_password":
        env = {**ENV, "RELAY_PASS": wrong}
    elif failure == "untrusted_tls":
        ca = None  # the system CAs do not trust the test CA
    elif failure == "refused":
        port = free_port()
    else:
        host = "relay.unknown-host.invalid"
    _point_staging_at(example_copy, host, port, ca)

    args = ["--workspace", str(example_copy.root), "inbox", "--maildir", str(s.config.maildir)]
    args += ["release", item.id, "--relay", "staging"]
    if failure == "unknown_host":
        command = [sys.executable, "-c", UNKNOWN_HOST_PRELUDE, *args]
    else:
        command = [sys.executable, "-m", "studio", *args]
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )
    assert run.returncode == 2 and run.stderr.strip()  # it failed, and said so
    assert "Traceback" not in run.stderr
    assert starttls_relay.received == []
    lines = (run.stdout + run.stderr).splitlines()
    for secret in (PASSWORD, wrong):
        assert not [line for line in lines if secret in line]
