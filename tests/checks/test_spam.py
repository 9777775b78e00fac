"""SpamAssassin at scale: one process per run, a cache key stable across builds."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from studio.core import checks
from studio.core.checks import lint_file, lint_workspace, registry
from studio.core.checks.rules import spam
from studio.core.workspace import Workspace
from tests.conftest import copy_example

needs_spamassassin = pytest.mark.skipif(
    shutil.which("spamassassin") is None, reason="spamassassin not installed"
)


SPAMMY = (
    b"From: winner@lottery.example\nTo: you@example.test\nSubject: FREE MONEY!!! ACT NOW\n"
    b"Content-Type: text/plain\n\n"
    + b"FREE MONEY!!! CLICK HERE NOW!!! Viagra cheap pills, 100% FREE, cash bonus!!!\n" * 20
)


def test_the_same_content_gives_the_same_scored_bytes(example: Workspace) -> None:
    """Two builds differ in Date, Message-ID and MIME boundaries; what is scored does not."""
    first = example.render("password_reset", sample="en_basic").email
    second = example.render("password_reset", sample="en_basic").email
    assert first.as_bytes() != second.as_bytes()  # the random parts are there
    assert spam.scored_bytes(first) == spam.scored_bytes(second)


def test_different_content_gives_different_scored_bytes(example: Workspace) -> None:
    a = spam.scored_bytes(example.render("password_reset", sample="en_basic").email)
    b = spam.scored_bytes(example.render("order_confirmation", sample="en_basic").email)
    assert a != b


def count_spamassassin(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record each SpamAssassin process the spam module starts (and let it run)."""
    started: list[list[str]] = []
    real = subprocess.run

    def run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        started.append(list(args))
        return real(args, **kw)

    monkeypatch.setattr(spam.subprocess, "run", run)
    spam._MEMORY.clear()
    return started


@needs_spamassassin
def test_a_run_starts_one_spamassassin_and_a_second_run_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIO_SPAM_ENGINE", "batch")
    ws = Workspace.open(copy_example(tmp_path / "ws"))
    started = count_spamassassin(monkeypatch)
    first = lint_workspace(ws, spam=True)
    assert len(started) == 1, started  # every template's message in one process
    cached = sorted((ws.root / ".studio" / "cache" / "spam").iterdir())
    assert len(cached) == len(ws.template_names())
    spam._MEMORY.clear()  # a new process: only the files on disk
    second = lint_workspace(Workspace.open(ws.root), spam=True)
    assert len(started) == 1, "the second run of unchanged templates scored again"
    assert sorted((ws.root / ".studio" / "cache" / "spam").iterdir()) == cached
    spam_ids = {"message.spam-score"}
    assert [f for f in first if f.id in spam_ids] == [f for f in second if f.id in spam_ids]


@needs_spamassassin
def test_batch_verdicts_belong_to_their_messages(example: Workspace) -> None:
    """Scored together, each message gets its own verdict (as scored alone)."""
    clean = spam.scored_bytes(example.render("password_reset", sample="en_basic").email)
    spammy = SPAMMY
    together = spam._run_batch(shutil.which("spamassassin") or "", [spammy, clean, spammy])
    alone = [spam._run_batch(shutil.which("spamassassin") or "", [r])[0] for r in (spammy, clean)]
    assert together == [alone[0], alone[1], alone[0]]
    assert together[0] is not None and together[1] is not None
    assert together[0].score > together[1].score


def test_messages_above_the_limit_are_not_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    started = count_spamassassin(monkeypatch)
    monkeypatch.setattr(spam, "spamassassin_path", lambda: "/usr/bin/spamassassin")
    big = b"Subject: big\n\n" + b"x" * (spam.MAX_SIZE + 1)
    assert spam.score_messages([big]) == [None]
    assert started == []


@needs_spamassassin
def test_lint_of_one_message_scores_while_the_other_rules_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SpamAssassin is started before the Python rules, not after them (wall = max, not sum)."""
    started = threading.Event()
    waited: list[bool] = []
    real_score = spam.score_message
    real_run = registry.Rule.run

    def score(raw: bytes, **kw: Any) -> spam.SpamVerdict | None:
        started.set()
        return real_score(raw, **kw)

    def run(self: registry.Rule, ctx: Any, limit: int | None = None) -> list[Any]:
        if self.id not in spam.SPAM_RULES:
            # Gate on the event, with a deadline: scoring after the rules never sets it.
            waited.append(all(waited) and started.wait(timeout=20))
        return real_run(self, ctx, limit)

    monkeypatch.setattr(spam, "score_message", score)
    monkeypatch.setattr(registry.Rule, "run", run)
    spam._MEMORY.clear()
    eml = tmp_path / "m.eml"
    eml.write_bytes(SPAMMY)
    findings = lint_file(eml, spam=True)
    assert waited and all(waited)
    hits = [f for f in findings if f.id == "message.spam-score"]
    assert hits and hits[0].details["score"] >= 5  # the verdict reached the rule


@needs_spamassassin
def test_the_batch_scores_while_the_templates_are_linted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch starts before the first template is linted, and still in one process."""
    monkeypatch.setenv("STUDIO_SPAM_ENGINE", "batch")
    started = threading.Event()
    waited: list[bool] = []
    real_batch = spam._run_batch
    real_lint_template = checks.lint_template

    def batch(exe: str, raws: Any) -> Any:
        started.set()
        return real_batch(exe, raws)

    def lint_template(*args: Any, **kw: Any) -> Any:
        # Gate on the event, with a deadline: a batch run after the templates never sets it.
        waited.append(all(waited) and started.wait(timeout=20))
        return real_lint_template(*args, **kw)

    monkeypatch.setattr(spam, "_run_batch", batch)
    monkeypatch.setattr(checks, "lint_template", lint_template)
    ws = Workspace.open(copy_example(tmp_path / "ws"))
    runs = count_spamassassin(monkeypatch)
    findings = lint_workspace(ws, spam=True)
    assert waited and all(waited)
    assert len(runs) == 1, runs
    cached = list((ws.root / ".studio" / "cache" / "spam").iterdir())
    assert len(cached) == len(ws.template_names())
    assert not [f for f in findings if "did not give a verdict" in f.message]
