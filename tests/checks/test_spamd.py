"""Spam scoring through one spamd on loopback for the run (issue 18): real spamd and spamc."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studio.core.checks import lint_workspace, spamd
from studio.core.checks.rules import spam
from studio.core.workspace import Workspace
from tests.conftest import copy_example

needs_spamd = pytest.mark.skipif(
    spamd.spamd_paths() is None or shutil.which("spamassassin") is None,
    reason="spamd/spamc not installed",
)

SPAMMY = (
    b"From: winner@lottery.example\nTo: you@example.test\nSubject: FREE MONEY!!! ACT NOW\n"
    b"Content-Type: text/plain\n\n"
    + b"FREE MONEY!!! CLICK HERE NOW!!! Viagra cheap pills, 100% FREE, cash bonus!!!\n"
    * 20
)


@needs_spamd
def test_spamd_gives_each_message_the_batch_verdict(example: Workspace) -> None:
    clean = spam.scored_bytes(example.render("password_reset", sample="en_basic").email)
    with spamd.SpamdRun() as run:
        verdicts = run.score([SPAMMY, clean, SPAMMY])
        proc = run._proc
    assert proc is not None and proc.poll() is not None  # stopped when the run ended
    batch = spam._run_batch(shutil.which("spamassassin") or "", [SPAMMY, clean])
    assert [v.score if v else None for v in verdicts] == [
        batch[0].score if batch[0] else None,
        batch[1].score if batch[1] else None,
        batch[0].score if batch[0] else None,
    ]
    assert verdicts[0] is not None and verdicts[1] is not None
    assert verdicts[0].score > verdicts[1].score


def test_nothing_submitted_starts_no_spamd() -> None:
    with spamd.SpamdRun() as run:
        assert run.submit(b"Subject: big\n\n" + b"x" * (spam.MAX_SIZE + 1)).result() is None
        assert not run.started


def test_the_engine_is_the_batch_unless_spamd_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spamd, "spamd_paths", lambda: ("/usr/sbin/spamd", "/usr/bin/spamc"))
    monkeypatch.delenv(spamd.ENGINE_VARIABLE, raising=False)
    assert spamd.engine() == "batch"
    monkeypatch.setenv(spamd.ENGINE_VARIABLE, "spamd")
    assert spamd.engine() == "spamd"
    monkeypatch.setattr(spamd, "spamd_paths", lambda: None)
    assert spamd.engine() == "batch"  # not installed: the batch, never no score


@needs_spamd
def test_messages_spamd_could_not_score_get_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(spamd.ENGINE_VARIABLE, "spamd")
    monkeypatch.setattr(spamd, "START_TIMEOUT", 0.0)  # the daemon never counts as ready
    spam._MEMORY.clear()
    ws = Workspace.open(copy_example(tmp_path / "ws"))
    ahead = spam.ScoreAhead(ws)
    ahead.add(ws.render("password_reset", sample="en_basic").email)
    ahead.finish()
    raw = spam.scored_bytes(ws.render("password_reset", sample="en_basic").email)
    assert not spam.uncached(raw, ahead.cache_dir)  # scored by the batch instead


@needs_spamd
def test_a_spamd_run_scores_each_template_once_and_a_second_run_starts_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(spamd.ENGINE_VARIABLE, "spamd")
    started: list[spamd.SpamdRun] = []
    real_start = spamd.SpamdRun._start

    def start(self: spamd.SpamdRun) -> None:
        if self not in started:
            started.append(self)
        real_start(self)

    monkeypatch.setattr(spamd.SpamdRun, "_start", start)
    spam._MEMORY.clear()
    ws = Workspace.open(copy_example(tmp_path / "ws"))
    first = lint_workspace(ws, spam=True)
    assert len(started) == 1  # one daemon for the run
    cached = sorted((ws.root / ".studio" / "cache" / "spam").iterdir())
    assert len(cached) == len(ws.template_names())
    spam._MEMORY.clear()
    second = lint_workspace(Workspace.open(ws.root), spam=True)
    assert len(started) == 1, "unchanged templates started spamd again"
    ids = {"message.spam-score"}
    assert [f for f in first if f.id in ids] == [f for f in second if f.id in ids]


def test_a_run_of_one_template_scores_without_a_daemon(
    example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spam, "spamassassin_path", lambda: "/usr/bin/spamassassin")
    monkeypatch.setattr(spamd, "spamd_paths", lambda: ("/usr/sbin/spamd", "/usr/bin/spamc"))
    monkeypatch.setenv(spamd.ENGINE_VARIABLE, "spamd")
    assert spam.ScoreAhead(example, templates=5).spamd
    assert not spam.ScoreAhead(example, templates=1).spamd
