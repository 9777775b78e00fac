"""Bounded reports: a rule lists at most ``lint.max_findings_per_rule`` findings per
message, then one finding of the same id that counts the rest."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from studio.core.checks import lint_file
from studio.core.workspace import Workspace
from studio.errors import ConfigError


def many_links_eml(path: Path, links: int) -> Path:
    msg = EmailMessage()
    msg["From"] = "orders@shop.example"
    msg["Subject"] = "many links"
    msg.set_content("The text part names none of the links.\n")
    body = "".join(
        f'<p><a href="https://shop.example/item/{i}">item {i}</a></p>' for i in range(links)
    )
    msg.add_alternative(f"<html lang=en><title>t</title><body>{body}</body></html>", subtype="html")
    path.write_bytes(msg.as_bytes())
    return path


def parity(findings: list) -> list:  # type: ignore[type-arg]
    return [f for f in findings if f.id == "message.text-parity"]


def test_a_rule_reports_at_most_the_default_then_counts(tmp_path: Path) -> None:
    found = parity(lint_file(many_links_eml(tmp_path / "m.eml", 100), spam=False))
    listed, summary = found[:-1], found[-1]
    assert len(listed) == 25
    assert all("href" in f.details for f in listed)
    assert summary.details == {"not_listed": 75, "limit": 25}


def test_under_the_limit_nothing_is_summarised(tmp_path: Path) -> None:
    found = parity(lint_file(many_links_eml(tmp_path / "m.eml", 25), spam=False))
    assert len(found) == 25 and all("not_listed" not in f.details for f in found)


def test_the_limit_is_a_setting(scratch: Workspace) -> None:
    settings = scratch.root / "studio.toml"
    settings.write_text(settings.read_text() + "\n[lint]\nmax_findings_per_rule = 3\n")
    ws = Workspace.open(scratch.root)
    found = parity(lint_file(many_links_eml(ws.root / "m.eml", 10), ws, spam=False))
    assert [f.details.get("not_listed") for f in found] == [None, None, None, 7]


def test_a_limit_below_one_is_a_config_error(scratch: Workspace) -> None:
    settings = scratch.root / "studio.toml"
    settings.write_text(settings.read_text() + "\n[lint]\nmax_findings_per_rule = 0\n")
    with pytest.raises(ConfigError, match="max_findings_per_rule"):
        Workspace.open(scratch.root).settings  # noqa: B018 - parsing is the test
