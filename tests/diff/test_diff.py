"""``studio diff`` on a git repository built in the test: the example, committed, edited."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.core.diff import run_diff
from studio.core.sms import GSM7, UCS2, analyze
from studio.core.workspace import Workspace
from tests.diff.conftest import commit_all, edit

LEGAL = '{{ t("footer.legal"'


def studio(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,  # a guard against a hang, not a synchronisation
    )


def _locale(ws: Workspace, template: str, sample: str | None) -> str:
    if sample is None:
        return ws.settings.default_locale
    return ws.sample(template, sample).locale or ws.settings.default_locale


def test_footer_edit_lists_every_template_using_the_footer_and_none_other(repo: Workspace) -> None:
    users = {
        p.name.removesuffix(".mjml")
        for p in (repo.root / "templates").glob("*.mjml")
        if "components/footer.mjml" in p.read_text(encoding="utf-8")
    }
    assert users  # the example's e-mails all use it
    edit(repo, "components/footer.mjml", LEGAL, "Reviewed footer. " + LEGAL)
    report = run_diff(repo)
    assert report.inputs == ["components/footer.mjml"]
    changed = {(m.id.template, m.id.sample) for m in report.changed}
    expected = {(t, s) for t in users for s in repo.sample_names(t)}
    assert changed == expected
    assert all(m.id.channel == "email" for m in report.changed)
    assert all(m.because == ["components/footer.mjml"] for m in report.changed)
    for m in report.changed:
        assert m.changes is not None
        assert re.search(r"^\+.*Reviewed footer\.", m.changes.text_diff, re.M)
    # the SMS templates do not use the footer: listed unaffected, not rendered
    assert {m.id.channel for m in report.unaffected} == {"sms"}
    assert all(m.base is None and m.head is None for m in report.unaffected)


def test_footer_edit_that_changes_no_output_is_unchanged_not_changed(repo: Workspace) -> None:
    edit(repo, "components/footer.mjml", LEGAL, "{# a note for designers #}" + LEGAL)
    report = run_diff(repo)
    assert report.changed == []
    assert report.unchanged
    assert all(m.because == ["components/footer.mjml"] for m in report.unchanged)
    data = report.to_dict()
    assert data["version"] == 1 and data["changed"] == []
    assert {"template", "sample", "channel", "because"} <= set(data["unchanged"][0])


def test_french_locale_edit_lists_only_french_samples(repo: Workspace) -> None:
    edit(
        repo,
        "brand/locales/fr.toml",
        'help_title = "',
        'help_title = "Écrivez-nous. ',
    )
    report = run_diff(repo)
    assert report.changed
    for m in report.changed:
        assert _locale(repo, m.id.template, m.id.sample).startswith("fr"), m.id
        assert m.because == ["brand/locales/fr.toml"]
        assert "Écrivez-nous" in m.changes.text_diff  # type: ignore[union-attr]
    affected = report.changed + report.unchanged
    french = {
        (t, s)
        for t in repo.template_names()
        for s in repo.sample_names(t)
        if _locale(repo, t, s).startswith("fr")
    }
    assert {(m.id.template, m.id.sample) for m in affected if m.id.channel == "email"} == french


def test_a_link_change_shows_in_links_and_text(repo: Workspace) -> None:
    old = "https://www.mapleandmoss.example/account/reset-password?token=Zm9vYmFyLXJlc2V0LTQyNjE"
    new = "https://www.mapleandmoss.example/account/new-password?token=Zm9vYmFyLXJlc2V0LTQyNjE"
    edit(repo, "samples/password_reset/en_basic.json", old, new)
    report = run_diff(repo)
    assert [(m.id.template, m.id.sample, m.id.channel) for m in report.changed] == [
        ("password_reset", "en_basic", "email")
    ]
    ch = report.changed[0].changes
    assert ch is not None
    assert {u.split("?")[0] for u in ch.links_added} == {new.split("?")[0]}
    assert {u.split("?")[0] for u in ch.links_removed} == {old.split("?")[0]}
    assert len(ch.links_added) == len(ch.links_removed)  # the button and its fallback
    assert re.search(r"^\+.*account/new-password", ch.text_diff, re.M)
    assert re.search(r"^-.*account/reset-password", ch.text_diff, re.M)
    assert report.changed[0].because == ["samples/password_reset/en_basic.json"]


def test_a_utm_setting_change_shows_in_links_of_every_message(repo: Workspace) -> None:
    edit(repo, "pyproject.toml", 'utm_source = "transactional"', 'utm_source = "tx"')
    report = run_diff(repo)
    assert report.inputs == ["pyproject.toml"]
    assert report.unaffected == []  # the settings are everybody's input
    emails = [m for m in report.changed if m.id.channel == "email"]
    assert len(emails) == sum(len(repo.sample_names(t)) for t in repo.template_names())
    for m in emails:
        assert m.changes is not None
        assert m.changes.links_added and all("utm_source=tx" in u for u in m.changes.links_added)
        assert all("utm_source=transactional" in u for u in m.changes.links_removed)


def test_a_change_outside_the_studio_table_of_pyproject_affects_nothing(repo: Workspace) -> None:
    path = repo.root / "pyproject.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[tool.other]\nx = 1\n", encoding="utf-8")
    report = run_diff(repo)
    assert report.inputs == [] and report.changed == [] and report.unchanged == []


def test_a_new_error_finding_shows_as_new(repo: Workspace) -> None:
    text = (repo.root / "templates/password_reset.mjml").read_text(encoding="utf-8")
    anchor = '<mj-text mj-class="muted">{{ t("reset.help") }}'
    assert anchor in text
    bad = (
        '<mj-text><a href="https://phish.example/login">'
        "https://www.mapleandmoss.example/account</a></mj-text>\n        "
    )
    edit(repo, "templates/password_reset.mjml", anchor, bad + anchor)
    report = run_diff(repo)
    assert report.changed
    for m in report.changed:
        assert m.id.template == "password_reset"
        assert m.changes is not None
        new = [f for f in m.changes.new_errors if f.id == "link.mismatch"]
        assert new, m.changes.findings_new
        assert new[0].file == "templates/password_reset.mjml" and new[0].line
    assert report.new_errors >= len(report.changed)
    result = studio("diff", "--fail-on", "new-error", cwd=repo.root)
    assert result.returncode == 1, result.stderr
    assert "new error" in result.stdout


def test_sms_gaining_a_ucs2_character_shows_the_encoding_and_parts(repo: Workspace) -> None:
    """``€`` alone stays GSM-7 (extension table: two septets); ``✓`` forces UCS-2."""
    line = '{{ t("sms.verify"'
    edit(repo, "templates/account_verification.sms.j2", line, "€ " + line)
    report = run_diff(repo)
    sms = [m for m in report.changed if m.id.channel == "sms"]
    assert sms and all(m.id.template == "account_verification" for m in sms)
    for m in sms:
        ch = m.changes
        assert ch is not None and ch.sms is not None
        assert ch.sms["encoding"] == {"before": GSM7, "after": GSM7}
        assert ch.sms["units"]["after"] == ch.sms["units"]["before"] + 3  # € is 2 septets, + space

    edit(repo, "templates/account_verification.sms.j2", "€ ", "✓ ")
    report = run_diff(repo)
    sms = [m for m in report.changed if m.id.channel == "sms"]
    assert sms
    for m in sms:
        ch, head = m.changes, m.head
        assert ch is not None and ch.sms is not None and head is not None
        assert ch.sms["encoding"] == {"before": GSM7, "after": UCS2}
        assert ch.sms["segments"]["after"] == analyze(head.text).count
        assert ch.sms["segments"]["after"] >= ch.sms["segments"]["before"]
    parts = [m.changes.sms["segments"] for m in sms if m.changes and m.changes.sms]
    assert any(p["after"] > p["before"] for p in parts)  # 70 units a part instead of 160
    result = studio("diff", cwd=repo.root)
    assert result.returncode == 0
    assert "GSM-7 → UCS-2" in result.stdout


def test_two_revisions_and_json_schema(repo: Workspace) -> None:
    edit(repo, "components/footer.mjml", LEGAL, "Reviewed footer. " + LEGAL)
    worktree = run_diff(repo).to_dict()
    commit_all(repo.root)
    result = studio("diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["version"] == 1 and data["head"] == "HEAD" and data["base"] == "HEAD~1"
    assert set(data) >= {"changed", "unchanged", "unaffected"}
    assert [(c["template"], c["sample"]) for c in data["changed"]] == [
        (c["template"], c["sample"]) for c in worktree["changed"]
    ]
    assert all(c["because"] == ["components/footer.mjml"] for c in data["changed"])
    assert all(set(u) == {"template", "sample", "channel"} for u in data["unaffected"])
    # nothing changed between HEAD and the working tree now
    assert run_diff(repo, "HEAD").changed == []
    md = studio("diff", "HEAD~1", "--format", "markdown", "--fail-on", "any-change", cwd=repo.root)
    assert md.returncode == 1
    assert md.stdout.startswith("## Studio diff:") and "<details>" in md.stdout


def test_default_base_is_the_merge_base_with_main(repo: Workspace) -> None:
    from tests.diff.conftest import git

    git(repo.root, "checkout", "-q", "-b", "topic")
    edit(repo, "components/footer.mjml", LEGAL, "Reviewed footer. " + LEGAL)
    commit_all(repo.root)
    report = run_diff(repo)  # the working tree is clean: the branch's change is what shows
    assert report.base_commit == git(repo.root, "rev-parse", "main").strip()
    assert report.changed


@pytest.mark.parametrize("args", [("nope",), ("HEAD", "no-such-branch"), ("--bad",)])
def test_unknown_revisions_are_one_line_errors(repo: Workspace, args: tuple[str, ...]) -> None:
    result = studio("diff", *(("--", *args) if args[0].startswith("-") else args), cwd=repo.root)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and args[-1] in lines[0], result.stderr


def test_not_a_git_repository_is_a_one_line_error(example_copy: Workspace) -> None:
    result = studio("diff", cwd=example_copy.root)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "not a git repository" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_brand_colour_changes_no_text_but_pixels(
    repo_of: Callable[..., Workspace], tmp_path: Path
) -> None:
    pytest.importorskip("playwright")
    ws = repo_of("password_reset")
    edit(ws, "brand/brand.toml", 'primary = "#2F5D50"', 'primary = "#B0306A"')
    out = tmp_path / "report"
    result = studio("diff", "--shots", "--html", str(out), "--format", "json", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["changed"]
    for c in data["changed"]:
        assert c["because"] == ["brand/brand.toml"]
        assert "text_diff" not in c  # the words are the same
        assert [s["width"] for s in c["shots"]] == [600, 375]
        for s in c["shots"]:
            assert s["changed"] > 0
            for key in ("base", "head", "diff", "crop"):
                assert (out / s[key]).is_file()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and data["changed"][0]["shots"][0]["head"] in page


def test_a_workspace_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    from tests.conftest import copy_example
    from tests.diff.conftest import git

    top = tmp_path / "repo"
    top.mkdir()
    ws = Workspace.open(copy_example(top / "email"))
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "-c", "user.email=t@example.invalid", "-c", "user.name=T", "commit", "-qm", "x")
    edit(ws, "components/footer.mjml", LEGAL, "Reviewed footer. " + LEGAL)
    report = run_diff(ws)
    assert report.inputs == ["components/footer.mjml"]
    assert report.changed and all(m.because == ["components/footer.mjml"] for m in report.changed)
    assert {m.id.channel for m in report.unaffected} == {"sms"}
