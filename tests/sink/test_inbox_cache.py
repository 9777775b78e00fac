"""An inbox refresh costs what is new: each captured message is verified once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from studio.core import inbox
from studio.core.inbox import Inbox, inspect
from studio.core.sink import MaildirStore
from studio.core.workspace import Workspace


def message(n: int) -> bytes:
    return (
        f"From: orders@mail.shop.example\r\nTo: b@x.example\r\nSubject: order {n}\r\n"
        f"Message-ID: <{n}@mail.shop.example>\r\n\r\nYour order {n} is on its way.\r\n"
    ).encode()


def refresh(box: Inbox, workspace: Workspace) -> list[inbox.CapturedMessage]:
    """What the inbox screen does on each refresh: every message, inspected."""
    return [inspect(box.get(s.id), workspace) for s in box.list()]


def test_a_refresh_verifies_only_new_messages(
    tmp_path: Path, scratch: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = inbox.verify

    def counted(captured: inbox.CapturedMessage, *a: Any, **kw: Any) -> inbox.Verdict:
        calls.append(captured.summary.id)
        return real(captured, *a, **kw)

    monkeypatch.setattr(inbox, "verify", counted)
    store = MaildirStore(tmp_path / "maildir")
    for n in range(3):
        store.deliver(message(n))
    box = Inbox(tmp_path / "maildir")
    first = refresh(box, scratch)
    assert len(calls) == 3
    second = refresh(box, scratch)
    assert len(calls) == 3, "a refresh with nothing new verified again"
    assert [(c.verdict, c.findings) for c in second] == [(c.verdict, c.findings) for c in first]
    store.deliver(message(3))
    refresh(box, scratch)
    assert len(calls) == 4 and len(set(calls)) == 4  # only the new one


def test_other_settings_are_judged_again(
    tmp_path: Path, scratch: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = inbox.verify
    monkeypatch.setattr(
        inbox, "verify", lambda c, *a, **kw: calls.append(c.summary.id) or real(c, *a, **kw)
    )
    MaildirStore(tmp_path / "maildir").deliver(message(0))
    box = Inbox(tmp_path / "maildir")
    refresh(box, scratch)
    settings = scratch.root / "studio.toml"
    text = settings.read_text()
    assert 'transactional_domain = "mail.shop.example"' in text
    settings.write_text(text.replace("mail.shop.example", "mail.other.example", 1))
    refresh(box, Workspace.open(scratch.root))
    assert len(calls) == 2
