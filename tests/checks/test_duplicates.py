"""template.near-duplicate: two messages of one journey and trigger that read the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studio.core.checks import lint_workspace
from studio.core.checks.rules.duplicates import similarity
from studio.core.workspace import Workspace

ID = "template.near-duplicate"


def copy_message(ws: Workspace, src: str, dest: str, *, edit=lambda s: s) -> None:  # type: ignore[no-untyped-def]
    root = ws.root
    (root / "templates" / f"{dest}.mjml").write_text(
        edit((root / "templates" / f"{src}.mjml").read_text())
    )
    shutil.copytree(root / "samples" / src, root / "samples" / dest)


def dupes(ws: Workspace, names: list[str] | None = None) -> list:  # type: ignore[type-arg]
    fresh = Workspace.open(ws.root)
    return [f for f in lint_workspace(fresh, names, spam=False) if f.id == ID]


def test_similarity_of_word_lists() -> None:
    assert similarity(["a", "b", "c", "d"], ["a", "b", "c", "d"]) == 1.0
    assert similarity(["a", "b"], ["c", "d"]) == 0.0
    assert 0.7 < similarity(list("abcdefghij"), list("abcdefghiX")) < 1.0


def test_example_workspace_has_no_near_duplicates(example: Workspace) -> None:
    assert dupes(example) == []


def test_a_copied_template_in_the_same_journey_is_flagged(example_copy: Workspace) -> None:
    copy_message(
        example_copy,
        "password_reset",
        "password_reset_again",
        # one block less: near-identical, not identical
        edit=lambda s: s.replace('{{ ui.text(t("reset.not_you")) }}', "", 1),
    )
    found = dupes(example_copy)
    assert [(f.subject, f.details["other"], f.details["channel"]) for f in found] == [
        ("password_reset_again", "password_reset", "email")
    ]
    assert found[0].details["similarity"] >= 0.9
    assert found[0].location is not None
    assert found[0].location.file == "templates/password_reset_again.mjml"


def test_linting_one_of_the_pair_reports_it_and_others_do_not(example_copy: Workspace) -> None:
    copy_message(example_copy, "password_reset", "password_reset_again")
    assert len(dupes(example_copy, ["password_reset"])) == 1
    assert dupes(example_copy, ["order_confirmation"]) == []


def test_another_trigger_is_not_a_duplicate(example_copy: Workspace) -> None:
    copy_message(
        example_copy,
        "password_reset",
        "password_expired",
        edit=lambda s: s.replace("trigger: person", "trigger: system", 1),
    )
    assert dupes(example_copy) == []


def test_the_threshold_is_a_setting(example_copy: Workspace) -> None:
    # password_reset and account_verification share journey and trigger and
    # about half their words (header, footer): flagged only under a low threshold.
    assert dupes(example_copy) == []
    pyproject: Path = example_copy.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.studio.lint]", "[tool.studio.lint]\nduplicate_similarity = 0.5", 1
        )
    )
    found = dupes(example_copy)
    assert {(f.subject, f.details["other"]) for f in found} == {
        ("password_reset", "account_verification")
    }


def test_sms_duplicates_are_flagged_too(example_copy: Workspace) -> None:
    root = example_copy.root
    src = root / "templates" / "shipping_notification.sms.j2"
    (root / "templates" / "shipping_update.sms.j2").write_text(src.read_text())
    shutil.copytree(
        root / "samples" / "shipping_notification", root / "samples" / "shipping_update"
    )
    found = dupes(example_copy)
    assert [(f.subject, f.details["channel"]) for f in found] == [("shipping_update", "sms")]


@pytest.mark.parametrize("bad", ["0", "1.5", '"high"'])
def test_a_bad_threshold_is_a_config_error(example_copy: Workspace, bad: str) -> None:
    from studio.errors import ConfigError

    pyproject = example_copy.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.studio.lint]", f"[tool.studio.lint]\nduplicate_similarity = {bad}", 1
        )
    )
    with pytest.raises(ConfigError, match="duplicate_similarity"):
        Workspace.open(example_copy.root)


def test_a_template_without_samples_lints(example_copy: Workspace) -> None:
    root = example_copy.root
    (root / "templates" / "lonely.mjml").write_text(
        "---\nsubject: Hi\n---\n<mjml><mj-body><mj-text>Hi</mj-text></mj-body></mjml>\n"
    )
    ids = {f.id for f in lint_workspace(Workspace.open(root), ["lonely"], spam=False)}
    assert "template.unused-variable" not in ids
    assert "message.no-preheader" in ids
